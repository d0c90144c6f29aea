//! The setup flow against the real OS keychain (a Secret Service on Linux). `scripts/test`
//! runs each test inside a private `dbus-run-session` with gnome-keyring in the state
//! the test names; they are ignored in a plain `cargo test`.

mod common;

use std::{process::Command, sync::Arc};

use common::{SECRET, TestContext, good_form, rooms_page};
use visitdesk_core::{
    ErrorCode, KEYCHAIN_ACCOUNT_API_KEY_SECRET,
    account::setup::{AppState, app_state, save_setup, sign_out},
};
use visitdesk_secrets::OsKeychain;
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::path};

/// The keychain service name: the one the harness seeded, or a fresh one.
fn unique_service() -> String {
    std::env::var("VISITDESK_TEST_KEYCHAIN_SERVICE")
        .unwrap_or_else(|_| format!("org.visitdesk.test.{}", std::process::id()))
}

/// What `secret-tool` (libsecret, not our code) finds in the keyring.
fn secret_tool_lookup(service: &str) -> Option<String> {
    let output = Command::new("secret-tool")
        .args(["lookup", "service", service, "username", KEYCHAIN_ACCOUNT_API_KEY_SECRET])
        .output()
        .expect("secret-tool runs (package libsecret-tools)");
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

fn require_keyring_state(state: &str) {
    assert_eq!(
        std::env::var("VISITDESK_KEYRING_STATE").as_deref(),
        Ok(state),
        "run this test through scripts/test, which prepares a keyring that is {state}"
    );
}

#[tokio::test]
#[ignore = "needs a real, unlocked Secret Service; run through scripts/test"]
async fn unlocked_secret_service_holds_the_secret_until_sign_out() {
    require_keyring_state("unlocked");
    let twilio = MockServer::start().await;
    Mock::given(path("/v1/Rooms"))
        .respond_with(ResponseTemplate::new(200).set_body_json(rooms_page()))
        .mount(&twilio)
        .await;
    let service = unique_service();
    let ctx = TestContext::new(Arc::new(OsKeychain::new(&service)), &twilio.uri());

    save_setup(&ctx, good_form()).await.expect("saved into the Secret Service");
    assert_eq!(secret_tool_lookup(&service).as_deref(), Some(SECRET), "secret-tool sees the secret");
    let on_disk = ctx.settings.raw();
    assert!(on_disk.contains("dr-ana-ruiz"), "{on_disk}");
    assert!(!on_disk.contains(SECRET), "the secret reached the settings file");
    assert!(matches!(app_state(&ctx).await, AppState::Ready { .. }), "read back from the keychain");

    sign_out(&ctx).await.expect("signed out");
    assert_eq!(secret_tool_lookup(&service), None, "sign-out removed the keychain entry");
    assert!(matches!(app_state(&ctx).await, AppState::NeedsSetup { .. }));
}

#[tokio::test]
#[ignore = "needs a locked Secret Service; run through scripts/test"]
async fn locked_keyring_gives_a_clear_error_and_no_file() {
    require_keyring_state("locked");
    let ctx = TestContext::new(Arc::new(OsKeychain::new(unique_service())), "http://127.0.0.1:9");

    let AppState::KeychainProblem { error } = app_state(&ctx).await else { panic!("expected a keychain problem") };
    assert_eq!(error.code, ErrorCode::KeychainLocked, "{}", error.message);
    assert!(error.message.contains("Unlock your keychain"), "{}", error.message);
    assert_eq!(ctx.settings.raw(), "");
}

#[tokio::test]
#[ignore = "needs a session without any Secret Service; run through scripts/test"]
async fn missing_secret_service_gives_a_clear_error_and_no_file() {
    require_keyring_state("missing");
    let ctx = TestContext::new(Arc::new(OsKeychain::new(unique_service())), "http://127.0.0.1:9");

    let AppState::KeychainProblem { error } = app_state(&ctx).await else { panic!("expected a keychain problem") };
    assert_eq!(error.code, ErrorCode::KeychainUnavailable, "{}", error.message);
    assert!(error.message.starts_with("No system keychain is available."), "{}", error.message);
    assert_eq!(ctx.settings.raw(), "");
}
