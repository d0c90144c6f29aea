//! The monitor's task: one loop that owns every visit's state, starts requests when they
//! are due and the budget allows, and applies their answers in the order they come. Each
//! request runs as its own task (at most one per visit at a time), so a slow answer for
//! one visit never holds up another.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    sync::Arc,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use tokio::task::{Id, JoinError, JoinSet};
use tracing::{debug, warn};
use visitdesk_store::{RoomRef, Visit, VisitStatus};

use super::{
    MonitorConfig, MonitorEvents, Shared,
    admission::{Admission, AdmissionState, Room, admission_audit},
    backend::{BackendError, ConnectedParticipant, Removal, WaitingRoomBackend},
    events::{DeviceReadiness, WaitingRoomEvent},
    rejoins::{Rejoins, RemovalOutcome, SortedOut, rejoined, removal_audit},
    schedule::{self, Candidate, Load, OftenIntervals, PollClass, Priority, by_urgency, classify, is_closed, room_sid},
    state::{PresenceTracker, patient_of},
};
use crate::{AppContext, account::session::Workspace, clinic::settings::AdmissionMode, db::with_store};

/// Statuses the monitor may move forward from, for each status it sets.
const BEFORE_WAITING: &[VisitStatus] = &[VisitStatus::Scheduled, VisitStatus::Invited];
const BEFORE_IN_VISIT: &[VisitStatus] = &[VisitStatus::Scheduled, VisitStatus::Invited, VisitStatus::Waiting];

fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs() as i64)
}

/// A wait in whole seconds, rounded up, at least 1: what the panel counts down.
fn seconds_up(duration: Duration) -> u32 {
    u32::try_from(duration.as_secs_f64().ceil() as u64).unwrap_or(u32::MAX).max(1)
}

fn whole_seconds(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX / 4)
}

/// What one request asks.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ask {
    Presence,
    Devices {
        participant_sid: String,
    },
    /// Remove again a connection of someone removed from the visit.
    Remove {
        participant_sid: String,
        identity: String,
    },
    /// Let the patient's connection receive the others' media, or nothing.
    Admission {
        participant_sid: String,
        admitted: bool,
    },
}

/// One watched visit.
struct Watched {
    visit: Visit,
    tracker: PresenceTracker,
    in_flight: bool,
    /// When the visit's last request started. A device check takes the next poll's turn:
    /// a visit pays for its own checks, and arrivals elsewhere keep their pace.
    last_poll: Option<Instant>,
    /// Since when a visit never polled (or with a new room) has waited for its first poll:
    /// it is due from then, so it ages like the others and is never starved by them.
    first_poll_wanted: Instant,
    /// Not before this, after failures.
    not_before: Option<Instant>,
    failures: u32,
    /// The last device check: when, and of which participant.
    device_check: Option<(Instant, String)>,
    /// The backend sends devices with the participant list: no separate checks.
    devices_inline: bool,
    /// Who was removed from this visit, and their connections found in the room again.
    rejoins: Rejoins,
    /// Whether the patient is let in, and what the service holds.
    admission: Admission,
    /// The clinician pressed Join visit: polled closely until they are seen, or until then.
    expect_provider_until: Option<Instant>,
}

impl Watched {
    fn new(visit: Visit) -> Self {
        let tracker = PresenceTracker::new(visit.id.clone(), visit.scheduled_at);
        Self {
            visit,
            tracker,
            in_flight: false,
            last_poll: None,
            first_poll_wanted: Instant::now(),
            not_before: None,
            failures: 0,
            device_check: None,
            devices_inline: false,
            rejoins: Rejoins::default(),
            admission: Admission::default(),
            expect_provider_until: None,
        }
    }

    fn admission_state(&self) -> Option<AdmissionState> {
        self.admission.state(self.tracker.patient_participant_sid())
    }

    fn class(&self, now_unix: i64, config: &MonitorConfig) -> PollClass {
        // Someone removed who came back is someone in the room: watched closely until gone.
        let someone_present = self.tracker.someone_present() || self.rejoins.any_found();
        classify(&self.visit, someone_present, now_unix, config)
    }

    fn after_backoff(&self, due: Instant) -> Instant {
        self.not_before.map_or(due, |not_before| due.max(not_before))
    }

    /// When the next presence poll is due; `None` when it is never polled.
    fn patient_waiting(&self) -> bool {
        self.tracker.patient_present() && !self.tracker.provider_present()
    }

    fn poll_due_at(
        &self,
        class: PollClass,
        often: OftenIntervals,
        now: Instant,
        config: &MonitorConfig,
    ) -> Option<Instant> {
        let mut interval = schedule::interval(class, often, self.patient_waiting(), config)?;
        if self.expect_provider_until.is_some_and(|until| now < until) && !self.tracker.provider_present() {
            interval = interval.min(config.expect_provider_interval);
        }
        let due = self.last_poll.map_or(self.first_poll_wanted.min(now), |last| last + interval);
        Some(self.after_backoff(due))
    }

    /// The next device check, when one is wanted: only while the patient waits (once the
    /// provider is there, they see for themselves) and the status is current. `true` for
    /// the first check of the patient's connection.
    fn device_check_due(&self, now: Instant, config: &MonitorConfig) -> Option<(Instant, bool, String)> {
        if self.devices_inline || self.failures > 0 || !self.patient_waiting() {
            return None;
        }
        let patient_sid = self.tracker.patient_participant_sid()?.to_string();
        match &self.device_check {
            Some((at, checked)) if *checked == patient_sid => {
                Some((self.after_backoff(*at + config.device_check_interval), false, patient_sid))
            }
            // Due since the poll that found this connection.
            _ => Some((self.last_poll.unwrap_or(now), true, patient_sid)),
        }
    }
}

pub(super) struct Job {
    pub visit_id: String,
    /// A room with its SID.
    pub room: RoomRef,
    started: Instant,
    ask: Ask,
}

impl Job {
    pub fn room_sid(&self) -> &str {
        self.room.sid.as_deref().unwrap_or_default()
    }
}

enum Answer {
    Presence(Result<Vec<ConnectedParticipant>, BackendError>),
    Devices(Result<DeviceReadiness, BackendError>),
    Remove(Result<Removal, BackendError>),
    Admission(Result<(), BackendError>),
}

struct Report {
    job: Job,
    answer: Answer,
}

async fn ask_backend<B: WaitingRoomBackend>(backend: Arc<B>, job: Job) -> Report {
    let answer = match &job.ask {
        Ask::Presence => Answer::Presence(backend.participants(job.room_sid()).await),
        Ask::Devices { participant_sid } => Answer::Devices(backend.devices(job.room_sid(), participant_sid).await),
        Ask::Remove { participant_sid, .. } => Answer::Remove(backend.remove(&job.room, participant_sid).await),
        Ask::Admission { participant_sid, admitted } => {
            Answer::Admission(backend.set_admission(&job.room, participant_sid, *admitted).await)
        }
    };
    Report { job, answer }
}

enum Step {
    Refresh,
    Decided,
    Finished(Result<(Id, Report), JoinError>),
    Timer,
}

pub(super) struct Runner<C, B> {
    ctx: Arc<C>,
    backend: Arc<B>,
    events: Arc<dyn MonitorEvents>,
    config: MonitorConfig,
    shared: Arc<Shared>,
    watched: BTreeMap<String, Watched>,
    provider_identity: Option<String>,
    admission_mode: AdmissionMode,
    requests: JoinSet<Report>,
    /// Which visit each running request is for.
    in_flight: HashMap<Id, String>,
    next_reload: Instant,
}

impl<C: AppContext + 'static, B: WaitingRoomBackend> Runner<C, B> {
    pub(super) fn new(
        ctx: Arc<C>,
        backend: Arc<B>,
        events: Arc<dyn MonitorEvents>,
        config: MonitorConfig,
        shared: Arc<Shared>,
    ) -> Self {
        Self {
            ctx,
            backend,
            events,
            config,
            shared,
            watched: BTreeMap::new(),
            provider_identity: None,
            admission_mode: AdmissionMode::default(),
            requests: JoinSet::new(),
            in_flight: HashMap::new(),
            next_reload: Instant::now(),
        }
    }

    pub(super) async fn run(mut self) {
        self.reload().await;
        loop {
            let wake = tokio::time::Instant::from_std(self.dispatch());
            let step = tokio::select! {
                () = self.shared.refresh.notified() => Step::Refresh,
                () = self.shared.asked.notified() => Step::Decided,
                Some(joined) = self.requests.join_next_with_id(), if !self.requests.is_empty() => Step::Finished(joined),
                () = tokio::time::sleep_until(wake) => Step::Timer,
            };
            match step {
                Step::Refresh => {
                    self.backend.reset();
                    self.reload().await;
                }
                Step::Decided => self.apply_decisions(),
                Step::Finished(joined) => self.finish(joined).await,
                Step::Timer if Instant::now() >= self.next_reload => self.reload().await,
                Step::Timer => {}
            }
        }
    }

    /// Re-reads the watched visits and the provider's identity.
    async fn reload(&mut self) {
        self.next_reload = Instant::now() + self.config.reload_interval;
        let now_unix = unix_now();
        let from = now_unix.saturating_sub(whole_seconds(self.config.watch_before));
        let to = now_unix.saturating_add(whole_seconds(self.config.watch_after));
        let read = with_store(self.ctx.as_ref(), move |store| {
            Ok((store.visits_between(from, to)?, store.removed_identities_between(from, to)?))
        })
        .await;
        let (visits, removed) = match read {
            Ok(read) => read,
            Err(error) => {
                warn!(code = ?error.code, "the waiting-room monitor could not read the visits; trying again later");
                return;
            }
        };
        let workspace = Workspace::load(self.ctx.as_ref()).ok();
        self.provider_identity = workspace.as_ref().map(|workspace| workspace.profile.identity.clone());
        self.admission_mode = workspace.map(|workspace| workspace.clinic().admission).unwrap_or_default();
        let mut open: HashMap<String, Visit> = visits
            .into_iter()
            .filter(|visit| !is_closed(visit.status))
            .map(|visit| (visit.id.clone(), visit))
            .collect();
        let mut removed_from: HashMap<String, HashSet<String>> = HashMap::new();
        for removed in removed {
            removed_from.entry(removed.visit_id).or_default().insert(removed.identity);
        }
        let mut events = Vec::new();
        let gone: Vec<String> = self.watched.keys().filter(|id| !open.contains_key(*id)).cloned().collect();
        for visit_id in gone {
            self.watched.remove(&visit_id);
            debug!(visit = %visit_id, "visit no longer watched");
            events.push(WaitingRoomEvent::MonitoringStopped { visit_id });
        }
        for (visit_id, visit) in open.drain() {
            match self.watched.get_mut(&visit_id) {
                Some(watched) => {
                    if room_sid(&watched.visit) != room_sid(&visit) {
                        // A new room: ask about it now.
                        watched.last_poll = None;
                        watched.first_poll_wanted = Instant::now();
                        watched.not_before = None;
                        watched.failures = 0;
                        watched.device_check = None;
                        watched.rejoins.forget_found();
                    }
                    watched.tracker.set_scheduled_at(visit.scheduled_at);
                    watched.visit = visit;
                    watched.rejoins.set_removed(removed_from.remove(&visit_id).unwrap_or_default());
                }
                None => {
                    let mut watched = Watched::new(visit);
                    watched.rejoins.set_removed(removed_from.remove(&visit_id).unwrap_or_default());
                    self.watched.insert(visit_id, watched);
                }
            }
        }
        self.publish(events);
    }

    fn often_intervals(&self, now_unix: i64) -> OftenIntervals {
        let mut load = Load::default();
        for watched in self.watched.values() {
            match watched.class(now_unix, &self.config) {
                PollClass::Often => load.often += 1,
                PollClass::Rarely => load.rarely += 1,
                PollClass::Never => {}
            }
        }
        let per_second = self.shared.budget.lock().expect("budget lock").per_second();
        schedule::often_intervals(load, per_second, &self.config)
    }

    /// Starts every request that is due, most urgent first, while the budget and the
    /// in-flight limit allow. Returns when to look again.
    fn dispatch(&mut self) -> Instant {
        let now = Instant::now();
        let now_unix = unix_now();
        let often = self.often_intervals(now_unix);
        let mut wake = self.next_reload;
        let mut due = Vec::new();
        for (visit_id, watched) in &self.watched {
            if watched.in_flight {
                continue;
            }
            let class = watched.class(now_unix, &self.config);
            let scheduled_at = watched.visit.scheduled_at;
            let poll = watched
                .poll_due_at(class, often, now, &self.config)
                .map(|due_at| (Priority::of_poll(class, watched.tracker.patient_present()), due_at, Ask::Presence));
            let check = watched.device_check_due(now, &self.config).map(|(due_at, first, participant_sid)| {
                (Priority::of_device_check(first), due_at, Ask::Devices { participant_sid })
            });
            let removal = watched.rejoins.removal_due().map(|(due_at, participant_sid, identity)| {
                (Priority::Removal, due_at, Ask::Remove { participant_sid, identity })
            });
            let admission = watched.visit.room.as_ref().and_then(|room| {
                let room = Room::of(&watched.tracker, self.backend.enforces_admission(room), self.admission_mode);
                let (due_at, participant_sid, admitted) = watched.admission.due(room, now)?;
                Some((Priority::Admission, due_at, Ask::Admission { participant_sid, admitted }))
            });
            for (priority, due_at, ask) in admission.into_iter().chain(removal).chain(poll).chain(check) {
                if due_at <= now {
                    due.push((Candidate { priority, due_at, scheduled_at }, visit_id.clone(), ask));
                } else {
                    wake = wake.min(due_at);
                }
            }
        }
        due.sort_by(|a, b| by_urgency(&a.0, &b.0));
        for (_, visit_id, ask) in due {
            if self.requests.len() >= self.config.max_in_flight.max(1) {
                break;
            }
            let Some(watched) = self.watched.get(&visit_id).filter(|watched| !watched.in_flight) else { continue };
            let requests = match (&ask, &watched.visit.room) {
                (Ask::Remove { .. }, Some(room)) => self.backend.removal_requests(room),
                _ => 1,
            };
            let mut budget = self.shared.budget.lock().expect("budget lock");
            // What a waiting patient may receive does not queue behind polls.
            let granted = match ask {
                Ask::Admission { .. } => budget.borrow(now),
                _ => budget.try_acquire_many(now, requests),
            };
            if !granted {
                wake = wake.min(budget.next_available_at(now));
                break;
            }
            drop(budget);
            self.start(&visit_id, ask, now);
        }
        wake
    }

    fn start(&mut self, visit_id: &str, ask: Ask, now: Instant) {
        let Some(watched) = self.watched.get_mut(visit_id) else { return };
        let Some(room) = watched.visit.room.clone().filter(|room| room.sid.is_some()) else { return };
        watched.in_flight = true;
        watched.last_poll = Some(now);
        if let Ask::Remove { participant_sid, .. } = &ask {
            watched.rejoins.removal_started(participant_sid);
        }
        let job = Job { visit_id: visit_id.to_string(), room, started: now, ask };
        let task = self.requests.spawn(ask_backend(self.backend.clone(), job));
        self.in_flight.insert(task.id(), visit_id.to_string());
    }

    async fn finish(&mut self, joined: Result<(Id, Report), JoinError>) {
        let Report { job, answer } = match joined {
            Ok((id, report)) => {
                self.in_flight.remove(&id);
                report
            }
            Err(error) => {
                if let Some(watched) =
                    self.in_flight.remove(&error.id()).and_then(|visit_id| self.watched.get_mut(&visit_id))
                {
                    watched.in_flight = false;
                }
                warn!(%error, "a waiting-room request stopped");
                return;
            }
        };
        let now = Instant::now();
        let now_unix = unix_now();
        let often = self.often_intervals(now_unix);
        let Some(watched) = self.watched.get_mut(&job.visit_id) else { return };
        watched.in_flight = false;
        if room_sid(&watched.visit) != Some(job.room_sid()) {
            // The visit has a new room meanwhile: ask about that one.
            watched.last_poll = None;
            watched.first_poll_wanted = now;
            return;
        }
        let visit_id = job.visit_id.clone();
        let mut events = Vec::new();
        let mut lobby = None;
        let provider = self.provider_identity.as_deref();
        let failure = match answer {
            Answer::Admission(result) => {
                let Ask::Admission { participant_sid, admitted } = &job.ask else {
                    unreachable!("an admission answers an admission")
                };
                let before = watched.admission_state();
                match result {
                    Ok(()) => {
                        watched.admission.applied(participant_sid, *admitted);
                        events.extend(watched.tracker.clear_delay());
                    }
                    Err(error) => {
                        warn!(
                            visit = %visit_id,
                            room = %job.room_sid(),
                            participant = %participant_sid,
                            reason = ?error.reason(),
                            "the patient's admission could not be set; trying again"
                        );
                        let retry_at = watched.admission.failed(now, error.retry_after(), &self.config);
                        if error == BackendError::Credentials {
                            self.backend.reset();
                        }
                        // The panel says so, instead of showing a Send back that did not take.
                        watched.tracker.set_delayed(error.reason());
                        events.push(WaitingRoomEvent::StatusDelayed {
                            visit_id: visit_id.clone(),
                            retry_in_seconds: seconds_up(retry_at.saturating_duration_since(now)),
                            reason: error.reason(),
                        });
                    }
                }
                let record = admission_change(watched, before, provider, &job, &mut events);
                write_audit(self.ctx.as_ref(), record, &visit_id, "the patient's admission").await;
                self.publish(events);
                return;
            }
            Answer::Remove(result) => {
                let Ask::Remove { participant_sid, identity } = &job.ask else {
                    unreachable!("a removal answers a removal")
                };
                let outcome = watched.rejoins.outcome(&job, participant_sid, identity, result, now, &self.config);
                if let RemovalOutcome::Failed { slow_down: Some(until), .. } = outcome {
                    // The service asked to slow down: the visit's polls wait too.
                    watched.not_before = Some(watched.not_before.map_or(until, |at| at.max(until)));
                }
                let (event, audit) = match outcome {
                    RemovalOutcome::Done { report, removal } => {
                        let audit = report.then(|| removal_audit(provider, &job, identity, removal));
                        (report.then(|| rejoined(&visit_id, identity, provider, true)), audit)
                    }
                    RemovalOutcome::Failed { report, error, .. } => {
                        if error == BackendError::Credentials {
                            self.backend.reset();
                        }
                        (report.then(|| rejoined(&visit_id, identity, provider, false)), None)
                    }
                };
                events.extend(event);
                write_audit(self.ctx.as_ref(), audit, &visit_id, "the repeated removal").await;
                self.publish(events);
                return;
            }
            Answer::Presence(Ok(participants)) => {
                let SortedOut { present: participants, found, left } =
                    watched.rejoins.sort_out(participants, provider, now);
                events.extend(left.iter().map(|identity| rejoined(&visit_id, identity, provider, true)));
                for participant_sid in found {
                    debug!(
                        visit = %visit_id,
                        room = %job.room_sid(),
                        participant = %participant_sid,
                        "someone removed from the visit came back; removing them again"
                    );
                }
                let provider_was_present = watched.tracker.provider_present();
                let before = watched.admission_state();
                events.extend(watched.tracker.apply(&participants, provider, now_unix));
                let room = Room::of(&watched.tracker, self.backend.enforces_admission(&job.room), self.admission_mode);
                watched.admission.observe(provider_was_present, room);
                lobby = admission_change(watched, before, provider, &job, &mut events);
                if let Some(patient) = patient_of(&participants, provider) {
                    watched.devices_inline = patient.devices.is_some();
                }
                None
            }
            Answer::Devices(Ok(readiness)) => {
                let Ask::Devices { participant_sid } = &job.ask else { unreachable!("devices answer a device check") };
                // Still the same connection: otherwise the next check asks about the new one.
                if watched.tracker.patient_participant_sid() == Some(participant_sid.as_str()) {
                    events.extend(watched.tracker.set_devices(readiness));
                }
                watched.device_check = Some((job.started, participant_sid.clone()));
                None
            }
            Answer::Presence(Err(error)) | Answer::Devices(Err(error)) => Some(error),
        };
        match failure {
            None => {
                watched.failures = 0;
                watched.not_before = None;
                if let Some(restored) = watched.tracker.clear_delay() {
                    debug!(visit = %visit_id, "waiting-room status restored");
                    events.insert(0, restored);
                }
            }
            Some(error) => {
                watched.failures += 1;
                let wait = schedule::backoff(watched.failures, error.retry_after(), &self.config);
                watched.not_before = Some(now + wait);
                watched.tracker.set_delayed(error.reason());
                let class = watched.class(now_unix, &self.config);
                let retry_at = watched.poll_due_at(class, often, now, &self.config).unwrap_or(now + wait);
                let retry_in = retry_at.saturating_duration_since(now);
                warn!(
                    visit = %visit_id,
                    room = %job.room_sid(),
                    reason = ?error.reason(),
                    failures = watched.failures,
                    retry_in_ms = retry_in.as_millis() as u64,
                    "waiting-room status delayed"
                );
                if error == BackendError::Credentials {
                    self.backend.reset();
                }
                events.push(WaitingRoomEvent::StatusDelayed {
                    visit_id: visit_id.clone(),
                    retry_in_seconds: seconds_up(retry_in),
                    reason: error.reason(),
                });
            }
        }
        write_audit(self.ctx.as_ref(), lobby, &visit_id, "the patient's admission").await;
        events.extend(self.sync_visit_status(&visit_id).await);
        self.publish(events);
    }

    /// Takes the clinician's Admit and Send back, and their joining; `dispatch` acts on them.
    fn apply_decisions(&mut self) {
        let expecting = std::mem::take(&mut *self.shared.expecting.lock().expect("expecting lock"));
        let until = Instant::now() + self.config.expect_provider_for;
        for visit_id in expecting {
            if let Some(watched) = self.watched.get_mut(&visit_id) {
                watched.expect_provider_until = Some(until);
            }
        }
        let decisions = std::mem::take(&mut *self.shared.decisions.lock().expect("decisions lock"));
        for (visit_id, decision) in decisions {
            if let Some(watched) = self.watched.get_mut(&visit_id) {
                debug!(visit = %visit_id, ?decision, "the clinician decided the patient's admission");
                watched.admission.decide(decision);
            }
        }
    }

    /// Moves the visit to `waiting` when the patient is in the room, or to `in_visit` when
    /// the provider is there too; never out of an ended visit. Checked against the stored
    /// status, which the provider may have changed meanwhile.
    async fn sync_visit_status(&mut self, visit_id: &str) -> Vec<WaitingRoomEvent> {
        let Some(watched) = self.watched.get(visit_id) else { return Vec::new() };
        let (target, allowed_from) = match (watched.tracker.patient_present(), watched.tracker.provider_present()) {
            (true, true) => (VisitStatus::InVisit, BEFORE_IN_VISIT),
            (true, false) => (VisitStatus::Waiting, BEFORE_WAITING),
            (false, _) => return Vec::new(),
        };
        if !allowed_from.contains(&watched.visit.status) {
            return Vec::new();
        }
        let id = visit_id.to_string();
        let saved = with_store(self.ctx.as_ref(), move |store| {
            let current = store.visit(&id)?;
            if allowed_from.contains(&current.status) {
                store.set_visit_status(&id, target).map(|visit| (true, visit))
            } else {
                Ok((false, current))
            }
        })
        .await;
        let (changed, visit) = match saved {
            Ok(saved) => saved,
            Err(error) => {
                warn!(visit = %visit_id, code = ?error.code, "the waiting-room monitor could not update the visit's status");
                return Vec::new();
            }
        };
        let status = visit.status;
        if is_closed(status) {
            self.watched.remove(visit_id);
            return vec![WaitingRoomEvent::MonitoringStopped { visit_id: visit_id.to_string() }];
        }
        if let Some(watched) = self.watched.get_mut(visit_id) {
            watched.visit = visit;
        }
        if !changed {
            return Vec::new();
        }
        debug!(visit = %visit_id, status = status.as_str(), "visit status set from the waiting room");
        vec![WaitingRoomEvent::VisitStatusChanged { visit_id: visit_id.to_string(), status }]
    }

    /// Updates the snapshot, then sends the events, so a panel that reads the snapshot on an
    /// event sees the state the event announced.
    fn publish(&self, events: Vec<WaitingRoomEvent>) {
        let mut snapshot: Vec<_> = self
            .watched
            .values()
            .map(|watched| {
                let mut presence = watched.tracker.presence();
                presence.admission = watched.admission_state();
                presence.admission_by_console =
                    watched.visit.room.as_ref().is_some_and(|room| self.backend.enforces_admission(room));
                presence
            })
            .collect();
        snapshot.sort_by(|a, b| (a.scheduled_at, &a.visit_id).cmp(&(b.scheduled_at, &b.visit_id)));
        *self.shared.snapshot.lock().expect("snapshot lock") = snapshot;
        for event in events {
            debug!(visit = %event.visit_id(), event = event.kind(), "waiting-room event");
            self.events.emit(event);
        }
    }
}

/// The event and audit entry for a change of the patient's admission since `before`.
fn admission_change(
    watched: &Watched,
    before: Option<AdmissionState>,
    provider: Option<&str>,
    job: &Job,
    events: &mut Vec<WaitingRoomEvent>,
) -> Option<visitdesk_store::AuditRecord> {
    let after = watched.admission_state();
    if after == before {
        return None;
    }
    if let Some(admission) = after {
        events.push(WaitingRoomEvent::AdmissionChanged { visit_id: job.visit_id.clone(), admission });
    }
    let patient = watched.tracker.patient_identity();
    admission_audit(before, after, watched.admission.decision(), patient, provider, job)
}

/// Appends `record` to the audit log, if any; a failure is logged (`what` could not be written).
async fn write_audit(ctx: &impl AppContext, record: Option<visitdesk_store::AuditRecord>, visit_id: &str, what: &str) {
    let Some(record) = record else { return };
    if let Err(error) = with_store(ctx, move |store| store.append_audit(record)).await {
        warn!(visit = %visit_id, code = ?error.code, "{what} could not be written to the audit log");
    }
}
