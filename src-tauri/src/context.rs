use std::{
    path::PathBuf,
    sync::{Arc, Mutex, OnceLock, Weak},
    time::SystemTime,
};

use tauri::{AppHandle, Manager, Runtime, async_runtime::JoinHandle};
use tauri_plugin_store::StoreExt;
use url::Url;
use visitdesk_core::{
    AppContext, AppError, Change, ErrorCode,
    account::setup::{self, AppState},
    clinic::policy::{PolicyState, system_policy_path},
    clinic::settings::{SettingsError, SettingsStore, StoredSettings},
    db::VisitsDatabase,
    monitor::{AdmissionDecision, MonitorConfig, MonitorHandle, VisitPresence, spawn_monitor},
    visits::browser_handoff::BrowserHandoff,
};
use visitdesk_secrets::{OsKeychain, SecretStore};
use visitdesk_twilio::BaseUrls;

use crate::monitor_events::WindowEvents;

const SETTINGS_FILE: &str = "settings.json";
const VISITS_DATABASE_FILE: &str = "visits.db";
const SETTINGS_KEY: &str = "settings";
/// Inside the app's cache folder, where there is no private runtime folder (`$XDG_RUNTIME_DIR`).
const BROWSER_HANDOFF_FOLDER: &str = "browser-handoff";
pub const DEFAULT_KEYCHAIN_SERVICE: &str = "org.visitdesk.console";

/// Start-up options. The environment variables exist for tests and development.
#[derive(Debug, Clone)]
pub struct ShellOptions {
    /// `VISITDESK_KEYCHAIN_SERVICE`: the keychain service name entries are stored under.
    pub keychain_service: String,
    /// `VISITDESK_TWILIO_VIDEO_URL` and `VISITDESK_TWILIO_API_URL`: where the Video and Api
    /// v2010 APIs are (local servers in tests).
    pub twilio_base_urls: BaseUrls,
    /// `VISITDESK_MOCK_CAPTURE_DEVICES=1`: WebKitGTK's mock camera and microphone (tests).
    pub mock_capture_devices: bool,
    /// The waiting-room monitor; `VISITDESK_WAITING_ROOM_MONITOR=0` turns it off.
    pub waiting_room_monitor: bool,
    /// IT's managed policy: always the system location in the app (no variable moves it,
    /// so a user cannot step around a lock); tests on the mock runtime pass their own.
    pub policy_path: PathBuf,
}

impl ShellOptions {
    pub fn from_env() -> Self {
        let mut twilio_base_urls = BaseUrls::default();
        for (variable, base) in [
            ("VISITDESK_TWILIO_VIDEO_URL", &mut twilio_base_urls.video),
            ("VISITDESK_TWILIO_API_URL", &mut twilio_base_urls.api),
        ] {
            if let Some(url) =
                std::env::var(variable).ok().and_then(|value| development_url(variable, &value, RELEASE_BUILD))
            {
                *base = url;
            }
        }
        Self {
            keychain_service: std::env::var("VISITDESK_KEYCHAIN_SERVICE")
                .unwrap_or_else(|_| DEFAULT_KEYCHAIN_SERVICE.to_string()),
            twilio_base_urls,
            mock_capture_devices: std::env::var("VISITDESK_MOCK_CAPTURE_DEVICES").as_deref() == Ok("1"),
            waiting_room_monitor: std::env::var("VISITDESK_WAITING_ROOM_MONITOR").as_deref() != Ok("0"),
            policy_path: system_policy_path(),
        }
    }
}

/// Release builds take development addresses only on this computer.
const RELEASE_BUILD: bool = !cfg!(debug_assertions);

/// A development address from `variable` (a local Twilio stand-in in tests), or `None` to keep
/// Twilio's. A release build refuses any address off this computer: the requests it redirects
/// carry the API Key Secret.
fn development_url(variable: &str, value: &str, release: bool) -> Option<Url> {
    let url = match Url::parse(value) {
        Ok(url) => url,
        Err(error) => {
            tracing::warn!(%value, %error, "{variable} is not a URL; using Twilio's");
            return None;
        }
    };
    if release && !visitdesk_core::validate::on_this_computer(&url) {
        tracing::warn!(%value, "{variable} names another computer; a release build takes only this computer's addresses; using Twilio's");
        return None;
    }
    Some(url)
}

/// The shell's state: the core's context, plus the opening screen worked out while the
/// webview starts.
pub struct ShellContext {
    core: Arc<CoreContext>,
    opening_state: Mutex<Option<JoinHandle<AppState>>>,
    monitor: Option<Arc<MonitorHandle>>,
    /// Where the provider's call is handed to the system browser (never in a process's arguments).
    browser_handoff: BrowserHandoff,
}

/// The core's context in the app: the OS keychain and tauri-plugin-store.
pub struct CoreContext {
    secrets: Arc<dyn SecretStore>,
    settings: Box<dyn SettingsStore>,
    twilio_base_urls: BaseUrls,
    visits_database: VisitsDatabase,
    policy: PolicyState,
    /// Told of every change the core reports, so it looks again.
    monitor: OnceLock<Weak<MonitorHandle>>,
}

impl ShellContext {
    /// Also starts reading the keychain for the opening screen, so the webview's first
    /// request finds it ready.
    pub fn new<R: Runtime>(app: AppHandle<R>, options: ShellOptions) -> Self {
        // Without an app data folder (no HOME), the database opens in the working folder
        // and the error shows on first use rather than at start-up.
        let data_dir = app.path().app_data_dir().unwrap_or_default();
        let cache_dir = app.path().app_cache_dir().unwrap_or_default();
        let browser_handoff = BrowserHandoff::for_this_session(cache_dir.join(BROWSER_HANDOFF_FOLDER));
        // Hand-off files an earlier run left (it ended before removing them).
        browser_handoff.remove_stale();
        let app_for_events = app.clone();
        let policy = PolicyState::load(&options.policy_path);
        match &policy {
            PolicyState::Absent => {}
            PolicyState::Active { source, .. } => tracing::info!(source = %source.display(), "managed policy in force"),
            PolicyState::Unreadable { source, problem } => {
                tracing::error!(source = %source.display(), %problem, "managed policy unreadable; managed settings locked")
            }
        }
        let core = Arc::new(CoreContext {
            secrets: Arc::new(OsKeychain::new(options.keychain_service)),
            settings: Box::new(PluginStoreSettings { app }),
            twilio_base_urls: options.twilio_base_urls,
            visits_database: VisitsDatabase::new(data_dir.join(VISITS_DATABASE_FILE)),
            policy,
            monitor: OnceLock::new(),
        });
        let prefetch = core.clone();
        let opening_state = tauri::async_runtime::spawn(async move { setup::app_state(prefetch.as_ref()).await });
        let monitor = options.waiting_room_monitor.then(|| {
            let events = Arc::new(WindowEvents::new(app_for_events));
            let watched = core.clone();
            let sink = events.clone();
            let monitor = Arc::new(tauri::async_runtime::block_on(async move {
                spawn_monitor(watched, sink, MonitorConfig::default())
            }));
            events.attach(&monitor);
            let _ = core.monitor.set(Arc::downgrade(&monitor));
            monitor
        });
        Self { core, opening_state: Mutex::new(Some(opening_state)), monitor, browser_handoff }
    }

    pub fn browser_handoff(&self) -> &BrowserHandoff {
        &self.browser_handoff
    }

    /// The waiting room as the monitor last saw it (empty when it is off).
    pub fn waiting_room(&self) -> Vec<VisitPresence> {
        self.monitor.as_ref().map(|m| m.snapshot()).unwrap_or_default()
    }

    /// The clinician's Admit or Send back for a visit's waiting patient.
    pub fn decide_admission(&self, visit_id: &str, decision: AdmissionDecision) -> Result<(), AppError> {
        match &self.monitor {
            Some(monitor) => monitor.decide_admission(visit_id, decision),
            None => Err(AppError::new(ErrorCode::NotConfigured, "The waiting room is turned off on this computer.")),
        }
    }

    /// The clinician is joining the visit's call: the monitor watches for them closely.
    pub fn expect_provider(&self, visit_id: &str) {
        if let Some(monitor) = &self.monitor {
            monitor.expect_provider(visit_id);
        }
    }

    /// The context every core function takes.
    pub fn core(&self) -> &CoreContext {
        &self.core
    }

    /// The screen to show: the prefetched one on the first call, a fresh one after.
    pub async fn opening_state(&self) -> AppState {
        let prefetched = self.opening_state.lock().expect("opening state lock").take();
        if let Some(task) = prefetched
            && let Ok(state) = task.await
        {
            return state;
        }
        setup::app_state(self.core()).await
    }

    /// The core context for a command that changes credentials; a prefetched opening
    /// screen would be stale after it, so it is dropped.
    pub fn core_for_change(&self) -> &CoreContext {
        if let Some(task) = self.opening_state.lock().expect("opening state lock").take() {
            task.abort();
        }
        &self.core
    }
}

impl AppContext for CoreContext {
    fn secrets(&self) -> Arc<dyn SecretStore> {
        self.secrets.clone()
    }
    fn saved_settings(&self) -> &dyn SettingsStore {
        self.settings.as_ref()
    }
    fn twilio_base_urls(&self) -> BaseUrls {
        self.twilio_base_urls.clone()
    }
    fn visits_database(&self) -> &VisitsDatabase {
        &self.visits_database
    }
    fn policy(&self) -> &PolicyState {
        &self.policy
    }
    fn changed(&self, _change: Change) {
        if let Some(monitor) = self.monitor.get().and_then(Weak::upgrade) {
            monitor.refresh();
        }
    }
}

/// Non-secret settings in `settings.json` in the app's data folder.
struct PluginStoreSettings<R: Runtime> {
    app: AppHandle<R>,
}

impl<R: Runtime> PluginStoreSettings<R> {
    fn store(&self) -> Result<Arc<tauri_plugin_store::Store<R>>, SettingsError> {
        self.app.store(SETTINGS_FILE).map_err(|e| SettingsError(e.to_string()))
    }

    /// An unreadable settings file is moved aside (never deleted) so saving can go on.
    fn set_aside_unreadable_file(&self) -> Result<(), SettingsError> {
        let dir = self.app.path().app_data_dir().map_err(|e| SettingsError(e.to_string()))?;
        let stamp = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let from = dir.join(SETTINGS_FILE);
        let to = dir.join(format!("settings.unreadable-{stamp}.json"));
        std::fs::rename(&from, &to).map_err(|e| SettingsError(format!("moving {} aside: {e}", from.display())))?;
        tracing::warn!(to = %to.display(), "unreadable settings file moved aside");
        Ok(())
    }
}

impl<R: Runtime> SettingsStore for PluginStoreSettings<R> {
    fn load(&self) -> Result<Option<StoredSettings>, SettingsError> {
        let Some(value) = self.store()?.get(SETTINGS_KEY) else { return Ok(None) };
        serde_json::from_value(value).map(Some).map_err(|e| SettingsError(format!("{SETTINGS_FILE}: {e}")))
    }

    fn save(&self, settings: &StoredSettings) -> Result<(), SettingsError> {
        let store = match self.store() {
            Ok(store) => store,
            Err(_) => {
                self.set_aside_unreadable_file()?;
                self.store()?
            }
        };
        let value = serde_json::to_value(settings).map_err(|e| SettingsError(e.to_string()))?;
        store.set(SETTINGS_KEY, value);
        store.save().map_err(|e| SettingsError(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::development_url;

    const VARIABLE: &str = "VISITDESK_TWILIO_API_URL";

    #[test]
    fn release_builds_take_development_addresses_only_on_this_computer() {
        for local in ["http://127.0.0.1:4011", "http://localhost:4010/", "http://[::1]:4010"] {
            assert_eq!(
                development_url(VARIABLE, local, true).map(String::from),
                Some(url::Url::parse(local).unwrap().into())
            );
        }
        for elsewhere in ["http://attacker.example/", "https://10.0.0.5/", "http://127.0.0.1.attacker.example/"] {
            assert_eq!(development_url(VARIABLE, elsewhere, true), None, "{elsewhere}");
            assert!(development_url(VARIABLE, elsewhere, false).is_some(), "debug builds take {elsewhere}");
        }
        assert_eq!(development_url(VARIABLE, "not a url", false), None);
    }
}
