//! Every request the core makes in a visit's life, sent to Prism serving Twilio's own
//! OpenAPI specs (Video v1 and Api v2010). Prism answers 422 when a request breaks the
//! contract, which fails the step. `scripts/test` starts both servers.

mod common;

use std::time::Duration;

use common::{TestContext, invite_request, keychain_after_setup, settings_after_setup};
use visitdesk_core::{
    AppContext, clinic,
    clinic::settings::ClinicSettings,
    video::CallTarget,
    visits::invites::{self, RunningLateRequest},
    visits::rooms,
    visits::{self, VisitForm},
};
use visitdesk_store::{GuestRole, InviteMethod, InviteStatus};

fn prism(variable: &str) -> String {
    std::env::var(variable).unwrap_or_else(|_| panic!("{variable} names a Prism server (scripts/test starts them)"))
}

fn context(clinic: ClinicSettings) -> TestContext {
    let mut ctx = TestContext::with_apis(
        keychain_after_setup(),
        &prism("VISITDESK_PRISM_VIDEO_URL"),
        &prism("VISITDESK_PRISM_API_URL"),
    );
    ctx.timeout = Duration::from_secs(10);
    ctx.settings().save(&settings_after_setup(clinic)).unwrap();
    ctx
}

fn step<T, E: std::fmt::Debug>(name: &str, result: Result<T, E>) -> T {
    result.unwrap_or_else(|error| panic!("{name}: Twilio's contract refused the request, or its answer: {error:?}"))
}

async fn a_visits_life(clinic: ClinicSettings) {
    let ctx = context(clinic);
    let form = VisitForm {
        patient_display_name: "Ada".into(),
        patient_mobile: "+14155552671".into(),
        scheduled_at: 1_795_361_400,
    };
    let visit = step("create visit", visits::create_visit(&ctx, form).await);
    let id = visit.id.clone();

    // POST /v1/Rooms, then POST Messages.json.
    let sms = step(
        "patient SMS",
        invites::invite(&ctx, invite_request(&id, GuestRole::Patient, InviteMethod::Sms, None)).await,
    );
    assert_eq!(sms.invite.status, InviteStatus::Sent);
    // GET /v1/Rooms/{UniqueName}, then POST Calls.json with TwiML.
    let call = step(
        "interpreter dial-in",
        invites::invite(
            &ctx,
            invite_request(&id, GuestRole::Interpreter, InviteMethod::PhoneDialIn, Some("+442079460018")),
        )
        .await,
    );
    assert_eq!(call.invite.status, InviteStatus::Sent);
    let late = RunningLateRequest { visit_id: id.clone(), minutes: 10, language: None, confirm_resend: false };
    step("running late", invites::send_running_late(&ctx, late).await);
    let join = step("start visit", rooms::start_visit(&ctx, id.clone()).await);
    let CallTarget::Twilio { room_sid } = &join.target else { panic!("{:?}", join.target) };
    assert!(room_sid.starts_with("RM"), "{room_sid}");
    // POST /v1/Rooms/{RoomSid}/Participants/{Sid}: by the Participant SID the call showed.
    let participant = "PA0123456789abcdef0123456789abcdef".to_string();
    step("remove participant", rooms::remove_participant(&ctx, id.clone(), participant).await);
    // POST /v1/Rooms/{RoomSid} Status=completed.
    step("end visit", rooms::end_visit(&ctx, id).await);
    step("audit chain", clinic::verify_audit_log(&ctx).await);
}

#[tokio::test]
#[ignore = "needs Prism serving Twilio's Video and Api specs; run through scripts/test"]
async fn a_visits_requests_satisfy_twilios_specs_with_a_sender_number() {
    a_visits_life(ClinicSettings {
        sms_from: Some("+14155550188".into()),
        caller_id: Some("+14155550188".into()),
        ..ClinicSettings::default()
    })
    .await;
}

#[tokio::test]
#[ignore = "needs Prism serving Twilio's Video and Api specs; run through scripts/test"]
async fn a_visits_requests_satisfy_twilios_specs_with_a_messaging_service() {
    a_visits_life(ClinicSettings {
        messaging_service_sid: Some("MG0123456789abcdef0123456789abcdef".into()),
        caller_id: Some("+14155550188".into()),
        max_participants: 3,
        record_participants: true,
        ..ClinicSettings::default()
    })
    .await;
}
