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
    TwilioCredentialsRejected,
    TwilioUnreachable,
    TwilioTimeout,
    TwilioError,
    TwilioUnexpectedResponse,
    /// The clinic's Janus server refused our own request (wrong admin key or token secret).
    JanusCredentialsRejected,
    JanusUnreachable,
    JanusTimeout,
    /// Janus answered with an error; the message carries its code and reason.
    JanusError,
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

/// Twilio's own error, shown as Twilio wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TwilioErrorInfo {
    pub status: u16,
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
    pub twilio: Option<TwilioErrorInfo>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), fields: Vec::new(), twilio: None }
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
        let twilio = error.api_error().map(|api| TwilioErrorInfo {
            status: match &error {
                TwilioError::Api { status, .. } => *status,
                _ => 0,
            },
            code: api.code,
            message: api.message.clone(),
            more_info: api.more_info.clone(),
        });
        let (code, message) = if error.is_authentication_failure() {
            let reason = twilio
                .as_ref()
                .map(|t| format!(" (Twilio {}: {})", t.code.map_or("401".into(), |c| c.to_string()), t.message))
                .unwrap_or_default();
            (
                ErrorCode::TwilioCredentialsRejected,
                format!(
                    "Twilio rejected these credentials{reason}. Check the API Key SID and Secret, and that the key belongs to this Twilio account."
                ),
            )
        } else {
            match &error {
                TwilioError::Unreachable { .. } => (
                    ErrorCode::TwilioUnreachable,
                    format!("{error}. Check this computer's internet connection, proxy or firewall."),
                ),
                TwilioError::Timeout { .. } => (
                    ErrorCode::TwilioTimeout,
                    format!("Cannot reach Twilio: {error}. Check this computer's internet connection."),
                ),
                TwilioError::Api { .. } => (ErrorCode::TwilioError, error.to_string()),
                TwilioError::UnexpectedResponse { .. } => (ErrorCode::TwilioUnexpectedResponse, error.to_string()),
            }
        };
        Self { twilio, ..Self::new(code, message) }
    }
}

impl From<JanusError> for AppError {
    fn from(error: JanusError) -> Self {
        let (code, message) = if error.is_unauthorized() {
            (
                ErrorCode::JanusCredentialsRejected,
                format!(
                    "{error}. Check the Janus admin key and token secret in Settings against the server's configuration."
                ),
            )
        } else {
            match &error {
                JanusError::Unreachable { .. } => (
                    ErrorCode::JanusUnreachable,
                    format!("{error}. Check the video server address in Settings and this computer's network."),
                ),
                JanusError::Timeout { .. } => (ErrorCode::JanusTimeout, error.to_string()),
                JanusError::InvalidInput(_) | JanusError::Token(_) => (ErrorCode::InvalidInput, error.to_string()),
                JanusError::Random { .. } => (ErrorCode::Internal, error.to_string()),
                _ => (ErrorCode::JanusError, error.to_string()),
            }
        };
        Self::new(code, message)
    }
}
