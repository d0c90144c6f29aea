use std::sync::Arc;

use visitdesk_secrets::SecretStore;
use visitdesk_twilio::BaseUrls;

use crate::settings::SettingsStore;

/// The keychain entry (under the app's service name) that holds the Twilio API Key Secret.
pub const KEYCHAIN_ACCOUNT_API_KEY_SECRET: &str = "twilio-api-key-secret";

/// What the core needs from its host. The Tauri shell implements it over the OS keychain
/// and tauri-plugin-store; tests implement it over whatever they need.
pub trait AppContext: Send + Sync {
    fn secrets(&self) -> Arc<dyn SecretStore>;
    fn settings(&self) -> &dyn SettingsStore;
    fn twilio_base_urls(&self) -> BaseUrls;
}
