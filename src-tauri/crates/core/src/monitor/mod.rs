//! The waiting-room monitor: for each open visit with a room, who is in the room (patient,
//! provider, interpreter, family), the patient's camera and microphone, and whether that
//! status is current. It reports changes as [`WaitingRoomEvent`]s through
//! [`MonitorEvents`], keeps a snapshot for a panel that opens late, and moves a visit to
//! `waiting` (patient arrived) or `in_visit` (patient and provider together) in the store.
//!
//! **Backend.** A [`WaitingRoomBackend`] answers "who is connected to this room" and "what
//! does this participant publish", and removes a connection; [`ClinicBackend`] asks the
//! clinic's video service through `crate::video`. Each call is one request (a removal on Janus
//! two), taken from the budget before it is made.
//!
//! **Budget.** At most [`MonitorConfig::budget_requests`] requests in any
//! [`MonitorConfig::budget_window`] (60 a minute), for the whole monitor, whatever the
//! service answers, and spent evenly: 1 a second, never more than
//! [`MonitorConfig::budget_burst`] (1) at once.
//!
//! **Schedule.** Visits scheduled in [`MonitorConfig::watch_before`] (12 h) ago ..
//! [`MonitorConfig::watch_after`] (36 h) ahead are watched, re-read from the store every
//! [`MonitorConfig::reload_interval`] (30 s) and on [`MonitorHandle::refresh`]. A visit
//! due within the hour, overdue by up to 2 h, or with someone in its room is polled often:
//! the budget left after rare polls, shared evenly, between 2 s and 5 s (60 a minute for
//! 3 such visits: every 3 s). Other open visits with a room (later today, tomorrow, long
//! overdue) are polled every 5 min; completed, cancelled and no-show visits, and visits
//! without a room SID (nobody can be in it), never. While the patient waits (in the room,
//! the provider not yet), their camera and microphone are asked for on arrival and every
//! 20 s, and that visit is polled a little less often (3.5 s for 3 visits) to pay for it,
//! so arrivals elsewhere are not slowed. Once the provider is there, they see for
//! themselves: no device checks.
//!
//! **Who goes first.** When more is due than the budget allows, the request longest past
//! its due time goes first, where a poll that may catch an arrival is favoured over one
//! that may catch a departure or a first device check (by up to 1 s), a repeated device
//! check (5 s) and a rare poll (30 s). Nothing starves.
//!
//! **Failures.** A 429, 5xx, timeout, unreachable service or rejected credentials delay
//! that visit: 2 s, doubling to 60 s, and never sooner than `Retry-After` (capped at
//! 5 min). Each failure sends [`WaitingRoomEvent::StatusDelayed`]; the presence keeps what
//! was last known with `delayed: true`. The next successful poll sends
//! [`WaitingRoomEvent::StatusRestored`] and then whatever changed meanwhile, so an arrival
//! is reported once however many polls failed around it.
//!
//! **Removed participants.** The identities the provider removed from a visit's room are kept
//! in the store and re-read with the visits. When a poll finds a connection of one of them
//! (the same link, used again), that connection is not counted as present (not the patient's
//! arrival, not a guest), and its removal is due at once, before any other request, from the
//! same budget. It sends [`WaitingRoomEvent::RemovedRejoined`] once per connection, with
//! `removed: true` once it is out (a connection already gone counts as out), and appends a
//! `participant_removed` entry to the audit log. A removal that fails is never retried on its
//! own: it sends the event once with `removed: false`, and the next poll that still finds the
//! connection tries again, not before the backoff above (which a 429 also imposes on the
//! visit's polls). The provider's own identity is never removed. On Janus an identity is the
//! display name the page sends, so a guest who edits it is not recognised.
//!
//! Logs carry visit ids, room SIDs, participant SIDs and identities, never names or numbers.
//! A removed connection is logged by its participant SID only (on Janus an identity is a
//! display name someone typed).

mod admission;
mod backend;
mod budget;
mod clinic_backend;
mod events;
mod rejoins;
mod runner;
mod schedule;
// Visible to the video seam's tests, which check Janus's classification against `role_of`.
pub(crate) mod state;

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

pub use admission::{AdmissionDecision, AdmissionState};
pub use backend::{BackendError, ConnectedParticipant, Removal, WaitingRoomBackend};
use budget::RequestBudget;
pub use clinic_backend::ClinicBackend;
pub use events::{
    DelayReason, DeviceReadiness, GuestPresence, PatientState, VisitFocusRequest, VisitPresence, WaitingRoomEvent,
};
use tokio::{sync::Notify, task::JoinHandle};

use crate::{AppContext, AppError, ErrorCode};

/// Where the monitor's events go; the shell emits them to the window.
pub trait MonitorEvents: Send + Sync {
    fn emit(&self, event: WaitingRoomEvent);
}

/// Intervals and limits. [`Default`] is what the app uses; tests shorten them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitorConfig {
    /// Requests allowed in any `budget_window` (60).
    pub budget_requests: u32,
    /// 60 s.
    pub budget_window: Duration,
    /// Requests that may go at once; the rest are spread at `budget_requests` per
    /// `budget_window` (1). Under sustained demand, a burst of n is paid back once a window
    /// with a pause as long as n refills.
    pub budget_burst: u32,
    /// The longest interval for visits polled often (5 s).
    pub often_interval: Duration,
    /// The shortest, reached when the budget has room (2 s).
    pub often_min_interval: Duration,
    /// For the other open visits (5 min).
    pub rarely_interval: Duration,
    /// Visits due within this are polled often (1 h).
    pub due_soon: Duration,
    /// Visits overdue by more than this, with nobody in the room, are polled rarely (2 h).
    pub overdue_limit: Duration,
    /// How often the patient's devices are checked while they wait (20 s).
    pub device_check_interval: Duration,
    /// The first wait after a failure (2 s); it doubles with each further one.
    pub backoff_base: Duration,
    /// The longest wait after failures (60 s).
    pub backoff_max: Duration,
    /// The longest `Retry-After` honoured (5 min).
    pub retry_after_max: Duration,
    /// Limit for one request, connection included (5 s).
    pub request_timeout: Duration,
    /// Requests under way at once (4).
    pub max_in_flight: usize,
    /// How often the visits are re-read from the store (30 s).
    pub reload_interval: Duration,
    /// After Join visit, how long the room is polled closely for the clinician (30 s) …
    pub expect_provider_for: Duration,
    /// … and how often (500 ms; the budget's pace may make it less often).
    pub expect_provider_interval: Duration,
    /// Visits scheduled from this long ago are watched (12 h) …
    pub watch_before: Duration,
    /// … up to this far ahead (36 h).
    pub watch_after: Duration,
}

impl Default for MonitorConfig {
    fn default() -> Self {
        Self {
            budget_requests: 60,
            budget_window: Duration::from_secs(60),
            budget_burst: 1,
            often_interval: Duration::from_secs(5),
            often_min_interval: Duration::from_secs(2),
            rarely_interval: Duration::from_secs(300),
            due_soon: Duration::from_secs(3600),
            overdue_limit: Duration::from_secs(2 * 3600),
            device_check_interval: Duration::from_secs(20),
            backoff_base: Duration::from_secs(2),
            backoff_max: Duration::from_secs(60),
            retry_after_max: Duration::from_secs(300),
            request_timeout: Duration::from_secs(5),
            max_in_flight: 4,
            reload_interval: Duration::from_secs(30),
            expect_provider_for: Duration::from_secs(30),
            expect_provider_interval: Duration::from_millis(500),
            watch_before: Duration::from_secs(12 * 3600),
            watch_after: Duration::from_secs(36 * 3600),
        }
    }
}

/// What the running monitor shares with its handle and its polls.
struct Shared {
    snapshot: Mutex<Vec<VisitPresence>>,
    refresh: Notify,
    /// The clinician's Admit and Send back, for the loop to apply.
    decisions: Mutex<Vec<(String, AdmissionDecision)>>,
    /// Visits whose clinician is joining the call.
    expecting: Mutex<Vec<String>>,
    /// Either of the two above has something.
    asked: Notify,
    budget: Mutex<RequestBudget>,
}

impl Shared {
    fn new(config: &MonitorConfig) -> Self {
        Self {
            snapshot: Mutex::new(Vec::new()),
            refresh: Notify::new(),
            decisions: Mutex::new(Vec::new()),
            expecting: Mutex::new(Vec::new()),
            asked: Notify::new(),
            budget: Mutex::new(RequestBudget::new(
                config.budget_requests,
                config.budget_window,
                config.budget_burst,
                Instant::now(),
            )),
        }
    }
}

/// The running monitor. Dropping it stops the monitor.
pub struct MonitorHandle {
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl MonitorHandle {
    /// Stops polling at once; requests under way are abandoned.
    pub fn stop(&self) {
        self.task.abort();
    }

    /// Re-reads the visits now (after one was created, edited, ended, or got a room; until
    /// then, an ended visit may be polled for up to `reload_interval`) and the credentials
    /// (after setup).
    pub fn refresh(&self) {
        self.shared.refresh.notify_one();
    }

    /// The clinician's Admit or Send back for the visit's patient, applied at once by the
    /// running monitor (the patient's state follows in an `admission_changed` event). Refused
    /// without the patient in the room, or where the service cannot hold them (Janus).
    pub fn decide_admission(&self, visit_id: &str, decision: AdmissionDecision) -> Result<(), AppError> {
        let snapshot = self.snapshot();
        let Some(visit) = snapshot.iter().find(|visit| visit.visit_id == visit_id) else {
            return Err(AppError::new(ErrorCode::NotFound, "This visit is not in the waiting room now."));
        };
        if visit.admission.is_none() {
            return Err(AppError::new(ErrorCode::VisitStateConflict, "The patient is not in the visit's room now."));
        }
        if !visit.admission_by_console {
            return Err(AppError::new(
                ErrorCode::VisitStateConflict,
                "On the clinic's Janus server you let the patient in and send them back from the call itself: use Admit or Send back on the patient's picture there.",
            ));
        }
        self.shared.decisions.lock().expect("decisions lock").push((visit_id.to_string(), decision));
        self.shared.asked.notify_one();
        Ok(())
    }

    /// The clinician is joining the visit's call (they pressed Join visit): its room is polled
    /// at the budget's pace for [`MonitorConfig::expect_provider_for`], so a waiting patient is
    /// let in soon after the clinician connects.
    pub fn expect_provider(&self, visit_id: &str) {
        self.shared.expecting.lock().expect("expecting lock").push(visit_id.to_string());
        self.shared.asked.notify_one();
    }

    /// Every watched visit as last known, earliest appointment first.
    pub fn snapshot(&self) -> Vec<VisitPresence> {
        self.shared.snapshot.lock().expect("snapshot lock").clone()
    }

    /// Requests sent to the video service since the monitor started.
    pub fn requests_sent(&self) -> u64 {
        self.shared.budget.lock().expect("budget lock").total()
    }

    pub fn is_running(&self) -> bool {
        !self.task.is_finished()
    }
}

impl Drop for MonitorHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts the monitor over the clinic's video service (Twilio or Janus) with the saved
/// credentials. Call it inside a Tokio runtime (in Tauri's `setup`: within
/// `tauri::async_runtime::block_on`).
pub fn spawn_monitor<C: AppContext + 'static>(
    ctx: Arc<C>,
    events: Arc<dyn MonitorEvents>,
    config: MonitorConfig,
) -> MonitorHandle {
    let backend = ClinicBackend::new(ctx.clone(), config.request_timeout);
    spawn_monitor_with_backend(ctx, backend, events, config)
}

/// Starts the monitor over any backend.
pub fn spawn_monitor_with_backend<C: AppContext + 'static, B: WaitingRoomBackend>(
    ctx: Arc<C>,
    backend: B,
    events: Arc<dyn MonitorEvents>,
    config: MonitorConfig,
) -> MonitorHandle {
    let shared = Arc::new(Shared::new(&config));
    let runner = runner::Runner::new(ctx, Arc::new(backend), events, config, shared.clone());
    MonitorHandle { shared, task: tokio::spawn(runner.run()) }
}

/// The current state of every watched visit, for the waiting-room panel when it opens.
pub async fn waiting_room_snapshot(monitor: &MonitorHandle) -> Vec<VisitPresence> {
    monitor.snapshot()
}
