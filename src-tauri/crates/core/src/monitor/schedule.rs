//! How often each visit is polled, who goes first when the budget is short, and how long
//! a failing visit waits.

use std::{cmp::Ordering, time::Duration, time::Instant};

use visitdesk_store::{Visit, VisitStatus};

use super::MonitorConfig;

/// How often a visit is polled, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PollClass {
    /// Due within [`MonitorConfig::due_soon`], overdue by less than
    /// [`MonitorConfig::overdue_limit`], or someone is in the room.
    Often,
    /// Any other open visit with a room (later today, tomorrow, long overdue).
    Rarely,
    /// Completed, cancelled, no-show, or no room yet: nothing to ask.
    Never,
}

pub fn is_closed(status: VisitStatus) -> bool {
    matches!(status, VisitStatus::Completed | VisitStatus::Cancelled | VisitStatus::NoShow)
}

pub fn room_sid(visit: &Visit) -> Option<&str> {
    visit.room.as_ref().and_then(|room| room.sid.as_deref())
}

pub fn classify(visit: &Visit, someone_present: bool, now_unix: i64, config: &MonitorConfig) -> PollClass {
    if is_closed(visit.status) || room_sid(visit).is_none() {
        return PollClass::Never;
    }
    if someone_present {
        return PollClass::Often;
    }
    let until_due = visit.scheduled_at - now_unix;
    let due_soon = until_due <= secs(config.due_soon);
    let not_long_overdue = -until_due <= secs(config.overdue_limit);
    if due_soon && not_long_overdue { PollClass::Often } else { PollClass::Rarely }
}

fn secs(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}

/// What the budget has to cover.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Load {
    pub often: usize,
    pub rarely: usize,
}

/// The intervals of [`PollClass::Often`] visits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OftenIntervals {
    /// Nobody waiting yet: what the budget leaves after rare polls, shared evenly, between
    /// [`MonitorConfig::often_min_interval`] and [`MonitorConfig::often_interval`].
    pub arriving: Duration,
    /// The patient waits: a visit pays for its device checks (one every
    /// [`MonitorConfig::device_check_interval`]) with slower polls, so arrivals elsewhere
    /// are not slowed down by them.
    pub waiting: Duration,
}

pub fn often_intervals(load: Load, budget_per_second: f64, config: &MonitorConfig) -> OftenIntervals {
    let longest = config.often_interval;
    let shortest = config.often_min_interval.min(longest);
    let rare_load = load.rarely as f64 / config.rarely_interval.as_secs_f64().max(0.001);
    let spare = budget_per_second - rare_load;
    let arriving = if load.often == 0 || spare <= 0.0 {
        longest
    } else {
        Duration::from_secs_f64(load.often as f64 / spare).clamp(shortest, longest)
    };
    let slack = 1.0 / arriving.as_secs_f64() - 1.0 / config.device_check_interval.as_secs_f64().max(0.001);
    let waiting = if slack <= 0.0 { longest } else { Duration::from_secs_f64(1.0 / slack).clamp(arriving, longest) };
    OftenIntervals { arriving, waiting }
}

/// The interval for a class; `None` for [`PollClass::Never`].
pub fn interval(
    class: PollClass,
    often: OftenIntervals,
    patient_waiting: bool,
    config: &MonitorConfig,
) -> Option<Duration> {
    match class {
        PollClass::Often if patient_waiting => Some(often.waiting),
        PollClass::Often => Some(often.arriving),
        PollClass::Rarely => Some(config.rarely_interval),
        PollClass::Never => None,
    }
}

/// The wait after `failures` failures in a row: doubling from
/// [`MonitorConfig::backoff_base`] up to [`MonitorConfig::backoff_max`], and never less
/// than the service's `Retry-After` (itself capped at [`MonitorConfig::retry_after_max`]).
pub fn backoff(failures: u32, retry_after: Option<Duration>, config: &MonitorConfig) -> Duration {
    let doublings = failures.saturating_sub(1).min(20);
    let exponential = config.backoff_base.saturating_mul(1 << doublings).min(config.backoff_max);
    let asked = retry_after.map_or(Duration::ZERO, |asked| asked.min(config.retry_after_max));
    exponential.max(asked)
}

/// Who gets a request first when several are due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    /// Setting what the patient's connection may receive: a waiting patient held, or let in.
    Admission,
    /// Removing again someone removed from the visit who came back: they are in the room now.
    Removal,
    /// A poll of a visit polled often whose patient is not there: it may catch an arrival,
    /// the alert that matters most.
    Arrival,
    /// A poll of a visit polled often whose patient is there (it may catch a departure),
    /// or the first device check of the patient's connection.
    Present,
    /// A repeated device check.
    Routine,
    /// A poll of a visit polled rarely.
    Background,
}

impl Priority {
    pub fn of_poll(class: PollClass, patient_present: bool) -> Self {
        match (class, patient_present) {
            (PollClass::Often, false) => Self::Arrival,
            (PollClass::Often, true) => Self::Present,
            _ => Self::Background,
        }
    }

    pub fn of_device_check(first: bool) -> Self {
        if first { Self::Present } else { Self::Routine }
    }

    /// How much later than an arrival poll this may be due and still go after it. A grace,
    /// not a rank: a request overdue by more than this goes first, so when the budget is
    /// short nothing starves.
    pub fn grace(self) -> Duration {
        match self {
            Self::Admission | Self::Removal | Self::Arrival => Duration::ZERO,
            Self::Present => Duration::from_secs(1),
            Self::Routine => Duration::from_secs(5),
            Self::Background => Duration::from_secs(30),
        }
    }
}

/// A request that is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub priority: Priority,
    pub due_at: Instant,
    pub scheduled_at: i64,
}

/// Who gets the budget first: the request longest past its due time plus its priority's
/// grace, then the higher priority, then the earliest appointment.
pub fn by_urgency(a: &Candidate, b: &Candidate) -> Ordering {
    let key = |c: &Candidate| (c.due_at + c.priority.grace(), c.priority, c.scheduled_at);
    key(a).cmp(&key(b))
}

#[cfg(test)]
mod tests {
    use visitdesk_store::{RoomRef, VideoBackendKind};

    use super::*;

    const NOW: i64 = 1_795_361_400;

    fn visit(status: VisitStatus, minutes_from_now: i64, room: bool) -> Visit {
        Visit {
            id: "v".into(),
            patient_display_name: "P".into(),
            patient_mobile: "+14155552671".into(),
            scheduled_at: NOW + minutes_from_now * 60,
            status,
            room: room.then(|| RoomRef {
                service: VideoBackendKind::Twilio,
                unique_name: "vd-x".into(),
                sid: Some("RM1".into()),
            }),
            created_at: NOW,
            updated_at: NOW,
        }
    }

    #[test]
    fn visits_due_soon_or_overdue_are_polled_often_others_rarely_ended_never() {
        let config = MonitorConfig::default();
        let class = |status, minutes, room, present| classify(&visit(status, minutes, room), present, NOW, &config);
        assert_eq!(class(VisitStatus::Invited, 59, true, false), PollClass::Often);
        assert_eq!(class(VisitStatus::Scheduled, 60, true, false), PollClass::Often);
        assert_eq!(class(VisitStatus::Scheduled, -30, true, false), PollClass::Often, "overdue");
        assert_eq!(class(VisitStatus::Scheduled, 61, true, false), PollClass::Rarely, "later today");
        assert_eq!(class(VisitStatus::Scheduled, 24 * 60, true, false), PollClass::Rarely, "tomorrow");
        assert_eq!(class(VisitStatus::Invited, -121, true, false), PollClass::Rarely, "long overdue, empty");
        assert_eq!(class(VisitStatus::Waiting, -300, true, true), PollClass::Often, "someone is there");
        assert_eq!(class(VisitStatus::Scheduled, 300, true, true), PollClass::Often, "early arrival");
        for closed in [VisitStatus::Completed, VisitStatus::Cancelled, VisitStatus::NoShow] {
            assert_eq!(class(closed, 0, true, true), PollClass::Never, "{closed:?}");
        }
        assert_eq!(class(VisitStatus::Invited, 0, false, false), PollClass::Never, "no room, nobody in it");
    }

    #[test]
    fn the_often_intervals_share_the_budget() {
        let config = MonitorConfig::default();
        let intervals = |often, rarely| {
            let got = often_intervals(Load { often, rarely }, 1.0, &config);
            (got.arriving.as_secs_f64(), got.waiting.as_secs_f64())
        };
        let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
        // 60 a minute for 3 visits: each every 3 s; one with a waiting patient every 3.53 s,
        // which with a device check every 20 s is the same 20 requests a minute.
        let (arriving, waiting) = intervals(3, 0);
        assert!(close(arriving, 3.0) && close(waiting, 60.0 / 17.0), "{arriving} {waiting}");
        assert!(close(1.0 / waiting + 1.0 / 20.0, 1.0 / arriving));
        assert_eq!(intervals(1, 0).0, 2.0, "never below the shortest interval");
        assert_eq!(intervals(10, 0), (5.0, 5.0), "never above the longest: the budget then decides who goes first");
        let (arriving, _) = intervals(3, 30);
        assert!(close(arriving, 3.0 / 0.9), "rare polls take their share first: {arriving}");
        assert_eq!(intervals(0, 5), (5.0, 5.0));
        let config = MonitorConfig { device_check_interval: Duration::from_secs(1), ..MonitorConfig::default() };
        let got = often_intervals(Load { often: 3, rarely: 0 }, 1.0, &config);
        assert_eq!(got.waiting, config.often_interval, "device checks beyond the budget: the longest interval");
        assert_eq!(interval(PollClass::Often, got, true, &config), Some(got.waiting));
        assert_eq!(interval(PollClass::Often, got, false, &config), Some(got.arriving));
        assert_eq!(interval(PollClass::Rarely, got, true, &config), Some(config.rarely_interval));
        assert_eq!(interval(PollClass::Never, got, false, &config), None);
    }

    #[test]
    fn backoff_doubles_to_a_cap_and_honours_retry_after() {
        let config = MonitorConfig::default();
        let wait = |failures, asked: Option<u64>| backoff(failures, asked.map(Duration::from_secs), &config).as_secs();
        assert_eq!([wait(1, None), wait(2, None), wait(3, None), wait(6, None), wait(40, None)], [2, 4, 8, 60, 60]);
        assert_eq!(wait(1, Some(7)), 7, "Retry-After is longer than the backoff");
        assert_eq!(wait(4, Some(1)), 16, "the backoff is longer than Retry-After");
        assert_eq!(wait(1, Some(86_400)), 300, "Retry-After is capped");
    }

    #[test]
    fn the_most_urgent_request_goes_first() {
        use Priority::*;
        let now = Instant::now();
        let ms = Duration::from_millis;
        let mut due = [
            Candidate { priority: Background, due_at: now, scheduled_at: NOW },
            Candidate { priority: Removal, due_at: now, scheduled_at: NOW + 60 },
            Candidate { priority: Routine, due_at: now, scheduled_at: NOW },
            Candidate { priority: Present, due_at: now, scheduled_at: NOW },
            Candidate { priority: Arrival, due_at: now + ms(500), scheduled_at: NOW },
            Candidate { priority: Arrival, due_at: now, scheduled_at: NOW + 60 },
            Candidate { priority: Arrival, due_at: now, scheduled_at: NOW },
        ];
        due.sort_by(by_urgency);
        assert_eq!(
            due.iter().map(|c| (c.priority, (c.due_at - now).as_millis(), c.scheduled_at - NOW)).collect::<Vec<_>>(),
            [
                (Removal, 0, 60),
                (Arrival, 0, 0),
                (Arrival, 0, 60),
                (Arrival, 500, 0),
                (Present, 0, 0),
                (Routine, 0, 0),
                (Background, 0, 0)
            ]
        );
        // Overdue by more than its grace, a lower priority goes first: nothing starves.
        let old_present = Candidate { priority: Present, due_at: now, scheduled_at: NOW };
        let fresh_arrival = Candidate { priority: Arrival, due_at: now + ms(1_200), scheduled_at: NOW };
        assert_eq!(by_urgency(&old_present, &fresh_arrival), Ordering::Less);
        let old_background = Candidate { priority: Background, due_at: now, scheduled_at: NOW };
        assert_eq!(
            by_urgency(&old_background, &Candidate { due_at: now + ms(29_000), ..fresh_arrival }),
            Ordering::Greater
        );
        assert_eq!(
            by_urgency(&old_background, &Candidate { due_at: now + ms(31_000), ..fresh_arrival }),
            Ordering::Less
        );

        assert_eq!(Priority::of_poll(PollClass::Often, false), Arrival);
        assert_eq!(Priority::of_poll(PollClass::Often, true), Present);
        assert_eq!(Priority::of_poll(PollClass::Rarely, false), Background);
        assert_eq!(Priority::of_device_check(true), Present);
        assert_eq!(Priority::of_device_check(false), Routine);
    }
}
