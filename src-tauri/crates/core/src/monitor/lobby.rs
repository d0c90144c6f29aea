//! The patient's way through the waiting room, as the monitor sees the room: let in when a
//! clinician is there with them (the clinician's arrival admits the patient), back in the
//! waiting room when the clinician leaves and the patient stays. Each change is audited.

use visitdesk_store::{AuditAction, AuditRecord};

use super::{runner::Job, state::PresenceTracker};
use crate::{video, visits};

/// Who of the patient and the provider the tracker sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Together {
    patient: bool,
    provider: bool,
}

impl Together {
    pub fn of(tracker: &PresenceTracker) -> Self {
        Self { patient: tracker.patient_present(), provider: tracker.provider_present() }
    }
}

/// The audit entry for a change between two polls, in the provider's name; none without one.
pub(super) fn lobby_audit(
    before: Together,
    after: Together,
    tracker: &PresenceTracker,
    provider_identity: Option<&str>,
    job: &Job,
) -> Option<AuditRecord> {
    let patient = tracker.presence().patient_identity.unwrap_or_else(|| "patient".into());
    let room = video::room_label(&job.room);
    let (action, detail) = match (before.patient && before.provider, after.patient, after.provider) {
        (false, true, true) => (AuditAction::PatientAdmitted, format!("{patient} in {room}: the clinician joined")),
        (true, true, false) => {
            (AuditAction::PatientBackInWaitingRoom, format!("{patient} in {room}: the clinician left"))
        }
        _ => return None,
    };
    let actor = provider_identity.unwrap_or("visitdesk").to_string();
    Some(visits::audit(actor, action, &job.visit_id, detail))
}
