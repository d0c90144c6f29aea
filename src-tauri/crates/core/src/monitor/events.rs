//! What the monitor tells the window: typed events and the per-visit snapshot. No PHI:
//! visit ids, identities (random, role-prefixed) and times only.

use serde::Serialize;
use ts_rs::TS;
use visitdesk_store::{GuestRole, VisitStatus};

pub use super::admission::AdmissionState;
pub use crate::video::DeviceReadiness;

/// Someone in the visit's room other than the patient and the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct GuestPresence {
    pub identity: String,
    /// From the identity's prefix; empty for an identity VisitDesk did not issue.
    pub role: Option<GuestRole>,
}

/// Why the latest status could not be fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DelayReason {
    /// Twilio answered 429.
    RateLimited,
    /// Twilio (or a gateway) answered 5xx.
    ServerError,
    /// No answer within the request timeout.
    Timeout,
    /// No connection to Twilio.
    Unreachable,
    /// Credentials missing, locked in the keychain, or rejected.
    Credentials,
    /// An answer that was not Twilio's format, or another error.
    UnexpectedAnswer,
}

/// Where the patient is, as of the last successful check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PatientState {
    NotArrived,
    /// In the room without the provider, since then.
    Waiting {
        #[ts(type = "number")]
        since_unix: i64,
    },
    /// In the room with the provider, since then.
    InVisit {
        #[ts(type = "number")]
        since_unix: i64,
    },
    /// Was in the room and left (noticed then).
    Left {
        #[ts(type = "number")]
        since_unix: i64,
    },
}

/// One visit's waiting-room status, for a panel that opens after the events went out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct VisitPresence {
    pub visit_id: String,
    #[ts(type = "number")]
    pub scheduled_at: i64,
    pub state: PatientState,
    pub patient_identity: Option<String>,
    pub provider_present: bool,
    pub guests: Vec<GuestPresence>,
    pub devices: DeviceReadiness,
    /// The last check failed: `state` is what was last known, not what is true now. Show
    /// "status delayed, retrying" instead of claiming it.
    pub delayed: bool,
    pub delay_reason: Option<DelayReason>,
    /// The last successful check; `null` before the first (show "checking").
    #[ts(type = "number | null")]
    pub checked_at_unix: Option<i64>,
    /// Where the patient is while in the room; `null` without them.
    pub admission: Option<AdmissionState>,
    /// The console's Admit and Send back act: the service holds a waiting patient (Twilio).
    /// On Janus the join page lets the patient in when the clinician joins.
    pub admission_by_console: bool,
}

/// One change in a visit's waiting room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WaitingRoomEvent {
    /// Sent once per arrival; a patient who leaves and comes back arrives again.
    PatientArrived {
        visit_id: String,
        identity: String,
        #[ts(type = "number")]
        since_unix: i64,
    },
    PatientLeft {
        visit_id: String,
        identity: String,
    },
    /// Everyone in the room besides the patient and the provider, as it is now.
    GuestsChanged {
        visit_id: String,
        guests: Vec<GuestPresence>,
    },
    DevicesChanged {
        visit_id: String,
        camera_on: Option<bool>,
        microphone_on: Option<bool>,
    },
    ProviderJoined {
        visit_id: String,
    },
    ProviderLeft {
        visit_id: String,
    },
    /// A check failed; the next try is in `retry_in_seconds`. Sent after each failure.
    StatusDelayed {
        visit_id: String,
        retry_in_seconds: u32,
        reason: DelayReason,
    },
    /// A check succeeded after a delay; the events that follow bring the state up to date.
    StatusRestored {
        visit_id: String,
    },
    /// The monitor moved the visit to `waiting` or `in_visit` in the database.
    VisitStatusChanged {
        visit_id: String,
        status: VisitStatus,
    },
    /// The visit ended, was cancelled or marked no-show, or left the watched time window.
    MonitoringStopped {
        visit_id: String,
    },
    /// Someone removed from this visit came back with the same link. The monitor does not
    /// count them as present and removes that connection again. Sent with `removed: true` once
    /// per connection, when it is out (removed again, or gone before a removal worked), and
    /// with `removed: false` once, when a removal failed (the next poll that still finds them
    /// tries again).
    RemovedRejoined {
        visit_id: String,
        identity: String,
        /// From the identity's prefix; empty for an identity VisitDesk did not issue.
        role: Option<GuestRole>,
        removed: bool,
    },
    /// The patient was let in, sent back, or is back in the waiting room (the clinician left).
    AdmissionChanged {
        visit_id: String,
        admission: AdmissionState,
    },
}

impl WaitingRoomEvent {
    /// The `kind` tag, as serialized.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::PatientArrived { .. } => "patient_arrived",
            Self::PatientLeft { .. } => "patient_left",
            Self::GuestsChanged { .. } => "guests_changed",
            Self::DevicesChanged { .. } => "devices_changed",
            Self::ProviderJoined { .. } => "provider_joined",
            Self::ProviderLeft { .. } => "provider_left",
            Self::StatusDelayed { .. } => "status_delayed",
            Self::StatusRestored { .. } => "status_restored",
            Self::VisitStatusChanged { .. } => "visit_status_changed",
            Self::MonitoringStopped { .. } => "monitoring_stopped",
            Self::RemovedRejoined { .. } => "removed_rejoined",
            Self::AdmissionChanged { .. } => "admission_changed",
        }
    }

    pub fn visit_id(&self) -> &str {
        match self {
            Self::PatientArrived { visit_id, .. }
            | Self::PatientLeft { visit_id, .. }
            | Self::GuestsChanged { visit_id, .. }
            | Self::DevicesChanged { visit_id, .. }
            | Self::ProviderJoined { visit_id }
            | Self::ProviderLeft { visit_id }
            | Self::StatusDelayed { visit_id, .. }
            | Self::StatusRestored { visit_id }
            | Self::VisitStatusChanged { visit_id, .. }
            | Self::MonitoringStopped { visit_id }
            | Self::RemovedRejoined { visit_id, .. }
            | Self::AdmissionChanged { visit_id, .. } => visit_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_tagged_by_kind_in_snake_case() {
        let event = WaitingRoomEvent::PatientArrived {
            visit_id: "v1".into(),
            identity: "patient-abc".into(),
            since_unix: 1_795_361_400,
        };
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            serde_json::json!({"kind": "patient_arrived", "visit_id": "v1", "identity": "patient-abc", "since_unix": 1_795_361_400})
        );
        let delayed = WaitingRoomEvent::StatusDelayed {
            visit_id: "v1".into(),
            retry_in_seconds: 4,
            reason: DelayReason::RateLimited,
        };
        assert_eq!(
            serde_json::to_value(&delayed).unwrap(),
            serde_json::json!({"kind": "status_delayed", "visit_id": "v1", "retry_in_seconds": 4, "reason": "rate_limited"})
        );
        let rejoined = WaitingRoomEvent::RemovedRejoined {
            visit_id: "v1".into(),
            identity: "interpreter-kqzmtrwxab".into(),
            role: Some(GuestRole::Interpreter),
            removed: true,
        };
        assert_eq!(
            serde_json::to_value(&rejoined).unwrap(),
            serde_json::json!({"kind": "removed_rejoined", "visit_id": "v1", "identity": "interpreter-kqzmtrwxab", "role": "interpreter", "removed": true})
        );
        assert_eq!(rejoined.kind(), "removed_rejoined");
        assert_eq!(event.kind(), "patient_arrived");
        assert_eq!(delayed.kind(), "status_delayed");
        assert_eq!(
            serde_json::to_value(PatientState::Waiting { since_unix: 5 }).unwrap(),
            serde_json::json!({"kind": "waiting", "since_unix": 5})
        );
    }

    #[test]
    fn typescript_uses_number_for_times() {
        let cfg = ts_rs::Config::new();
        for declaration in [WaitingRoomEvent::decl(&cfg), PatientState::decl(&cfg), VisitPresence::decl(&cfg)] {
            assert!(!declaration.contains("bigint"), "{declaration}");
        }
    }
}

/// The provider acted on an arrival notification: the window shows this visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct VisitFocusRequest {
    pub visit_id: String,
}
