use serde::Serialize;
use ts_rs::TS;
use visitdesk_janus::JanusError;
use visitdesk_secrets::KeychainError;
use visitdesk_store::{StoreError, StoreErrorKind};
use visitdesk_twilio::TwilioError;

/// What went wrong, as the UI branches on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidInput,
    KeychainUnavailable,
    KeychainLocked,
    KeychainFailed,
    /// The video or messaging service (Twilio, the clinic's Janus server) refused our own
    /// credentials: Twilio's API key, or Janus's admin key or token secret.
    ServiceCredentialsRejected,
    /// The request never reached the service.
    ServiceUnreachable,
    /// The service did not answer in time, or the connection closed before it answered.
    ServiceTimeout,
    /// The service answered with its own error (`service` carries its code and message), or
    /// Janus gave an answer VisitDesk cannot read.
    ServiceError,
    /// Twilio's answer was not in its format (a proxy's page, a truncated body).
    ServiceUnexpectedResponse,
    SettingsFailed,
    /// No web browser could be opened for the call.
    BrowserUnavailable,
    NotConfigured,
    /// An SMS or call request timed out after it was sent: it may have gone out. Check
    /// before sending again.
    InviteOutcomeUnknown,
    /// The last attempt's outcome is unknown; sending again needs the provider's confirmation.
    ResendNeedsConfirmation,
    /// The visit's status does not allow this action (e.g. inviting to a cancelled visit).
    VisitStateConflict,
    NotFound,
    /// The keychain no longer holds the key of an existing visits database.
    VisitsKeyMissing,
    /// The visits database does not open with the key in the keychain.
    VisitsDatabaseWrongKey,
    /// The visits database was written by a newer VisitDesk.
    VisitsDatabaseNewer,
    VisitsDatabaseFailed,
    AuditTampered,
    /// IT's managed policy locks this setting.
    SettingLocked,
    /// IT's managed policy does not allow this way of inviting.
    InviteMethodNotAllowed,
    /// Update checks are turned off (by the provider or by policy).
    UpdatesOff,
    UpdateUnreachable,
    /// The update server's answer is not a usable release file.
    UpdateFeedInvalid,
    /// The update's signature does not match the publisher key built into VisitDesk.
    UpdateSignatureInvalid,
    UpdateInstallFailed,
    /// A fault in VisitDesk itself; the message says what.
    Internal,
}

/// Every form field a message can point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FormField {
    AccountSid,
    ApiKeySid,
    ApiKeySecret,
    DisplayName,
    Identity,
    JoinPageUrl,
    PatientDisplayName,
    PatientMobile,
    ScheduledAt,
    Phone,
    Minutes,
    DefaultRegion,
    MessagingServiceSid,
    SmsFrom,
    CallerId,
    SmsTexts,
    MaxParticipants,
    GuestTokenTtlMinutes,
    ProviderTokenTtlMinutes,
    EmptyRoomTimeoutMinutes,
    UnusedRoomTimeoutMinutes,
    VideoApiUrl,
    VideoBrowserUrl,
    JanusAdminKey,
    JanusTokenSecret,
    UpdateFeedUrl,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct FieldError {
    pub field: FormField,
    pub message: String,
}

/// The video or messaging service an error came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    Twilio,
    Janus,
}

/// The service's own error, shown as the service wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ServiceErrorInfo {
    pub service: Service,
    /// The HTTP status of the answer; 0 when the error came without one (Janus's errors:
    /// Janus sends them inside its JSON answer).
    pub status: u16,
    /// The service's own error code (Twilio's, or Janus's core or VideoRoom code).
    pub code: Option<u32>,
    pub message: String,
    pub more_info: Option<String>,
}

/// Every error that crosses into the webview: a stable `code` to branch on and a
/// `message` written for the provider. Never carries a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    pub fields: Vec<FieldError>,
    /// The service's own error, when it gave one.
    pub service: Option<ServiceErrorInfo>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), fields: Vec::new(), service: None }
    }

    pub fn invalid(fields: Vec<FieldError>) -> Self {
        let count = fields.len();
        let message = if count == 1 {
            "One field needs attention.".to_string()
        } else {
            format!("{count} fields need attention.")
        };
        Self { fields, ..Self::new(ErrorCode::InvalidInput, message) }
    }

    pub fn field(field: FormField, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError { field, message: message.into() }])
    }

    pub fn settings(detail: impl std::fmt::Display) -> Self {
        Self::new(ErrorCode::SettingsFailed, format!("VisitDesk could not read or write its settings: {detail}"))
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        let code = match error.kind() {
            StoreErrorKind::InvalidKey | StoreErrorKind::WrongKeyOrNotADatabase => ErrorCode::VisitsDatabaseWrongKey,
            StoreErrorKind::NewerSchema => ErrorCode::VisitsDatabaseNewer,
            StoreErrorKind::NotFound => ErrorCode::NotFound,
            StoreErrorKind::AuditTampered => ErrorCode::AuditTampered,
            StoreErrorKind::AuditDetailRejected => ErrorCode::Internal,
            StoreErrorKind::Busy | StoreErrorKind::Corrupt | StoreErrorKind::Io | StoreErrorKind::Sqlite => {
                ErrorCode::VisitsDatabaseFailed
            }
        };
        Self::new(code, error.to_string())
    }
}

impl From<KeychainError> for AppError {
    fn from(error: KeychainError) -> Self {
        let code = match error {
            KeychainError::Unavailable { .. } => ErrorCode::KeychainUnavailable,
            KeychainError::Locked { .. } => ErrorCode::KeychainLocked,
            KeychainError::Failed { .. } => ErrorCode::KeychainFailed,
        };
        let message = match &error {
            KeychainError::Failed { .. } => error.to_string(),
            _ => format!("{error} (details: {})", error.detail()),
        };
        Self::new(code, message)
    }
}

impl From<TwilioError> for AppError {
    fn from(error: TwilioError) -> Self {
        let service = error.api_error().map(|api| ServiceErrorInfo {
            service: Service::Twilio,
            status: match &error {
                TwilioError::Api { status, .. } => *status,
                _ => 0,
            },
            code: api.code,
            message: api.message.clone(),
            more_info: api.more_info.clone(),
        });
        let (code, message) = if error.is_authentication_failure() {
            let reason = service
                .as_ref()
                .map(|t| format!(" (Twilio {}: {})", t.code.map_or("401".into(), |c| c.to_string()), t.message))
                .unwrap_or_default();
            (
                ErrorCode::ServiceCredentialsRejected,
                format!(
                    "Twilio rejected these credentials{reason}. Check the API Key SID and Secret, and that the key belongs to this Twilio account."
                ),
            )
        } else {
            match &error {
                TwilioError::Unreachable { .. } => (
                    ErrorCode::ServiceUnreachable,
                    format!("{error}. Check this computer's internet connection, proxy or firewall."),
                ),
                TwilioError::Timeout { .. } => (
                    ErrorCode::ServiceTimeout,
                    format!("Cannot reach Twilio: {error}. Check this computer's internet connection."),
                ),
                TwilioError::Api { .. } => (ErrorCode::ServiceError, error.to_string()),
                TwilioError::UnexpectedResponse { .. } => (ErrorCode::ServiceUnexpectedResponse, error.to_string()),
            }
        };
        Self { service, ..Self::new(code, message) }
    }
}

impl From<JanusError> for AppError {
    fn from(error: JanusError) -> Self {
        // Janus's own errors come inside its JSON answer and carry no HTTP status: 0.
        let service = match &error {
            JanusError::Api { code, reason } | JanusError::Plugin { code, reason } => Some(ServiceErrorInfo {
                service: Service::Janus,
                status: 0,
                code: u32::try_from(*code).ok(),
                message: reason.clone(),
                more_info: None,
            }),
            _ => None,
        };
        let (code, message) = if error.is_unauthorized() {
            (
                ErrorCode::ServiceCredentialsRejected,
                format!(
                    "{error}. Check the Janus admin key and token secret in Settings against the server's configuration."
                ),
            )
        } else {
            match &error {
                JanusError::Unreachable { .. } => (
                    ErrorCode::ServiceUnreachable,
                    format!("{error}. Check the video server address in Settings and this computer's network."),
                ),
                JanusError::Timeout { .. } => (ErrorCode::ServiceTimeout, error.to_string()),
                JanusError::InvalidInput(_) | JanusError::Token(_) => (ErrorCode::InvalidInput, error.to_string()),
                JanusError::Random { .. } => (ErrorCode::Internal, error.to_string()),
                _ => (ErrorCode::ServiceError, error.to_string()),
            }
        };
        Self { service, ..Self::new(code, message) }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use visitdesk_twilio::TwilioApiError;

    use super::*;

    #[test]
    fn a_janus_error_reaches_the_ui_with_janus_code_and_reason() {
        let error = AppError::from(JanusError::Plugin { code: 433, reason: "Unauthorized (wrong admin_key)".into() });
        assert_eq!(error.code, ErrorCode::ServiceCredentialsRejected);
        assert_eq!(
            error.message,
            "The Janus VideoRoom plugin refused the request: Unauthorized (wrong admin_key) (VideoRoom error 433). \
             Check the Janus admin key and token secret in Settings against the server's configuration."
        );
        assert_eq!(
            serde_json::to_value(&error).unwrap()["service"],
            json!({"service": "janus", "status": 0, "code": 433, "message": "Unauthorized (wrong admin_key)", "more_info": null})
        );

        let error = AppError::from(JanusError::Api { code: 490, reason: "Session is not ready".into() });
        assert_eq!(error.code, ErrorCode::ServiceError);
        assert_eq!(error.message, "Janus refused the request: Session is not ready (Janus error 490)");
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(json["code"], "service_error");
        assert_eq!(
            json["service"],
            json!({"service": "janus", "status": 0, "code": 490, "message": "Session is not ready", "more_info": null})
        );
    }

    #[test]
    fn janus_errors_without_janus_code_carry_no_service_info() {
        let unreachable = AppError::from(JanusError::Unreachable { host: "h:8088".into(), detail: "refused".into() });
        assert_eq!(unreachable.code, ErrorCode::ServiceUnreachable);
        assert_eq!(unreachable.service, None);
        let timeout = AppError::from(JanusError::Timeout {
            host: "h:8088".into(),
            after: std::time::Duration::from_secs(2),
            connection_closed: None,
        });
        assert_eq!(timeout.code, ErrorCode::ServiceTimeout);
        assert_eq!(timeout.service, None);
        assert_eq!(serde_json::to_value(&timeout).unwrap()["service"], json!(null));
    }

    #[test]
    fn a_twilio_api_error_reaches_the_ui_with_twilios_code_and_message() {
        let error = AppError::from(TwilioError::Api {
            status: 400,
            error: TwilioApiError {
                code: Some(21211),
                message: "Invalid 'To' Phone Number".into(),
                more_info: Some("https://www.twilio.com/docs/errors/21211".into()),
                status: Some(400),
            },
            retry_after: None,
        });
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(json["code"], "service_error");
        assert_eq!(
            json["service"],
            json!({
                "service": "twilio",
                "status": 400,
                "code": 21211,
                "message": "Invalid 'To' Phone Number",
                "more_info": "https://www.twilio.com/docs/errors/21211",
            })
        );
    }
}
