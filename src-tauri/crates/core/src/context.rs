use std::{sync::Arc, time::Duration};

use visitdesk_secrets::SecretStore;
use visitdesk_twilio::BaseUrls;

use crate::{
    db::VisitsDatabase,
    policy::{NO_POLICY, PolicySettings, PolicyState},
    settings::SettingsStore,
};

/// The keychain entry (under the app's service name) that holds the Twilio API Key Secret.
pub const KEYCHAIN_ACCOUNT_API_KEY_SECRET: &str = "twilio-api-key-secret";

/// What the core needs from its host. The Tauri shell implements it over the OS keychain,
/// tauri-plugin-store and the app's data folder; tests implement it over whatever they need.
pub trait AppContext: Send + Sync {
    fn secrets(&self) -> Arc<dyn SecretStore>;
    /// The settings as saved, before the managed policy.
    fn saved_settings(&self) -> &dyn SettingsStore;
    /// The policy IT placed on this computer.
    fn policy(&self) -> &PolicyState {
        &NO_POLICY
    }
    /// The settings with the policy in force: what every core function reads and writes.
    fn settings(&self) -> PolicySettings<'_> {
        PolicySettings { saved: self.saved_settings(), policy: self.policy() }
    }
    fn twilio_base_urls(&self) -> BaseUrls;
    /// How long one Twilio request may take, connection included.
    fn twilio_timeout(&self) -> Duration {
        Duration::from_secs(15)
    }
    fn visits_database(&self) -> &VisitsDatabase;
}
