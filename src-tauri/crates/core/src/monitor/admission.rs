//! Whether the waiting patient is let in. On Twilio the service holds them: the patient's
//! subscribe rules receive nothing while they wait, everything once admitted, and each new
//! connection of theirs is set so (a page that asked for automatic subscriptions gets none).
//! On Janus, which has no per-subscriber control, the clinician's call decides: its display
//! lists the patient connections it lets in, which the patient's page obeys
//! (`ui/src/video/janus/lobby.ts`). The monitor reads that list and follows it, so the console
//! shows and audits Admit and Send back made in the call.

use std::time::Instant;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use visitdesk_store::{AuditAction, AuditRecord};

use super::{MonitorConfig, runner::Job, schedule, state::PresenceTracker};
use crate::{clinic::settings::AdmissionMode, video, visits};

/// What the clinician pressed in the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AdmissionDecision {
    Admit,
    SendBack,
}

/// Where the patient is, as the console shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AdmissionState {
    Waiting,
    Admitted,
    SentBack,
}

/// One visit's admission: the clinician's decision and what the service holds.
#[derive(Debug, Default)]
pub(super) struct Admission {
    /// The clinician's last Admit or Send back; cleared when the clinician leaves. `None`
    /// follows the clinic's mode.
    decision: Option<AdmissionDecision>,
    /// The patient's connection as the service holds it: (participant SID, let in).
    applied: Option<(String, bool)>,
    failures: u32,
    retry_not_before: Option<Instant>,
}

/// Who is in the room, as the admission needs it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Room<'a> {
    pub patient_sid: Option<&'a str>,
    pub provider_present: bool,
    /// The service holds the patient (Twilio); else the join page does (Janus).
    pub enforced: bool,
    /// Not enforced (Janus): the clinician's call lists the patient's connection as let in.
    pub let_in_by_call: bool,
    pub mode: AdmissionMode,
}

impl<'a> Room<'a> {
    /// The room as the tracker sees it.
    pub fn of(tracker: &'a PresenceTracker, enforced: bool, mode: AdmissionMode) -> Self {
        Self {
            patient_sid: tracker.patient_participant_sid(),
            provider_present: tracker.provider_present(),
            enforced,
            let_in_by_call: tracker.provider_lets_patient_in(),
            mode,
        }
    }
}

impl Admission {
    pub fn decide(&mut self, decision: AdmissionDecision) {
        self.decision = Some(decision);
    }

    pub fn decision(&self) -> Option<AdmissionDecision> {
        self.decision
    }

    /// Whether the patient should be let in now.
    pub fn wanted(&self, room: Room<'_>) -> bool {
        if room.patient_sid.is_none() || !room.provider_present {
            return false;
        }
        if !room.enforced {
            return room.let_in_by_call;
        }
        match self.decision {
            Some(AdmissionDecision::Admit) => true,
            Some(AdmissionDecision::SendBack) => false,
            None => room.mode == AdmissionMode::OnJoin,
        }
    }

    /// After a poll: a clinician who left takes their decision along; where the clinician's
    /// call decides (Janus), the decision is read from what it lets in.
    pub fn observe(&mut self, provider_was_present: bool, room: Room<'_>) {
        if provider_was_present && !room.provider_present {
            self.decision = None;
        }
        if !room.enforced {
            let was_admitted = self
                .applied
                .as_ref()
                .is_some_and(|(sid, admitted)| *admitted && Some(sid.as_str()) == room.patient_sid);
            let admitted = self.wanted(room);
            if admitted && (room.mode == AdmissionMode::Explicit || self.decision.is_some()) {
                self.decision = Some(AdmissionDecision::Admit);
            } else if was_admitted && !admitted && room.provider_present {
                self.decision = Some(AdmissionDecision::SendBack);
            }
            self.applied = room.patient_sid.map(|sid| (sid.to_string(), admitted));
        } else if self.applied.as_ref().map(|(sid, _)| sid.as_str()) != room.patient_sid {
            // A new connection: the service is told what it may receive, whatever it asked,
            // and an Admit was for the connection the clinician saw (a Send back still holds).
            self.applied = None;
            if self.decision == Some(AdmissionDecision::Admit) {
                self.decision = None;
            }
            self.failures = 0;
            self.retry_not_before = None;
        }
    }

    /// A subscribe-rules request due for the patient's connection: (when, SID, let in).
    pub fn due(&self, room: Room<'_>, now: Instant) -> Option<(Instant, String, bool)> {
        let sid = room.patient_sid.filter(|_| room.enforced)?;
        let wanted = self.wanted(room);
        if self.applied.as_ref().is_some_and(|(applied, admitted)| applied == sid && *admitted == wanted) {
            return None;
        }
        Some((self.retry_not_before.map_or(now, |at| at.max(now)), sid.to_string(), wanted))
    }

    pub fn applied(&mut self, participant_sid: &str, admitted: bool) {
        self.applied = Some((participant_sid.to_string(), admitted));
        self.failures = 0;
        self.retry_not_before = None;
    }

    /// A request failed: the next waits out the backoff. Returns when it may go.
    pub fn failed(
        &mut self,
        now: Instant,
        retry_after: Option<std::time::Duration>,
        config: &MonitorConfig,
    ) -> Instant {
        self.failures += 1;
        let at = now + schedule::backoff(self.failures, retry_after, config);
        self.retry_not_before = Some(at);
        at
    }

    /// The patient's state for the console; `None` without a patient in the room.
    pub fn state(&self, patient_sid: Option<&str>) -> Option<AdmissionState> {
        let sid = patient_sid?;
        Some(match &self.applied {
            Some((applied, true)) if applied == sid => AdmissionState::Admitted,
            _ if self.decision == Some(AdmissionDecision::SendBack) => AdmissionState::SentBack,
            _ => AdmissionState::Waiting,
        })
    }
}

/// The audit entry for a change of the patient's state, in the provider's name; none
/// without one. `decision` is the clinician's, when one caused it.
pub(super) fn admission_audit(
    before: Option<AdmissionState>,
    after: Option<AdmissionState>,
    decision: Option<AdmissionDecision>,
    patient: Option<&str>,
    provider_identity: Option<&str>,
    job: &Job,
) -> Option<AuditRecord> {
    let patient = patient.unwrap_or("patient");
    let room = video::room_label(&job.room);
    let (action, why) = match (before, after?) {
        (Some(AdmissionState::Admitted), AdmissionState::Admitted) | (None, AdmissionState::Waiting) => return None,
        (_, AdmissionState::Admitted) if decision == Some(AdmissionDecision::Admit) => {
            (AuditAction::PatientAdmitted, "let in by the clinician")
        }
        (_, AdmissionState::Admitted) => (AuditAction::PatientAdmitted, "the clinician joined"),
        (Some(AdmissionState::Admitted), AdmissionState::SentBack) => {
            (AuditAction::PatientSentBack, "sent back to the waiting room by the clinician")
        }
        (Some(AdmissionState::Admitted), AdmissionState::Waiting) => {
            (AuditAction::PatientBackInWaitingRoom, "the clinician left")
        }
        _ => return None,
    };
    let actor = provider_identity.unwrap_or("visitdesk").to_string();
    Some(visits::audit(actor, action, &job.visit_id, format!("{patient} in {room}: {why}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room(patient_sid: Option<&str>, provider_present: bool, enforced: bool, mode: AdmissionMode) -> Room<'_> {
        Room { patient_sid, provider_present, enforced, let_in_by_call: false, mode }
    }

    /// A Janus room: the clinician's call lets the patient in or not.
    fn on_janus(patient_sid: &str, provider_present: bool, let_in_by_call: bool, mode: AdmissionMode) -> Room<'_> {
        Room { patient_sid: Some(patient_sid), provider_present, enforced: false, let_in_by_call, mode }
    }

    #[test]
    fn on_twilio_a_new_connection_is_told_to_receive_nothing_until_the_clinician_is_there() {
        let now = Instant::now();
        let mut admission = Admission::default();
        let waiting = room(Some("PA1"), false, true, AdmissionMode::OnJoin);
        admission.observe(false, waiting);
        assert_eq!(admission.due(waiting, now), Some((now, "PA1".into(), false)));
        admission.applied("PA1", false);
        assert_eq!(admission.due(waiting, now), None);
        assert_eq!(admission.state(Some("PA1")), Some(AdmissionState::Waiting));

        let joined = room(Some("PA1"), true, true, AdmissionMode::OnJoin);
        admission.observe(false, joined);
        assert_eq!(admission.due(joined, now), Some((now, "PA1".into(), true)));
        admission.applied("PA1", true);
        assert_eq!(admission.state(Some("PA1")), Some(AdmissionState::Admitted));

        // The patient reconnects: the new connection is set again.
        let again = room(Some("PA2"), true, true, AdmissionMode::OnJoin);
        admission.observe(true, again);
        assert_eq!(admission.state(Some("PA2")), Some(AdmissionState::Waiting));
        assert_eq!(admission.due(again, now), Some((now, "PA2".into(), true)));
    }

    #[test]
    fn explicit_mode_waits_for_admit_and_send_back_holds_until_admit_again() {
        let now = Instant::now();
        let mut admission = Admission::default();
        let together = room(Some("PA1"), true, true, AdmissionMode::Explicit);
        admission.observe(false, together);
        assert_eq!(admission.due(together, now), Some((now, "PA1".into(), false)));
        admission.applied("PA1", false);
        admission.decide(AdmissionDecision::Admit);
        assert_eq!(admission.due(together, now), Some((now, "PA1".into(), true)));
        admission.applied("PA1", true);
        admission.decide(AdmissionDecision::SendBack);
        assert_eq!(admission.due(together, now), Some((now, "PA1".into(), false)));
        admission.applied("PA1", false);
        assert_eq!(admission.state(Some("PA1")), Some(AdmissionState::SentBack));
        // Sent back stays sent back in admit-on-join mode too, until Admit.
        let on_join = room(Some("PA1"), true, true, AdmissionMode::OnJoin);
        assert_eq!(admission.due(on_join, now), None);
    }

    #[test]
    fn the_clinicians_decision_leaves_with_them() {
        let now = Instant::now();
        let mut admission = Admission::default();
        admission.decide(AdmissionDecision::SendBack);
        admission.applied("PA1", false);
        let left = room(Some("PA1"), false, true, AdmissionMode::OnJoin);
        admission.observe(true, left);
        assert_eq!(admission.decision(), None);
        assert_eq!(admission.state(Some("PA1")), Some(AdmissionState::Waiting));
        // Back again, admit-on-join lets the patient in.
        let back = room(Some("PA1"), true, true, AdmissionMode::OnJoin);
        admission.observe(false, back);
        assert_eq!(admission.due(back, now), Some((now, "PA1".into(), true)));
    }

    #[test]
    fn an_admit_before_the_clinician_joins_lets_the_patient_in_when_they_do() {
        let now = Instant::now();
        let mut admission = Admission::default();
        let waiting = room(Some("PA1"), false, true, AdmissionMode::Explicit);
        admission.observe(false, waiting);
        admission.applied("PA1", false);
        admission.decide(AdmissionDecision::Admit);
        assert_eq!(admission.due(waiting, now), None, "nobody to see yet");
        let joined = room(Some("PA1"), true, true, AdmissionMode::Explicit);
        admission.observe(false, joined);
        assert_eq!(admission.due(joined, now), Some((now, "PA1".into(), true)));
    }

    #[test]
    fn on_janus_nothing_is_asked_and_the_state_follows_the_clinicians_call() {
        let now = Instant::now();
        let mut admission = Admission::default();
        let waiting = on_janus("7", false, false, AdmissionMode::Explicit);
        admission.observe(false, waiting);
        assert_eq!(admission.due(waiting, now), None);
        assert_eq!(admission.state(Some("7")), Some(AdmissionState::Waiting));
        // The clinician is in the call, and has not let the patient in.
        let together = on_janus("7", true, false, AdmissionMode::Explicit);
        admission.observe(false, together);
        assert_eq!(admission.state(Some("7")), Some(AdmissionState::Waiting), "a clinician's presence is not an Admit");
        let admitted = on_janus("7", true, true, AdmissionMode::Explicit);
        admission.observe(true, admitted);
        assert_eq!(admission.due(admitted, now), None);
        assert_eq!(admission.state(Some("7")), Some(AdmissionState::Admitted));
        assert_eq!(admission.decision(), Some(AdmissionDecision::Admit), "audited as the clinician's Admit");
        admission.observe(true, together);
        assert_eq!(admission.state(Some("7")), Some(AdmissionState::SentBack));
        // The clinician leaves: back to waiting, their decision gone.
        admission.observe(true, waiting);
        assert_eq!((admission.state(Some("7")), admission.decision()), (Some(AdmissionState::Waiting), None));
    }

    #[test]
    fn on_janus_admit_on_join_is_the_clinician_joining_until_a_send_back() {
        let mut admission = Admission::default();
        admission.observe(false, on_janus("7", false, false, AdmissionMode::OnJoin));
        admission.observe(false, on_janus("7", true, true, AdmissionMode::OnJoin));
        assert_eq!((admission.state(Some("7")), admission.decision()), (Some(AdmissionState::Admitted), None));
        admission.observe(true, on_janus("7", true, false, AdmissionMode::OnJoin));
        assert_eq!(admission.state(Some("7")), Some(AdmissionState::SentBack));
        // A new connection of the sent-back patient, still not let in: still sent back.
        admission.observe(true, on_janus("8", true, false, AdmissionMode::OnJoin));
        assert_eq!(admission.state(Some("8")), Some(AdmissionState::SentBack));
        admission.observe(true, on_janus("8", true, true, AdmissionMode::OnJoin));
        assert_eq!(admission.decision(), Some(AdmissionDecision::Admit), "let in again: the clinician's Admit");
    }

    #[test]
    fn a_failure_backs_off_before_the_next_try() {
        let now = Instant::now();
        let config = MonitorConfig::default();
        let mut admission = Admission::default();
        let waiting = room(Some("PA1"), false, true, AdmissionMode::OnJoin);
        admission.observe(false, waiting);
        admission.failed(now, None, &config);
        let (at, _, _) = admission.due(waiting, now).expect("still due");
        assert_eq!(at, now + config.backoff_base);
    }
}
