use std::time::Duration;

use serde::Deserialize;

/// Twilio's code for "a Room with this UniqueName is already in progress".
pub const ROOM_EXISTS_CODE: u32 = 53113;

/// The error body Twilio sends with every 4xx/5xx answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TwilioApiError {
    pub code: Option<u32>,
    pub message: String,
    pub more_info: Option<String>,
    pub status: Option<u16>,
}

#[derive(Debug, thiserror::Error)]
pub enum TwilioError {
    /// Twilio answered with an error of its own. `retry_after` is Twilio's `Retry-After`
    /// header (429, 503), when it sent one.
    #[error("Twilio error {}: {} (HTTP {status})", .error.code.map_or_else(|| "without a code".to_string(), |c| c.to_string()), .error.message)]
    Api { status: u16, error: TwilioApiError, retry_after: Option<Duration> },
    /// The request certainly never reached Twilio: DNS, refused connection, connect
    /// timeout, TLS handshake. Safe to send again.
    #[error("Cannot reach Twilio at {host}: {detail}")]
    Unreachable { host: String, detail: String },
    /// The request went out but no complete answer came back: the time limit passed
    /// (`connection_closed` is `None`) or the connection closed while waiting (`Some`, with
    /// the cause). Twilio may have acted on it: check before sending again.
    #[error("{}", describe_no_answer(.after, .connection_closed.as_deref()))]
    Timeout { host: String, after: Duration, connection_closed: Option<String> },
    /// An answer that is not Twilio's format (a proxy's error page, a truncated body).
    #[error("Unexpected answer from {host} (HTTP {status}): {detail}")]
    UnexpectedResponse { host: String, status: u16, detail: String },
}

fn describe_no_answer(after: &Duration, connection_closed: Option<&str>) -> String {
    match connection_closed {
        None => format!("Twilio did not answer within {} s", after.as_secs()),
        Some(cause) => format!("The connection to Twilio closed before it answered: {cause}"),
    }
}

impl TwilioError {
    /// 401 and Twilio's authentication codes (20003 "Authenticate", 20005 …).
    pub fn is_authentication_failure(&self) -> bool {
        matches!(self, Self::Api { status: 401, .. }) || matches!(self.twilio_code(), Some(20003))
    }

    /// No usable answer from Twilio at all (network down, Twilio slow).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Self::Unreachable { .. } | Self::Timeout { .. })
    }

    /// Twilio may have acted on the request even though it failed: no answer came back
    /// after it was sent, a success answer could not be read, or Twilio (or a gateway in
    /// front of it) failed midway (500, 502, 504). For an SMS or a call: check before
    /// sending again. `false` means Twilio certainly did not act on it.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Self::Timeout { .. } => true,
            Self::Unreachable { .. } => false,
            Self::Api { status, .. } | Self::UnexpectedResponse { status, .. } => {
                (200..300).contains(status) || matches!(status, 500 | 502 | 504)
            }
        }
    }

    pub fn api_error(&self) -> Option<&TwilioApiError> {
        match self {
            Self::Api { error, .. } => Some(error),
            _ => None,
        }
    }

    /// Twilio's own error code (<https://www.twilio.com/docs/api/errors>).
    pub fn twilio_code(&self) -> Option<u32> {
        self.api_error().and_then(|error| error.code)
    }

    /// The HTTP status of Twilio's answer, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } | Self::UnexpectedResponse { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// How long Twilio asked us to wait before trying again.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Creating a Room whose UniqueName is already in progress (Twilio 53113): fetch the
    /// existing Room by that name instead.
    pub fn is_room_exists_conflict(&self) -> bool {
        self.twilio_code() == Some(ROOM_EXISTS_CODE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: Option<u32>) -> TwilioError {
        TwilioError::Api {
            status,
            error: TwilioApiError { code, message: "m".into(), more_info: None, status: Some(status) },
            retry_after: None,
        }
    }

    #[test]
    fn outcome_is_unknown_only_when_twilio_may_have_acted() {
        let host = || "api.twilio.com".to_string();
        assert!(!TwilioError::Unreachable { host: host(), detail: "refused".into() }.outcome_unknown());
        assert!(
            TwilioError::Timeout { host: host(), after: Duration::from_secs(1), connection_closed: None }
                .outcome_unknown()
        );
        assert!(
            TwilioError::Timeout { host: host(), after: Duration::ZERO, connection_closed: Some("reset".into()) }
                .outcome_unknown()
        );
        assert!(TwilioError::UnexpectedResponse { host: host(), status: 201, detail: "bad".into() }.outcome_unknown());
        assert!(TwilioError::UnexpectedResponse { host: host(), status: 504, detail: "gw".into() }.outcome_unknown());
        assert!(api(500, None).outcome_unknown());
        for status in [400, 401, 404, 409, 422, 429, 503] {
            assert!(!api(status, Some(20001)).outcome_unknown(), "{status}");
        }
    }

    #[test]
    fn codes_and_conflicts() {
        assert_eq!(api(400, Some(53113)).twilio_code(), Some(53113));
        assert!(api(400, Some(53113)).is_room_exists_conflict());
        assert!(!api(400, Some(53112)).is_room_exists_conflict());
        assert!(api(403, Some(20003)).is_authentication_failure());
        assert!(api(401, None).is_authentication_failure());
        assert!(!api(429, Some(20429)).is_authentication_failure());
    }

    #[test]
    fn messages_say_what_happened() {
        let timeout =
            TwilioError::Timeout { host: "h".into(), after: Duration::from_secs(10), connection_closed: None };
        assert_eq!(timeout.to_string(), "Twilio did not answer within 10 s");
        let closed = TwilioError::Timeout {
            host: "h".into(),
            after: Duration::from_millis(20),
            connection_closed: Some("connection reset".into()),
        };
        assert_eq!(closed.to_string(), "The connection to Twilio closed before it answered: connection reset");
    }
}
