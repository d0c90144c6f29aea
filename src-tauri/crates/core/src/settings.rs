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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSettings {
    pub version: u32,
    pub profile: Option<ProviderProfile>,
    pub twilio: Option<TwilioAccount>,
}

impl Default for StoredSettings {
    fn default() -> Self {
        Self { version: SETTINGS_VERSION, profile: None, twilio: None }
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
