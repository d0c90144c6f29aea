//! Signed updates through the real tauri-plugin-updater on the mock runtime, against a
//! local feed: a good update is accepted; a file altered by one byte and a file signed with
//! another key are refused with a clear message, and nothing is installed.

use std::{
    path::Path,
    sync::{Arc, Mutex},
};

use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::json;
use tauri::test::{MockRuntime, mock_builder};
use visitdesk_core::{
    AppContext, ErrorCode,
    clinic::policy::PolicyState,
    clinic::settings::{SettingsError, SettingsStore, StoredSettings},
    clinic::updates::UpdateCheck,
    db::VisitsDatabase,
};
use visitdesk_secrets::{MemoryKeychain, SecretStore};
use visitdesk_shell::{ShellOptions, configure, updates};
use visitdesk_twilio::BaseUrls;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path},
};

/// A release signing key, as `tauri signer generate` makes one: the public half in the
/// app's config, base64 of minisign's text form.
struct SigningKey {
    public: minisign::PublicKey,
    secret: minisign::SecretKey,
}

impl SigningKey {
    fn new() -> Self {
        let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        Self { public: pair.pk, secret: pair.sk }
    }
    fn config_pubkey(&self) -> String {
        STANDARD.encode(self.public.to_box().unwrap().into_string())
    }
    /// The `.sig` file's contents, as the Tauri bundler writes them.
    fn sign(&self, file: &[u8], name: &str) -> String {
        let comment = format!("timestamp:1795300000\tfile:{name}");
        let signature = minisign::sign(
            Some(&self.public),
            &self.secret,
            file,
            Some(&comment),
            Some("signature from tauri secret key"),
        )
        .unwrap();
        STANDARD.encode(signature.into_string())
    }
}

#[derive(Default)]
struct MemorySettings(Mutex<Option<StoredSettings>>);

impl SettingsStore for MemorySettings {
    fn load(&self) -> Result<Option<StoredSettings>, SettingsError> {
        Ok(self.0.lock().unwrap().clone())
    }
    fn save(&self, settings: &StoredSettings) -> Result<(), SettingsError> {
        *self.0.lock().unwrap() = Some(settings.clone());
        Ok(())
    }
}

struct Ctx {
    settings: MemorySettings,
    policy: PolicyState,
    database: VisitsDatabase,
    secrets: Arc<MemoryKeychain>,
}

impl AppContext for Ctx {
    fn secrets(&self) -> Arc<dyn SecretStore> {
        self.secrets.clone()
    }
    fn saved_settings(&self) -> &dyn SettingsStore {
        &self.settings
    }
    fn twilio_base_urls(&self) -> BaseUrls {
        BaseUrls::default()
    }
    fn visits_database(&self) -> &VisitsDatabase {
        &self.database
    }
    fn policy(&self) -> &PolicyState {
        &self.policy
    }
}

/// The provider's settings point at `feed` (IT's own update server).
fn context(dir: &Path, feed: &str, policy: PolicyState) -> Ctx {
    let mut settings = StoredSettings::default();
    settings.clinic.updates.feed_url = Some(feed.to_string());
    Ctx {
        settings: MemorySettings(Mutex::new(Some(settings))),
        policy,
        database: VisitsDatabase::new(dir.join("visits.db")),
        secrets: Arc::new(MemoryKeychain::default()),
    }
}

/// The app as shipped (its config and plugins), but trusting `key` and, for the loopback
/// feed only, plain http.
fn app(key: &SigningKey) -> tauri::App<MockRuntime> {
    let mut context = tauri::generate_context!();
    let updater = context.config_mut().plugins.0.get_mut("updater").expect("the app config has an updater section");
    updater["pubkey"] = json!(key.config_pubkey());
    updater["dangerousInsecureTransportProtocol"] = json!(true);
    let options = ShellOptions {
        keychain_service: "org.visitdesk.updates-test".into(),
        twilio_base_urls: Default::default(),
        mock_capture_devices: false,
        waiting_room_monitor: false,
        policy_path: std::env::temp_dir().join("visitdesk-updates-test-no-policy.json"),
    };
    configure(mock_builder(), options).build(context).expect("the app builds")
}

const PACKAGE: &str = "VisitDesk_0.2.0_amd64.deb";

/// A feed on `server` announcing 0.2.0, whose file is `served` and whose signature is
/// `signature` (the `.sig` of what the publisher built).
async fn publish(server: &MockServer, channel: &str, version: &str, served: Vec<u8>, signature: String) {
    let file_url = format!("{}/files/{PACKAGE}", server.uri());
    let platform = json!({ "url": file_url, "signature": signature });
    let platforms: serde_json::Map<String, serde_json::Value> =
        ["linux-x86_64", "linux-x86_64-deb", "linux-x86_64-rpm", "linux-x86_64-appimage", "linux-aarch64"]
            .into_iter()
            .map(|target| (target.to_string(), platform.clone()))
            .collect();
    let release = json!({
        "version": version,
        "notes": "Safer invites; clearer waiting-room status.",
        "pub_date": "2026-11-20T10:00:00Z",
        "platforms": platforms,
    });
    server.reset().await;
    Mock::given(method("GET"))
        .and(path(format!("/visitdesk/{channel}/latest.json")))
        .respond_with(ResponseTemplate::new(200).set_body_json(release))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/files/{PACKAGE}")))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(served))
        .mount(server)
        .await;
}

fn package_bytes() -> Vec<u8> {
    let mut bytes = b"!<arch>\ndebian-binary   ".to_vec();
    bytes.extend((0..64 * 1024).map(|i| (i * 31 % 251) as u8));
    bytes
}

#[tokio::test(flavor = "multi_thread")]
async fn a_good_update_is_accepted_and_altered_or_foreign_ones_are_refused() {
    let publisher = SigningKey::new();
    let stranger = SigningKey::new();
    let app = app(&publisher);
    let handle = app.handle();
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let ctx = context(dir.path(), &format!("{}/visitdesk", server.uri()), PolicyState::Absent);
    let package = package_bytes();
    let signature = publisher.sign(&package, PACKAGE);

    // Good: found, downloaded, signature verified, the very bytes published.
    publish(&server, "stable", "0.2.0", package.clone(), signature.clone()).await;
    let check = updates::check(handle, &ctx).await.unwrap();
    let UpdateCheck::Available { version, current_version, notes, .. } = &check else { panic!("{check:?}") };
    assert_eq!((version.as_str(), current_version.as_str()), ("0.2.0", env!("CARGO_PKG_VERSION")));
    assert_eq!(notes.as_deref(), Some("Safer invites; clearer waiting-room status."));
    let update = updates::pending_update(handle).expect("a pending update");
    assert_eq!(updates::download_verified(&update).await.unwrap(), package);

    // One byte altered on the server, same signature: refused.
    let mut altered = package.clone();
    altered[4096] ^= 0x01;
    publish(&server, "stable", "0.2.0", altered, signature.clone()).await;
    updates::check(handle, &ctx).await.unwrap();
    let error =
        updates::download_verified(&updates::pending_update(handle).expect("a pending update")).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::UpdateSignatureInvalid, "{}", error.message);
    assert!(error.message.starts_with("The update to VisitDesk 0.2.0 was refused"), "{}", error.message);
    assert!(error.message.contains("Nothing was installed and this version keeps working"), "{}", error.message);
    // Install goes through the same check: refused before any installer runs.
    let error = updates::install(handle, &ctx).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::UpdateSignatureInvalid, "{}", error.message);

    // Signed by someone else's key: refused.
    publish(&server, "stable", "0.2.0", package.clone(), stranger.sign(&package, PACKAGE)).await;
    updates::check(handle, &ctx).await.unwrap();
    let error = updates::install(handle, &ctx).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::UpdateSignatureInvalid, "{}", error.message);

    // Not a signature at all: refused the same way.
    publish(&server, "stable", "0.2.0", package.clone(), STANDARD.encode("not a signature")).await;
    updates::check(handle, &ctx).await.unwrap();
    let error =
        updates::download_verified(&updates::pending_update(handle).expect("a pending update")).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::UpdateSignatureInvalid, "{}", error.message);

    // The app keeps working: the next good release is accepted as before.
    publish(&server, "stable", "0.2.0", package.clone(), signature).await;
    assert!(matches!(updates::check(handle, &ctx).await.unwrap(), UpdateCheck::Available { .. }));
    assert_eq!(
        updates::download_verified(&updates::pending_update(handle).expect("a pending update")).await.unwrap(),
        package
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn feeds_up_to_date_missing_unreachable_and_turned_off() {
    let publisher = SigningKey::new();
    let app = app(&publisher);
    let handle = app.handle();
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let package = package_bytes();
    let signature = publisher.sign(&package, PACKAGE);
    let feed = format!("{}/visitdesk", server.uri());

    publish(&server, "stable", env!("CARGO_PKG_VERSION"), package.clone(), signature.clone()).await;
    let ctx = context(dir.path(), &feed, PolicyState::Absent);
    assert_eq!(
        updates::check(handle, &ctx).await.unwrap(),
        UpdateCheck::UpToDate { current_version: env!("CARGO_PKG_VERSION").into() }
    );

    // The channel picks the file: beta is asked at /beta/latest.json, which is missing here.
    let beta = context(dir.path(), &feed, PolicyState::Absent);
    beta.settings.0.lock().unwrap().as_mut().unwrap().clinic.updates.channel =
        visitdesk_core::clinic::updates::UpdateChannel::Beta;
    let error = updates::check(handle, &beta).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::UpdateFeedInvalid, "{}", error.message);
    assert!(error.message.contains("there is no release file"), "{}", error.message);
    publish(&server, "beta", "0.3.0-beta.1", package, signature).await;
    let UpdateCheck::Available { version, .. } = updates::check(handle, &beta).await.unwrap() else { panic!() };
    assert_eq!(version, "0.3.0-beta.1");

    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let nowhere = context(dir.path(), &format!("http://127.0.0.1:{port}/visitdesk"), PolicyState::Absent);
    let error = updates::check(handle, &nowhere).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::UpdateUnreachable, "{}", error.message);

    // IT turned update checks off: no request goes out, and installing is refused.
    let policy_file = dir.path().join("policy.json");
    std::fs::write(
        &policy_file,
        r#"{"managed_by": "Example Hospital IT", "update_url": {"value": null, "locked": true}}"#,
    )
    .unwrap();
    let off = context(dir.path(), &feed, PolicyState::read(&policy_file));
    let before = server.received_requests().await.unwrap().len();
    assert_eq!(
        updates::check(handle, &off).await.unwrap(),
        UpdateCheck::Off { current_version: env!("CARGO_PKG_VERSION").into(), managed: true }
    );
    let error = updates::install(handle, &off).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::UpdatesOff);
    assert!(error.message.contains("turned off by Example Hospital IT"), "{}", error.message);
    assert_eq!(server.received_requests().await.unwrap().len(), before, "nothing asked while off");
}
