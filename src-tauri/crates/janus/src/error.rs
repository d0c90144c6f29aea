use std::time::Duration;

use crate::TokenError;

/// Janus's own error codes that callers act on (`apierror.h`, `janus_videoroom.c`).
pub mod codes {
    /// Core: wrong, missing or expired token / API secret.
    pub const UNAUTHORIZED: i64 = 403;
    /// Core: the token does not grant the plugin.
    pub const UNAUTHORIZED_PLUGIN: i64 = 405;
    pub const SESSION_NOT_FOUND: i64 = 458;
    pub const HANDLE_NOT_FOUND: i64 = 459;
    /// VideoRoom: wrong `admin_key`, room `secret`, `pin` or join token.
    pub const VIDEOROOM_UNAUTHORIZED: i64 = 433;
    pub const VIDEOROOM_NO_SUCH_ROOM: i64 = 426;
    pub const VIDEOROOM_ROOM_EXISTS: i64 = 427;
    /// VideoRoom: no such participant (kick).
    pub const VIDEOROOM_NO_SUCH_FEED: i64 = 428;
    pub const VIDEOROOM_MISSING_ELEMENT: i64 = 429;
    pub const VIDEOROOM_UNKNOWN_ERROR: i64 = 499;
}

#[derive(Debug, thiserror::Error)]
pub enum JanusError {
    /// Janus's core refused the request (`{"janus":"error","error":{code,reason}}`).
    #[error("Janus refused the request: {reason} (Janus error {code})")]
    Api { code: i64, reason: String },
    /// The VideoRoom plugin refused the request (`error_code`, `error`).
    #[error("The Janus VideoRoom plugin refused the request: {reason} (VideoRoom error {code})")]
    Plugin { code: i64, reason: String },
    /// The request certainly never reached Janus: refused connection, connect timeout, TLS.
    #[error("Cannot reach Janus at {host}: {detail}")]
    Unreachable { host: String, detail: String },
    /// The request went out but no complete answer came back: the time limit passed
    /// (`connection_closed` is `None`) or the connection closed (`Some`, with the cause).
    #[error("{}", describe_no_answer(.host, .after, .connection_closed.as_deref()))]
    Timeout { host: String, after: Duration, connection_closed: Option<String> },
    /// An answer that is not what Janus sends (a proxy's page, a wrong base path, a
    /// transaction that is not ours).
    #[error("Unexpected answer from Janus at {host} (HTTP {status}): {detail}")]
    Decode { host: String, status: u16, detail: String },
    /// The client could not sign its own core token (a bad `token_auth_secret`).
    #[error("VisitDesk cannot make a Janus token: {0}")]
    Token(#[from] TokenError),
    /// A value Janus would refuse or misread, caught before sending.
    #[error("{0}")]
    InvalidInput(String),
    /// The OS's random source failed.
    #[error("No random {what} could be made: {detail}")]
    Random { what: &'static str, detail: String },
}

fn describe_no_answer(host: &str, after: &Duration, connection_closed: Option<&str>) -> String {
    match connection_closed {
        None => format!("Janus at {host} did not answer within {} s", after.as_secs_f64()),
        Some(cause) => format!("The connection to Janus at {host} closed before it answered: {cause}"),
    }
}

impl JanusError {
    /// Janus's code, from the core or the plugin.
    pub fn janus_code(&self) -> Option<i64> {
        match self {
            Self::Api { code, .. } | Self::Plugin { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// A wrong or expired token, API secret, `admin_key` or room secret.
    pub fn is_unauthorized(&self) -> bool {
        matches!(
            self,
            Self::Api { code: codes::UNAUTHORIZED | codes::UNAUTHORIZED_PLUGIN, .. }
                | Self::Plugin { code: codes::VIDEOROOM_UNAUTHORIZED, .. }
        )
    }

    pub fn is_no_such_room(&self) -> bool {
        matches!(self, Self::Plugin { code: codes::VIDEOROOM_NO_SUCH_ROOM, .. })
    }

    pub fn is_room_exists(&self) -> bool {
        matches!(self, Self::Plugin { code: codes::VIDEOROOM_ROOM_EXISTS, .. })
    }

    /// No usable answer from Janus at all.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Self::Unreachable { .. } | Self::Timeout { .. })
    }

    /// The cached session or handle expired on Janus's side (idle timeout, restart).
    pub(crate) fn is_session_gone(&self) -> bool {
        matches!(self, Self::Api { code: codes::SESSION_NOT_FOUND | codes::HANDLE_NOT_FOUND, .. })
    }

    /// Janus may have acted on the request even though it failed: no answer came back,
    /// a success answer could not be read, or Janus failed midway. Check (e.g. `exists`)
    /// before sending a `create` again. `false` means Janus certainly did not act on it.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Self::Timeout { .. } => true,
            Self::Decode { status, .. } => (200..300).contains(status) || matches!(status, 500 | 502 | 504),
            Self::Plugin { code, .. } => *code == codes::VIDEOROOM_UNKNOWN_ERROR,
            Self::Api { .. }
            | Self::Unreachable { .. }
            | Self::Token(_)
            | Self::InvalidInput(_)
            | Self::Random { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_carry_janus_codes_and_reasons() {
        let core = JanusError::Api { code: 403, reason: "Unauthorized request (wrong or missing secret/token)".into() };
        assert_eq!(
            core.to_string(),
            "Janus refused the request: Unauthorized request (wrong or missing secret/token) (Janus error 403)"
        );
        let plugin = JanusError::Plugin { code: 433, reason: "Unauthorized (wrong admin_key)".into() };
        assert_eq!(
            plugin.to_string(),
            "The Janus VideoRoom plugin refused the request: Unauthorized (wrong admin_key) (VideoRoom error 433)"
        );
        let timeout =
            JanusError::Timeout { host: "h:1".into(), after: Duration::from_millis(1500), connection_closed: None };
        assert_eq!(timeout.to_string(), "Janus at h:1 did not answer within 1.5 s");
    }

    #[test]
    fn classification() {
        let api = |code| JanusError::Api { code, reason: String::new() };
        let plugin = |code| JanusError::Plugin { code, reason: String::new() };
        assert!(api(403).is_unauthorized() && api(405).is_unauthorized() && plugin(433).is_unauthorized());
        assert!(!api(433).is_unauthorized() && !plugin(403).is_unauthorized());
        assert!(plugin(426).is_no_such_room() && !api(426).is_no_such_room());
        assert!(plugin(427).is_room_exists());
        assert!(api(458).is_session_gone() && api(459).is_session_gone() && !plugin(458).is_session_gone());
        assert_eq!(plugin(428).janus_code(), Some(428));
        assert_eq!(JanusError::InvalidInput("x".into()).janus_code(), None);
    }

    #[test]
    fn outcome_is_unknown_only_when_janus_may_have_acted() {
        let decode = |status| JanusError::Decode { host: "h".into(), status, detail: String::new() };
        assert!(
            JanusError::Timeout { host: "h".into(), after: Duration::ZERO, connection_closed: None }.outcome_unknown()
        );
        assert!(decode(200).outcome_unknown() && decode(502).outcome_unknown());
        assert!(!decode(404).outcome_unknown() && !decode(403).outcome_unknown());
        assert!(!JanusError::Unreachable { host: "h".into(), detail: "refused".into() }.outcome_unknown());
        assert!(!JanusError::Api { code: 403, reason: String::new() }.outcome_unknown());
        assert!(!JanusError::Plugin { code: 427, reason: String::new() }.outcome_unknown());
        assert!(JanusError::Plugin { code: 499, reason: String::new() }.outcome_unknown());
    }
}
