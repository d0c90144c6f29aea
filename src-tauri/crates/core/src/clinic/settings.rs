//! Non-secret settings. The secret never enters these types.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub const SETTINGS_VERSION: u32 = 1;

/// Who the provider is, as patients and Twilio see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProviderProfile {
    pub display_name: String,
    pub identity: String,
    pub join_page_url: String,
}

/// The public half of the clinic's Twilio credentials; the API Key Secret is in the keychain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TwilioAccount {
    pub account_sid: String,
    pub api_key_sid: String,
}

/// Languages the built-in texts exist in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SmsLanguage {
    #[default]
    En,
    Es,
}

impl SmsLanguage {
    /// The language's code in a join link.
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Es => "es",
        }
    }
}

/// A clinic's own wording for a text; `None` uses the built-in one. Placeholders:
/// `{provider}`, `{link}` (invites, required), `{minutes}` (running late, required).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct SmsTexts {
    pub patient_invite: Option<String>,
    pub guest_invite: Option<String>,
    pub running_late: Option<String>,
}

/// The service that carries the video: Twilio's rooms, or the clinic's own Janus server
/// (VideoRoom plugin), whose admin key and token secret are in the keychain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VideoService {
    #[default]
    Twilio,
    Janus {
        /// Where VisitDesk sends Janus HTTP API requests, e.g. `https://video.clinic.org/janus`.
        api_url: String,
        /// What browsers connect to: the same address, or Janus's WebSocket (`wss://…`).
        browser_url: String,
    },
}

/// How a waiting patient gets into the call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AdmissionMode {
    /// The clinician's joining lets the patient in.
    #[default]
    OnJoin,
    /// The patient waits until the clinician presses Admit.
    Explicit,
}

impl AdmissionMode {
    /// As the settings and the clinician's join link (`a`) write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OnJoin => "on_join",
            Self::Explicit => "explicit",
        }
    }
}

/// How the clinic runs visits: rooms, invites and texts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ClinicSettings {
    /// Region for numbers typed without `+country` (ISO 3166 alpha-2).
    pub default_region: String,
    /// SMS sender: a Messaging Service SID (`MG…`), else a Twilio number in E.164.
    pub messaging_service_sid: Option<String>,
    pub sms_from: Option<String>,
    /// The Twilio number dial-in calls come from.
    pub caller_id: Option<String>,
    pub sms_language: SmsLanguage,
    pub sms_texts_en: SmsTexts,
    pub sms_texts_es: SmsTexts,
    /// Patient, provider, interpreter and family by default.
    pub max_participants: u32,
    pub record_participants: bool,
    pub guest_token_ttl_minutes: u32,
    pub provider_token_ttl_minutes: u32,
    pub empty_room_timeout_minutes: u32,
    pub unused_room_timeout_minutes: u32,
    pub video: VideoService,
    pub admission: AdmissionMode,
    pub updates: UpdateSettings,
}

impl Default for ClinicSettings {
    fn default() -> Self {
        Self {
            default_region: "US".into(),
            messaging_service_sid: None,
            sms_from: None,
            caller_id: None,
            sms_language: SmsLanguage::En,
            sms_texts_en: SmsTexts::default(),
            sms_texts_es: SmsTexts::default(),
            max_participants: 4,
            record_participants: false,
            guest_token_ttl_minutes: 240,
            provider_token_ttl_minutes: 240,
            empty_room_timeout_minutes: 10,
            unused_room_timeout_minutes: 60,
            video: VideoService::Twilio,
            admission: AdmissionMode::OnJoin,
            updates: UpdateSettings::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSettings {
    pub version: u32,
    pub profile: Option<ProviderProfile>,
    pub twilio: Option<TwilioAccount>,
    #[serde(default)]
    pub clinic: ClinicSettings,
}

impl Default for StoredSettings {
    fn default() -> Self {
        Self { version: SETTINGS_VERSION, profile: None, twilio: None, clinic: ClinicSettings::default() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SettingsError(pub String);

/// Where non-secret settings live (tauri-plugin-store in the app).
pub trait SettingsStore: Send + Sync {
    /// `Ok(None)` on first run.
    fn load(&self) -> Result<Option<StoredSettings>, SettingsError>;
    fn save(&self, settings: &StoredSettings) -> Result<(), SettingsError>;
}

/// VisitDesk's own update feed; IT may point the app at its own (see the managed policy).
pub const VISITDESK_FEED: &str = "https://updates.visitdesk.org/console";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum UpdateChannel {
    #[default]
    Stable,
    Beta,
}

impl UpdateChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stable => "stable",
            Self::Beta => "beta",
        }
    }
}

/// How this computer looks for updates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct UpdateSettings {
    /// Off: VisitDesk never asks any server about updates.
    pub check: bool,
    /// The feed's address; `None` is VisitDesk's own ([`VISITDESK_FEED`]).
    pub feed_url: Option<String>,
    pub channel: UpdateChannel,
}

impl Default for UpdateSettings {
    fn default() -> Self {
        Self { check: true, feed_url: None, channel: UpdateChannel::Stable }
    }
}
