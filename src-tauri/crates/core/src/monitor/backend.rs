//! The interface between the monitor and a video service. Each call is one request to the
//! service, and the monitor takes it from its budget before calling.

use std::{future::Future, time::Duration};

use super::events::DelayReason;
pub use crate::video::{BackendError, ConnectedParticipant, DeviceReadiness};

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

/// Who is in a room, and what the patient publishes. `ClinicBackend` over the clinic's video service; tests script their own.
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
