//! The interface between the monitor and a video service. Each call is one request to the
//! service, and the monitor takes it from its budget before calling.

use std::{future::Future, time::Duration};

use visitdesk_store::RoomRef;

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

/// How a removal went, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// The connection was in the room and is out now.
    Removed,
    /// The connection (or the room) was already gone: done all the same.
    AlreadyGone,
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

    /// Disconnects one connection from the room (someone removed from the visit who came back
    /// with the same link). Never retried here: the monitor decides, after its next poll.
    /// [`Self::removal_requests`] requests.
    fn remove(
        &self,
        room: &RoomRef,
        participant_sid: &str,
    ) -> impl Future<Output = Result<Removal, BackendError>> + Send;

    /// How many requests one [`Self::remove`] makes in this room, all taken from the budget
    /// before it starts.
    fn removal_requests(&self, _room: &RoomRef) -> u32 {
        1
    }

    /// Lets the patient's connection receive the others' media (`admitted`), or nothing.
    /// Only asked where [`Self::enforces_admission`]. One request; setting it twice is harmless.
    fn set_admission(
        &self,
        room: &RoomRef,
        participant_sid: &str,
        admitted: bool,
    ) -> impl Future<Output = Result<(), BackendError>> + Send;

    /// Whether the service holds a waiting patient (Twilio's subscribe rules); on Janus only
    /// the join page does.
    fn enforces_admission(&self, room: &RoomRef) -> bool {
        crate::video::holds_waiting_patients(room.service)
    }

    /// Forget cached connections and credentials (after the settings changed, or the
    /// credentials were rejected).
    fn reset(&self) {}
}
