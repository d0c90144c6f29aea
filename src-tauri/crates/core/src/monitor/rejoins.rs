//! Someone removed from a visit who comes back with the same link. Neither service refuses a
//! link that is still valid, so each poll sets their connections apart: they are not counted
//! as present, and each is removed again, once per poll that finds it at most, with a backoff
//! after failures. The console hears of each attempt once, and the audit log records it.

use std::{
    collections::{BTreeMap, HashSet},
    time::Instant,
};

use tracing::{debug, warn};
use visitdesk_store::{AuditAction, AuditRecord, GuestRole};

use super::{
    MonitorConfig,
    backend::{BackendError, ConnectedParticipant, Removal},
    events::WaitingRoomEvent,
    runner::Job,
    schedule,
    state::{Role, role_of},
};
use crate::{video, visits};

/// A connection of someone removed from the visit, found in the room again.
#[derive(Debug)]
struct Rejoin {
    identity: String,
    /// When its removal is due: set by a poll that lists it, cleared when the removal starts.
    due: Option<Instant>,
    /// Removals of this connection that failed in a row.
    failures: u32,
    /// After a failure, not removed again before this (the backoff), nor before a poll.
    retry_not_before: Option<Instant>,
    /// The console has been told that it is out; that a removal failed.
    told_removed: bool,
    told_failed: bool,
}

impl Rejoin {
    fn new(identity: String) -> Self {
        Self { identity, due: None, failures: 0, retry_not_before: None, told_removed: false, told_failed: false }
    }
}

/// A poll's answer, with the connections of removed identities set apart.
pub(super) struct SortedOut {
    /// Everyone else: the room as the presence sees it.
    pub present: Vec<ConnectedParticipant>,
    /// Participant SIDs of connections of removed identities, new in this poll.
    pub found: Vec<String>,
    /// Identities whose connection left before a removal worked, after one had failed.
    pub left: Vec<String>,
}

/// What became of one removal, for the events and the audit log.
pub(super) enum RemovalOutcome {
    /// Out, or already gone; `report` the first time for this connection.
    Done { report: bool, removal: Removal },
    /// Not removed: tried again after the next poll that still finds it, and not before the
    /// backoff; `report` the first time for this connection. `slow_down`: the service asked
    /// to slow down, so the visit's polls wait until then too.
    Failed { report: bool, error: BackendError, slow_down: Option<Instant> },
}

/// One visit's removed identities and their connections in the room, by participant SID.
#[derive(Debug, Default)]
pub(super) struct Rejoins {
    removed: HashSet<String>,
    found: BTreeMap<String, Rejoin>,
}

impl Rejoins {
    /// The identities removed from the visit, as re-read with the visits.
    pub fn set_removed(&mut self, removed: HashSet<String>) {
        self.found.retain(|_, rejoin| removed.contains(&rejoin.identity));
        self.removed = removed;
    }

    /// A connection of someone removed is in the room: the visit is watched closely.
    pub fn any_found(&self) -> bool {
        !self.found.is_empty()
    }

    /// The visit has a new room: what was found in the old one no longer matters.
    pub fn forget_found(&mut self) {
        self.found.clear();
    }

    /// Splits a poll's answer: connections of identities removed from this visit become due to
    /// be removed again (after the backoff of earlier failures); the others are `present`, the
    /// room as the presence sees it. Never the provider's own identity.
    pub fn sort_out(
        &mut self,
        participants: Vec<ConnectedParticipant>,
        provider_identity: Option<&str>,
        now: Instant,
    ) -> SortedOut {
        let (rejoined, present): (Vec<_>, Vec<_>) = participants.into_iter().partition(|participant| {
            self.removed.contains(&participant.identity)
                && role_of(&participant.identity, provider_identity) != Role::Provider
        });
        let mut left = Vec::new();
        self.found.retain(|sid, rejoin| {
            let listed = rejoined.iter().any(|participant| participant.participant_sid == *sid);
            if !listed && rejoin.told_failed && !rejoin.told_removed {
                // Out before a removal worked: the console was told it had not, so it hears they are out.
                left.push(rejoin.identity.clone());
            }
            listed
        });
        let mut found = Vec::new();
        for participant in rejoined {
            let rejoin = self.found.entry(participant.participant_sid.clone()).or_insert_with(|| {
                found.push(participant.participant_sid.clone());
                Rejoin::new(participant.identity)
            });
            rejoin.due = Some(rejoin.retry_not_before.map_or(now, |at| at.max(now)));
        }
        SortedOut { present, found, left }
    }

    /// The removal due first: when, of which connection (participant SID), and whose.
    pub fn removal_due(&self) -> Option<(Instant, String, String)> {
        self.found
            .iter()
            .filter_map(|(sid, rejoin)| Some((rejoin.due?, sid.clone(), rejoin.identity.clone())))
            .min_by_key(|(due, ..)| *due)
    }

    pub fn removal_started(&mut self, participant_sid: &str) {
        if let Some(rejoin) = self.found.get_mut(participant_sid) {
            rejoin.due = None;
        }
    }

    pub fn outcome(
        &mut self,
        job: &Job,
        participant_sid: &str,
        identity: &str,
        result: Result<Removal, BackendError>,
        now: Instant,
        config: &MonitorConfig,
    ) -> RemovalOutcome {
        // The connection's entry: a poll may have dropped it meanwhile only if it was gone.
        let rejoin = self.found.entry(participant_sid.to_string()).or_insert_with(|| Rejoin::new(identity.to_string()));
        rejoin.due = None;
        match result {
            Ok(removal) => {
                rejoin.failures = 0;
                rejoin.retry_not_before = None;
                let report = !std::mem::replace(&mut rejoin.told_removed, true);
                debug!(visit = %job.visit_id, room = %job.room_sid(), participant = %participant_sid, ?removal, "removed again");
                RemovalOutcome::Done { report, removal }
            }
            Err(error) => {
                rejoin.failures += 1;
                let wait = schedule::backoff(rejoin.failures, error.retry_after(), config);
                rejoin.retry_not_before = Some(now + wait);
                let slow_down = matches!(error, BackendError::RateLimited { .. }).then_some(now + wait);
                let failures = rejoin.failures;
                let report = !std::mem::replace(&mut rejoin.told_failed, true);
                warn!(
                    visit = %job.visit_id,
                    room = %job.room_sid(),
                    participant = %participant_sid,
                    reason = ?error.reason(),
                    failures,
                    retry_in_ms = wait.as_millis() as u64,
                    "could not remove again someone removed from the visit; trying after the next poll"
                );
                RemovalOutcome::Failed { report, error, slow_down }
            }
        }
    }
}

/// The console's event for one attempt to rejoin.
pub(super) fn rejoined(
    visit_id: &str,
    identity: &str,
    provider_identity: Option<&str>,
    removed: bool,
) -> WaitingRoomEvent {
    let role = match role_of(identity, provider_identity) {
        Role::Patient => Some(GuestRole::Patient),
        Role::Guest(role) => role,
        Role::Provider => None,
    };
    WaitingRoomEvent::RemovedRejoined { visit_id: visit_id.to_string(), identity: identity.to_string(), role, removed }
}

/// The audit entry of a repeated removal, in the provider's name: their console did it.
pub(super) fn removal_audit(
    provider_identity: Option<&str>,
    job: &Job,
    identity: &str,
    removal: Removal,
) -> AuditRecord {
    let label = video::room_label(&job.room);
    let detail = match removal {
        Removal::Removed => format!("participant {identity} from {label} again: tried to rejoin"),
        Removal::AlreadyGone => {
            format!("participant {identity} tried to rejoin {label} and left before being removed again")
        }
    };
    let actor = provider_identity.unwrap_or("visitdesk").to_string();
    visits::audit(actor, AuditAction::ParticipantRemoved, &job.visit_id, detail)
}
