//! `core-bench waiting-room [ARRIVALS] [SEED]`: arrival-to-alert latency of the waiting-room
//! monitor, and the requests a minute it spends, for 1, 3 and 10 active visits.
//!
//! Each case runs the monitor as the app ships it ([`MonitorConfig::default`]) against a
//! scripted Twilio on loopback: visits due now, each invited through the core (which creates
//! its room on the same server), then a patient per visit arriving and leaving at random
//! moments until ARRIVALS arrivals (default 50) have happened across the visits. For each
//! arrival it measures the time from the moment the participant is visible on the server to
//! the `PatientArrived` event reaching the monitor's event sink, and it counts the requests
//! the server received.
//!
//! The reference, from the same arrivals: a naive poller with no scheduling jitter and
//! instant answers, spending the same budget round robin (one request every
//! `budget_window / budget_requests`, so each visit every N times that), whose latency is
//! the time from each scripted arrival to that visit's next poll.
//!
//! Prints figures; asserts nothing.

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use url::Url;
use visitdesk_core::{
    monitor::{MonitorConfig, MonitorEvents, MonitorHandle, WaitingRoomEvent, spawn_monitor},
    visits::invites::{self, InviteRequest},
    visits::{self, VisitForm},
};
use visitdesk_store::{GuestRole, InviteMethod};
use visitdesk_twilio::BaseUrls;
use visitdesk_twilio_scripted::{Asked, Hit, Lookups, Options, ScriptedTwilio, StartTimes};

use crate::{bench_context, median};

/// The visit counts measured, in order; `BENCH_WAITING_ROOM_VISITS=3` (comma-separated) picks some.
const CASES: [usize; 3] = [1, 3, 10];

fn cases() -> Vec<usize> {
    std::env::var("BENCH_WAITING_ROOM_VISITS")
        .ok()
        .map(|list| list.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .filter(|picked: &Vec<usize>| !picked.is_empty())
        .unwrap_or_else(|| CASES.to_vec())
}
/// How long a patient stays after the alert, and the shortest gap before they come back.
const STAY: (Duration, Duration) = (Duration::from_secs(1), Duration::from_secs(3));
const SHORTEST_GAP: Duration = Duration::from_secs(1);
/// An arrival (or departure) not reported within this counts as missed (3 times the longest
/// poll period measured, 10 visits at 60 a minute).
const GIVE_UP: Duration = Duration::from_secs(30);

fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("a clock after 1970").as_secs() as i64
}

/// SplitMix64: a small, seeded generator, so a run's arrivals can be replayed.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub(crate) fn between(&mut self, low: Duration, high: Duration) -> Duration {
        low + high.saturating_sub(low).mul_f64(self.unit())
    }
}

// ---------------------------------------------------------------------------------------
// The monitor's event sink: arrivals and departures, timed as they come, per visit.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    Arrived,
    Left,
}

#[derive(Default)]
struct AlertSink {
    by_visit: HashMap<String, UnboundedSender<(Instant, Seen)>>,
    delayed: AtomicUsize,
}

impl MonitorEvents for AlertSink {
    fn emit(&self, event: WaitingRoomEvent) {
        let at = Instant::now();
        let (visit_id, seen) = match &event {
            WaitingRoomEvent::PatientArrived { visit_id, .. } => (visit_id, Seen::Arrived),
            WaitingRoomEvent::PatientLeft { visit_id, .. } => (visit_id, Seen::Left),
            WaitingRoomEvent::StatusDelayed { .. } => {
                self.delayed.fetch_add(1, Ordering::Relaxed);
                return;
            }
            _ => return,
        };
        if let Some(sender) = self.by_visit.get(visit_id) {
            // The receiver is gone only once the case is over.
            let _ = sender.send((at, seen));
        }
    }
}

/// The next event of this kind, when it comes within [`GIVE_UP`].
async fn next(alerts: &mut UnboundedReceiver<(Instant, Seen)>, wanted: Seen) -> Option<Instant> {
    let deadline = tokio::time::Instant::now() + GIVE_UP;
    loop {
        match tokio::time::timeout_at(deadline, alerts.recv()).await {
            Ok(Some((at, seen))) if seen == wanted => return Some(at),
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => return None,
        }
    }
}

// ---------------------------------------------------------------------------------------
// One case.

struct Patient {
    room_sid: String,
    identity: String,
    arrivals: usize,
}

#[derive(Default)]
struct PatientOutcome {
    /// When each arrival became visible on the server, and when it was reported.
    arrivals: Vec<(Instant, Option<Instant>)>,
    departures_missed: usize,
}

/// Arrives, waits for the alert, stays, leaves and waits for the departure to be noticed,
/// `arrivals` times, after a gap of `SHORTEST_GAP` plus up to `spread` each time. An arrival
/// not reported within [`GIVE_UP`] is missed: the patient leaves then.
async fn patient(
    script: ScriptedTwilio,
    who: Patient,
    mut alerts: UnboundedReceiver<(Instant, Seen)>,
    spread: Duration,
    mut rng: Rng,
) -> PatientOutcome {
    let mut outcome = PatientOutcome::default();
    for _ in 0..who.arrivals {
        tokio::time::sleep(rng.between(SHORTEST_GAP, SHORTEST_GAP + spread)).await;
        // Late news of an earlier, missed visit is not news of this one.
        while alerts.try_recv().is_ok() {}
        script.join_publishing(&who.room_sid, &who.identity, &[("audio", true), ("video", true)]);
        let visible = Instant::now();
        let alerted = next(&mut alerts, Seen::Arrived).await;
        outcome.arrivals.push((visible, alerted));
        if alerted.is_none() {
            script.leave(&who.room_sid, &who.identity);
            continue;
        }
        tokio::time::sleep(rng.between(STAY.0, STAY.1)).await;
        script.leave(&who.room_sid, &who.identity);
        if next(&mut alerts, Seen::Left).await.is_none() {
            outcome.departures_missed += 1;
        }
    }
    outcome
}

struct CaseResult {
    visits: usize,
    /// Arrival-to-alert, seconds, of each arrival; infinite for a missed one.
    latencies: Vec<f64>,
    missed: usize,
    departures_missed: usize,
    /// Visits whose room the monitor never asked about while the patients came and went.
    never_polled: usize,
    /// Visits not yet checked once when the warm-up ended.
    unchecked_after_warm_up: usize,
    /// The naive poller's latency for the same arrivals, seconds.
    reference: Vec<f64>,
    requests: usize,
    track_requests: usize,
    seconds: f64,
    busiest_minute: Option<usize>,
    monitor_counted: u64,
    all_server_requests: usize,
    delayed: usize,
    warm_up_seconds: f64,
}

/// Opens `visits` visits due now, each with a room and a patient invite, through the core.
pub(crate) async fn open_visits(ctx: &crate::BenchContext, visits: usize) -> Vec<(String, String, String)> {
    let mut opened = Vec::with_capacity(visits);
    for n in 0..visits {
        let form = VisitForm {
            patient_display_name: format!("Bench Patient {n}"),
            patient_mobile: "+14155552671".into(),
            scheduled_at: unix_now(),
        };
        let visit = visits::create_visit(ctx, form).await.expect("a visit");
        let request = InviteRequest {
            visit_id: visit.id.clone(),
            role: GuestRole::Patient,
            method: InviteMethod::CopyLink,
            phone: None,
            language: None,
            confirm_resend: false,
        };
        let sent = invites::invite(ctx, request).await.expect("a patient invite (creates the room)");
        let identity = sent.invite.guest_identity.expect("the patient's identity");
        let visit = visits::visit(ctx, visit.id).await.expect("the visit");
        let room_sid = visit.room.and_then(|room| room.sid).expect("the visit's room SID");
        opened.push((visit.id, room_sid, identity));
    }
    opened
}

/// Waits until the monitor has checked every visit once, or `at_most`; returns how many
/// visits are still unchecked.
async fn warmed_up(monitor: &MonitorHandle, visits: usize, at_most: Duration) -> usize {
    let deadline = Instant::now() + at_most;
    loop {
        let snapshot = monitor.snapshot();
        let checked = snapshot.iter().filter(|presence| presence.checked_at_unix.is_some()).count();
        if checked >= visits || Instant::now() >= deadline {
            return visits.saturating_sub(checked);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The most requests in any 60 s within the hits (sorted), when they span a minute.
fn busiest_minute(times: &[Instant], from: Instant, to: Instant) -> Option<usize> {
    let minute = Duration::from_secs(60);
    if to.duration_since(from) < minute {
        return None;
    }
    let mut busiest = 0;
    let mut end = 0;
    for (start, first) in times.iter().enumerate() {
        if *first + minute > to {
            break;
        }
        while end < times.len() && times[end] < *first + minute {
            end += 1;
        }
        busiest = busiest.max(end - start);
    }
    Some(busiest)
}

async fn case(visits: usize, arrivals: usize, config: &MonitorConfig, rng: &mut Rng) -> CaseResult {
    // Like Twilio: rooms exist once the core creates them, participants arrive now.
    let options = Options { lookups: Lookups::Strict, start_times: StartTimes::Joined };
    let (server, script) = ScriptedTwilio::serve_with(options).await;
    let url = Url::parse(&server.uri()).expect("the server's URL");
    let dir = tempfile::tempdir().expect("a scratch folder");
    let ctx = Arc::new(bench_context(BaseUrls { video: url.clone(), api: url }, &dir));
    let opened = open_visits(&ctx, visits).await;

    let mut sink = AlertSink::default();
    let mut receivers = Vec::with_capacity(visits);
    for (visit_id, _, _) in &opened {
        let (sender, receiver) = unbounded_channel();
        sink.by_visit.insert(visit_id.clone(), sender);
        receivers.push(receiver);
    }
    let sink = Arc::new(sink);
    // One round of polls at the budget's pace (or the longest interval), and a little more.
    let per_request = config.budget_window.as_secs_f64() / f64::from(config.budget_requests);
    let period = Duration::from_secs_f64(per_request * visits as f64);
    let warm_up = period.max(config.often_interval) + Duration::from_secs(2);
    let started = Instant::now();
    let monitor = spawn_monitor(ctx.clone(), sink.clone(), config.clone());
    let unchecked_after_warm_up = warmed_up(&monitor, visits, warm_up).await;
    let from = Instant::now();
    let warm_up_seconds = from.duration_since(started).as_secs_f64();

    // Gaps spread over at least one poll period, so arrivals land at every phase of it.
    let spread = period.max(config.often_min_interval);
    let mut tasks = Vec::with_capacity(visits);
    let rooms: Vec<String> = opened.iter().map(|(_, room_sid, _)| room_sid.clone()).collect();
    for (index, ((_, room_sid, identity), alerts)) in opened.into_iter().zip(receivers).enumerate() {
        let who = Patient { room_sid, identity, arrivals: arrivals / visits + usize::from(index < arrivals % visits) };
        let seed = rng.next_u64();
        tasks.push((index, tokio::spawn(patient(script.clone(), who, alerts, spread, Rng(seed)))));
    }
    let mut outcomes = Vec::with_capacity(visits);
    for (index, task) in tasks {
        outcomes.push((index, task.await));
    }
    let to = Instant::now();
    let monitor_counted = monitor.requests_sent();
    monitor.stop();

    let (mut latencies, mut reference, mut missed, mut departures_missed) = (Vec::new(), Vec::new(), 0, 0);
    for (index, outcome) in outcomes {
        let outcome = outcome.expect("a patient's script");
        departures_missed += outcome.departures_missed;
        // The naive poller asks about visit `index` at from + index·r + k·N·r (r per request).
        let offset = per_request * index as f64;
        let period = period.as_secs_f64();
        for (visible, alerted) in outcome.arrivals {
            match alerted {
                Some(at) => latencies.push(at.duration_since(visible).as_secs_f64()),
                None => {
                    latencies.push(f64::INFINITY);
                    missed += 1;
                }
            }
            let since = visible.duration_since(from).as_secs_f64() - offset;
            reference.push((since.div_euclid(period) + 1.0) * period - since);
        }
    }
    let hits = script.hits();
    let in_window: Vec<&Hit> = hits.iter().filter(|hit| hit.at >= from && hit.at <= to).collect();
    let times: Vec<Instant> = in_window.iter().map(|hit| hit.at).collect();
    let never_polled = rooms
        .iter()
        .filter(|room_sid| !in_window.iter().any(|hit| hit.asked == Asked::Participants && hit.room_sid == **room_sid))
        .count();
    CaseResult {
        visits,
        latencies,
        missed,
        departures_missed,
        never_polled,
        unchecked_after_warm_up,
        reference,
        requests: in_window.len(),
        track_requests: in_window.iter().filter(|hit| hit.asked == Asked::Tracks).count(),
        seconds: to.duration_since(from).as_secs_f64(),
        busiest_minute: busiest_minute(&times, from, to),
        monitor_counted,
        all_server_requests: hits.len(),
        delayed: sink.delayed.load(Ordering::Relaxed),
        warm_up_seconds,
    }
}

// ---------------------------------------------------------------------------------------
// Figures.

/// Nearest rank: the smallest value with at least `p` of them at or below it.
pub(crate) fn percentile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Seconds with two decimals; a missed arrival as beyond [`GIVE_UP`].
fn seconds(value: f64) -> String {
    if value.is_finite() { format!("{value:.2} s") } else { format!("> {} s", GIVE_UP.as_secs()) }
}

fn ratio(ours: f64, reference: f64) -> String {
    if ours.is_finite() && reference > 0.0 { format!("{:.2}", ours / reference) } else { "-".into() }
}

fn per_minute(result: &CaseResult) -> f64 {
    result.requests as f64 * 60.0 / result.seconds
}

const HEADER: &str = "visits  arrivals  missed  alert p50  alert p95  max       requests/min  busiest 60 s  \
                      naive floor p50/p95  ratio p50/p95  wall";

fn row(result: &CaseResult) -> String {
    let p50 = median(result.latencies.clone());
    let p95 = percentile(&result.latencies, 0.95);
    let max = result.latencies.iter().copied().fold(0.0, f64::max);
    let naive_p50 = median(result.reference.clone());
    let naive_p95 = percentile(&result.reference, 0.95);
    let busiest = result.busiest_minute.map_or_else(|| "-".into(), |count| count.to_string());
    format!(
        "{:<7} {:<9} {:<7} {:<10} {:<10} {:<9} {:<13} {:<13} {:<20} {:<14} {:.0} s",
        result.visits,
        result.latencies.len(),
        result.missed,
        seconds(p50),
        seconds(p95),
        seconds(max),
        format!("{:.1}", per_minute(result)),
        busiest,
        format!("{naive_p50:.2} s / {naive_p95:.2} s"),
        format!("{} / {}", ratio(p50, naive_p50), ratio(p95, naive_p95)),
        result.seconds,
    )
}

pub(crate) async fn run(arrivals: usize, seed: u64) {
    let config = MonitorConfig::default();
    let arrivals = arrivals.max(1);
    let mut rng = Rng(seed);
    let mut results = Vec::new();
    for visits in cases() {
        eprintln!("waiting room: {visits} active visit(s), {arrivals} scripted arrivals…");
        results.push(case(visits, arrivals, &config, &mut rng).await);
    }
    let per_request = config.budget_window.as_secs_f64() / f64::from(config.budget_requests);
    println!(
        "\nwaiting room: MonitorConfig::default() ({} requests per {} s), scripted Twilio on loopback, seed {seed}",
        config.budget_requests,
        config.budget_window.as_secs()
    );
    println!("target for 3 visits: alert p95 <= 3 s, <= 60 requests/min\n");
    println!("{HEADER}");
    for result in &results {
        println!("{}", row(result));
    }
    println!();
    for result in &results {
        println!(
            "  {} visit(s): {} requests in {:.1} s ({} participant lists, {} published-track lists; \
             {} status-delayed events); {} departure(s) not noticed",
            result.visits,
            result.requests,
            result.seconds,
            result.requests - result.track_requests,
            result.track_requests,
            result.delayed,
            result.departures_missed,
        );
        println!(
            "      warm-up {:.1} s, after which {} visit(s) had never been checked; {} visit(s) never polled during \
             the arrivals; server saw {} requests in all, the monitor counted {}",
            result.warm_up_seconds,
            result.unchecked_after_warm_up,
            result.never_polled,
            result.all_server_requests,
            result.monitor_counted,
        );
        let reported: Vec<f64> = result.latencies.iter().copied().filter(|latency| latency.is_finite()).collect();
        if result.missed > 0 && !reported.is_empty() {
            println!(
                "      the {} reported arrivals alone: p50 {}, p95 {}, max {}",
                reported.len(),
                seconds(median(reported.clone())),
                seconds(percentile(&reported, 0.95)),
                seconds(reported.iter().copied().fold(0.0, f64::max)),
            );
        }
    }
    println!(
        "\n  alert: from the participant becoming visible on the server to PatientArrived in the event sink;\n  \
         p50 is the median, p95 the nearest rank, a missed arrival (none within {} s) counting as slower than\n  \
         any. Each patient stays {}-{} s after the alert and comes back {} s plus up to one poll period after\n  \
         the departure was noticed.\n  \
         naive floor: the same arrivals against a poller spending the same budget round robin (one request\n  \
         every {per_request:.1} s, each visit every visits x {per_request:.1} s), no jitter, instant answers; \
         ratio = VisitDesk / floor.\n  \
         requests/min: requests the server received during the arrivals, per minute; busiest 60 s: most in any\n  \
         60 s of them (- when the arrivals took less than a minute).",
        GIVE_UP.as_secs(),
        STAY.0.as_secs(),
        STAY.1.as_secs(),
        SHORTEST_GAP.as_secs(),
    );
    if let Some(three) = results.iter().find(|result| result.visits == 3) {
        let p95 = percentile(&three.latencies, 0.95);
        let met = |ok: bool| if ok { "met" } else { "not met" };
        println!(
            "\n  3 visits: alert p95 {} (target <= 3 s: {}), {:.1} requests/min (target <= 60: {})",
            if p95.is_finite() { format!("{p95:.3} s") } else { seconds(p95) },
            met(p95 <= 3.0),
            per_minute(three),
            met(per_minute(three) <= 60.0)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p95_is_the_nearest_rank() {
        let values: Vec<f64> = (1..=50).map(f64::from).collect();
        assert_eq!(percentile(&values, 0.95), 48.0);
        assert_eq!(percentile(&values, 0.5), 25.0);
        assert_eq!(percentile(&[3.0], 0.95), 3.0);
    }
}
