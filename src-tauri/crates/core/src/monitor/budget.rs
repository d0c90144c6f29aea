//! The request budget, two limits in one:
//! - a hard cap: at most `max_requests` in any window of `window` (a log of the last
//!   requests), which is what the target is stated in ("60 a minute");
//! - a pace: a token bucket refilled at `max_requests / window` holding at most `burst`
//!   tokens. Without it, requests saved up in a quiet spell could be spent in one rush, and
//!   the cap would then starve every visit until the rush left the window (seen: 11 s with
//!   no poll). With it, demand beyond the budget waits about one refill per request.

use std::{
    collections::VecDeque,
    time::{Duration, Instant},
};

#[derive(Debug)]
pub struct RequestBudget {
    max_requests: u32,
    window: Duration,
    /// When each request in the current window was taken, oldest first.
    taken: VecDeque<Instant>,
    burst: f64,
    tokens: f64,
    refilled_at: Instant,
    total: u64,
}

impl RequestBudget {
    pub fn new(max_requests: u32, window: Duration, burst: u32, now: Instant) -> Self {
        let max_requests = max_requests.max(1);
        let window = window.max(Duration::from_millis(1));
        let burst = f64::from(burst.clamp(1, max_requests));
        Self {
            max_requests,
            window,
            taken: VecDeque::with_capacity(max_requests as usize),
            burst,
            tokens: burst,
            refilled_at: now,
            total: 0,
        }
    }

    /// The sustained rate the budget allows.
    pub fn per_second(&self) -> f64 {
        f64::from(self.max_requests) / self.window.as_secs_f64()
    }

    fn catch_up(&mut self, now: Instant) {
        // A request taken at `t` counts in `[t, t + window)`.
        while self.taken.front().is_some_and(|&taken| taken + self.window <= now) {
            self.taken.pop_front();
        }
        if now > self.refilled_at {
            let earned = now.duration_since(self.refilled_at).as_secs_f64() * self.per_second();
            self.tokens = (self.tokens + earned).min(self.burst);
            self.refilled_at = now;
        }
    }

    /// Requests that may be taken right now.
    pub fn available(&mut self, now: Instant) -> u32 {
        self.catch_up(now);
        let under_cap = self.max_requests - self.taken.len() as u32;
        // The epsilon keeps float rounding from leaving a whole token at 0.999….
        under_cap.min((self.tokens + 1e-9).floor() as u32)
    }

    #[cfg(test)]
    pub fn try_acquire(&mut self, now: Instant) -> bool {
        self.try_acquire_many(now, 1)
    }

    /// Takes `n` requests for one operation that makes several (a removal on Janus lists the
    /// room, then kicks): when one may be taken now and the cap has room for all of them. The
    /// bucket lends the rest, so the requests after it wait until it is paid back; the cap is
    /// never exceeded. `n` is at least 1 and at most the cap.
    pub fn try_acquire_many(&mut self, now: Instant, n: u32) -> bool {
        let n = n.clamp(1, self.max_requests);
        if self.available(now) == 0 || self.max_requests - (self.taken.len() as u32) < n {
            return false;
        }
        self.take(now, n);
        true
    }

    /// Spends `n` tokens (the bucket may go into debt) and logs `n` requests at `now`.
    fn take(&mut self, now: Instant, n: u32) {
        self.tokens -= f64::from(n);
        // Callers on other threads may pass a slightly earlier `now`; keep the log sorted.
        let at = self.taken.back().map_or(now, |&last| now.max(last));
        for _ in 0..n {
            self.taken.push_back(at);
        }
        self.total += u64::from(n);
    }

    /// Takes one request now, whatever the pace, for what must not wait behind polls (what a
    /// waiting patient's connection may receive: one request per connection and per decision
    /// of the clinician): the bucket lends it, and the requests after it pay it back. The cap
    /// still holds: false when it is full.
    pub fn borrow(&mut self, now: Instant) -> bool {
        self.catch_up(now);
        if self.taken.len() as u32 >= self.max_requests {
            return false;
        }
        self.take(now, 1);
        true
    }

    /// When the next request can be taken: `now` if one is available.
    pub fn next_available_at(&mut self, now: Instant) -> Instant {
        if self.available(now) > 0 {
            return now;
        }
        let refilled = now + Duration::from_secs_f64(((1.0 - self.tokens) / self.per_second()).max(0.0));
        let under_cap = if self.taken.len() as u32 >= self.max_requests {
            self.taken.front().map_or(now, |&oldest| oldest + self.window)
        } else {
            now
        };
        refilled.max(under_cap)
    }

    /// Requests taken since the monitor started.
    pub fn total(&self) -> u64 {
        self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_borrowed_request_goes_at_once_and_is_paid_back() {
        let start = Instant::now();
        let mut budget = RequestBudget::new(10, Duration::from_secs(10), 1, start);
        assert!(budget.try_acquire(start));
        assert!(!budget.try_acquire(start), "the pace: one a second");
        assert!(budget.borrow(start), "lent, whatever the pace");
        // Paid back: nothing for two refills, instead of one.
        assert_eq!(budget.next_available_at(start), start + Duration::from_secs(2));
        assert!(budget.borrow(start));
        assert!(!budget.try_acquire(start + Duration::from_secs(2)), "two seconds later, still paying back");
        assert!(budget.try_acquire(start + Duration::from_secs(3)));
        assert_eq!(budget.total(), 4);
    }

    #[test]
    fn a_borrowed_request_never_goes_beyond_the_cap() {
        let start = Instant::now();
        let mut budget = RequestBudget::new(3, Duration::from_secs(3), 1, start);
        assert!(budget.try_acquire(start));
        assert!(budget.borrow(start));
        assert!(budget.borrow(start));
        assert!(!budget.borrow(start), "three in the window: the cap holds");
        assert_eq!(budget.available(start), 0, "no room below the cap, and no underflow");
        assert_eq!(budget.total(), 3);
    }

    fn granted_when_asked_every(
        budget: &mut RequestBudget,
        start: Instant,
        every: Duration,
        for_: Duration,
    ) -> Vec<Instant> {
        let mut granted = Vec::new();
        let mut now = start;
        while now < start + for_ {
            if budget.try_acquire(now) {
                granted.push(now);
            }
            now += every;
        }
        granted
    }

    fn busiest(granted: &[Instant], window: Duration) -> usize {
        (0..granted.len())
            .map(|i| granted[i..].iter().take_while(|&&t| t < granted[i] + window).count())
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn no_minute_ever_holds_more_than_the_budget() {
        let start = Instant::now();
        let mut budget = RequestBudget::new(60, Duration::from_secs(60), 1, start);
        // Ask every 100 ms for 3 minutes: ten times the budget.
        let granted =
            granted_when_asked_every(&mut budget, start, Duration::from_millis(100), Duration::from_secs(180));
        assert!(busiest(&granted, Duration::from_secs(60)) <= 60);
        assert!(granted.len() >= 178, "the whole budget is usable: {} of 180", granted.len());
        assert_eq!(budget.total(), granted.len() as u64);
    }

    #[test]
    fn demand_beyond_the_budget_is_paced_not_starved() {
        for burst in [1, 3] {
            let start = Instant::now();
            let mut budget = RequestBudget::new(60, Duration::from_secs(60), burst, start);
            let every = Duration::from_millis(50);
            let granted = granted_when_asked_every(&mut budget, start, every, Duration::from_secs(150));
            let longest_gap = granted.windows(2).map(|pair| pair[1] - pair[0]).max().unwrap();
            // A burst at the start of a window is paid back with a pause as it leaves it.
            assert!(
                longest_gap <= Duration::from_secs(u64::from(burst)) + every,
                "burst {burst}: a gap of {longest_gap:?}"
            );
            assert!(
                busiest(&granted, Duration::from_secs(3)) <= 3 + burst as usize,
                "burst {burst}: bursts stay small"
            );
        }
    }

    #[test]
    fn a_spent_budget_says_when_it_frees_up() {
        let start = Instant::now();
        // 2 in 10 s: a token every 5 s, both at once at most.
        let mut budget = RequestBudget::new(2, Duration::from_secs(10), 2, start);
        assert!(budget.try_acquire(start));
        assert!(budget.try_acquire(start + Duration::from_secs(1)));
        assert!(!budget.try_acquire(start + Duration::from_secs(2)));
        assert_eq!(
            budget.next_available_at(start + Duration::from_secs(2)),
            start + Duration::from_secs(10),
            "the cap, not the bucket, is what holds it back"
        );
        assert!(!budget.try_acquire(start + Duration::from_millis(9_999)));
        assert!(budget.try_acquire(start + Duration::from_secs(10)));

        // 4 in 20 s: the cap has room, the bucket (a token every 5 s) does not.
        let mut budget = RequestBudget::new(4, Duration::from_secs(20), 2, start);
        assert!(budget.try_acquire(start) && budget.try_acquire(start));
        assert_eq!(budget.available(start + Duration::from_secs(1)), 0);
        assert_eq!(budget.next_available_at(start + Duration::from_secs(1)), start + Duration::from_secs(5));
        assert!(!budget.try_acquire(start + Duration::from_millis(4_900)));
        assert!(budget.try_acquire(start + Duration::from_secs(5)));
    }

    #[test]
    fn an_operation_of_several_requests_is_paid_back_before_the_next() {
        let start = Instant::now();
        let mut budget = RequestBudget::new(60, Duration::from_secs(60), 1, start);
        assert!(budget.try_acquire_many(start, 2));
        assert_eq!(budget.total(), 2);
        assert_eq!(budget.next_available_at(start), start + Duration::from_secs(2));
        assert!(!budget.try_acquire(start + Duration::from_millis(1_900)), "the lent token is paid back first");
        assert!(budget.try_acquire(start + Duration::from_secs(2)));

        // Never past the cap: 3 in 10 s, 2 taken, room for 1 only.
        let mut budget = RequestBudget::new(3, Duration::from_secs(10), 3, start);
        assert!(budget.try_acquire_many(start, 2));
        assert!(!budget.try_acquire_many(start, 2), "the cap has room for one");
        assert!(budget.try_acquire(start));
        assert!(budget.try_acquire_many(start + Duration::from_secs(10), 5), "more than the cap is clamped to it");
        assert_eq!(budget.total(), 6);

        // Asked every 100 ms for 3 minutes, in pairs: no minute holds more than 60.
        let mut budget = RequestBudget::new(60, Duration::from_secs(60), 1, start);
        let mut granted = Vec::new();
        let mut now = start;
        while now < start + Duration::from_secs(180) {
            if budget.try_acquire_many(now, 2) {
                granted.extend([now, now]);
            }
            now += Duration::from_millis(100);
        }
        assert!(busiest(&granted, Duration::from_secs(60)) <= 60);
        assert!(granted.len() >= 170, "the whole budget is usable: {} of 180", granted.len());
    }

    #[test]
    fn the_rate_is_the_budget_over_its_window() {
        let now = Instant::now();
        assert_eq!(RequestBudget::new(60, Duration::from_secs(60), 3, now).per_second(), 1.0);
        assert_eq!(RequestBudget::new(0, Duration::ZERO, 0, now).available(now), 1, "never zero");
    }
}
