//! A change of the clinic's video service reaches the waiting-room monitor: saving a new
//! Janus address is reported as a change (the app then refreshes the monitor), and the
//! monitor's next poll goes to the new address, not the one it used before.

mod common;

use std::{sync::Arc, time::Duration};

use common::{TestContext, keychain_after_setup, settings_after_setup, unreachable_url};
use visitdesk_core::{
    AppContext, Change,
    clinic::{
        self,
        settings::{ClinicSettings, VideoService},
    },
    monitor::{ClinicBackend, WaitingRoomBackend},
    video::{self, JanusSecretsForm},
};
use visitdesk_secrets::Sensitive;
use wiremock::MockServer;

async fn clinic_on_twilio() -> Arc<TestContext> {
    let ctx = TestContext::new(keychain_after_setup(), &unreachable_url());
    ctx.settings().save(&settings_after_setup(ClinicSettings::default())).unwrap();
    Arc::new(ctx)
}

async fn move_janus_to(ctx: &TestContext, server: &MockServer) {
    let mut settings = clinic::clinic_settings(ctx).await.unwrap();
    settings.video = VideoService::Janus { api_url: server.uri(), browser_url: "ws://127.0.0.1:8188".into() };
    clinic::save_clinic_settings(ctx, settings).await.unwrap();
}

async fn requests_to(server: &MockServer) -> usize {
    server.received_requests().await.unwrap_or_default().len()
}

#[tokio::test]
async fn a_new_janus_address_is_a_change_and_the_next_poll_goes_there() {
    let ctx = clinic_on_twilio().await;
    let form = JanusSecretsForm {
        admin_key: Sensitive::new("admin-key".into()),
        token_auth_secret: Sensitive::new("token-secret".into()),
    };
    video::save_janus_secrets(ctx.as_ref(), form).await.unwrap();
    assert_eq!(*ctx.changes.lock().unwrap(), [Change::VideoService], "saving Janus secrets is a change");

    // Neither server speaks Janus: each poll fails, but it shows where it went.
    let old = MockServer::start().await;
    let new = MockServer::start().await;
    move_janus_to(&ctx, &old).await;
    let backend = ClinicBackend::new(ctx.clone(), Duration::from_secs(2));
    assert!(backend.participants("42").await.is_err());
    assert!(requests_to(&old).await > 0, "the first poll goes to the saved address");

    ctx.changes.lock().unwrap().clear();
    move_janus_to(&ctx, &new).await;
    assert_eq!(*ctx.changes.lock().unwrap(), [Change::VideoService], "saving the clinic settings is a change");
    let before = requests_to(&old).await;
    assert!(backend.participants("42").await.is_err());
    assert!(requests_to(&new).await > 0, "the next poll goes to the new address");
    assert_eq!(requests_to(&old).await, before, "nothing more goes to the old address");
}

#[tokio::test]
async fn visit_changes_are_reported_even_when_they_fail() {
    let ctx = clinic_on_twilio().await;
    let missing = visitdesk_core::visits::cancel_visit(ctx.as_ref(), "no-such-visit".into()).await;
    assert!(missing.is_err());
    assert_eq!(*ctx.changes.lock().unwrap(), [Change::Visits]);
}
