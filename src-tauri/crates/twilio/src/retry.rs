//! Timeouts and retries, in one place.
//!
//! Only requests that are safe to repeat are retried: reads, and the POSTs that set a
//! state (`Status=completed` on a Room, `Status=disconnected` on a Participant, a
//! Participant's Subscribe Rules), which give the same result however often they arrive. Creating a Room, a Message or a Call
//! is sent exactly once: a second try could make a second room, text or call.
//!
//! A safe request is tried again after
//! - 429 Too Many Requests and 503 Service Unavailable (Twilio asks to come back later),
//!   and 502/504 (a gateway in front of Twilio failed): after `Retry-After` seconds when
//!   Twilio sends it and it is at most [`RetryPolicy::max_retry_after`] (longer: give up
//!   at once and report it), otherwise after an exponential backoff with jitter;
//! - a connection failure, a timeout, or a connection that closed while waiting.
//!
//! 500 is not retried: it is Twilio failing on this particular request, and repeating it
//! rarely helps; the provider sees it at once instead of after the backoff.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Limit for one attempt, from sending the request to the last byte of the answer.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);
/// Limit for opening the connection (DNS, TCP, TLS) of one attempt.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(8);

/// Whether a request may reach Twilio twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Idempotency {
    /// Repeating it changes nothing: retried under the [`RetryPolicy`].
    Idempotent,
    /// Creates something: sent once, never retried.
    SendOnce,
}

/// How idempotent requests are retried. Requests that create something never are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included: 1 never retries.
    pub max_attempts: u32,
    /// The backoff before the first retry; it doubles for each further one.
    pub base_delay: Duration,
    /// The longest backoff.
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured; Twilio asking for more ends the retries.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(4),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

/// How an attempt failed, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Twilio (or something in front of it) answered with this status.
    Status { status: u16, retry_after: Option<Duration> },
    /// No answer: connection failure, timeout, connection closed while waiting.
    NoAnswer,
}

impl RetryPolicy {
    /// Every request is sent once.
    pub fn no_retries() -> Self {
        Self { max_attempts: 1, ..Self::default() }
    }

    /// The pause before the next attempt of an idempotent request whose attempt number
    /// `attempt` (1-based) failed this way, or `None` to give up.
    pub(crate) fn pause_after(&self, attempt: u32, failure: Failure) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        match failure {
            Failure::NoAnswer => Some(self.backoff(attempt)),
            Failure::Status { status: 429 | 502 | 503 | 504, retry_after: Some(asked) } => {
                (asked <= self.max_retry_after).then_some(asked)
            }
            Failure::Status { status: 429 | 502 | 503 | 504, retry_after: None } => Some(self.backoff(attempt)),
            Failure::Status { .. } => None,
        }
    }

    /// Exponential backoff with "equal jitter": half of `base × 2^(attempt-1)` (capped at
    /// `max_delay`) for sure, the other half random, so clients spread out.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(30);
        let full = self.base_delay.saturating_mul(1 << doublings).min(self.max_delay);
        let half = full / 2;
        half + half.mul_f64(random_fraction())
    }
}

/// `Retry-After` as Twilio sends it: whole seconds.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// A number in [0, 1) from the OS's generator; the clock if that is unavailable, which is
/// good enough to spread retries.
fn random_fraction() -> f64 {
    let bits = getrandom::u64().unwrap_or_else(|_| {
        SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| u64::from(elapsed.subsec_nanos()))
    });
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy::default()
    }

    #[test]
    fn backoff_doubles_within_jitter_and_stops_at_the_cap() {
        let policy = policy();
        for _ in 0..200 {
            let first = policy.backoff(1);
            assert!((Duration::from_millis(125)..=Duration::from_millis(250)).contains(&first), "{first:?}");
            let second = policy.backoff(2);
            assert!((Duration::from_millis(250)..=Duration::from_millis(500)).contains(&second), "{second:?}");
            let late = policy.backoff(40);
            assert!((Duration::from_secs(2)..=Duration::from_secs(4)).contains(&late), "{late:?}");
        }
    }

    #[test]
    fn jitter_varies() {
        let policy = policy();
        let pauses: std::collections::HashSet<Duration> = (0..20).map(|_| policy.backoff(3)).collect();
        assert!(pauses.len() > 1, "{pauses:?}");
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_maximum() {
        let policy = policy();
        let asked = |seconds| Failure::Status { status: 429, retry_after: Some(Duration::from_secs(seconds)) };
        assert_eq!(policy.pause_after(1, asked(7)), Some(Duration::from_secs(7)));
        assert_eq!(policy.pause_after(1, asked(30)), Some(Duration::from_secs(30)));
        assert_eq!(policy.pause_after(1, asked(31)), None);
    }

    #[test]
    fn only_try_later_statuses_and_missing_answers_are_retried() {
        let policy = policy();
        for status in [429, 502, 503, 504] {
            assert!(policy.pause_after(1, Failure::Status { status, retry_after: None }).is_some(), "{status}");
        }
        for status in [200, 201, 400, 401, 403, 404, 409, 422, 500, 501] {
            assert_eq!(policy.pause_after(1, Failure::Status { status, retry_after: None }), None, "{status}");
        }
        assert!(policy.pause_after(2, Failure::NoAnswer).is_some());
    }

    #[test]
    fn attempts_run_out() {
        let policy = policy();
        assert_eq!(policy.pause_after(3, Failure::NoAnswer), None);
        assert_eq!(RetryPolicy::no_retries().pause_after(1, Failure::NoAnswer), None);
        let zero = RetryPolicy { max_attempts: 0, ..policy };
        assert_eq!(zero.pause_after(1, Failure::NoAnswer), None);
    }

    #[test]
    fn retry_after_takes_whole_seconds_only() {
        assert_eq!(parse_retry_after(" 2 "), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("0"), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }
}
