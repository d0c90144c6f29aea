//! The interface between the monitor and a video service. Each call is one request to the
//! service, and the monitor takes it from its budget before calling.

use std::{future::Future, time::Duration};

use super::events::{DelayReason, DeviceReadiness};

/// Someone connected to a room now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectedParticipant {
    pub identity: String,
    /// The service's id for this connection (a new one after each reconnect).
    pub participant_sid: String,
    /// When this connection started, when the service says.
    pub since_unix: Option<i64>,
    /// Device readiness, when the service gives it with the participant list (the monitor
    /// then makes no separate [`WaitingRoomBackend::devices`] call).
    pub devices: Option<DeviceReadiness>,
}

/// Why a call failed, as far as retrying is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendError {
    /// Too many requests; `retry_after` is what the service asked for.
    RateLimited {
        retry_after: Option<Duration>,
    },
    /// The service failed (5xx).
    Server {
        status: u16,
    },
    Timeout,
    Unreachable,
    /// Credentials missing or rejected.
    Credentials,
    /// Anything else; `detail` holds no PHI.
    Unexpected {
        detail: String,
    },
}

impl BackendError {
    pub fn reason(&self) -> DelayReason {
        match self {
            Self::RateLimited { .. } => DelayReason::RateLimited,
            Self::Server { .. } => DelayReason::ServerError,
            Self::Timeout => DelayReason::Timeout,
            Self::Unreachable => DelayReason::Unreachable,
            Self::Credentials => DelayReason::Credentials,
            Self::Unexpected { .. } => DelayReason::UnexpectedAnswer,
        }
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }
}

/// Who is in a room, and what the patient publishes. Twilio's REST API now; Janus later.
pub trait WaitingRoomBackend: Send + Sync + 'static {
    /// Everyone connected to the room now; an unknown or ended room has nobody. One request.
    fn participants(
        &self,
        room_sid: &str,
    ) -> impl Future<Output = Result<Vec<ConnectedParticipant>, BackendError>> + Send;

    /// Camera and microphone of one participant, from the tracks it publishes. One request.
    fn devices(
        &self,
        room_sid: &str,
        participant_sid: &str,
    ) -> impl Future<Output = Result<DeviceReadiness, BackendError>> + Send;

    /// Forget cached connections and credentials (after the settings changed, or the
    /// credentials were rejected).
    fn reset(&self) {}
}
