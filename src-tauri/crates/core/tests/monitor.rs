//! The waiting-room monitor against a local server that plays Twilio's Video API: the test
//! moves people in and out of rooms, has tracks published and muted, and queues 429s,
//! 5xx and slow answers, while the server logs when each request came in.

mod common;

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use common::{MemoryKeychain, SECRET, TestContext, unix_now};
use visitdesk_core::{
    AppContext, KEYCHAIN_ACCOUNT_API_KEY_SECRET,
    clinic::settings::{ClinicSettings, ProviderProfile, StoredSettings, TwilioAccount},
    db::KEYCHAIN_ACCOUNT_VISITS_KEY,
    monitor::{
        BackendError, ClinicBackend, ConnectedParticipant, DelayReason, DeviceReadiness, MonitorConfig, MonitorEvents,
        MonitorHandle, PatientState, WaitingRoomBackend, WaitingRoomEvent, spawn_monitor, spawn_monitor_with_backend,
        waiting_room_snapshot,
    },
    visits::{self, VisitForm},
};
use visitdesk_store::{DatabaseKey, GuestRole, RoomRef, VideoBackendKind, Visit, VisitStatus, VisitStore};
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
    script.join(&slow_room, "patient-abcdefghij");
    let (monitor, events) = clinic.start(quick_config());
    events.nth(&visit, "patient_arrived", 1, Duration::from_secs(2)).await;

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
