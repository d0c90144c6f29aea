//! The setup commands end to end, over an in-memory keychain, a settings file on disk and
//! a local server that scripts Twilio's answers.

mod common;

use std::sync::Arc;

use common::{MemoryKeychain, SECRET, TestContext, good_form, rooms_page, unreachable_url};
use serde_json::json;
use visitdesk_core::{
    ErrorCode, FormField, KEYCHAIN_ACCOUNT_API_KEY_SECRET, Service,
    account::setup::{
        AppState, app_state, check_setup_form, save_setup, sign_out, test_connection, test_saved_connection,
    },
};
use visitdesk_secrets::{KeychainError, Sensitive};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path, query_param},
};

async fn twilio_answering(status: u16, body: serde_json::Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/Rooms"))
        .and(query_param("PageSize", "1"))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&server)
        .await;
    server
}

fn stored_secret(keychain: &MemoryKeychain) -> Option<String> {
    keychain.entries.lock().unwrap().get(KEYCHAIN_ACCOUNT_API_KEY_SECRET).cloned()
}

#[tokio::test]
async fn first_run_opens_setup() {
    let ctx = TestContext::new(Arc::new(MemoryKeychain::default()), &unreachable_url());
    assert!(matches!(app_state(&ctx).await, AppState::NeedsSetup { notice: None, .. }));
}

#[tokio::test]
async fn save_with_accepted_credentials_keeps_the_secret_out_of_settings() {
    let twilio = twilio_answering(200, rooms_page()).await;
    let keychain = Arc::new(MemoryKeychain::default());
    let ctx = TestContext::new(keychain.clone(), &twilio.uri());

    let outcome = save_setup(&ctx, good_form()).await.expect("saved");
    assert_eq!(outcome.warning, None);
    assert!(matches!(outcome.state, AppState::Ready { .. }));
    assert_eq!(stored_secret(&keychain).as_deref(), Some(SECRET));

    let on_disk = ctx.settings.raw();
    assert!(on_disk.contains("SK0123456789abcdef0123456789abcdef"), "{on_disk}");
    assert!(!on_disk.contains(SECRET), "the secret reached the settings file: {on_disk}");
    let state_json = serde_json::to_string(&app_state(&ctx).await).unwrap();
    assert!(state_json.contains("\"kind\":\"ready\""), "{state_json}");
    assert!(!state_json.contains(SECRET), "the secret would reach the webview: {state_json}");
}

#[tokio::test]
async fn rejected_credentials_are_not_saved() {
    let twilio = twilio_answering(
        401,
        json!({"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}),
    )
    .await;
    let keychain = Arc::new(MemoryKeychain::default());
    let ctx = TestContext::new(keychain.clone(), &twilio.uri());

    let error = save_setup(&ctx, good_form()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::ServiceCredentialsRejected);
    assert!(
        error.message.starts_with("Twilio rejected these credentials (Twilio 20003: Authenticate)"),
        "{}",
        error.message
    );
    assert_eq!(error.service.as_ref().map(|s| (s.service, s.code)), Some((Service::Twilio, Some(20003))));
    assert_eq!(stored_secret(&keychain), None);
    assert_eq!(ctx.settings.raw(), "");
}

#[tokio::test]
async fn saving_offline_is_allowed_with_a_warning() {
    let keychain = Arc::new(MemoryKeychain::default());
    let ctx = TestContext::new(keychain.clone(), &unreachable_url());

    let outcome = save_setup(&ctx, good_form()).await.expect("saved offline");
    let warning = outcome.warning.expect("a warning");
    assert_eq!(warning.code, ErrorCode::ServiceUnreachable);
    assert!(
        warning.message.starts_with("Saved without checking: Cannot reach Twilio at 127.0.0.1:"),
        "{}",
        warning.message
    );
    assert_eq!(stored_secret(&keychain).as_deref(), Some(SECRET));
    assert!(matches!(app_state(&ctx).await, AppState::Ready { .. }));
}

#[tokio::test]
async fn test_connection_reports_each_outcome() {
    let ctx = TestContext::new(Arc::new(MemoryKeychain::default()), &twilio_answering(200, rooms_page()).await.uri());
    assert_eq!(test_connection(&ctx, good_form()).await.unwrap().rooms_listed, 0);

    let ctx = TestContext::new(Arc::new(MemoryKeychain::default()), &unreachable_url());
    let error = test_connection(&ctx, good_form()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::ServiceUnreachable);
    assert!(error.message.starts_with("Cannot reach Twilio"), "{}", error.message);

    let server = twilio_answering(
        503,
        json!({"code": 20503, "message": "Service Unavailable", "more_info": "https://www.twilio.com/docs/errors/20503", "status": 503}),
    )
    .await;
    let ctx = TestContext::new(Arc::new(MemoryKeychain::default()), &server.uri());
    let error = test_connection(&ctx, good_form()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::ServiceError);
    assert_eq!(error.message, "Twilio error 20503: Service Unavailable (HTTP 503)");
    let twilio = error.service.expect("Twilio's own error");
    assert_eq!((twilio.service, twilio.status, twilio.code), (Service::Twilio, 503, Some(20503)));
}

#[tokio::test]
async fn invalid_forms_get_field_messages_and_touch_nothing() {
    let keychain = Arc::new(MemoryKeychain::default());
    let ctx = TestContext::new(keychain.clone(), &unreachable_url());
    let mut form = good_form();
    form.account_sid = "AC123".into();
    form.join_page_url = "http://visit.example.org".into();

    let fields = check_setup_form(&form);
    assert_eq!(fields.iter().map(|f| f.field).collect::<Vec<_>>(), [FormField::AccountSid, FormField::JoinPageUrl]);

    let error = save_setup(&ctx, form).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidInput);
    assert_eq!(error.message, "2 fields need attention.");
    assert_eq!(error.fields.len(), 2);
    assert_eq!(stored_secret(&keychain), None);
}

#[tokio::test]
async fn a_failed_settings_write_restores_the_previous_secret() {
    let twilio = twilio_answering(200, rooms_page()).await;
    let keychain = Arc::new(MemoryKeychain::default());
    let ctx = TestContext::new(keychain.clone(), &twilio.uri());
    save_setup(&ctx, good_form()).await.expect("first save");

    *ctx.settings.fail_writes.lock().unwrap() = true;
    let mut replacement = good_form();
    replacement.api_key_secret = Sensitive::new("NEWsecretNEWsecretNEWsecretNEW00".into());
    let error = save_setup(&ctx, replacement).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::SettingsFailed);
    assert!(error.message.contains("No space left on device"), "{}", error.message);
    assert_eq!(stored_secret(&keychain).as_deref(), Some(SECRET), "the old secret is back");
}

#[tokio::test]
async fn sign_out_removes_the_secret_and_keeps_the_profile_for_the_form() {
    let twilio = twilio_answering(200, rooms_page()).await;
    let keychain = Arc::new(MemoryKeychain::default());
    let ctx = TestContext::new(keychain.clone(), &twilio.uri());
    save_setup(&ctx, good_form()).await.expect("saved");

    let state = sign_out(&ctx).await.expect("signed out");
    assert_eq!(stored_secret(&keychain), None);
    let AppState::NeedsSetup { prefill, notice: None } = state else { panic!("{state:?}") };
    assert_eq!(prefill.display_name, "Dr. Ana Ruiz");
    assert_eq!(prefill.account_sid, "", "the account is forgotten");
    assert!(!ctx.settings.raw().contains("SK0123456789abcdef0123456789abcdef"));
    assert!(matches!(app_state(&ctx).await, AppState::NeedsSetup { .. }));
}

#[tokio::test]
async fn a_secret_lost_from_the_keychain_asks_for_it_again() {
    let twilio = twilio_answering(200, rooms_page()).await;
    let keychain = Arc::new(MemoryKeychain::default());
    let ctx = TestContext::new(keychain.clone(), &twilio.uri());
    save_setup(&ctx, good_form()).await.expect("saved");
    keychain.entries.lock().unwrap().clear();

    let AppState::NeedsSetup { prefill, notice: Some(notice) } = app_state(&ctx).await else { panic!() };
    assert!(notice.starts_with("The API Key Secret is no longer in this computer's keychain"), "{notice}");
    assert_eq!(prefill.api_key_sid, "SK0123456789abcdef0123456789abcdef");
}

#[tokio::test]
async fn a_locked_keychain_is_a_clear_problem_not_a_fallback() {
    let keychain = Arc::new(MemoryKeychain::default());
    *keychain.failure.lock().unwrap() = Some(KeychainError::Locked { detail: "collection is locked".into() });
    let ctx = TestContext::new(keychain.clone(), &twilio_answering(200, rooms_page()).await.uri());

    let AppState::KeychainProblem { error } = app_state(&ctx).await else { panic!() };
    assert_eq!(error.code, ErrorCode::KeychainLocked);
    assert!(error.message.contains("Unlock your keychain"), "{}", error.message);

    let error = save_setup(&ctx, good_form()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::KeychainLocked);
    assert_eq!(ctx.settings.raw(), "", "nothing was written anywhere else");
}

#[tokio::test]
async fn unreadable_settings_open_setup_with_a_notice() {
    let ctx = TestContext::new(Arc::new(MemoryKeychain::default()), &unreachable_url());
    std::fs::write(&ctx.settings.path, b"{not json").unwrap();
    let AppState::NeedsSetup { notice: Some(notice), .. } = app_state(&ctx).await else { panic!() };
    assert!(notice.starts_with("VisitDesk could not read its saved settings"), "{notice}");
}

#[tokio::test]
async fn test_saved_connection_uses_the_keychain_secret() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/Rooms"))
        .and(wiremock::matchers::header_exists("authorization"))
        .respond_with(ResponseTemplate::new(200).set_body_json(rooms_page()))
        .mount(&server)
        .await;
    let keychain = Arc::new(MemoryKeychain::default());
    let ctx = TestContext::new(keychain.clone(), &server.uri());

    let error = test_saved_connection(&ctx).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::NotConfigured);

    save_setup(&ctx, good_form()).await.expect("saved");
    assert_eq!(test_saved_connection(&ctx).await.expect("checked").rooms_listed, 0);
    let requests = server.received_requests().await.unwrap();
    let auth = requests.last().unwrap().headers.get("authorization").unwrap().to_str().unwrap().to_string();
    assert!(auth.starts_with("Basic "), "{auth}");
}
