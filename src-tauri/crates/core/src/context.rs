use std::{future::Future, path::PathBuf, sync::Arc, time::Duration};

use visitdesk_secrets::SecretStore;
use visitdesk_store::{AuditAnchor, VisitStore};
use visitdesk_twilio::BaseUrls;

use crate::clinic::{
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
    /// How long one request to a service (Twilio, the clinic's Janus) may take, connection included.
    fn request_timeout(&self) -> Duration {
        Duration::from_secs(15)
    }
    fn visits_database(&self) -> &VisitsDatabase;
    /// Told after a core action that may have changed what others watch (the waiting-room
    /// monitor re-reads the visits, credentials and video service).
    fn changed(&self, _change: Change) {}
}

/// What a core action may have changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Visits, their rooms or their invites.
    Visits,
    /// The saved credentials (setup, sign-out).
    Credentials,
    /// The clinic's video service: its settings or its secrets.
    VideoService,
}

/// Runs a core action, then tells the context what it may have changed, whatever the outcome
/// (a failed invite may still have saved its pending state).
pub(crate) async fn changing<T>(ctx: &impl AppContext, change: Change, action: impl Future<Output = T>) -> T {
    let outcome = action.await;
    ctx.changed(change);
    outcome
}

/// Where the visits database lives, and the open store once it is open (see `db.rs`).
pub struct VisitsDatabase {
    pub(crate) path: PathBuf,
    pub(crate) open: tokio::sync::Mutex<Option<Arc<VisitStore>>>,
    /// The audit anchor last read from or written to the keychain (`None` until first read).
    pub(crate) anchor: tokio::sync::Mutex<Option<Option<AuditAnchor>>>,
}

impl VisitsDatabase {
    pub fn new(path: PathBuf) -> Self {
        Self { path, open: tokio::sync::Mutex::new(None), anchor: tokio::sync::Mutex::new(None) }
    }

    pub fn path(&self) -> &PathBuf {
        &self.path
    }
}
