//! Visits, rooms, tokens and invites end to end: an in-memory keychain, the encrypted
//! database on disk, and a local server that scripts Twilio's answers and faults.

mod common;

use std::{sync::Arc, time::Duration};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use common::{MemoryKeychain, SECRET, TestContext, fragment_param, invite_request, unreachable_url};
use serde_json::{Value, json};
use visitdesk_core::{
    AppContext, ErrorCode, FormField, KEYCHAIN_ACCOUNT_API_KEY_SECRET, Service, clinic,
    clinic::settings::{ClinicSettings, ProviderProfile, SmsLanguage, StoredSettings, TwilioAccount},
    db::KEYCHAIN_ACCOUNT_VISITS_KEY,
    video::CallTarget,
    visits::browser_handoff::BrowserHandoff,
    visits::invites::{self, InviteRequest, RunningLateRequest},
    visits::rooms,
    visits::{self, VisitForm},
};
use visitdesk_store::{AuditAction, GuestRole, InviteMethod, InviteStatus, VisitStatus};
use wiremock::{
    Mock, MockServer, Request, ResponseTemplate,
    matchers::{body_string_contains, method, path, path_regex},
};

const FAMILY_SID: &str = "PA0123456789abcdef0123456789abcdef";
const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const KEY: &str = "SK0123456789abcdef0123456789abcdef";
const ROOM_SID: &str = "RM0123456789abcdef0123456789abcdef";
const PATIENT_MOBILE: &str = "+14155552671";
const SMS_FROM: &str = "+14155550188";
const MESSAGES: &str = "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json";
const CALLS: &str = "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls.json";
/// 2026-11-22 15:30 UTC.
const THREE_THIRTY: i64 = 1_795_361_400;

fn configured(twilio: &str) -> (Arc<MemoryKeychain>, TestContext) {
    let keychain = Arc::new(MemoryKeychain::default());
    keychain.entries.lock().unwrap().insert(KEYCHAIN_ACCOUNT_API_KEY_SECRET.into(), SECRET.into());
    let mut ctx = TestContext::new(keychain.clone(), twilio);
    ctx.timeout = Duration::from_millis(800);
    let settings = StoredSettings {
        profile: Some(ProviderProfile {
            display_name: "Dr. Ana Ruiz".into(),
            identity: "dr-ana-ruiz".into(),
            join_page_url: "https://visit.example-clinic.org/join".into(),
        }),
        twilio: Some(TwilioAccount { account_sid: ACCOUNT.into(), api_key_sid: KEY.into() }),
        clinic: ClinicSettings {
            sms_from: Some(SMS_FROM.into()),
            caller_id: Some(SMS_FROM.into()),
            ..ClinicSettings::default()
        },
        ..StoredSettings::default()
    };
    ctx.settings().save(&settings).unwrap();
    (keychain, ctx)
}

fn form(name: &str) -> VisitForm {
    VisitForm { patient_display_name: name.into(), patient_mobile: "(415) 555-2671".into(), scheduled_at: THREE_THIRTY }
}

fn room_json(status: &str) -> Value {
    json!({
        "sid": ROOM_SID, "account_sid": ACCOUNT, "unique_name": "vd-room", "status": status,
        "type": "group", "max_participants": 4
    })
}

/// No room yet: `GET /v1/Rooms/{name}` is 404, `POST /v1/Rooms` creates one.
async fn twilio_without_rooms() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex("^/v1/Rooms/.+$"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({"code": 20404, "message": "Not found", "status": 404})),
        )
        .mount(&server)
        .await;
    created("/v1/Rooms", room_json("in-progress")).mount(&server).await;
    server
}

/// Twilio answers `POST route` with 201 and `body`.
fn created(route: &str, body: Value) -> Mock {
    Mock::given(method("POST")).and(path(route)).respond_with(ResponseTemplate::new(201).set_body_json(body))
}

async fn requests_to(server: &MockServer, verb: &str, to: &str) -> Vec<Request> {
    let all = server.received_requests().await.unwrap();
    all.into_iter().filter(|r| r.method.as_str() == verb && r.url.path() == to).collect()
}

fn form_body(request: &Request) -> Vec<(String, String)> {
    url::form_urlencoded::parse(&request.body).into_owned().collect()
}

fn field(request: &Request, name: &str) -> Option<String> {
    form_body(request).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

fn jwt_claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

async fn audit_text(ctx: &TestContext) -> String {
    serde_json::to_string(&clinic::audit_log(ctx).await.unwrap()).unwrap()
}

#[tokio::test]
async fn visits_are_created_edited_listed_and_closed_with_an_audit_trail() {
    let (_, ctx) = configured(&unreachable_url());
    let first = visits::create_visit(&ctx, form("María <b>López</b>")).await.unwrap();
    assert_eq!(first.patient_mobile, PATIENT_MOBILE, "normalised to E.164");
    assert_eq!(first.patient_display_name, "María <b>López</b>", "kept as typed, rendered as text by the UI");
    assert_eq!(first.status, VisitStatus::Scheduled);
    let later =
        visits::create_visit(&ctx, VisitForm { scheduled_at: THREE_THIRTY + 3600, ..form("Li Wei") }).await.unwrap();
    let tomorrow = visits::create_visit(&ctx, VisitForm { scheduled_at: THREE_THIRTY + 86_400, ..form("Tomorrow") })
        .await
        .unwrap();

    let day_start = THREE_THIRTY - 15 * 3600 - 1800;
    let today = visits::list_visits(&ctx, day_start, day_start + 86_400).await.unwrap();
    assert_eq!(today.iter().map(|v| v.id.as_str()).collect::<Vec<_>>(), [first.id.as_str(), later.id.as_str()]);

    let edited =
        visits::edit_visit(&ctx, later.id.clone(), VisitForm { scheduled_at: THREE_THIRTY + 7200, ..form("Li Wei") })
            .await
            .unwrap();
    assert_eq!(edited.scheduled_at, THREE_THIRTY + 7200);
    assert_eq!(visits::cancel_visit(&ctx, later.id.clone()).await.unwrap().status, VisitStatus::Cancelled);
    assert_eq!(visits::mark_no_show(&ctx, tomorrow.id.clone()).await.unwrap().status, VisitStatus::NoShow);

    let conflict = visits::edit_visit(&ctx, later.id.clone(), form("Li Wei")).await.unwrap_err();
    assert_eq!(conflict.code, ErrorCode::VisitStateConflict);
    assert!(conflict.message.contains("cancelled"), "{}", conflict.message);

    let actions: Vec<AuditAction> = clinic::audit_log(&ctx).await.unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [
            AuditAction::VisitCreated,
            AuditAction::VisitCreated,
            AuditAction::VisitCreated,
            AuditAction::VisitEdited,
            AuditAction::VisitCancelled,
            AuditAction::VisitNoShow
        ]
    );
    let audit = audit_text(&ctx).await;
    assert!(!audit.contains("María") && !audit.contains("2671"), "PHI in the audit log: {audit}");
    assert_eq!(clinic::verify_audit_log(&ctx).await.unwrap().entries, 6);
}

#[tokio::test]
async fn bad_visit_input_gets_field_messages_and_saves_nothing() {
    let (_, ctx) = configured(&unreachable_url());
    let bad = VisitForm { patient_display_name: "  ".into(), patient_mobile: "555-12".into(), scheduled_at: 12 };
    let error = visits::create_visit(&ctx, bad).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidInput);
    let fields: Vec<FormField> = error.fields.iter().map(|f| f.field).collect();
    assert_eq!(fields, [FormField::PatientDisplayName, FormField::PatientMobile, FormField::ScheduledAt]);
    assert!(error.fields[1].message.contains("not a valid US number"), "{:?}", error.fields[1]);
    assert!(visits::list_visits(&ctx, 0, i64::MAX).await.unwrap().is_empty());
}

#[tokio::test]
async fn visits_survive_a_restart_and_a_lost_key_never_replaces_the_database() {
    let (keychain, ctx) = configured(&unreachable_url());
    let visit = visits::create_visit(&ctx, form("Ada")).await.unwrap();
    let db_path = ctx.database.path().clone();
    let key = keychain.entries.lock().unwrap().get(KEYCHAIN_ACCOUNT_VISITS_KEY).cloned().expect("key in the keychain");
    assert_eq!(key.len(), 64, "a 256-bit key, hex");

    // A restart: a new context over the same files and keychain.
    let restarted = TestContext {
        database: visitdesk_core::db::VisitsDatabase::new(db_path.clone()),
        ..TestContext::new(keychain.clone(), &unreachable_url())
    };
    std::fs::copy(&ctx.settings.path, &restarted.settings.path).unwrap();
    assert_eq!(visits::visit(&restarted, visit.id.clone()).await.unwrap().patient_display_name, "Ada");

    // The key disappears from the keychain: a clear error, and the file is left alone.
    keychain.entries.lock().unwrap().remove(KEYCHAIN_ACCOUNT_VISITS_KEY);
    let before = std::fs::read(&db_path).unwrap();
    let lost = TestContext {
        database: visitdesk_core::db::VisitsDatabase::new(db_path.clone()),
        ..TestContext::new(keychain.clone(), &unreachable_url())
    };
    std::fs::copy(&ctx.settings.path, &lost.settings.path).unwrap();
    let error = visits::list_visits(&lost, 0, i64::MAX).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::VisitsKeyMissing);
    assert!(error.message.contains("left the database untouched"), "{}", error.message);
    assert_eq!(std::fs::read(&db_path).unwrap(), before);
    assert!(keychain.entries.lock().unwrap().get(KEYCHAIN_ACCOUNT_VISITS_KEY).is_none(), "no new key was made");
}

#[tokio::test]
async fn patient_sms_invite_creates_the_room_and_texts_a_room_scoped_link() {
    let twilio = twilio_without_rooms().await;
    created(MESSAGES, json!({"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued"}))
        .expect(1)
        .mount(&twilio)
        .await;
    let (_, ctx) = configured(&twilio.uri());
    let visit = visits::create_visit(&ctx, form("Ada")).await.unwrap();

    let sent =
        invites::invite(&ctx, invite_request(&visit.id, GuestRole::Patient, InviteMethod::Sms, None)).await.unwrap();
    assert_eq!(sent.invite.status, InviteStatus::Sent);
    assert_eq!(sent.invite.to_masked.as_deref(), Some("+1********71"));
    assert!(sent.link.is_none(), "the link only comes back for copy-link");

    let create = &requests_to(&twilio, "POST", "/v1/Rooms").await[0];
    let room_name = field(create, "UniqueName").unwrap();
    assert!(room_name.starts_with("vd-") && !room_name.contains("Ada"), "{room_name}");
    assert_eq!(field(create, "Type").as_deref(), Some("group"));
    assert_eq!(field(create, "MaxParticipants").as_deref(), Some("4"));
    assert_eq!(field(create, "VideoCodecs").as_deref(), Some("VP8"));
    assert_eq!(field(create, "RecordParticipantsOnConnect").as_deref(), Some("false"));
    assert!(field(create, "EmptyRoomTimeout").is_some() && field(create, "UnusedRoomTimeout").is_some());

    let sms = &requests_to(&twilio, "POST", MESSAGES).await[0];
    assert_eq!(field(sms, "To").as_deref(), Some(PATIENT_MOBILE));
    assert_eq!(field(sms, "From").as_deref(), Some(SMS_FROM));
    let body = field(sms, "Body").unwrap();
    assert!(
        body.starts_with(
            "Your video visit with Dr. Ana Ruiz is ready. Join here: https://visit.example-clinic.org/join#"
        )
    );
    let token = &fragment_param(&body, "t");
    assert_eq!(fragment_param(&body, "l"), "en");
    let claims = jwt_claims(token);
    assert_eq!(claims["grants"]["video"]["room"], json!(ROOM_SID), "guest tokens are scoped to the RoomSid");
    let identity = claims["grants"]["identity"].as_str().unwrap();
    assert!(identity.starts_with("patient-"), "{identity}");
    assert_eq!(claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(), 4 * 3600, "4 h by default");

    let visit = visits::visit(&ctx, visit.id).await.unwrap();
    assert_eq!(visit.status, VisitStatus::Invited);
    assert_eq!(visit.room.unwrap().sid.as_deref(), Some(ROOM_SID));
    let audit = audit_text(&ctx).await;
    assert!(audit.contains("invite_sms_sent") && audit.contains("room_created"), "{audit}");
    for leak in [token, SECRET, PATIENT_MOBILE, "4155552671"] {
        assert!(!audit.contains(leak), "the audit log holds {leak}");
    }
}

#[tokio::test]
async fn an_sms_that_times_out_is_sent_once_marked_unknown_and_needs_confirmation_to_resend() {
    let twilio = twilio_without_rooms().await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued"}))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&twilio)
        .await;
    let (_, ctx) = configured(&twilio.uri());
    let visit = visits::create_visit(&ctx, form("Ada")).await.unwrap();

    let error = invites::invite(&ctx, invite_request(&visit.id, GuestRole::Patient, InviteMethod::Sms, None))
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::InviteOutcomeUnknown);
    assert!(error.message.contains("check with the recipient before sending again"), "{}", error.message);
    assert_eq!(requests_to(&twilio, "POST", MESSAGES).await.len(), 1, "never retried");
    let saved = invites::visit_invites(&ctx, visit.id.clone()).await.unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].status, InviteStatus::Unknown);

    let again = invites::invite(&ctx, invite_request(&visit.id, GuestRole::Patient, InviteMethod::Sms, None))
        .await
        .unwrap_err();
    assert_eq!(again.code, ErrorCode::ResendNeedsConfirmation);
    assert!(again.message.contains("+1********71"), "{}", again.message);
    assert_eq!(requests_to(&twilio, "POST", MESSAGES).await.len(), 1, "nothing sent without confirmation");
    assert_eq!(invites::visit_invites(&ctx, visit.id.clone()).await.unwrap().len(), 1);

    let confirmed = InviteRequest {
        confirm_resend: true,
        ..invite_request(&visit.id, GuestRole::Patient, InviteMethod::Sms, None)
    };
    let _ = invites::invite(&ctx, confirmed).await;
    assert_eq!(requests_to(&twilio, "POST", MESSAGES).await.len(), 2, "sent again once confirmed");
    assert!(audit_text(&ctx).await.contains("invite_outcome_unknown"));
}

#[tokio::test]
async fn twilio_errors_on_sms_are_shown_with_twilios_code_and_never_retried() {
    for (status, code, message) in [
        (400, 21211, "The 'To' number +14155552671 is not a valid phone number."),
        (429, 20429, "Too Many Requests"),
        (503, 20503, "Service unavailable"),
    ] {
        let twilio = twilio_without_rooms().await;
        Mock::given(method("POST"))
            .and(path(MESSAGES))
            .respond_with(
                ResponseTemplate::new(status)
                    .insert_header("Retry-After", "1")
                    .set_body_json(json!({"code": code, "message": message, "more_info": format!("https://www.twilio.com/docs/errors/{code}"), "status": status})),
            )
            .mount(&twilio)
            .await;
        let (_, ctx) = configured(&twilio.uri());
        let visit = visits::create_visit(&ctx, form("Ada")).await.unwrap();
        let error = invites::invite(&ctx, invite_request(&visit.id, GuestRole::Patient, InviteMethod::Sms, None))
            .await
            .unwrap_err();
        assert_eq!(error.code, ErrorCode::ServiceError, "HTTP {status}");
        let twilio_info = error.service.expect("Twilio's own error");
        assert_eq!(
            (twilio_info.service, twilio_info.code, twilio_info.message.as_str()),
            (Service::Twilio, Some(code), message)
        );
        assert_eq!(requests_to(&twilio, "POST", MESSAGES).await.len(), 1, "HTTP {status}: not retried");
        let saved = invites::visit_invites(&ctx, visit.id.clone()).await.unwrap();
        assert_eq!(saved[0].status, InviteStatus::Failed);
        assert_eq!(saved[0].error_code, Some(code));
        assert_eq!(visits::visit(&ctx, visit.id).await.unwrap().status, VisitStatus::Scheduled, "not invited");
    }
}

#[tokio::test]
async fn an_sms_to_an_unreachable_twilio_fails_cleanly() {
    let (_, ctx) = configured(&unreachable_url());
    let visit = visits::create_visit(&ctx, form("Ada")).await.unwrap();
    let error = invites::invite(&ctx, invite_request(&visit.id, GuestRole::Patient, InviteMethod::Sms, None))
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::ServiceUnreachable, "{}", error.message);
    // Nothing was pending when the room could not be made: no invite to check on.
    assert!(invites::visit_invites(&ctx, visit.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn interpreter_dial_in_connects_the_call_to_the_room_with_escaped_twiml() {
    let twilio = twilio_without_rooms().await;
    created(CALLS, json!({"sid": "CA0123456789abcdef0123456789abcdef", "status": "queued"}))
        .expect(1)
        .mount(&twilio)
        .await;
    let (_, ctx) = configured(&twilio.uri());
    let visit = visits::create_visit(&ctx, form("Ada")).await.unwrap();
    let sent = invites::invite(
        &ctx,
        invite_request(&visit.id, GuestRole::Interpreter, InviteMethod::PhoneDialIn, Some("+44 20 7946 0018")),
    )
    .await
    .unwrap();
    assert_eq!(sent.invite.status, InviteStatus::Sent);
    let call = &requests_to(&twilio, "POST", CALLS).await[0];
    assert_eq!(field(call, "To").as_deref(), Some("+442079460018"));
    assert_eq!(field(call, "From").as_deref(), Some(SMS_FROM));
    let identity = sent.invite.guest_identity.unwrap();
    assert!(identity.starts_with("interpreter-"), "{identity}");
    let room_name = visits::visit(&ctx, visit.id.clone()).await.unwrap().room.unwrap().unique_name;
    assert_eq!(
        field(call, "Twiml").unwrap(),
        format!("<Response><Connect><Room participantIdentity=\"{identity}\">{room_name}</Room></Connect></Response>")
    );
    let error =
        invites::invite(&ctx, invite_request(&visit.id, GuestRole::Interpreter, InviteMethod::PhoneDialIn, Some("12")))
            .await
            .unwrap_err();
    assert_eq!(error.fields[0].field, FormField::Phone);
    assert!(error.fields[0].message.contains("too short"), "{:?}", error.fields);
}

#[tokio::test]
async fn copy_link_makes_a_guest_link_without_any_text_or_call() {
    let twilio = twilio_without_rooms().await;
    let (_, ctx) = configured(&twilio.uri());
    let visit = visits::create_visit(&ctx, form("Ada")).await.unwrap();
    let sent = invites::invite(&ctx, invite_request(&visit.id, GuestRole::Family, InviteMethod::CopyLink, None))
        .await
        .unwrap();
    let link = sent.link.expect("a link to copy");
    assert_eq!(link.split_once('#').unwrap().0, "https://visit.example-clinic.org/join");
    assert!(jwt_claims(&fragment_param(&link, "t"))["grants"]["identity"].as_str().unwrap().starts_with("family-"));
    assert!(requests_to(&twilio, "POST", MESSAGES).await.is_empty());
    assert!(audit_text(&ctx).await.contains("invite_link_copied"));
}

/// The `k` of a join link, if it has one.
fn intake_key_in(link: &str) -> Option<String> {
    let fragment = link.split_once('#').expect("a fragment").1;
    url::form_urlencoded::parse(fragment.as_bytes()).find(|(key, _)| key == "k").map(|(_, value)| value.into_owned())
}

#[tokio::test]
async fn the_patient_and_the_clinician_share_the_visits_intake_key_and_no_other_guest_gets_it() {
    let twilio = twilio_without_rooms().await;
    let (_, ctx) = configured(&twilio.uri());
    let visit = visits::create_visit(&ctx, form("Ada")).await.unwrap();
    let link_for = |role| {
        let request = invite_request(&visit.id, role, InviteMethod::CopyLink, None);
        let ctx = &ctx;
        async move { invites::invite(ctx, request).await.unwrap() }
    };

    let patient = link_for(GuestRole::Patient).await;
    let patient_link = patient.link.clone().unwrap();
    let join = rooms::start_visit(&ctx, visit.id.clone()).await.unwrap();
    assert_eq!(join.target, CallTarget::Twilio { room_sid: ROOM_SID.into() });

    // HMAC-SHA256 keyed with the API Key Secret over the message and the room's SID.
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("visitdesk intake key v1 {ROOM_SID}").as_bytes());
    let expected = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    assert_eq!(intake_key_in(&patient_link).as_deref(), Some(expected.as_str()), "{patient_link}");
    assert!(!format!("{patient:?}").contains(&expected), "Debug hides the patient's link");
    assert_eq!(intake_key_in(&join.join_url).as_deref(), Some(expected.as_str()), "{}", join.join_url);
    assert_eq!(join.intake_key, expected, "the provider's join info holds the key of the clinician's link");
    assert!(!format!("{join:?} {join:#?}").contains(&expected), "Debug hides the intake key");

    for role in [GuestRole::Interpreter, GuestRole::Family, GuestRole::Caregiver] {
        let link = link_for(role).await.link.unwrap();
        assert_eq!(intake_key_in(&link), None, "{role:?}: {link}");
    }
    let audit = audit_text(&ctx).await;
    assert!(!audit.contains(&expected), "the audit log holds the intake key: {audit}");
}

#[tokio::test]
async fn running_late_texts_the_patient_in_their_language() {
    let twilio = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .and(body_string_contains("MessagingServiceSid=MG"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"sid": "SM0123456789abcdef0123456789abcdef", "status": "accepted"})),
        )
        .expect(1)
        .mount(&twilio)
        .await;
    let (_, ctx) = configured(&twilio.uri());
    let mut clinic_settings = clinic::clinic_settings(&ctx).await.unwrap();
    clinic_settings.messaging_service_sid = Some("MG0123456789abcdef0123456789abcdef".into());
    clinic::save_clinic_settings(&ctx, clinic_settings).await.unwrap();
    let visit = visits::create_visit(&ctx, form("Ada")).await.unwrap();

    let too_long =
        RunningLateRequest { visit_id: visit.id.clone(), minutes: 600, language: None, confirm_resend: false };
    assert_eq!(invites::send_running_late(&ctx, too_long).await.unwrap_err().fields[0].field, FormField::Minutes);

    let request = RunningLateRequest {
        visit_id: visit.id.clone(),
        minutes: 15,
        language: Some(SmsLanguage::Es),
        confirm_resend: false,
    };
    let sent = invites::send_running_late(&ctx, request).await.unwrap();
    assert_eq!(sent.status, InviteStatus::Sent);
    let sms = &requests_to(&twilio, "POST", MESSAGES).await[0];
    assert_eq!(field(sms, "From"), None, "a Messaging Service sends instead of a number");
    assert_eq!(
        field(sms, "Body").unwrap(),
        "Su proveedor tiene un retraso de unos 15 minutos. Gracias por su paciencia."
    );
    assert!(audit_text(&ctx).await.contains("running_late_sms_sent"));
}

#[tokio::test]
async fn start_reuses_an_in_progress_room_and_end_completes_it() {
    let twilio = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex("^/v1/Rooms/.+$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(room_json("in-progress")))
        .mount(&twilio)
        .await;
    created("/v1/Rooms", room_json("in-progress")).expect(1).mount(&twilio).await;
    Mock::given(method("POST"))
        .and(path(format!("/v1/Rooms/{ROOM_SID}")))
        .and(body_string_contains("Status=completed"))
        .respond_with(ResponseTemplate::new(200).set_body_json(room_json("completed")))
        .expect(1)
        .mount(&twilio)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v1/Rooms/{ROOM_SID}/Participants/{FAMILY_SID}")))
        .and(body_string_contains("Status=disconnected"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"sid": FAMILY_SID, "identity": "family-abc", "status": "disconnected"})),
        )
        .expect(1)
        .mount(&twilio)
        .await;
    let (_, ctx) = configured(&twilio.uri());
    let visit = visits::create_visit(&ctx, form("Ada")).await.unwrap();

    let join = rooms::start_visit(&ctx, visit.id.clone()).await.unwrap();
    assert_eq!(join.target, CallTarget::Twilio { room_sid: ROOM_SID.into() });
    let claims = jwt_claims(&join.token);
    assert_eq!(claims["grants"]["identity"], json!("dr-ana-ruiz"));
    assert_eq!(claims["iss"], json!(KEY));
    assert_eq!(claims["sub"], json!(ACCOUNT));
    assert!(!format!("{join:?}").contains(&join.token), "Debug hides the token");
    assert_eq!(join.target.kind(), visitdesk_core::video::VideoBackendKind::Twilio);
    assert!(join.join_url.starts_with("https://visit.example-clinic.org/join#t="), "{}", join.join_url);
    assert_eq!(fragment_param(&join.join_url, "p"), "dr-ana-ruiz");
    assert_eq!(jwt_claims(&fragment_param(&join.join_url, "t"))["grants"]["identity"], json!("dr-ana-ruiz"));
    // Joining again, from the browser this time, reuses the in-progress room: still one create.
    // The browser gets a hand-off page, never the token (tests/browser_handoff.rs).
    let handoff_dir = tempfile::tempdir().unwrap();
    let handoff = BrowserHandoff::new(handoff_dir.path().join("handoff"));
    let mut opened = None;
    rooms::open_visit_in_browser(&ctx, visit.id.clone(), &handoff, |url| {
        opened = Some(url.to_string());
        Ok(())
    })
    .await
    .unwrap();
    let opened = opened.expect("the browser was asked to open the call");
    assert!(opened.starts_with("file:///") && !opened.contains('#'), "{opened}");
    let no_browser =
        rooms::open_visit_in_browser(&ctx, visit.id.clone(), &handoff, |_| Err("xdg-open: not found".into()))
            .await
            .unwrap_err();
    assert_eq!(no_browser.code, ErrorCode::BrowserUnavailable);
    assert!(
        no_browser.message.contains("could not open your web browser (xdg-open: not found)"),
        "{}",
        no_browser.message
    );
    assert_eq!(visits::visit(&ctx, visit.id.clone()).await.unwrap().status, VisitStatus::InVisit);

    // By the Participant SID the call showed, never by a name someone else could hold.
    let by_name = rooms::remove_participant(&ctx, visit.id.clone(), "family-abc".into()).await.unwrap_err();
    assert_eq!(by_name.code, ErrorCode::InvalidInput, "{by_name:?}");
    rooms::remove_participant(&ctx, visit.id.clone(), FAMILY_SID.into()).await.unwrap();
    let audit = clinic::audit_log(&ctx).await.unwrap();
    let removal =
        audit.iter().find(|entry| entry.action == AuditAction::ParticipantRemoved).expect("the removal is audited");
    assert!(removal.detail.contains("participant family-abc from"), "{}", removal.detail);
    let ended = rooms::end_visit(&ctx, visit.id.clone()).await.unwrap();
    assert_eq!(ended.status, VisitStatus::Completed);
    let after = invites::invite(&ctx, invite_request(&visit.id, GuestRole::Family, InviteMethod::CopyLink, None)).await;
    assert_eq!(after.unwrap_err().code, ErrorCode::VisitStateConflict);
    let actions: Vec<AuditAction> = clinic::audit_log(&ctx).await.unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [AuditAction::VisitCreated, AuditAction::RoomCreated, AuditAction::ParticipantRemoved, AuditAction::RoomEnded]
    );
    assert_eq!(clinic::verify_audit_log(&ctx).await.unwrap().entries, 4);
}

#[tokio::test]
async fn a_completed_room_is_created_again_and_a_create_race_reuses_the_winner() {
    let twilio = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex("^/v1/Rooms/.+$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(room_json("in-progress")))
        .mount(&twilio)
        .await;
    // Another window created the room first.
    Mock::given(method("POST"))
        .and(path("/v1/Rooms"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!({"code": 53113, "message": "Room exists", "status": 400})),
        )
        .mount(&twilio)
        .await;
    let (_, ctx) = configured(&twilio.uri());
    let visit = visits::create_visit(&ctx, form("Ada")).await.unwrap();
    let join = rooms::start_visit(&ctx, visit.id.clone()).await.unwrap();
    assert_eq!(join.target, CallTarget::Twilio { room_sid: ROOM_SID.into() });
}

#[tokio::test]
async fn clinic_settings_are_validated_and_normalised() {
    let (_, ctx) = configured(&unreachable_url());
    let mut bad = ClinicSettings { default_region: "ZZ".into(), max_participants: 1, ..ClinicSettings::default() };
    bad.messaging_service_sid = Some("MG123".into());
    bad.sms_texts_en.patient_invite = Some("Come in!".into());
    let error = clinic::save_clinic_settings(&ctx, bad).await.unwrap_err();
    let fields: Vec<FormField> = error.fields.iter().map(|f| f.field).collect();
    assert_eq!(
        fields,
        [FormField::DefaultRegion, FormField::MessagingServiceSid, FormField::SmsTexts, FormField::MaxParticipants]
    );
    let good = ClinicSettings { sms_from: Some("(415) 555-0188".into()), ..ClinicSettings::default() };
    assert_eq!(clinic::save_clinic_settings(&ctx, good).await.unwrap().sms_from.as_deref(), Some(SMS_FROM));
    assert_eq!(clinic::clinic_settings(&ctx).await.unwrap().sms_from.as_deref(), Some(SMS_FROM));
}

#[tokio::test]
async fn a_locked_keychain_stops_visits_with_its_own_message_and_creates_no_database() {
    let (keychain, ctx) = configured(&unreachable_url());
    *keychain.failure.lock().unwrap() =
        Some(visitdesk_secrets::KeychainError::Locked { detail: "NoStorageAccess".into() });
    let error = visits::create_visit(&ctx, form("Ada")).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::KeychainLocked);
    assert!(error.message.contains("Unlock your keychain"), "{}", error.message);
    assert!(!ctx.database.path().exists(), "no database without its key");

    *keychain.failure.lock().unwrap() = None;
    assert_eq!(
        visits::create_visit(&ctx, form("Ada")).await.unwrap().patient_display_name,
        "Ada",
        "works once unlocked"
    );
}

#[tokio::test]
async fn a_texted_invites_delivery_status_comes_from_twilio() {
    let twilio = twilio_without_rooms().await;
    created(MESSAGES, json!({"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued"})).mount(&twilio).await;
    Mock::given(method("GET"))
        .and(path(
            "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages/SM0123456789abcdef0123456789abcdef.json",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "sid": "SM0123456789abcdef0123456789abcdef", "status": "undelivered",
            "error_code": 30003, "error_message": "Unreachable destination handset"
        })))
        .expect(1)
        .mount(&twilio)
        .await;
    let (_, ctx) = configured(&twilio.uri());
    let visit = visits::create_visit(&ctx, form("Ada")).await.unwrap();
    let sent =
        invites::invite(&ctx, invite_request(&visit.id, GuestRole::Patient, InviteMethod::Sms, None)).await.unwrap();
    let delivery = invites::sms_delivery(&ctx, visit.id.clone(), sent.invite.id.clone()).await.unwrap();
    assert_eq!(delivery.status.as_deref(), Some("undelivered"));
    assert!(delivery.settled);
    assert_eq!(delivery.error_code, Some(30003));
    let other = invites::sms_delivery(&ctx, visit.id, "not-an-invite".into()).await.unwrap_err();
    assert_eq!(other.code, ErrorCode::NotFound);
}

#[tokio::test]
async fn the_preflight_token_is_short_lived_and_scoped_to_a_room_no_visit_uses() {
    let (_, ctx) = configured(&unreachable_url());
    let preflight = rooms::preflight_token(&ctx).await.unwrap();
    let claims = jwt_claims(&preflight.token);
    assert_eq!(claims["grants"]["identity"], json!("dr-ana-ruiz-preflight"));
    assert!(claims["grants"]["video"]["room"].as_str().unwrap().starts_with("preflight-"), "{claims}");
    assert_eq!(claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(), 600);
    assert!(!format!("{preflight:?}").contains(&preflight.token), "Debug hides the token");
}
