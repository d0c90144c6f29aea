//! One visit's presence, updated from each successful poll, and the events each change
//! makes. Pure: no I/O, no clock (times come in as arguments).

use visitdesk_store::GuestRole;

use super::{
    backend::ConnectedParticipant,
    events::{DelayReason, DeviceReadiness, GuestPresence, PatientState, VisitPresence, WaitingRoomEvent},
};

/// Who an identity is in a visit's room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Patient,
    Provider,
    Guest(Option<GuestRole>),
}

/// Guests' identities are `{role}-{random}`; the provider's is the profile's identity.
pub fn role_of(identity: &str, provider_identity: Option<&str>) -> Role {
    if provider_identity == Some(identity) {
        return Role::Provider;
    }
    match identity.split_once('-').and_then(|(prefix, _)| GuestRole::parse(prefix)) {
        Some(GuestRole::Patient) => Role::Patient,
        role => Role::Guest(role),
    }
}

/// The patient's connection: the earliest of the patient identities in the room (a patient
/// on two devices, or with links from two invites, is one patient).
pub fn patient_of<'a>(
    participants: &'a [ConnectedParticipant],
    provider_identity: Option<&str>,
) -> Option<&'a ConnectedParticipant> {
    participants.iter().filter(|participant| role_of(&participant.identity, provider_identity) == Role::Patient).min_by(
        |a, b| {
            (a.since_unix.unwrap_or(i64::MAX), &a.participant_sid)
                .cmp(&(b.since_unix.unwrap_or(i64::MAX), &b.participant_sid))
        },
    )
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct PatientSeen {
    identity: String,
    participant_sid: String,
}

#[derive(Debug, Clone)]
pub struct PresenceTracker {
    visit_id: String,
    scheduled_at: i64,
    patient: Option<PatientSeen>,
    provider_present: bool,
    /// Whom the provider's call lets in (Janus), as last seen.
    provider_admits: Vec<String>,
    guests: Vec<GuestPresence>,
    devices: DeviceReadiness,
    state: PatientState,
    delay: Option<DelayReason>,
    checked_at_unix: Option<i64>,
}

impl PresenceTracker {
    pub fn new(visit_id: String, scheduled_at: i64) -> Self {
        Self {
            visit_id,
            scheduled_at,
            patient: None,
            provider_present: false,
            provider_admits: Vec::new(),
            guests: Vec::new(),
            devices: DeviceReadiness::default(),
            state: PatientState::NotArrived,
            delay: None,
            checked_at_unix: None,
        }
    }

    pub fn set_scheduled_at(&mut self, scheduled_at: i64) {
        self.scheduled_at = scheduled_at;
    }

    pub fn patient_present(&self) -> bool {
        self.patient.is_some()
    }

    pub fn provider_present(&self) -> bool {
        self.provider_present
    }

    pub fn someone_present(&self) -> bool {
        self.patient.is_some() || self.provider_present || !self.guests.is_empty()
    }

    pub fn patient_identity(&self) -> Option<&str> {
        self.patient.as_ref().map(|patient| patient.identity.as_str())
    }

    pub fn patient_participant_sid(&self) -> Option<&str> {
        self.patient.as_ref().map(|patient| patient.participant_sid.as_str())
    }

    /// Whether the provider's call lists the patient's connection among those it lets in (Janus).
    pub fn provider_lets_patient_in(&self) -> bool {
        self.patient_participant_sid().is_some_and(|sid| self.provider_admits.iter().any(|admitted| admitted == sid))
    }

    /// Applies who is in the room now; returns the changes as events.
    pub fn apply(
        &mut self,
        participants: &[ConnectedParticipant],
        provider_identity: Option<&str>,
        now_unix: i64,
    ) -> Vec<WaitingRoomEvent> {
        let visit_id = || self.visit_id.clone();
        let mut events = Vec::new();
        let patient = patient_of(participants, provider_identity);
        let provider = participants.iter().find(|p| role_of(&p.identity, provider_identity) == Role::Provider);
        let mut guests: Vec<GuestPresence> = participants
            .iter()
            .filter_map(|participant| match role_of(&participant.identity, provider_identity) {
                Role::Guest(role) => Some(GuestPresence { identity: participant.identity.clone(), role }),
                _ => None,
            })
            .collect();
        guests.sort_by(|a, b| a.identity.cmp(&b.identity));
        guests.dedup_by(|a, b| a.identity == b.identity);

        let patient_since = patient.map(|p| p.since_unix.unwrap_or(now_unix));
        match (&self.patient, patient) {
            (None, Some(arrived)) => {
                events.push(WaitingRoomEvent::PatientArrived {
                    visit_id: visit_id(),
                    identity: arrived.identity.clone(),
                    since_unix: patient_since.unwrap_or(now_unix),
                });
            }
            (Some(gone), None) => {
                events.push(WaitingRoomEvent::PatientLeft { visit_id: visit_id(), identity: gone.identity.clone() });
                if self.devices != DeviceReadiness::default() {
                    self.devices = DeviceReadiness::default();
                    events.push(WaitingRoomEvent::DevicesChanged {
                        visit_id: visit_id(),
                        camera_on: None,
                        microphone_on: None,
                    });
                }
            }
            _ => {}
        }
        self.patient =
            patient.map(|p| PatientSeen { identity: p.identity.clone(), participant_sid: p.participant_sid.clone() });

        match (self.provider_present, provider.is_some()) {
            (false, true) => events.push(WaitingRoomEvent::ProviderJoined { visit_id: visit_id() }),
            (true, false) => events.push(WaitingRoomEvent::ProviderLeft { visit_id: visit_id() }),
            _ => {}
        }
        self.provider_present = provider.is_some();
        self.provider_admits = provider.map(|p| p.admits.clone()).unwrap_or_default();

        if guests != self.guests {
            events.push(WaitingRoomEvent::GuestsChanged { visit_id: visit_id(), guests: guests.clone() });
            self.guests = guests;
        }

        if let Some(readiness) = patient.and_then(|p| p.devices) {
            events.extend(self.set_devices(readiness));
        }

        self.state = match (patient_since, provider) {
            (Some(since), Some(provider)) => match self.state {
                PatientState::InVisit { .. } => self.state,
                _ => PatientState::InVisit { since_unix: since.max(provider.since_unix.unwrap_or(now_unix)) },
            },
            (Some(since), None) => match self.state {
                PatientState::Waiting { .. } => self.state,
                // The provider stepped out: waiting again from now.
                PatientState::InVisit { .. } => PatientState::Waiting { since_unix: now_unix },
                _ => PatientState::Waiting { since_unix: since },
            },
            (None, _) => match self.state {
                PatientState::Waiting { .. } | PatientState::InVisit { .. } => {
                    PatientState::Left { since_unix: now_unix }
                }
                other => other,
            },
        };
        self.checked_at_unix = Some(now_unix);
        events
    }

    /// The patient's devices as last checked; an event when they changed.
    pub fn set_devices(&mut self, readiness: DeviceReadiness) -> Option<WaitingRoomEvent> {
        if readiness == self.devices {
            return None;
        }
        self.devices = readiness;
        Some(WaitingRoomEvent::DevicesChanged {
            visit_id: self.visit_id.clone(),
            camera_on: readiness.camera_on,
            microphone_on: readiness.microphone_on,
        })
    }

    pub fn set_delayed(&mut self, reason: DelayReason) {
        self.delay = Some(reason);
    }

    /// Clears a delay; an event when there was one.
    pub fn clear_delay(&mut self) -> Option<WaitingRoomEvent> {
        self.delay.take().map(|_| WaitingRoomEvent::StatusRestored { visit_id: self.visit_id.clone() })
    }

    pub fn presence(&self) -> VisitPresence {
        VisitPresence {
            visit_id: self.visit_id.clone(),
            scheduled_at: self.scheduled_at,
            state: self.state,
            patient_identity: self.patient.as_ref().map(|patient| patient.identity.clone()),
            provider_present: self.provider_present,
            guests: self.guests.clone(),
            devices: self.devices,
            delayed: self.delay.is_some(),
            delay_reason: self.delay,
            checked_at_unix: self.checked_at_unix,
            admission: None,
            admission_by_console: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROVIDER: Option<&str> = Some("dr-ana-ruiz");

    fn here(identity: &str, sid: &str, since: i64) -> ConnectedParticipant {
        ConnectedParticipant {
            identity: identity.into(),
            participant_sid: sid.into(),
            since_unix: Some(since),
            devices: None,
            admits: Vec::new(),
        }
    }

    fn kinds(events: &[WaitingRoomEvent]) -> Vec<String> {
        events.iter().map(|e| serde_json::to_value(e).unwrap()["kind"].as_str().unwrap().to_string()).collect()
    }

    #[test]
    fn identities_are_sorted_by_prefix() {
        assert_eq!(role_of("patient-abc", PROVIDER), Role::Patient);
        assert_eq!(role_of("interpreter-abc", PROVIDER), Role::Guest(Some(GuestRole::Interpreter)));
        assert_eq!(role_of("family-abc", PROVIDER), Role::Guest(Some(GuestRole::Family)));
        assert_eq!(role_of("caregiver-abc", PROVIDER), Role::Guest(Some(GuestRole::Caregiver)));
        assert_eq!(role_of("dr-ana-ruiz", PROVIDER), Role::Provider);
        assert_eq!(role_of("dr-ana-ruiz", None), Role::Guest(None));
        assert_eq!(role_of("patientx", PROVIDER), Role::Guest(None));
    }

    #[test]
    fn an_arrival_is_reported_once_and_a_return_again() {
        let mut tracker = PresenceTracker::new("v1".into(), 1000);
        assert!(tracker.apply(&[], PROVIDER, 900).is_empty());
        assert_eq!(tracker.presence().state, PatientState::NotArrived);

        let patient = here("patient-abc", "PA1", 950);
        assert_eq!(kinds(&tracker.apply(std::slice::from_ref(&patient), PROVIDER, 960)), ["patient_arrived"]);
        assert_eq!(tracker.presence().state, PatientState::Waiting { since_unix: 950 });
        assert!(tracker.apply(std::slice::from_ref(&patient), PROVIDER, 970).is_empty(), "still there: no event");

        assert_eq!(kinds(&tracker.apply(&[], PROVIDER, 980)), ["patient_left"]);
        assert_eq!(tracker.presence().state, PatientState::Left { since_unix: 980 });
        assert!(tracker.apply(&[], PROVIDER, 990).is_empty());

        let back = here("patient-abc", "PA2", 995);
        let events = tracker.apply(&[back], PROVIDER, 1000);
        assert_eq!(
            events,
            [WaitingRoomEvent::PatientArrived {
                visit_id: "v1".into(),
                identity: "patient-abc".into(),
                since_unix: 995
            }]
        );
    }

    #[test]
    fn provider_guests_and_devices_change_the_state() {
        let mut tracker = PresenceTracker::new("v1".into(), 1000);
        let patient = ConnectedParticipant {
            devices: Some(DeviceReadiness { camera_on: Some(true), microphone_on: Some(false) }),
            ..here("patient-abc", "PA1", 950)
        };
        let interpreter = here("interpreter-xyz", "PA2", 955);
        let events = tracker.apply(&[interpreter.clone(), patient.clone()], PROVIDER, 960);
        assert_eq!(kinds(&events), ["patient_arrived", "guests_changed", "devices_changed"]);

        let provider = here("dr-ana-ruiz", "PA3", 1001);
        let events = tracker.apply(&[provider.clone(), interpreter.clone(), patient.clone()], PROVIDER, 1002);
        assert_eq!(kinds(&events), ["provider_joined"]);
        assert_eq!(tracker.presence().state, PatientState::InVisit { since_unix: 1001 });

        let events = tracker.apply(std::slice::from_ref(&patient), PROVIDER, 1100);
        assert_eq!(kinds(&events), ["provider_left", "guests_changed"]);
        assert_eq!(tracker.presence().state, PatientState::Waiting { since_unix: 1100 }, "waiting again from now");
        assert!(tracker.presence().guests.is_empty());

        let events = tracker.apply(&[], PROVIDER, 1200);
        assert_eq!(kinds(&events), ["patient_left", "devices_changed"], "devices are unknown once they left");
        assert_eq!(tracker.presence().devices, DeviceReadiness::default());
    }

    #[test]
    fn a_patient_on_two_devices_is_one_patient() {
        let mut tracker = PresenceTracker::new("v1".into(), 1000);
        let phone = here("patient-abc", "PA1", 950);
        let laptop = here("patient-def", "PA2", 970);
        assert_eq!(kinds(&tracker.apply(&[laptop.clone(), phone], PROVIDER, 980)), ["patient_arrived"]);
        assert_eq!(tracker.patient_participant_sid(), Some("PA1"));
        assert!(tracker.apply(std::slice::from_ref(&laptop), PROVIDER, 990).is_empty(), "still present");
        assert_eq!(tracker.patient_participant_sid(), Some("PA2"));
    }

    #[test]
    fn a_delay_is_shown_until_a_check_succeeds() {
        let mut tracker = PresenceTracker::new("v1".into(), 1000);
        assert!(tracker.clear_delay().is_none());
        tracker.set_delayed(DelayReason::RateLimited);
        let presence = tracker.presence();
        assert!(presence.delayed);
        assert_eq!(presence.delay_reason, Some(DelayReason::RateLimited));
        assert_eq!(tracker.clear_delay(), Some(WaitingRoomEvent::StatusRestored { visit_id: "v1".into() }));
        assert!(!tracker.presence().delayed);
    }
}
