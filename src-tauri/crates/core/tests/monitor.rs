//! The waiting-room monitor against a local server that plays Twilio's Video API: the test
//! moves people in and out of rooms, has tracks published and muted, and queues 429s,
//! 5xx and slow answers, while the server logs when each request came in.

mod common;

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use common::{MemoryKeychain, SECRET, TestContext, unix_now};
use visitdesk_core::{
    AppContext, ErrorCode, KEYCHAIN_ACCOUNT_API_KEY_SECRET, clinic,
    clinic::settings::{AdmissionMode, ClinicSettings, ProviderProfile, StoredSettings, TwilioAccount},
    db::KEYCHAIN_ACCOUNT_VISITS_KEY,
    monitor::{
        AdmissionDecision, AdmissionState, BackendError, ClinicBackend, ConnectedParticipant, DelayReason,
        DeviceReadiness, GuestPresence, MonitorConfig, MonitorEvents, MonitorHandle, PatientState, Removal,
        WaitingRoomBackend, WaitingRoomEvent, spawn_monitor, spawn_monitor_with_backend, waiting_room_snapshot,
    },
    visits::{self, VisitForm, rooms},
};
use visitdesk_store::{AuditAction, DatabaseKey, GuestRole, RoomRef, VideoBackendKind, Visit, VisitStatus, VisitStore};
use visitdesk_twilio_scripted::{ARRIVED_AT_UNIX, Asked, Fault, Hit, ScriptedTwilio};

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const KEY: &str = "SK0123456789abcdef0123456789abcdef";
const PROVIDER: &str = "dr-ana-ruiz";

fn room(n: u32) -> String {
    format!("RM{n:032x}")
}

// ---------------------------------------------------------------------------------------
// The app around the monitor.

struct Clinic {
    ctx: Arc<TestContext>,
    store: VisitStore,
}

impl Clinic {
    async fn new(twilio: &str) -> Self {
        let keychain = Arc::new(MemoryKeychain::default());
        keychain.entries.lock().unwrap().insert(KEYCHAIN_ACCOUNT_API_KEY_SECRET.into(), SECRET.into());
        let ctx = TestContext::new(keychain.clone(), twilio);
        ctx.settings()
            .save(&StoredSettings {
                profile: Some(ProviderProfile {
                    display_name: "Dr. Ana Ruiz".into(),
                    identity: PROVIDER.into(),
                    join_page_url: "https://visit.example-clinic.org/join".into(),
                }),
                twilio: Some(TwilioAccount { account_sid: ACCOUNT.into(), api_key_sid: KEY.into() }),
                clinic: ClinicSettings::default(),
                ..StoredSettings::default()
            })
            .unwrap();
        // Opens the database (and makes its key), so the test can open it too.
        visits::list_visits(&ctx, 0, 1).await.unwrap();
        let key = keychain.entries.lock().unwrap().get(KEYCHAIN_ACCOUNT_VISITS_KEY).cloned().unwrap();
        let store = VisitStore::open(ctx.database.path(), &DatabaseKey::from_hex(&key).unwrap()).unwrap();
        Self { ctx: Arc::new(ctx), store }
    }

    /// A visit `minutes` from now, with its room when `room_sid` is given.
    async fn visit(&self, minutes: i64, room_sid: Option<&str>) -> Visit {
        let scheduled_at = unix_now() + minutes * 60;
        let form = VisitForm {
            patient_display_name: "María López".into(),
            patient_mobile: "(415) 555-2671".into(),
            scheduled_at,
        };
        let visit = visits::create_visit(self.ctx.as_ref(), form).await.unwrap();
        match room_sid {
            Some(sid) => self
                .store
                .set_visit_room(
                    &visit.id,
                    Some(RoomRef {
                        service: VideoBackendKind::Twilio,
                        unique_name: format!("vd-{sid}"),
                        sid: Some(sid.into()),
                    }),
                )
                .unwrap(),
            None => visit,
        }
    }

    fn status(&self, visit: &Visit) -> VisitStatus {
        self.store.visit(&visit.id).unwrap().status
    }

    fn start(&self, config: MonitorConfig) -> (MonitorHandle, Arc<Recorder>) {
        let recorder = Arc::new(Recorder::default());
        let monitor = spawn_monitor(self.ctx.clone(), recorder.clone(), config);
        (monitor, recorder)
    }

    /// The app's backend, with the instant each request leaves the monitor noted: on a busy
    /// machine the server sees requests bunched by their varying travel time.
    fn start_timed(&self, config: MonitorConfig) -> (MonitorHandle, Arc<Recorder>, Arc<Mutex<Vec<Instant>>>) {
        let recorder = Arc::new(Recorder::default());
        let sent = Arc::new(Mutex::new(Vec::new()));
        let backend =
            TimedBackend { inner: ClinicBackend::new(self.ctx.clone(), config.request_timeout), sent: sent.clone() };
        let monitor = spawn_monitor_with_backend(self.ctx.clone(), backend, recorder.clone(), config);
        (monitor, recorder, sent)
    }
}

struct TimedBackend<B> {
    inner: B,
    sent: Arc<Mutex<Vec<Instant>>>,
}

impl<B: WaitingRoomBackend> WaitingRoomBackend for TimedBackend<B> {
    async fn participants(&self, room_sid: &str) -> Result<Vec<ConnectedParticipant>, BackendError> {
        self.sent.lock().unwrap().push(Instant::now());
        self.inner.participants(room_sid).await
    }
    async fn devices(&self, room_sid: &str, participant_sid: &str) -> Result<DeviceReadiness, BackendError> {
        self.sent.lock().unwrap().push(Instant::now());
        self.inner.devices(room_sid, participant_sid).await
    }
    async fn remove(&self, room: &RoomRef, participant_sid: &str) -> Result<Removal, BackendError> {
        self.sent.lock().unwrap().push(Instant::now());
        self.inner.remove(room, participant_sid).await
    }

    async fn set_admission(&self, room: &RoomRef, participant_sid: &str, admitted: bool) -> Result<(), BackendError> {
        self.sent.lock().unwrap().push(Instant::now());
        self.inner.set_admission(room, participant_sid, admitted).await
    }
    fn reset(&self) {
        self.inner.reset();
    }
}

/// Short intervals so a test takes seconds, and a budget that does not get in the way.
fn quick_config() -> MonitorConfig {
    MonitorConfig {
        budget_requests: 600,
        often_interval: Duration::from_millis(300),
        often_min_interval: Duration::from_millis(150),
        rarely_interval: Duration::from_secs(2),
        device_check_interval: Duration::from_secs(1),
        backoff_base: Duration::from_millis(300),
        backoff_max: Duration::from_secs(2),
        retry_after_max: Duration::from_secs(5),
        request_timeout: Duration::from_millis(400),
        reload_interval: Duration::from_secs(1),
        ..MonitorConfig::default()
    }
}

#[derive(Default)]
struct Recorder {
    events: Mutex<Vec<(Instant, WaitingRoomEvent)>>,
}

impl MonitorEvents for Recorder {
    fn emit(&self, event: WaitingRoomEvent) {
        self.events.lock().unwrap().push((Instant::now(), event));
    }
}

impl Recorder {
    fn of(&self, visit: &Visit) -> Vec<(Instant, WaitingRoomEvent)> {
        self.events.lock().unwrap().iter().filter(|(_, event)| event.visit_id() == visit.id).cloned().collect()
    }

    fn count(&self, visit: &Visit, kind: &str) -> usize {
        self.of(visit).iter().filter(|(_, event)| event.kind() == kind).count()
    }

    /// Waits for the `n`th event of this kind for the visit; returns it and when it came.
    async fn nth(&self, visit: &Visit, kind: &str, n: usize, within: Duration) -> (Instant, WaitingRoomEvent) {
        let deadline = Instant::now() + within;
        loop {
            if let Some(found) = self.of(visit).into_iter().filter(|(_, event)| event.kind() == kind).nth(n - 1) {
                return found;
            }
            if Instant::now() > deadline {
                let kinds: Vec<_> = self.of(visit).iter().map(|(_, event)| event.kind()).collect();
                panic!("no {kind} #{n} within {within:?}; the visit's events: {kinds:?}");
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

fn kinds(events: &[(Instant, WaitingRoomEvent)]) -> Vec<&'static str> {
    events.iter().map(|(_, event)| event.kind()).collect()
}

async fn presence_of(monitor: &MonitorHandle, visit: &Visit) -> visitdesk_core::monitor::VisitPresence {
    waiting_room_snapshot(monitor).await.into_iter().find(|p| p.visit_id == visit.id).expect("the visit is watched")
}

// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arrivals_guests_departures_and_returns_are_each_reported_once() {
    let (twilio, script) = ScriptedTwilio::serve().await;
    let clinic = Clinic::new(&twilio.uri()).await;
    let room_sid = room(1);
    let visit = clinic.visit(10, Some(&room_sid)).await;
    let (monitor, events) = clinic.start(quick_config());

    // The first check (a busy machine may take a while to make it).
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let snapshot = waiting_room_snapshot(&monitor).await;
        let checked = snapshot.iter().any(|p| p.visit_id == visit.id && p.checked_at_unix.is_some());
        if checked || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let presence = presence_of(&monitor, &visit).await;
    assert_eq!(presence.state, PatientState::NotArrived);
    assert!(presence.checked_at_unix.is_some() && !presence.delayed, "{presence:?}");
    assert!(events.of(&visit).is_empty(), "nothing happened: {:?}", kinds(&events.of(&visit)));

    // The patient arrives with the microphone on and the camera off.
    let joined = Instant::now();
    let patient = script.join(&room_sid, "patient-kqzvbfmwta");
    script.publish(&room_sid, &patient, "audio", true);
    script.publish(&room_sid, &patient, "video", false);
    let (at, arrived) = events.nth(&visit, "patient_arrived", 1, Duration::from_secs(3)).await;
    let latency = at - joined;
    assert!(latency <= Duration::from_millis(1200), "arrival reported after {latency:?}");
    assert_eq!(
        arrived,
        WaitingRoomEvent::PatientArrived {
            visit_id: visit.id.clone(),
            identity: "patient-kqzvbfmwta".into(),
            since_unix: ARRIVED_AT_UNIX
        }
    );
    let (_, devices) = events.nth(&visit, "devices_changed", 1, Duration::from_secs(2)).await;
    assert_eq!(
        devices,
        WaitingRoomEvent::DevicesChanged {
            visit_id: visit.id.clone(),
            camera_on: Some(false),
            microphone_on: Some(true)
        }
    );
    events.nth(&visit, "visit_status_changed", 1, Duration::from_secs(2)).await;
    assert_eq!(clinic.status(&visit), VisitStatus::Waiting, "the patient arrived: waiting");

    // An interpreter joins; the patient turns the camera on.
    script.join(&room_sid, "interpreter-pdlmwqaxzr");
    let (_, guests) = events.nth(&visit, "guests_changed", 1, Duration::from_secs(2)).await;
    let WaitingRoomEvent::GuestsChanged { guests, .. } = guests else { unreachable!() };
    assert_eq!(guests.len(), 1);
    assert_eq!((guests[0].identity.as_str(), guests[0].role), ("interpreter-pdlmwqaxzr", Some(GuestRole::Interpreter)));
    script.publish(&room_sid, &patient, "video", true);
    let (_, devices) = events.nth(&visit, "devices_changed", 2, Duration::from_secs(3)).await;
    assert_eq!(
        devices,
        WaitingRoomEvent::DevicesChanged {
            visit_id: visit.id.clone(),
            camera_on: Some(true),
            microphone_on: Some(true)
        }
    );
    let presence = presence_of(&monitor, &visit).await;
    assert_eq!(presence.state, PatientState::Waiting { since_unix: ARRIVED_AT_UNIX });
    assert_eq!(presence.devices, DeviceReadiness { camera_on: Some(true), microphone_on: Some(true) });

    // The provider joins: in visit.
    script.join(&room_sid, PROVIDER);
    events.nth(&visit, "provider_joined", 1, Duration::from_secs(2)).await;
    events.nth(&visit, "visit_status_changed", 2, Duration::from_secs(2)).await;
    assert_eq!(clinic.status(&visit), VisitStatus::InVisit);
    assert!(matches!(presence_of(&monitor, &visit).await.state, PatientState::InVisit { .. }));

    // The patient drops out, then comes back on a new connection.
    script.leave(&room_sid, "patient-kqzvbfmwta");
    events.nth(&visit, "patient_left", 1, Duration::from_secs(2)).await;
    assert!(matches!(presence_of(&monitor, &visit).await.state, PatientState::Left { .. }));
    assert_eq!(clinic.status(&visit), VisitStatus::InVisit, "a dropped patient does not end the visit");
    let tracks_before_return = script.hits_to(&room_sid).iter().filter(|hit| hit.asked == Asked::Tracks).count();
    script.join(&room_sid, "patient-kqzvbfmwta");
    events.nth(&visit, "patient_arrived", 2, Duration::from_secs(2)).await;

    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(events.count(&visit, "patient_arrived"), 2, "{:?}", kinds(&events.of(&visit)));
    assert_eq!(events.count(&visit, "patient_left"), 1);
    assert_eq!(events.count(&visit, "provider_joined"), 1);
    assert_eq!(events.count(&visit, "guests_changed"), 1);
    assert_eq!(events.count(&visit, "status_delayed"), 0);
    assert_eq!(events.count(&visit, "visit_status_changed"), 2);
    let tracks_after_return = script.hits_to(&room_sid).iter().filter(|hit| hit.asked == Asked::Tracks).count();
    assert_eq!(tracks_after_return, tracks_before_return, "no device checks while the provider is in the room");

    let presence = presence_of(&monitor, &visit).await;
    assert!(matches!(presence.state, PatientState::InVisit { .. }), "{presence:?}");
    assert!(presence.provider_present);
    assert_eq!(presence.patient_identity.as_deref(), Some("patient-kqzvbfmwta"));
    let snapshot = serde_json::to_string(&waiting_room_snapshot(&monitor).await).unwrap();
    assert!(!snapshot.contains("María") && !snapshot.contains("2671"), "PHI in the snapshot: {snapshot}");
    monitor.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_and_slow_answers_delay_the_status_then_it_recovers_without_a_second_arrival() {
    let (twilio, script) = ScriptedTwilio::serve().await;
    let clinic = Clinic::new(&twilio.uri()).await;
    let (slow_room, other_room) = (room(2), room(3));
    let visit = clinic.visit(-5, Some(&slow_room)).await;
    let other = clinic.visit(20, Some(&other_room)).await;
    let patient = script.join(&slow_room, "patient-abcdefghij");
    let (monitor, events) = clinic.start(quick_config());
    events.nth(&visit, "patient_arrived", 1, Duration::from_secs(2)).await;
    // The patient's connection is held first (its subscribe rules), then the faults come.
    rules_once_set(&script, &slow_room, &patient).await;

    script.fail_next(
        &slow_room,
        [Fault::RateLimited { retry_after_seconds: 1 }, Fault::Slow(Duration::from_millis(1500)), Fault::Status(503)],
    );
    let (_, delayed) = events.nth(&visit, "status_delayed", 1, Duration::from_secs(2)).await;
    let WaitingRoomEvent::StatusDelayed { retry_in_seconds, reason, .. } = delayed else { unreachable!() };
    assert_eq!(reason, DelayReason::RateLimited);
    assert!(retry_in_seconds >= 1, "Retry-After is 1 s: {retry_in_seconds}");
    let presence = presence_of(&monitor, &visit).await;
    assert!(presence.delayed, "the panel must say the status is delayed: {presence:?}");
    assert_eq!(presence.delay_reason, Some(DelayReason::RateLimited));
    assert!(matches!(presence.state, PatientState::Waiting { .. }), "last known state kept: {presence:?}");

    let (_, timeout) = events.nth(&visit, "status_delayed", 2, Duration::from_secs(4)).await;
    assert!(matches!(timeout, WaitingRoomEvent::StatusDelayed { reason: DelayReason::Timeout, .. }), "{timeout:?}");
    let (_, server) = events.nth(&visit, "status_delayed", 3, Duration::from_secs(4)).await;
    assert!(matches!(server, WaitingRoomEvent::StatusDelayed { reason: DelayReason::ServerError, .. }), "{server:?}");
    let (restored_at, _) = events.nth(&visit, "status_restored", 1, Duration::from_secs(4)).await;
    assert!(!presence_of(&monitor, &visit).await.delayed);

    tokio::time::sleep(Duration::from_millis(600)).await;
    let timeline: Vec<&str> = kinds(&events.of(&visit))
        .into_iter()
        .filter(|kind| matches!(*kind, "patient_arrived" | "patient_left" | "status_delayed" | "status_restored"))
        .collect();
    assert_eq!(
        timeline,
        ["patient_arrived", "status_delayed", "status_delayed", "status_delayed", "status_restored"],
        "one arrival, and no departure invented from a failed poll"
    );

    // Retry-After was honoured: nothing for a second after the 429.
    let hits = script.hits_to(&slow_room);
    let limited = hits.iter().position(|hit| hit.status == 429).expect("a 429 was served");
    let gap = hits[limited + 1].at - hits[limited].at;
    assert!(gap >= Duration::from_millis(990), "asked again {gap:?} after a 429 with Retry-After: 1");
    // Failures back off: each wait at least as long as the one before.
    let failed: Vec<Instant> = hits[limited..].iter().take(4).map(|hit| hit.at).collect();
    assert!(failed[2] - failed[1] >= Duration::from_millis(600), "{:?}", failed[2] - failed[1]);
    assert!(failed[3] - failed[2] >= Duration::from_millis(1190), "{:?}", failed[3] - failed[2]);

    // The slow room never held up the other one.
    let first_failure = hits[limited].at;
    let other_polls =
        script.hits_to(&other_room).iter().filter(|hit| hit.at > first_failure && hit.at < restored_at).count();
    assert!(other_polls >= 5, "the other visit was polled {other_polls} times meanwhile");
    assert_eq!(events.count(&other, "status_delayed"), 0);
    monitor.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_active_visits_stay_within_a_short_budget_and_arrivals_still_come_through() {
    let (twilio, script) = ScriptedTwilio::serve().await;
    let clinic = Clinic::new(&twilio.uri()).await;
    let rooms = [room(4), room(5), room(6)];
    let mut visits = Vec::new();
    for (n, room_sid) in rooms.iter().enumerate() {
        visits.push(clinic.visit(n as i64 * 10 - 5, Some(room_sid)).await);
    }
    // Two patients wait (device checks compete for the budget); the third comes later.
    for room_sid in &rooms[..2] {
        let patient = script.join(room_sid, &format!("patient-waiting{}", &room_sid[30..]));
        script.publish(room_sid, &patient, "audio", true);
    }
    // 12 requests in any 3 s (4/s) against a wish for ~20/s.
    let window = Duration::from_secs(3);
    let config = MonitorConfig {
        budget_requests: 12,
        budget_window: window,
        often_interval: Duration::from_millis(200),
        often_min_interval: Duration::from_millis(100),
        device_check_interval: Duration::from_millis(500),
        ..quick_config()
    };
    let started = Instant::now();
    let (monitor, events, sent) = clinic.start_timed(config);
    tokio::time::sleep(Duration::from_secs(4)).await;
    let joined = Instant::now();
    script.join(&rooms[2], "patient-latecomer");
    let (at, _) = events.nth(&visits[2], "patient_arrived", 1, Duration::from_secs(5)).await;
    let latency = at - joined;
    tokio::time::sleep(Duration::from_secs(9).saturating_sub(started.elapsed())).await;
    monitor.stop();
    let elapsed = started.elapsed();
    tokio::time::sleep(Duration::from_millis(100)).await;

    let hits = script.hits();
    // Counted where the requests leave the monitor: the server sees them bunched by each
    // one's travel time, which varies by hundreds of ms on a busy machine.
    let sent = sent.lock().unwrap().clone();
    let strict = window - Duration::from_millis(5);
    let mut busiest = 0;
    for (i, first) in sent.iter().enumerate() {
        let in_window = sent[i..].iter().take_while(|at| **at < *first + strict).count();
        busiest = busiest.max(in_window);
    }
    assert!(busiest <= 12, "{busiest} requests within {strict:?}");
    let usable = 12.0 * elapsed.as_secs_f64() / window.as_secs_f64();
    assert!(
        hits.len() as f64 >= usable * 0.7,
        "only {} of {usable:.0} requests used: the budget was not spent",
        hits.len()
    );
    for room_sid in &rooms {
        let polls = hits.iter().filter(|hit| &hit.room_sid == room_sid && hit.asked == Asked::Participants).count();
        assert!(polls >= 5, "{room_sid} polled {polls} times in {elapsed:?}");
    }
    assert!(hits.iter().any(|hit| hit.asked == Asked::Tracks), "device checks got some of the budget");
    let sent = monitor.requests_sent() as usize;
    assert!(sent >= hits.len() && sent <= hits.len() + 4, "monitor counted {sent}, server saw {}", hits.len());
    assert!(latency <= window + Duration::from_secs(1), "arrival under a spent budget reported after {latency:?}");
    for visit in &visits {
        assert_eq!(events.count(visit, "patient_arrived"), 1);
    }
    println!(
        "short budget: {} requests in {:.1} s ({:.0}/min, budget 240/min), busiest {:?} window {busiest}, late arrival after {} ms",
        hits.len(),
        elapsed.as_secs_f64(),
        hits.len() as f64 * 60.0 / elapsed.as_secs_f64(),
        strict,
        latency.as_millis()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_due_visits_share_a_short_budget_and_none_starves() {
    let (twilio, script) = ScriptedTwilio::serve().await;
    let clinic = Clinic::new(&twilio.uri()).await;
    let rooms: Vec<String> = (20..30).map(room).collect();
    let mut visits = Vec::new();
    for (n, room_sid) in rooms.iter().enumerate() {
        visits.push(clinic.visit(n as i64 * 5 - 20, Some(room_sid)).await);
    }
    // 4 requests a second against a wish for 50: every visit must still get its turns.
    let config = MonitorConfig {
        budget_requests: 12,
        budget_window: Duration::from_secs(3),
        often_interval: Duration::from_millis(200),
        often_min_interval: Duration::from_millis(100),
        ..quick_config()
    };
    let started = Instant::now();
    let (monitor, events) = clinic.start(config);
    tokio::time::sleep(Duration::from_secs(9)).await;
    // The appointment latest in the day arrives: its turn comes round like the others'.
    let joined = Instant::now();
    script.join(&rooms[9], "patient-lastinline");
    let (at, _) = events.nth(&visits[9], "patient_arrived", 1, Duration::from_secs(8)).await;
    monitor.stop();
    let elapsed = started.elapsed();

    // About 36 polls before the arrival, 3 or 4 each when shared evenly.
    let hits: Vec<Hit> = script.hits().into_iter().filter(|hit| hit.at < joined).collect();
    let polls: Vec<usize> = rooms
        .iter()
        .map(|room_sid| hits.iter().filter(|hit| &hit.room_sid == room_sid && hit.asked == Asked::Participants).count())
        .collect();
    println!(
        "ten due visits, 240/min: polls per visit {polls:?} in the first {:?}; last in line reported after {:?} ({elapsed:?} in all)",
        joined - started,
        at - joined
    );
    let (fewest, most) = (*polls.iter().min().unwrap(), *polls.iter().max().unwrap());
    assert!(fewest >= 2, "a visit was starved: polls per visit {polls:?}");
    assert!(most - fewest <= 2, "the budget was not shared evenly: polls per visit {polls:?}");
    // One full round of ten polls at 4 a second, and the poll that sees them.
    assert!(at - joined <= Duration::from_secs(4), "arrival reported after {:?}", at - joined);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_budget_paces_three_visits_at_sixty_a_minute() {
    let (twilio, script) = ScriptedTwilio::serve().await;
    let clinic = Clinic::new(&twilio.uri()).await;
    let rooms = [room(7), room(8), room(9)];
    let mut visits = Vec::new();
    for (n, room_sid) in rooms.iter().enumerate() {
        visits.push(clinic.visit(n as i64 * 15 - 10, Some(room_sid)).await);
    }
    let started = Instant::now();
    let (monitor, events) = clinic.start(MonitorConfig::default());
    let mut latencies = Vec::new();
    for (n, (room_sid, visit)) in rooms.iter().zip(&visits).enumerate() {
        // Arrivals 4.3 s apart, out of step with the 3 s polls.
        tokio::time::sleep_until((started + Duration::from_millis(2_500 + 4_300 * n as u64)).into()).await;
        let joined = Instant::now();
        let patient = script.join(room_sid, &format!("patient-bench{n}"));
        script.publish(room_sid, &patient, "audio", true);
        let (at, _) = events.nth(visit, "patient_arrived", 1, Duration::from_secs(6)).await;
        latencies.push(at - joined);
    }
    tokio::time::sleep_until((started + Duration::from_secs(16)).into()).await;
    monitor.stop();
    let elapsed = started.elapsed();
    let hits = script.hits();
    // Steady state: after the first round of polls.
    let steady: Vec<&Hit> = hits.iter().filter(|hit| hit.at >= started + Duration::from_secs(1)).collect();
    let steady_seconds = (elapsed - Duration::from_secs(1)).as_secs_f64();
    let per_minute = steady.len() as f64 * 60.0 / steady_seconds;
    let tracks = hits.iter().filter(|hit| hit.asked == Asked::Tracks).count();
    println!(
        "default budget, 3 visits: {} requests in {:.1} s ({} device checks); steady {:.1}/min; arrival latencies {:?}",
        hits.len(),
        elapsed.as_secs_f64(),
        tracks,
        per_minute,
        latencies.iter().map(|latency| latency.as_millis()).collect::<Vec<_>>()
    );
    assert!(per_minute <= 63.0, "{per_minute:.1} requests a minute");
    assert!(per_minute >= 45.0, "{per_minute:.1} requests a minute: the budget is left unused");
    assert!(hits.len() <= 60, "{} requests in {elapsed:?}", hits.len());
    for latency in &latencies {
        assert!(*latency <= Duration::from_millis(3_600), "arrival reported after {latency:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ended_visits_are_never_polled_and_later_visits_rarely() {
    let (twilio, script) = ScriptedTwilio::serve().await;
    let clinic = Clinic::new(&twilio.uri()).await;
    let now_room = room(10);
    let due_now = clinic.visit(0, Some(&now_room)).await;
    let tomorrow = clinic.visit(24 * 60, Some(&room(11))).await;
    let completed = clinic.visit(-20, Some(&room(12))).await;
    clinic.store.set_visit_status(&completed.id, VisitStatus::Completed).unwrap();
    let cancelled = clinic.visit(30, Some(&room(13))).await;
    visits::cancel_visit(clinic.ctx.as_ref(), cancelled.id.clone()).await.unwrap();
    let no_show = clinic.visit(-40, Some(&room(14))).await;
    visits::mark_no_show(clinic.ctx.as_ref(), no_show.id.clone()).await.unwrap();
    let no_room = clinic.visit(5, None).await;
    let long_ago = clinic.visit(-3 * 60, Some(&room(15))).await;

    let started = Instant::now();
    let (monitor, events) = clinic.start(quick_config());
    tokio::time::sleep(Duration::from_millis(4_500)).await;
    let elapsed = started.elapsed().as_secs_f64();
    let polls = |room_sid: &str| script.hits_to(room_sid).len();
    for ended in [12, 13, 14] {
        assert_eq!(polls(&room(ended)), 0, "an ended visit's room {} was polled", room(ended));
    }
    let rarely_limit = 1 + (elapsed / 2.0) as usize;
    assert!((1..=rarely_limit).contains(&polls(&room(11))), "tomorrow's room polled {} times", polls(&room(11)));
    assert!((1..=rarely_limit).contains(&polls(&room(15))), "a long overdue room polled {} times", polls(&room(15)));
    assert!(polls(&now_room) >= 10, "the visit due now was polled {} times", polls(&now_room));

    let snapshot = waiting_room_snapshot(&monitor).await;
    let watched: Vec<&str> = snapshot.iter().map(|presence| presence.visit_id.as_str()).collect();
    for visit in [&due_now, &tomorrow, &no_room, &long_ago] {
        assert!(watched.contains(&visit.id.as_str()), "{} is not watched", visit.id);
    }
    for visit in [&completed, &cancelled, &no_show] {
        assert!(!watched.contains(&visit.id.as_str()), "ended visit {} is watched", visit.id);
    }
    let unpolled = presence_of(&monitor, &no_room).await;
    assert_eq!((unpolled.state, unpolled.checked_at_unix), (PatientState::NotArrived, None));

    // The visit ends; after a refresh its room is no longer asked about.
    clinic.store.set_visit_status(&due_now.id, VisitStatus::Completed).unwrap();
    monitor.refresh();
    events.nth(&due_now, "monitoring_stopped", 1, Duration::from_secs(1)).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let after_end = polls(&now_room);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(polls(&now_room), after_end, "an ended visit is still polled");
    assert!(!waiting_room_snapshot(&monitor).await.iter().any(|presence| presence.visit_id == due_now.id));
    monitor.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_credentials_delay_the_status_and_back_off() {
    let (twilio, script) = ScriptedTwilio::serve().await;
    let clinic = Clinic::new(&twilio.uri()).await;
    let room_sid = room(16);
    let visit = clinic.visit(0, Some(&room_sid)).await;
    script.fail_next(&room_sid, (0..3).map(|_| Fault::Status(401)));
    let (monitor, events) = clinic.start(quick_config());
    let (_, delayed) = events.nth(&visit, "status_delayed", 1, Duration::from_secs(2)).await;
    assert!(matches!(delayed, WaitingRoomEvent::StatusDelayed { reason: DelayReason::Credentials, .. }), "{delayed:?}");
    events.nth(&visit, "status_restored", 1, Duration::from_secs(5)).await;
    let hits = script.hits_to(&room_sid);
    let gaps: Vec<Duration> = hits.windows(2).take(3).map(|pair| pair[1].at - pair[0].at).collect();
    assert!(gaps[0] >= Duration::from_millis(290), "{gaps:?}");
    assert!(gaps[1] >= Duration::from_millis(590), "{gaps:?}");
    assert!(gaps[2] >= Duration::from_millis(1190), "{gaps:?}");
    assert_eq!(events.count(&visit, "status_delayed"), 3);
    assert!(!presence_of(&monitor, &visit).await.delayed);
    monitor.stop();
}

// ---------------------------------------------------------------------------------------
// Someone removed who comes back with the same link.

/// Rooms in memory: the test moves connections in and out, queues failures for the next
/// removals, and reads back every request with when it came.
#[derive(Clone, Default)]
struct FakeRooms(Arc<Mutex<FakeState>>);

#[derive(Default)]
struct FakeState {
    rooms: HashMap<String, Vec<ConnectedParticipant>>,
    next_sid: u32,
    removal_faults: VecDeque<BackendError>,
    /// Requests per removal, as a service that lists before it kicks (Janus) takes.
    removal_cost: u32,
    /// Someone who joins again, on a new connection, as soon as they are removed.
    comes_straight_back: Option<String>,
    requests: Vec<FakeRequest>,
    /// What each connection may receive, as last set: (participant SID, let in).
    admissions: Vec<(String, bool)>,
}

#[derive(Debug, Clone)]
struct FakeRequest {
    at: Instant,
    room_sid: String,
    /// `None` for a poll; the participant SID for a removal.
    removed: Option<String>,
    cost: u32,
}

impl FakeRooms {
    fn join(&self, room_sid: &str, identity: &str) -> String {
        let mut state = self.0.lock().unwrap();
        state.next_sid += 1;
        let sid = format!("PA{:032x}", state.next_sid);
        state.rooms.entry(room_sid.into()).or_default().push(ConnectedParticipant {
            identity: identity.into(),
            participant_sid: sid.clone(),
            since_unix: Some(unix_now()),
            devices: None,
            admits: Vec::new(),
        });
        sid
    }

    /// The connection `participant_sid`'s call now lets in these (a Janus clinician's display).
    fn let_in(&self, room_sid: &str, participant_sid: &str, admitted: &[&str]) {
        let mut state = self.0.lock().unwrap();
        let room = state.rooms.get_mut(room_sid).expect("the room");
        let participant = room.iter_mut().find(|p| p.participant_sid == participant_sid).expect("the participant");
        participant.admits = admitted.iter().map(|sid| sid.to_string()).collect();
    }

    fn drop_connection(&self, room_sid: &str, participant_sid: &str) {
        if let Some(room) = self.0.lock().unwrap().rooms.get_mut(room_sid) {
            room.retain(|participant| participant.participant_sid != participant_sid);
        }
    }

    fn connected(&self, room_sid: &str, identity: &str) -> bool {
        let state = self.0.lock().unwrap();
        state.rooms.get(room_sid).is_some_and(|room| room.iter().any(|participant| participant.identity == identity))
    }

    fn fail_next_removals(&self, faults: impl IntoIterator<Item = BackendError>) {
        self.0.lock().unwrap().removal_faults.extend(faults);
    }

    fn admissions(&self) -> Vec<(String, bool)> {
        self.0.lock().unwrap().admissions.clone()
    }

    fn requests(&self) -> Vec<FakeRequest> {
        self.0.lock().unwrap().requests.clone()
    }

    fn removals(&self, room_sid: &str) -> Vec<FakeRequest> {
        self.requests()
            .into_iter()
            .filter(|request| request.room_sid == room_sid && request.removed.is_some())
            .collect()
    }

    fn polls(&self, room_sid: &str) -> Vec<FakeRequest> {
        self.requests()
            .into_iter()
            .filter(|request| request.room_sid == room_sid && request.removed.is_none())
            .collect()
    }
}

impl WaitingRoomBackend for FakeRooms {
    async fn participants(&self, room_sid: &str) -> Result<Vec<ConnectedParticipant>, BackendError> {
        let mut state = self.0.lock().unwrap();
        state.requests.push(FakeRequest { at: Instant::now(), room_sid: room_sid.into(), removed: None, cost: 1 });
        Ok(state.rooms.get(room_sid).cloned().unwrap_or_default())
    }

    async fn devices(&self, _room_sid: &str, _participant_sid: &str) -> Result<DeviceReadiness, BackendError> {
        Ok(DeviceReadiness::default())
    }

    async fn remove(&self, room: &RoomRef, participant_sid: &str) -> Result<Removal, BackendError> {
        let room_sid = room.sid.clone().expect("a room with a SID");
        let identity = {
            let mut state = self.0.lock().unwrap();
            let cost = state.removal_cost.max(1);
            state.requests.push(FakeRequest {
                at: Instant::now(),
                room_sid: room_sid.clone(),
                removed: Some(participant_sid.into()),
                cost,
            });
            if let Some(fault) = state.removal_faults.pop_front() {
                return Err(fault);
            }
            let connections = state.rooms.entry(room_sid.clone()).or_default();
            let Some(index) = connections.iter().position(|participant| participant.participant_sid == participant_sid)
            else {
                return Ok(Removal::AlreadyGone);
            };
            let removed = connections.remove(index);
            state.comes_straight_back.clone().filter(|identity| *identity == removed.identity)
        };
        if let Some(identity) = identity {
            self.join(&room_sid, &identity);
        }
        Ok(Removal::Removed)
    }

    fn removal_requests(&self, _room: &RoomRef) -> u32 {
        self.0.lock().unwrap().removal_cost.max(1)
    }

    async fn set_admission(&self, _room: &RoomRef, participant_sid: &str, admitted: bool) -> Result<(), BackendError> {
        self.0.lock().unwrap().admissions.push((participant_sid.into(), admitted));
        Ok(())
    }
}

impl Clinic {
    /// The monitor over in-memory rooms.
    fn start_fake(&self, config: MonitorConfig) -> (MonitorHandle, Arc<Recorder>, FakeRooms) {
        let recorder = Arc::new(Recorder::default());
        let rooms = FakeRooms::default();
        let monitor = spawn_monitor_with_backend(self.ctx.clone(), rooms.clone(), recorder.clone(), config);
        (monitor, recorder, rooms)
    }

    fn set_admission_mode(&self, mode: AdmissionMode) {
        let mut settings = self.ctx.settings().load().unwrap().unwrap();
        settings.clinic.admission = mode;
        self.ctx.settings().save(&settings).unwrap();
    }

    /// What the provider's Remove leaves behind: the identity remembered for the visit.
    fn remember_removed(&self, visit: &Visit, identity: &str) {
        self.store.record_removed_identity(&visit.id, identity).unwrap();
    }
}

fn rejoins(events: &Recorder, visit: &Visit) -> Vec<(String, Option<GuestRole>, bool)> {
    events
        .of(visit)
        .into_iter()
        .filter_map(|(_, event)| match event {
            WaitingRoomEvent::RemovedRejoined { identity, role, removed, .. } => Some((identity, role, removed)),
            _ => None,
        })
        .collect()
}

fn removed_again_entries(clinic: &Clinic, visit: &Visit) -> Vec<String> {
    clinic
        .store
        .audit_entries()
        .unwrap()
        .into_iter()
        .filter(|entry| entry.visit_id.as_deref() == Some(visit.id.as_str()))
        .filter(|entry| entry.action == AuditAction::ParticipantRemoved && entry.detail.contains("tried to rejoin"))
        .map(|entry| entry.detail)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn someone_removed_who_comes_back_is_removed_again_within_a_poll_and_reported_once_per_attempt() {
    let clinic = Clinic::new(&common::unreachable_url()).await;
    let room_sid = room(40);
    let visit = clinic.visit(0, Some(&room_sid)).await;
    let config = quick_config();
    let (monitor, events, fake) = clinic.start_fake(config.clone());
    fake.join(&room_sid, "patient-kqzvbfmwta");
    let interpreter = "interpreter-pdlmwqaxzr";
    let first = fake.join(&room_sid, interpreter);
    events.nth(&visit, "patient_arrived", 1, Duration::from_secs(3)).await;
    events.nth(&visit, "guests_changed", 1, Duration::from_secs(2)).await;

    // The provider removes the interpreter: their connection goes, their identity is kept.
    fake.drop_connection(&room_sid, &first);
    clinic.remember_removed(&visit, interpreter);
    monitor.refresh();
    events.nth(&visit, "guests_changed", 2, Duration::from_secs(2)).await;
    assert!(presence_of(&monitor, &visit).await.guests.is_empty());

    // They come back with the same link; a family member joins too, and stays.
    let joined = Instant::now();
    let second = fake.join(&room_sid, interpreter);
    fake.join(&room_sid, "family-zxcvbnmasd");
    let (at, event) = events.nth(&visit, "removed_rejoined", 1, Duration::from_secs(3)).await;
    let poll_interval = config.often_interval;
    assert!(at - joined <= poll_interval * 2, "removed again after {:?}", at - joined);
    assert_eq!(
        event,
        WaitingRoomEvent::RemovedRejoined {
            visit_id: visit.id.clone(),
            identity: interpreter.into(),
            role: Some(GuestRole::Interpreter),
            removed: true
        }
    );
    assert!(!fake.connected(&room_sid, interpreter));
    assert_eq!(
        fake.removals(&room_sid).iter().map(|request| request.removed.clone().unwrap()).collect::<Vec<_>>(),
        std::slice::from_ref(&second)
    );
    // Never counted as present: the guests the panel saw were the family member only.
    let family = GuestPresence { identity: "family-zxcvbnmasd".into(), role: Some(GuestRole::Family) };
    tokio::time::sleep(poll_interval * 3).await;
    for (at, event) in events.of(&visit) {
        if let WaitingRoomEvent::GuestsChanged { guests, .. } = event
            && at > joined
        {
            assert_eq!(guests, std::slice::from_ref(&family));
        }
    }
    assert_eq!(presence_of(&monitor, &visit).await.guests, std::slice::from_ref(&family));
    assert_eq!(rejoins(&events, &visit).len(), 1, "one report for one attempt");

    // A second attempt is a second report; the patient is untouched throughout.
    let third = fake.join(&room_sid, interpreter);
    events.nth(&visit, "removed_rejoined", 2, Duration::from_secs(3)).await;
    tokio::time::sleep(poll_interval * 3).await;
    let removed: Vec<String> = fake.removals(&room_sid).into_iter().map(|request| request.removed.unwrap()).collect();
    assert_eq!(removed, [second, third]);
    assert_eq!(rejoins(&events, &visit).len(), 2);
    assert!(fake.connected(&room_sid, "patient-kqzvbfmwta") && fake.connected(&room_sid, "family-zxcvbnmasd"));
    assert_eq!(events.count(&visit, "patient_arrived"), 1);
    assert_eq!(events.count(&visit, "patient_left"), 0);
    assert_eq!(events.count(&visit, "status_delayed"), 0);
    let audit = removed_again_entries(&clinic, &visit);
    assert_eq!(audit.len(), 2, "{audit:?}");
    assert_eq!(audit[0], format!("participant {interpreter} from room {room_sid} again: tried to rejoin"));
    monitor.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_patient_who_comes_back_does_not_arrive() {
    let clinic = Clinic::new(&common::unreachable_url()).await;
    let room_sid = room(41);
    let visit = clinic.visit(0, Some(&room_sid)).await;
    let patient = "patient-mnbvcxzlkj";
    clinic.remember_removed(&visit, patient);
    // The provider's own identity, were it ever remembered, is never removed.
    clinic.remember_removed(&visit, PROVIDER);
    let (monitor, events, fake) = clinic.start_fake(quick_config());
    fake.join(&room_sid, PROVIDER);
    events.nth(&visit, "provider_joined", 1, Duration::from_secs(3)).await;
    fake.join(&room_sid, patient);
    let (_, event) = events.nth(&visit, "removed_rejoined", 1, Duration::from_secs(3)).await;
    assert!(
        matches!(&event, WaitingRoomEvent::RemovedRejoined { role: Some(GuestRole::Patient), removed: true, .. }),
        "{event:?}"
    );
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(events.count(&visit, "patient_arrived"), 0, "{:?}", kinds(&events.of(&visit)));
    assert_eq!(events.count(&visit, "visit_status_changed"), 0);
    assert_eq!(clinic.status(&visit), VisitStatus::Scheduled);
    assert!(fake.connected(&room_sid, PROVIDER), "the provider is never removed");
    assert_eq!(fake.removals(&room_sid).len(), 1);
    let presence = presence_of(&monitor, &visit).await;
    assert_eq!((presence.state, presence.patient_identity), (PatientState::NotArrived, None));
    monitor.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_removal_is_reported_once_and_tried_again_after_the_next_poll_not_in_a_loop() {
    let clinic = Clinic::new(&common::unreachable_url()).await;
    let room_sid = room(42);
    let visit = clinic.visit(0, Some(&room_sid)).await;
    let family = "family-poiuytrewq";
    clinic.remember_removed(&visit, family);
    let config = quick_config();
    let (monitor, events, fake) = clinic.start_fake(config.clone());
    fake.fail_next_removals([
        BackendError::Server { status: 503 },
        BackendError::RateLimited { retry_after: Some(Duration::from_secs(1)) },
    ]);
    fake.join(&room_sid, family);
    let (_, failed) = events.nth(&visit, "removed_rejoined", 1, Duration::from_secs(3)).await;
    assert!(matches!(failed, WaitingRoomEvent::RemovedRejoined { removed: false, .. }), "{failed:?}");
    let (_, done) = events.nth(&visit, "removed_rejoined", 2, Duration::from_secs(5)).await;
    assert!(matches!(done, WaitingRoomEvent::RemovedRejoined { removed: true, .. }), "{done:?}");
    assert!(!fake.connected(&room_sid, family));
    tokio::time::sleep(Duration::from_millis(900)).await;

    let removals = fake.removals(&room_sid);
    assert_eq!(removals.len(), 3, "{removals:?}");
    let polls = fake.polls(&room_sid);
    for pair in removals.windows(2) {
        assert!(
            polls.iter().any(|poll| poll.at > pair[0].at && poll.at < pair[1].at),
            "tried again without a poll in between: {removals:?}"
        );
    }
    let gaps: Vec<Duration> = removals.windows(2).map(|pair| pair[1].at - pair[0].at).collect();
    assert!(gaps[0] >= config.backoff_base - Duration::from_millis(10), "{gaps:?}");
    assert!(gaps[1] >= Duration::from_millis(990), "Retry-After: 1 was not honoured: {gaps:?}");
    // After the 429, the visit's polls waited too.
    let after_limit = polls.iter().filter(|poll| poll.at > removals[1].at && poll.at < removals[2].at).count();
    assert!(after_limit <= 2, "{after_limit} polls in the second after a 429");
    assert_eq!(rejoins(&events, &visit).len(), 2, "one failure report, one removal report");
    assert_eq!(events.count(&visit, "status_delayed"), 0, "the presence itself was never stale");
    assert_eq!(removed_again_entries(&clinic, &visit).len(), 1);
    monitor.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn someone_who_leaves_before_a_failing_removal_works_is_reported_out() {
    let clinic = Clinic::new(&common::unreachable_url()).await;
    let room_sid = room(46);
    let visit = clinic.visit(0, Some(&room_sid)).await;
    let family = "family-mjunhybgtv";
    clinic.remember_removed(&visit, family);
    let (monitor, events, fake) = clinic.start_fake(quick_config());
    fake.fail_next_removals((0..20).map(|_| BackendError::Unexpected { detail: "refused".into() }));
    let sid = fake.join(&room_sid, family);
    let (_, failed) = events.nth(&visit, "removed_rejoined", 1, Duration::from_secs(3)).await;
    assert!(matches!(failed, WaitingRoomEvent::RemovedRejoined { removed: false, .. }), "{failed:?}");
    fake.drop_connection(&room_sid, &sid);
    let (_, out) = events.nth(&visit, "removed_rejoined", 2, Duration::from_secs(5)).await;
    assert!(matches!(out, WaitingRoomEvent::RemovedRejoined { removed: true, .. }), "{out:?}");
    let attempts = fake.removals(&room_sid).len();
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(fake.removals(&room_sid).len(), attempts, "nothing more to remove");
    assert_eq!(rejoins(&events, &visit).len(), 2);
    assert!(removed_again_entries(&clinic, &visit).is_empty(), "nobody was removed: nothing to audit");
    monitor.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removals_are_taken_from_the_budget_and_other_visits_keep_their_turns() {
    let clinic = Clinic::new(&common::unreachable_url()).await;
    let (busy_room, quiet_room) = (room(43), room(44));
    let busy = clinic.visit(0, Some(&busy_room)).await;
    let quiet = clinic.visit(5, Some(&quiet_room)).await;
    let caregiver = "caregiver-lkjhgfdsaq";
    clinic.remember_removed(&busy, caregiver);
    // 12 requests in any 3 s; a removal costs two (as on Janus); someone who comes back at once,
    // every time.
    let window = Duration::from_secs(3);
    let config = MonitorConfig {
        budget_requests: 12,
        budget_window: window,
        often_interval: Duration::from_millis(200),
        often_min_interval: Duration::from_millis(100),
        ..quick_config()
    };
    let started = Instant::now();
    let (monitor, events, fake) = clinic.start_fake(config);
    {
        let mut state = fake.0.lock().unwrap();
        state.removal_cost = 2;
        state.comes_straight_back = Some(caregiver.into());
    }
    fake.join(&busy_room, caregiver);
    tokio::time::sleep(Duration::from_secs(7)).await;
    let joined = Instant::now();
    fake.join(&quiet_room, "patient-qazwsxedcr");
    events.nth(&quiet, "patient_arrived", 1, Duration::from_secs(5)).await;
    let latency = joined.elapsed();
    monitor.stop();
    let elapsed = started.elapsed();
    tokio::time::sleep(Duration::from_millis(100)).await;

    let requests = fake.requests();
    let mut spent: Vec<Instant> = Vec::new();
    for request in &requests {
        spent.extend(std::iter::repeat_n(request.at, request.cost as usize));
    }
    let strict = window - Duration::from_millis(5);
    let busiest = (0..spent.len()).map(|i| spent[i..].iter().take_while(|at| **at < spent[i] + strict).count()).max();
    assert!(busiest.unwrap_or(0) <= 12, "{busiest:?} requests within {strict:?}");
    assert_eq!(monitor.requests_sent() as usize, spent.len(), "each removal taken from the budget as two requests");
    let removals = fake.removals(&busy_room).len();
    let quiet_polls = fake.polls(&quiet_room).len();
    println!(
        "removals under a short budget: {removals} removals (2 requests each) and {} requests in all in {:.1} s, busiest {strict:?} window {busiest:?}; the other visit polled {quiet_polls} times, its arrival reported after {} ms",
        spent.len(),
        elapsed.as_secs_f64(),
        latency.as_millis()
    );
    assert!(removals >= 3, "removed again only {removals} times in {elapsed:?}");
    assert!(removals <= 12, "{removals} removals: more than the budget allows");
    assert_eq!(rejoins(&events, &busy).len(), removals, "one report per attempt");
    assert!(quiet_polls >= 4, "the other visit was polled {quiet_polls} times in {elapsed:?}");
    assert!(latency <= window + Duration::from_secs(1), "an arrival elsewhere reported after {latency:?}");
    assert_eq!(events.count(&busy, "guests_changed"), 0, "someone being removed is never a guest");
}

/// Through the app's own path: the provider removes an interpreter from the call (Twilio), the
/// identity is kept, and when the same link joins again the monitor disconnects it on Twilio.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_provider_removes_an_interpreter_who_comes_back_and_is_disconnected_again_on_twilio() {
    let (twilio, script) = ScriptedTwilio::serve().await;
    let clinic = Clinic::new(&twilio.uri()).await;
    let room_sid = room(45);
    let visit = clinic.visit(0, Some(&room_sid)).await;
    let (monitor, events) = clinic.start(quick_config());
    let interpreter = "interpreter-asdfqwerzx";
    let first = script.join(&room_sid, interpreter);
    events.nth(&visit, "guests_changed", 1, Duration::from_secs(3)).await;

    rooms::remove_participant(clinic.ctx.as_ref(), visit.id.clone(), first).await.unwrap();
    assert!(!script.is_connected(&room_sid, interpreter));
    assert!(clinic.ctx.changes.lock().unwrap().contains(&visitdesk_core::Change::Visits), "the monitor is told");
    monitor.refresh();
    events.nth(&visit, "guests_changed", 2, Duration::from_secs(3)).await;
    let removed = clinic.store.removed_identities_between(0, i64::MAX).unwrap();
    assert_eq!(removed.iter().map(|r| r.identity.as_str()).collect::<Vec<_>>(), [interpreter]);

    // The provider removing their own other connection is not remembered.
    let own = script.join(&room_sid, PROVIDER);
    events.nth(&visit, "provider_joined", 1, Duration::from_secs(3)).await;
    rooms::remove_participant(clinic.ctx.as_ref(), visit.id.clone(), own).await.unwrap();
    assert_eq!(clinic.store.removed_identities_between(0, i64::MAX).unwrap().len(), 1);

    let joined = Instant::now();
    script.join(&room_sid, interpreter);
    let (at, event) = events.nth(&visit, "removed_rejoined", 1, Duration::from_secs(3)).await;
    assert!(matches!(event, WaitingRoomEvent::RemovedRejoined { removed: true, .. }), "{event:?}");
    assert!(at - joined <= Duration::from_millis(1500), "removed again after {:?}", at - joined);
    assert!(!script.is_connected(&room_sid, interpreter));
    let disconnects = script.hits_to(&room_sid).into_iter().filter(|hit| hit.asked == Asked::Disconnect).count();
    assert_eq!(disconnects, 3, "the provider's two removals and the monitor's one");
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(rejoins(&events, &visit).len(), 1);
    assert_eq!(events.count(&visit, "guests_changed"), 2, "never shown as a guest again");
    let audit = clinic::audit_log(clinic.ctx.as_ref()).await.unwrap();
    let details: Vec<&str> = audit
        .iter()
        .filter(|entry| entry.action == AuditAction::ParticipantRemoved)
        .map(|entry| entry.detail.as_str())
        .collect();
    assert_eq!(
        details,
        [
            format!("participant {interpreter} from room {room_sid}"),
            format!("participant {PROVIDER} from room {room_sid}"),
            format!("participant {interpreter} from room {room_sid} again: tried to rejoin"),
        ]
    );
    assert!(clinic::verify_audit_log(clinic.ctx.as_ref()).await.is_ok());
    monitor.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clinicians_arrival_admits_the_patient_and_their_leaving_sends_them_back_both_audited() {
    let clinic = Clinic::new(&common::unreachable_url()).await;
    let room_sid = room(43);
    let visit = clinic.visit(0, Some(&room_sid)).await;
    let patient = "patient-lkjhgfdsaq";
    let (monitor, events, fake) = clinic.start_fake(quick_config());
    let patient_sid = fake.join(&room_sid, patient);
    events.nth(&visit, "patient_arrived", 1, Duration::from_secs(3)).await;
    let clinician = fake.join(&room_sid, PROVIDER);
    events.nth(&visit, "provider_joined", 1, Duration::from_secs(3)).await;
    fake.drop_connection(&room_sid, &clinician);
    events.nth(&visit, "provider_left", 1, Duration::from_secs(3)).await;
    fake.join(&room_sid, PROVIDER);
    events.nth(&visit, "provider_joined", 2, Duration::from_secs(3)).await;
    // A guest coming and going is no admission.
    fake.join(&room_sid, "interpreter-qwertyuiop");
    tokio::time::sleep(Duration::from_millis(900)).await;
    let lobby: Vec<(AuditAction, String)> = clinic
        .store
        .audit_entries()
        .unwrap()
        .into_iter()
        .filter(|entry| entry.visit_id.as_deref() == Some(visit.id.as_str()))
        .filter(|entry| matches!(entry.action, AuditAction::PatientAdmitted | AuditAction::PatientBackInWaitingRoom))
        .map(|entry| (entry.action, entry.detail))
        .collect();
    let room_label = format!("room {room_sid}");
    assert_eq!(
        lobby,
        [
            (AuditAction::PatientAdmitted, format!("{patient} in {room_label}: the clinician joined")),
            (AuditAction::PatientBackInWaitingRoom, format!("{patient} in {room_label}: the clinician left")),
            (AuditAction::PatientAdmitted, format!("{patient} in {room_label}: the clinician joined")),
        ]
    );
    // On Twilio the service holds the patient: nothing received until the clinician came.
    let held = |admitted| (patient_sid.clone(), admitted);
    assert_eq!(fake.admissions(), [held(false), held(true), held(false), held(true)]);
    monitor.stop();
}

fn admission_entries(clinic: &Clinic, visit: &Visit) -> Vec<(AuditAction, String)> {
    clinic
        .store
        .audit_entries()
        .unwrap()
        .into_iter()
        .filter(|entry| entry.visit_id.as_deref() == Some(visit.id.as_str()))
        .filter(|entry| {
            matches!(
                entry.action,
                AuditAction::PatientAdmitted | AuditAction::PatientBackInWaitingRoom | AuditAction::PatientSentBack
            )
        })
        .map(|entry| (entry.action, entry.detail))
        .collect()
}

/// A visit due now with its room on a scripted Twilio (kept serving while this lives).
struct TwilioVisit {
    _twilio: wiremock::MockServer,
    script: ScriptedTwilio,
    clinic: Clinic,
    room_sid: String,
    visit: Visit,
}

impl TwilioVisit {
    async fn due_now(room_number: u32) -> Self {
        let (twilio, script) = ScriptedTwilio::serve().await;
        let clinic = Clinic::new(&twilio.uri()).await;
        let room_sid = room(room_number);
        let visit = clinic.visit(0, Some(&room_sid)).await;
        Self { _twilio: twilio, script, clinic, room_sid, visit }
    }
}

/// The subscribe rules the monitor set for a connection, once it has (within 3 s).
async fn rules_once_set(script: &ScriptedTwilio, room_sid: &str, participant_sid: &str) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        if let Some(rules) = script.subscribe_rules(room_sid, participant_sid) {
            return rules;
        }
        assert!(Instant::now() < deadline, "the waiting patient's subscribe rules were never set");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn admission_of(event: &WaitingRoomEvent) -> AdmissionState {
    match event {
        WaitingRoomEvent::AdmissionChanged { admission, .. } => *admission,
        other => panic!("not an admission: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_explicit_admission_only_admit_lets_the_patient_in_and_send_back_holds_them_again() {
    let clinic = Clinic::new(&common::unreachable_url()).await;
    clinic.set_admission_mode(AdmissionMode::Explicit);
    let room_sid = room(47);
    let visit = clinic.visit(0, Some(&room_sid)).await;
    let patient = "patient-mnbvcxzlkj";
    let (monitor, events, fake) = clinic.start_fake(quick_config());
    let patient_sid = fake.join(&room_sid, patient);
    events.nth(&visit, "patient_arrived", 1, Duration::from_secs(3)).await;
    let clinician = fake.join(&room_sid, PROVIDER);
    events.nth(&visit, "provider_joined", 1, Duration::from_secs(3)).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    let held = |admitted| (patient_sid.clone(), admitted);
    assert_eq!(fake.admissions(), [held(false)], "the clinician's arrival lets nobody in");
    let presence = presence_of(&monitor, &visit).await;
    assert_eq!((presence.admission, presence.admission_by_console), (Some(AdmissionState::Waiting), true));

    // The first change was the arrival itself: waiting.
    let (_, event) = events.nth(&visit, "admission_changed", 1, Duration::from_secs(3)).await;
    assert_eq!(admission_of(&event), AdmissionState::Waiting);
    monitor.decide_admission(&visit.id, AdmissionDecision::Admit).unwrap();
    let (_, event) = events.nth(&visit, "admission_changed", 2, Duration::from_secs(3)).await;
    assert_eq!(admission_of(&event), AdmissionState::Admitted);
    monitor.decide_admission(&visit.id, AdmissionDecision::SendBack).unwrap();
    let (_, event) = events.nth(&visit, "admission_changed", 3, Duration::from_secs(3)).await;
    assert_eq!(admission_of(&event), AdmissionState::SentBack);
    assert_eq!(fake.admissions(), [held(false), held(true), held(false)]);
    assert_eq!(presence_of(&monitor, &visit).await.admission, Some(AdmissionState::SentBack));
    // Polls keep a sent-back patient out; the clinician leaving ends the decision.
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(fake.admissions().len(), 3, "{:?}", fake.admissions());
    fake.drop_connection(&room_sid, &clinician);
    let (_, event) = events.nth(&visit, "admission_changed", 4, Duration::from_secs(3)).await;
    assert_eq!(admission_of(&event), AdmissionState::Waiting);

    let room_label = format!("room {room_sid}");
    assert_eq!(
        admission_entries(&clinic, &visit),
        [
            (AuditAction::PatientAdmitted, format!("{patient} in {room_label}: let in by the clinician")),
            (
                AuditAction::PatientSentBack,
                format!("{patient} in {room_label}: sent back to the waiting room by the clinician")
            ),
        ]
    );
    assert!(clinic::verify_audit_log(clinic.ctx.as_ref()).await.is_ok());
    monitor.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_connection_of_the_patient_is_held_by_the_service_even_while_the_clinician_is_there() {
    let clinic = Clinic::new(&common::unreachable_url()).await;
    clinic.set_admission_mode(AdmissionMode::Explicit);
    let room_sid = room(48);
    let visit = clinic.visit(0, Some(&room_sid)).await;
    let (monitor, events, fake) = clinic.start_fake(quick_config());
    fake.join(&room_sid, PROVIDER);
    events.nth(&visit, "provider_joined", 1, Duration::from_secs(3)).await;
    let first = fake.join(&room_sid, "patient-poiuytrewq");
    events.nth(&visit, "patient_arrived", 1, Duration::from_secs(3)).await;
    monitor.decide_admission(&visit.id, AdmissionDecision::Admit).unwrap();
    events.nth(&visit, "admission_changed", 2, Duration::from_secs(3)).await;
    // The patient's page reloads: a new connection, which the service must hold until let in
    // again, whatever that page asked for.
    fake.drop_connection(&room_sid, &first);
    events.nth(&visit, "patient_left", 1, Duration::from_secs(3)).await;
    let second = fake.join(&room_sid, "patient-poiuytrewq");
    events.nth(&visit, "patient_arrived", 2, Duration::from_secs(3)).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    let second_admissions: Vec<bool> =
        fake.admissions().into_iter().filter(|(sid, _)| *sid == second).map(|(_, admitted)| admitted).collect();
    assert_eq!(second_admissions, [false], "the Admit was for the connection the clinician saw");
    monitor.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_janus_the_clinicians_call_lets_the_patient_in_and_the_console_follows_it() {
    let clinic = Clinic::new(&common::unreachable_url()).await;
    let visit = clinic.visit(0, None).await;
    let room = RoomRef { service: VideoBackendKind::Janus, unique_name: "vd-janus".into(), sid: Some("4242".into()) };
    clinic.store.set_visit_room(&visit.id, Some(room)).unwrap();
    let (monitor, events, fake) = clinic.start_fake(quick_config());
    let patient = fake.join("4242", "patient-zxcvbnmasd");
    events.nth(&visit, "patient_arrived", 1, Duration::from_secs(3)).await;
    let presence = presence_of(&monitor, &visit).await;
    assert_eq!((presence.admission, presence.admission_by_console), (Some(AdmissionState::Waiting), false));
    let refused = monitor.decide_admission(&visit.id, AdmissionDecision::Admit).unwrap_err();
    assert_eq!(refused.code, ErrorCode::VisitStateConflict);
    assert!(refused.message.contains("Janus"), "{}", refused.message);
    let clinician = fake.join("4242", PROVIDER);
    events.nth(&visit, "provider_joined", 1, Duration::from_secs(3)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(presence_of(&monitor, &visit).await.admission, Some(AdmissionState::Waiting), "a presence is no Admit");
    fake.let_in("4242", &clinician, &[&patient]);
    let (_, event) = events.nth(&visit, "admission_changed", 2, Duration::from_secs(3)).await;
    assert_eq!(admission_of(&event), AdmissionState::Admitted);
    fake.let_in("4242", &clinician, &[]);
    let (_, event) = events.nth(&visit, "admission_changed", 3, Duration::from_secs(3)).await;
    assert_eq!(admission_of(&event), AdmissionState::SentBack);
    assert!(fake.admissions().is_empty(), "nothing to ask Janus: {:?}", fake.admissions());
    let audit = clinic.store.audit_entries().unwrap();
    let lobby: Vec<_> =
        audit.iter().filter(|entry| entry.action.as_str().starts_with("patient_")).map(|e| e.action.as_str()).collect();
    assert_eq!(lobby, ["patient_admitted", "patient_sent_back"]);
    monitor.stop();
}

/// Through the app's own backend and Twilio's REST shape: the waiting patient's connection is
/// told to receive nothing, and everything once the clinician joins.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_twilio_the_waiting_patient_subscribes_to_nothing_until_the_clinician_joins() {
    let TwilioVisit { _twilio, script, clinic, room_sid, visit } = TwilioVisit::due_now(46).await;
    let (monitor, events) = clinic.start(quick_config());
    let patient = script.join(&room_sid, "patient-qazwsxedcr");
    events.nth(&visit, "patient_arrived", 1, Duration::from_secs(3)).await;
    let rules = || script.subscribe_rules(&room_sid, &patient);
    assert_eq!(
        rules_once_set(&script, &room_sid, &patient).await,
        serde_json::json!([{"type": "exclude", "all": true}])
    );
    script.join(&room_sid, PROVIDER);
    let (_, event) = events.nth(&visit, "admission_changed", 2, Duration::from_secs(3)).await;
    assert_eq!(admission_of(&event), AdmissionState::Admitted);
    assert_eq!(rules(), Some(serde_json::json!([{"type": "include", "all": true}])));
    let sent = script.hits_to(&room_sid).into_iter().filter(|hit| hit.asked == Asked::SubscribeRules).count();
    assert_eq!(sent, 2, "one request per change, none repeated by later polls");
    monitor.stop();
}

/// A Send back Twilio refuses is not shown as done: the status is delayed, and the rules are
/// set when Twilio answers again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_back_that_fails_delays_the_status_and_is_tried_again() {
    let TwilioVisit { _twilio, script, clinic, room_sid, visit } = TwilioVisit::due_now(49).await;
    let (monitor, events) = clinic.start(quick_config());
    let patient = script.join(&room_sid, "patient-plmoknijbu");
    script.join(&room_sid, PROVIDER);
    let (_, event) = events.nth(&visit, "admission_changed", 2, Duration::from_secs(3)).await;
    assert_eq!(admission_of(&event), AdmissionState::Admitted);

    script.fail_next(&room_sid, [Fault::Status(503)]);
    monitor.decide_admission(&visit.id, AdmissionDecision::SendBack).unwrap();
    let (_, delayed) = events.nth(&visit, "status_delayed", 1, Duration::from_secs(3)).await;
    assert!(matches!(delayed, WaitingRoomEvent::StatusDelayed { reason: DelayReason::ServerError, .. }), "{delayed:?}");
    let (_, event) = events.nth(&visit, "admission_changed", 3, Duration::from_secs(4)).await;
    assert_eq!(admission_of(&event), AdmissionState::SentBack);
    assert_eq!(
        script.subscribe_rules(&room_sid, &patient),
        Some(serde_json::json!([{"type": "exclude", "all": true}]))
    );
    let refused = script.hits_to(&room_sid).into_iter().find(|hit| hit.status == 503).expect("the 503 was served");
    assert_eq!(refused.asked, Asked::SubscribeRules, "the Send back went first");
    events.nth(&visit, "status_restored", 1, Duration::from_secs(3)).await;
    monitor.stop();
}

/// After Join visit the room is polled closely until the clinician is seen, so a waiting
/// patient is let in soon after they connect; then the usual pace again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_join_visit_the_room_is_polled_closely_until_the_clinician_is_seen() {
    let TwilioVisit { _twilio, script, clinic, room_sid, visit } = TwilioVisit::due_now(50).await;
    let config = MonitorConfig {
        often_interval: Duration::from_secs(4),
        often_min_interval: Duration::from_secs(4),
        expect_provider_interval: Duration::from_millis(200),
        ..quick_config()
    };
    let (monitor, events) = clinic.start(config);
    let patient = script.join(&room_sid, "patient-wsxedcrfvt");
    events.nth(&visit, "patient_arrived", 1, Duration::from_secs(6)).await;
    rules_once_set(&script, &room_sid, &patient).await;
    let polls = || script.hits_to(&room_sid).into_iter().filter(|hit| hit.asked == Asked::Participants).count();

    let before = polls();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(polls() - before <= 1, "{} polls in 2 s at the usual pace", polls() - before);

    monitor.expect_provider(&visit.id);
    let expecting = polls();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(polls() - expecting >= 5, "only {} polls in 2 s while the clinician is expected", polls() - expecting);
    script.join(&room_sid, PROVIDER);
    let (_, event) = events.nth(&visit, "admission_changed", 2, Duration::from_secs(2)).await;
    assert_eq!(admission_of(&event), AdmissionState::Admitted);
    // Seen: the usual pace again.
    let seen = polls();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(polls() - seen <= 1, "{} polls in 2 s after the clinician was seen", polls() - seen);
    monitor.stop();
}
