#![allow(dead_code)]

use std::{
    path::PathBuf,
    sync::{Arc, Mutex},
    time::Duration,
};

use url::Url;
use visitdesk_core::{
    AppContext, Change,
    account::setup::SetupForm,
    clinic::policy::PolicyState,
    clinic::settings::{ClinicSettings, ProviderProfile, SettingsError, SettingsStore, StoredSettings, TwilioAccount},
    db::VisitsDatabase,
};
#[allow(unused_imports)]
pub use visitdesk_secrets::MemoryKeychain;
use visitdesk_secrets::{SecretStore, Sensitive};
use visitdesk_twilio::BaseUrls;

pub const SECRET: &str = "Zq8vN2mK5xR7tY1wB4cD6fG9hJ3kL0pA";

/// A keychain holding the Twilio API Key Secret, as after setup.
pub fn keychain_after_setup() -> Arc<MemoryKeychain> {
    let keychain = Arc::new(MemoryKeychain::default());
    keychain.entries.lock().unwrap().insert(visitdesk_core::KEYCHAIN_ACCOUNT_API_KEY_SECRET.into(), SECRET.into());
    keychain
}

/// Saved settings as after setup (Dr. Ana Ruiz, the test account), with `clinic`.
pub fn settings_after_setup(clinic: ClinicSettings) -> StoredSettings {
    StoredSettings {
        profile: Some(ProviderProfile {
            display_name: "Dr. Ana Ruiz".into(),
            identity: "dr-ana-ruiz".into(),
            join_page_url: "https://visit.example-clinic.org/join".into(),
        }),
        twilio: Some(TwilioAccount {
            account_sid: "AC0123456789abcdef0123456789abcdef".into(),
            api_key_sid: "SK0123456789abcdef0123456789abcdef".into(),
        }),
        clinic,
        ..StoredSettings::default()
    }
}

pub fn good_form() -> SetupForm {
    SetupForm {
        account_sid: "AC0123456789abcdef0123456789abcdef".into(),
        api_key_sid: "SK0123456789abcdef0123456789abcdef".into(),
        api_key_secret: Sensitive::new(SECRET.into()),
        display_name: "Dr. Ana Ruiz".into(),
        identity: "dr-ana-ruiz".into(),
        join_page_url: "https://visit.example-clinic.org/join".into(),
    }
}

/// Settings as a JSON file, the way the app's store keeps them, so tests can read the
/// bytes that reach the disk. `fail_writes` simulates a full disk.
pub struct JsonFileSettings {
    pub path: PathBuf,
    pub fail_writes: Mutex<bool>,
}

impl JsonFileSettings {
    pub fn new(path: PathBuf) -> Self {
        Self { path, fail_writes: Mutex::new(false) }
    }
    pub fn raw(&self) -> String {
        std::fs::read_to_string(&self.path).unwrap_or_default()
    }
}

impl SettingsStore for JsonFileSettings {
    fn load(&self) -> Result<Option<StoredSettings>, SettingsError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| SettingsError(e.to_string())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(SettingsError(e.to_string())),
        }
    }
    fn save(&self, settings: &StoredSettings) -> Result<(), SettingsError> {
        if *self.fail_writes.lock().unwrap() {
            return Err(SettingsError("No space left on device".into()));
        }
        let json = serde_json::to_vec_pretty(settings).map_err(|e| SettingsError(e.to_string()))?;
        std::fs::write(&self.path, json).map_err(|e| SettingsError(e.to_string()))
    }
}

pub struct TestContext {
    pub secrets: Arc<dyn SecretStore>,
    pub settings: JsonFileSettings,
    pub video: Url,
    pub api: Url,
    pub database: VisitsDatabase,
    pub timeout: Duration,
    pub policy: PolicyState,
    /// What the core said it changed, in order.
    pub changes: Mutex<Vec<Change>>,
    pub _dir: tempfile::TempDir,
}

impl TestContext {
    pub fn new(secrets: Arc<dyn SecretStore>, video: &str) -> Self {
        Self::with_apis(secrets, video, video)
    }

    /// Video and Api v2010 at their own addresses (two Prism servers, or one mock for both).
    pub fn with_apis(secrets: Arc<dyn SecretStore>, video: &str, api: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let settings = JsonFileSettings::new(dir.path().join("settings.json"));
        let database = VisitsDatabase::new(dir.path().join("visits.db"));
        Self {
            secrets,
            settings,
            video: Url::parse(video).unwrap(),
            api: Url::parse(api).unwrap(),
            database,
            timeout: Duration::from_secs(15),
            policy: PolicyState::Absent,
            changes: Mutex::new(Vec::new()),
            _dir: dir,
        }
    }
}

impl AppContext for TestContext {
    fn secrets(&self) -> Arc<dyn SecretStore> {
        self.secrets.clone()
    }
    fn saved_settings(&self) -> &dyn SettingsStore {
        &self.settings
    }
    fn twilio_base_urls(&self) -> BaseUrls {
        BaseUrls { video: self.video.clone(), api: self.api.clone() }
    }
    fn visits_database(&self) -> &VisitsDatabase {
        &self.database
    }
    fn request_timeout(&self) -> Duration {
        self.timeout
    }
    fn policy(&self) -> &PolicyState {
        &self.policy
    }
    fn changed(&self, change: Change) {
        self.changes.lock().unwrap().push(change);
    }
}

/// An address where nothing listens: Twilio "offline".
pub fn unreachable_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    format!("http://127.0.0.1:{port}")
}

pub fn rooms_page() -> serde_json::Value {
    serde_json::json!({ "rooms": [], "meta": { "page": 0, "page_size": 1, "next_page_url": null } })
}

/// An invite the provider did not confirm as a resend, in the clinic's default language.
pub fn invite_request(
    visit_id: &str,
    role: visitdesk_store::GuestRole,
    method: visitdesk_store::InviteMethod,
    phone: Option<&str>,
) -> visitdesk_core::visits::invites::InviteRequest {
    visitdesk_core::visits::invites::InviteRequest {
        visit_id: visit_id.into(),
        role,
        method,
        phone: phone.map(Into::into),
        language: None,
        confirm_resend: false,
    }
}

/// A parameter of a join link's fragment (`#t=…&l=…`), decoded.
pub fn fragment_param(link: &str, name: &str) -> String {
    let fragment = link.split_once('#').expect("a fragment").1;
    url::form_urlencoded::parse(fragment.as_bytes()).find(|(key, _)| key == name).expect("the parameter").1.into_owned()
}

pub fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}
