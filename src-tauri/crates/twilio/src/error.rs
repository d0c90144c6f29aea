use std::time::Duration;

use serde::Deserialize;

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
    /// Twilio answered with an error of its own.
    #[error("Twilio error {}: {} (HTTP {status})", .error.code.map_or_else(|| "without a code".to_string(), |c| c.to_string()), .error.message)]
    Api { status: u16, error: TwilioApiError },
    /// The request never got an answer: DNS, refused connection, TLS, dropped network.
    #[error("Cannot reach Twilio at {host}: {detail}")]
    Unreachable { host: String, detail: String },
    /// Twilio did not answer in time. For requests that change something, the outcome is
    /// unknown: check before sending again.
    #[error("Twilio did not answer within {} s", .after.as_secs())]
    Timeout { host: String, after: Duration },
    /// An answer that is not Twilio's format (a proxy's error page, a truncated body).
    #[error("Unexpected answer from {host} (HTTP {status}): {detail}")]
    UnexpectedResponse { host: String, status: u16, detail: String },
}

impl TwilioError {
    /// 401 and Twilio's authentication codes (20003 "Authenticate", 20005 …).
    pub fn is_authentication_failure(&self) -> bool {
        matches!(self, Self::Api { status: 401, .. })
            || matches!(self, Self::Api { error: TwilioApiError { code: Some(20003), .. }, .. })
    }

    pub fn is_unreachable(&self) -> bool {
        matches!(self, Self::Unreachable { .. } | Self::Timeout { .. })
    }

    pub fn api_error(&self) -> Option<&TwilioApiError> {
        match self {
            Self::Api { error, .. } => Some(error),
            _ => None,
        }
    }
}
