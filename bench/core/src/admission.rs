//! `core-bench admission [ROUNDS]`: how soon Twilio holds and lets in a patient, through the
//! waiting-room monitor as the app ships it ([`MonitorConfig::default`]) against a scripted
//! Twilio on loopback, one visit.
//!
//! Each round: the patient arrives (timed to the `PatientArrived` alert, the reference: the
//! same polls carry both); their connection is told to receive nothing; the clinician joins,
//! in even rounds after pressing Join visit in the console (0.5–3 s before connecting, as a
//! browser takes), in odd rounds from a link alone (each timed to the patient's rules becoming
//! "include all" on the server); the clinician presses Send back, then Admit (each timed from
//! the press to the rules on the server); both leave. Waits are drawn at random so that steps
//! fall at every phase of the polls.
//!
//! Prints figures; asserts nothing.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use serde_json::{Value, json};
use url::Url;
use visitdesk_core::monitor::{AdmissionDecision, MonitorConfig, MonitorEvents, WaitingRoomEvent, spawn_monitor};
use visitdesk_twilio::BaseUrls;
use visitdesk_twilio_scripted::{Lookups, Options, ScriptedTwilio, StartTimes};

use crate::{
    bench_context, median,
    waiting_room::{Rng, open_visits, percentile},
};

/// Longer than any poll period of one visit: a step not seen by then is missed.
const GIVE_UP: Duration = Duration::from_secs(15);

/// Arrivals, timed as the monitor reports them.
#[derive(Default)]
struct Arrivals(std::sync::Mutex<Vec<Instant>>);

impl MonitorEvents for Arrivals {
    fn emit(&self, event: WaitingRoomEvent) {
        if matches!(event, WaitingRoomEvent::PatientArrived { .. }) {
            self.0.lock().expect("arrivals").push(Instant::now());
        }
    }
}

/// Waits until `ready` holds (checked every millisecond); when it did, or `None` after [`GIVE_UP`].
async fn when(ready: impl Fn() -> bool) -> Option<Instant> {
    let deadline = Instant::now() + GIVE_UP;
    while Instant::now() < deadline {
        if ready() {
            return Some(Instant::now());
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    None
}

fn rules(all: &str) -> Value {
    json!([{ "type": all, "all": true }])
}

pub(crate) async fn run(rounds: usize) {
    let config = MonitorConfig::default();
    let options = Options { lookups: Lookups::Strict, start_times: StartTimes::Joined };
    let (server, script) = ScriptedTwilio::serve_with(options).await;
    let url = Url::parse(&server.uri()).expect("the server's URL");
    let dir = tempfile::tempdir().expect("a scratch folder");
    let ctx = Arc::new(bench_context(BaseUrls { video: url.clone(), api: url }, &dir));
    let (visit_id, room_sid, identity) = open_visits(&ctx, 1).await.remove(0);
    let arrivals = Arc::new(Arrivals::default());
    let monitor = spawn_monitor(ctx.clone(), arrivals.clone(), config.clone());

    let (mut alert, mut send_back, mut admit) = (Vec::new(), Vec::new(), Vec::new());
    let (mut after_join_visit, mut from_link) = (Vec::new(), Vec::new());
    let mut missed = 0;
    let mut rng = Rng(0x5eed_ad17);
    eprintln!("admission: {rounds} rounds, one visit…");
    for round in 0..rounds {
        tokio::time::sleep(rng.between(Duration::from_millis(200), Duration::from_secs(3))).await;
        let seen = arrivals.0.lock().expect("arrivals").len();
        let patient = script.join_publishing(&room_sid, &identity, &[("audio", true), ("video", true)]);
        let arrived = Instant::now();
        let rules_now = || script.subscribe_rules(&room_sid, &patient);
        let alerted = when(|| arrivals.0.lock().expect("arrivals").len() > seen).await;
        let held = when(|| rules_now() == Some(rules("exclude"))).await;
        let pressed_join = round % 2 == 0;
        if pressed_join {
            monitor.expect_provider(&visit_id);
            tokio::time::sleep(rng.between(Duration::from_millis(500), Duration::from_secs(3))).await;
        } else {
            tokio::time::sleep(rng.between(Duration::ZERO, Duration::from_secs(3))).await;
        }
        let clinician = Instant::now();
        script.join(&room_sid, "dr-bench");
        let let_in = when(|| rules_now() == Some(rules("include"))).await;
        let pressed = Instant::now();
        let sent_back = match monitor.decide_admission(&visit_id, AdmissionDecision::SendBack) {
            Ok(()) => when(|| rules_now() == Some(rules("exclude"))).await,
            Err(_) => None,
        };
        let pressed_again = Instant::now();
        let admitted = match monitor.decide_admission(&visit_id, AdmissionDecision::Admit) {
            Ok(()) => when(|| rules_now() == Some(rules("include"))).await,
            Err(_) => None,
        };
        match (alerted, held, let_in, sent_back, admitted) {
            (Some(alerted), Some(_), Some(let_in), Some(sent_back), Some(admitted)) => {
                alert.push(alerted.duration_since(arrived).as_secs_f64());
                let joined = if pressed_join { &mut after_join_visit } else { &mut from_link };
                joined.push(let_in.duration_since(clinician).as_secs_f64());
                send_back.push(sent_back.duration_since(pressed).as_secs_f64());
                admit.push(admitted.duration_since(pressed_again).as_secs_f64());
            }
            _ => missed += 1,
        }
        script.leave(&room_sid, "dr-bench");
        script.leave(&room_sid, &identity);
        // The departure noticed before the next round.
        let _ = when(|| monitor.snapshot().iter().all(|presence| presence.admission.is_none())).await;
    }
    monitor.stop();

    println!(
        "\nadmission on Twilio: MonitorConfig::default(), scripted Twilio on loopback, one visit, {} rounds ({missed} missed)\n",
        alert.len()
    );
    println!("                                        p50        p95    p50 ratio");
    let reference = median(alert.clone());
    for (label, values) in [
        ("arrival -> alert (reference)", &alert),
        ("after Join visit: joins -> let in", &after_join_visit),
        ("from a link: joins -> let in", &from_link),
        ("Send back -> rules on Twilio", &send_back),
        ("Admit -> rules on Twilio", &admit),
    ] {
        if values.is_empty() {
            continue;
        }
        let p50 = median(values.clone());
        println!("{label:<36} {:>8.3} s {:>8.3} s {:>10.2}", p50, percentile(values, 0.95), p50 / reference);
    }
}
