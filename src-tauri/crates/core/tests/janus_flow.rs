//! A visit on the clinic's own Janus server, through the core, against a real Janus
//! (`scripts/janus-test-server`, signalling on 127.0.0.1): the room, the links and their
//! tokens, the provider's join, the waiting-room monitor, removing someone, ending the
//! visit. Texts still go through Twilio (a local mock here).

mod common;

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use common::{TestContext, fragment_param, invite_request, keychain_after_setup, settings_after_setup, unix_now};
use serde_json::{Value, json};
use visitdesk_core::{
    AppContext, ErrorCode, Service,
    clinic::settings::{ClinicSettings, VideoService},
    monitor::{AdmissionState, MonitorConfig, MonitorEvents, PatientState, WaitingRoomEvent, spawn_monitor},
    video::CallTarget,
    video::{self, JanusSecretsForm, VideoBackendKind},
    visits::invites,
    visits::rooms,
    visits::{self, VisitForm},
};
use visitdesk_secrets::Sensitive;
use visitdesk_store::{GuestRole, InviteMethod, VisitStatus};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::method};

const TOKEN_SECRET: &str = "janus-flow-token-secret";
const ADMIN_KEY: &str = "janus-flow-admin-key";
/// What browsers are told to use: Janus's WebSocket transport (this test makes no browser call).
const BROWSER_URL: &str = "ws://127.0.0.1:8188";

/// A throwaway Janus, stopped on drop.
struct Janus {
    child: Child,
    http: String,
}

impl Janus {
    fn start() -> Self {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../scripts/janus-test-server");
        let mut child = Command::new(script)
            .env("VISITDESK_JANUS_TOKEN_SECRET", TOKEN_SECRET)
            .env("VISITDESK_JANUS_ADMIN_KEY", ADMIN_KEY)
            .stdout(Stdio::piped())
            .spawn()
            .expect("scripts/janus-test-server runs (apt-get install janus)");
        let mut http = None;
        for line in BufReader::new(child.stdout.take().unwrap()).lines() {
            let line = line.unwrap();
            if let Some(url) = line.strip_prefix("JANUS_HTTP=") {
                http = Some(url.to_string());
            }
            if line == "JANUS_READY" {
                break;
            }
        }
        Self { child, http: http.expect("Janus started and printed its address") }
    }
}

impl Drop for Janus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn clinic(janus: &Janus, twilio: &MockServer) -> TestContext {
    let ctx = TestContext::new(keychain_after_setup(), &twilio.uri());
    let settings =
        settings_after_setup(ClinicSettings { sms_from: Some("+14155550188".into()), ..ClinicSettings::default() });
    ctx.settings().save(&settings).unwrap();
    let mut clinic = visitdesk_core::clinic::clinic_settings(&ctx).await.unwrap();
    clinic.video = VideoService::Janus { api_url: janus.http.clone(), browser_url: BROWSER_URL.into() };
    visitdesk_core::clinic::save_clinic_settings(&ctx, clinic).await.unwrap();
    ctx
}

async fn save_secrets(ctx: &TestContext, admin_key: &str, token_secret: &str) {
    let form = JanusSecretsForm {
        admin_key: Sensitive::new(admin_key.to_string()),
        token_auth_secret: Sensitive::new(token_secret.to_string()),
    };
    video::save_janus_secrets(ctx, form).await.unwrap();
}

/// Someone opening their link: a Janus session with the link's session token, VideoRoom
/// attached, and a `join` with the room token, as the join page's janus.js does.
struct Guest {
    http: reqwest::Client,
    base: String,
    session: u64,
    handle: u64,
    core: String,
}

impl Guest {
    async fn open(base: &str, core: &str) -> Result<Self, Value> {
        let http = reqwest::Client::new();
        let post = |url: String, body: Value| {
            let http = http.clone();
            async move { http.post(url).json(&body).send().await.unwrap().json::<Value>().await.unwrap() }
        };
        let created = post(base.to_string(), json!({"janus": "create", "transaction": "c", "token": core})).await;
        let Some(session) = created["data"]["id"].as_u64() else { return Err(created) };
        let attach = json!({"janus": "attach", "plugin": "janus.plugin.videoroom", "transaction": "a", "token": core});
        let attached = post(format!("{base}/{session}"), attach).await;
        let handle = attached["data"]["id"].as_u64().expect("attached");
        Ok(Self { http, base: base.to_string(), session, handle, core: core.to_string() })
    }

    /// Sends `join` and waits for VideoRoom's answer (an event on the long poll).
    async fn join(&self, room: &str, room_token: &str, identity: &str) -> Value {
        self.join_as(room, room_token, identity, None).await
    }

    /// `join` with a display name and, when given, a participant id, as the clinician's page does.
    async fn join_as(&self, room: &str, room_token: &str, display: &str, id: Option<u64>) -> Value {
        let mut body = json!({"request": "join", "ptype": "publisher", "room": room.parse::<u64>().unwrap(),
            "display": display, "token": room_token});
        if let Some(id) = id {
            body["id"] = id.into();
        }
        let message = json!({"janus": "message", "transaction": "j", "body": body, "token": self.core});
        self.http.post(format!("{}/{}/{}", self.base, self.session, self.handle)).json(&message).send().await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            let url = format!("{}/{}?token={}&maxev=5", self.base, self.session, urlencode(&self.core));
            let events: Value = self.http.get(url).send().await.unwrap().json().await.unwrap();
            let events = if events.is_array() { events.as_array().unwrap().clone() } else { vec![events] };
            if let Some(found) = events.iter().find(|event| event["transaction"] == "j" && event["janus"] == "event") {
                return found["plugindata"]["data"].clone();
            }
        }
        panic!("no answer to join within 5 s");
    }

    /// Changes our display, as the clinician's call does to say whom it lets in.
    async fn configure(&self, display: &str) {
        let body = json!({"request": "configure", "display": display});
        let message = json!({"janus": "message", "transaction": "d", "body": body, "token": self.core});
        let answer: Value = self
            .http
            .post(format!("{}/{}/{}", self.base, self.session, self.handle))
            .json(&message)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(answer["janus"], "ack", "{answer}");
    }
}

/// HMAC-SHA256 keyed with the token secret over `visitdesk intake key v1 {room id}`, base64url
/// without padding.
fn expected_intake_key(token_secret: &str, room: &str) -> String {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(token_secret.as_bytes()).unwrap();
    mac.update(format!("visitdesk intake key v1 {room}").as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[derive(Default)]
struct Recorder(Mutex<Vec<WaitingRoomEvent>>);

impl MonitorEvents for Recorder {
    fn emit(&self, event: WaitingRoomEvent) {
        self.0.lock().unwrap().push(event);
    }
}

async fn next_event(events: &Recorder, visit_id: &str, kind: &str, within: Duration) {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if events.0.lock().unwrap().iter().any(|event| event.visit_id() == visit_id && event.kind() == kind) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let kinds: Vec<_> = events.0.lock().unwrap().iter().map(|event| event.kind()).collect();
    panic!("no {kind} within {within:?}; events: {kinds:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the janus binary (apt-get install janus)"]
async fn a_visit_on_janus_from_invite_to_end() {
    let janus = Janus::start();
    let twilio = MockServer::start().await;
    let queued = json!({"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued"});
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(201).set_body_json(queued)).mount(&twilio).await;
    let ctx = Arc::new(clinic(&janus, &twilio).await);
    let form = |name: &str| VisitForm {
        patient_display_name: name.into(),
        patient_mobile: "(415) 555-2671".into(),
        scheduled_at: unix_now(),
    };
    let visit = visits::create_visit(ctx.as_ref(), form("Ada Lovelace")).await.unwrap();
    let invite = |role, method, phone: Option<&str>| invite_request(&visit.id, role, method, phone);

    // Without the secrets, a clear message and no room.
    let error = invites::invite(ctx.as_ref(), invite(GuestRole::Patient, InviteMethod::Sms, None))
        .await
        .expect_err("no Janus secrets saved");
    assert_eq!(error.code, ErrorCode::NotConfigured, "{error:?}");
    assert!(error.message.contains("Settings → Video service"), "{}", error.message);

    // A wrong admin key: Janus's own refusal, named.
    save_secrets(&ctx, "not-the-admin-key", TOKEN_SECRET).await;
    let error = invites::invite(ctx.as_ref(), invite(GuestRole::Patient, InviteMethod::Sms, None))
        .await
        .expect_err("a wrong admin key");
    assert_eq!(error.code, ErrorCode::ServiceCredentialsRejected, "{error:?}");
    assert!(error.message.contains("VideoRoom error 433"), "{}", error.message);
    let refusal = error.service.as_ref().expect("Janus's own error");
    assert_eq!((refusal.service, refusal.status, refusal.code), (Service::Janus, 0, Some(433)), "{error:?}");

    save_secrets(&ctx, ADMIN_KEY, TOKEN_SECRET).await;
    let texted = invites::invite(ctx.as_ref(), invite(GuestRole::Patient, InviteMethod::Sms, None))
        .await
        .expect("the patient is texted a Janus link");
    let sms = &twilio.received_requests().await.unwrap()[0];
    let body = url::form_urlencoded::parse(&sms.body).find(|(key, _)| key == "Body").unwrap().1.into_owned();
    let link = body.split_whitespace().find(|word| word.contains('#')).expect("a link in the text").to_string();
    assert_eq!(fragment_param(&link, "b"), "janus");
    assert_eq!(fragment_param(&link, "s"), BROWSER_URL);
    assert_eq!(fragment_param(&link, "p"), "dr-ana-ruiz");
    let room = fragment_param(&link, "r");
    let identity = fragment_param(&link, "i");
    assert!(identity.starts_with("patient-"), "{identity}");
    assert!(!link.contains("&j=") && !link.contains("&v="), "a guest's link carries no clinician proof: {link}");
    // The patient's link carries the visit's intake key, derived from the token secret and the room.
    let intake_key = fragment_param(&link, "k");
    assert_eq!(intake_key, expected_intake_key(TOKEN_SECRET, &room), "{link}");
    assert_eq!(texted.invite.guest_identity.as_deref(), Some(identity.as_str()));
    let stored = visits::visit(ctx.as_ref(), visit.id.clone()).await.unwrap();
    assert_eq!(stored.room.and_then(|room| room.sid), Some(room.clone()), "the Janus room is on the visit");

    // Dial-in needs Twilio's rooms.
    let dial =
        invites::invite(ctx.as_ref(), invite(GuestRole::Interpreter, InviteMethod::PhoneDialIn, Some("+14155550111")))
            .await
            .expect_err("no dial-in on Janus");
    assert!(dial.message.contains("Phone dial-in needs Twilio"), "{}", dial.message);

    let events = Arc::new(Recorder::default());
    let config = MonitorConfig {
        often_min_interval: Duration::from_millis(200),
        often_interval: Duration::from_millis(300),
        budget_requests: 600,
        ..MonitorConfig::default()
    };
    let monitor = spawn_monitor(ctx.clone(), events.clone(), config);

    // The patient opens the link: the session token opens a session, the room token joins.
    let patient = Guest::open(&janus.http, &fragment_param(&link, "c")).await.expect("the session token works");
    let joined = patient.join(&room, &fragment_param(&link, "t"), &identity).await;
    assert_eq!(joined["videoroom"], "joined", "{joined}");
    next_event(&events, &visit.id, "patient_arrived", Duration::from_secs(5)).await;
    let presence = monitor.snapshot().into_iter().find(|p| p.visit_id == visit.id).unwrap();
    assert!(matches!(presence.state, PatientState::Waiting { .. }), "{presence:?}");

    // Tokens for another room, expired or forged are refused by Janus itself.
    let other = visits::create_visit(ctx.as_ref(), form("Grace Hopper")).await.unwrap();
    let other_link =
        invites::invite(ctx.as_ref(), invite_request(&other.id, GuestRole::Family, InviteMethod::CopyLink, None))
            .await
            .unwrap()
            .link
            .unwrap();
    assert!(!other_link.contains("&k="), "a family member's link carries no intake key: {other_link}");
    let other_patient =
        invites::invite(ctx.as_ref(), invite_request(&other.id, GuestRole::Patient, InviteMethod::CopyLink, None))
            .await
            .unwrap()
            .link
            .unwrap();
    let other_key = fragment_param(&other_patient, "k");
    assert_eq!(other_key, expected_intake_key(TOKEN_SECRET, &fragment_param(&other_patient, "r")));
    assert_ne!(other_key, intake_key, "each room has its own intake key");
    let intruder = Guest::open(&janus.http, &fragment_param(&other_link, "c")).await.unwrap();
    let secret = Sensitive::new(TOKEN_SECRET.to_string());
    let soon = visitdesk_janus::mint_room_token(&secret, room.parse().unwrap(), unix_now() as u64 + 1).unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let forged = format!("{},janus.plugin.videoroom,room={room}:AAAAAAAAAAAAAAAAAAAAAAAAAAA=", unix_now() + 600);
    for (what, token) in [
        ("another room's", fragment_param(&other_link, "t")),
        ("an expired", soon.expose().clone()),
        ("a forged", forged),
    ] {
        let answer = intruder.join(&room, &token, "family-intruder").await;
        assert_eq!(answer["error_code"], 433, "{what} token: {answer}");
    }

    // The provider joins: a Janus join, and a link to open the call in a browser.
    let join = rooms::start_visit(ctx.as_ref(), visit.id.clone()).await.unwrap();
    assert_eq!(join.target.kind(), VideoBackendKind::Janus);
    let CallTarget::Janus {
        server,
        room_id,
        core_token,
        participant_id: Some(clinician_id),
        proof: Some(proof),
        admission: Some(_),
    } = &join.target
    else {
        panic!("{:?}", join.target)
    };
    assert_eq!(room_id.to_string(), room);
    assert_eq!(server, BROWSER_URL);
    assert_eq!(fragment_param(&join.join_url, "i"), "dr-ana-ruiz");
    assert_eq!(fragment_param(&join.join_url, "j"), clinician_id.to_string());
    assert_eq!(&fragment_param(&join.join_url, "v"), proof);
    assert!(proof.starts_with(&format!("{}.", join.expires_at)), "{proof}");
    assert_eq!(fragment_param(&join.join_url, "k"), intake_key, "the clinician's link has the patient's intake key");
    assert_eq!(join.intake_key, intake_key);
    assert!(!format!("{join:?}").contains(&intake_key), "Debug hides the intake key");
    let interpreter =
        invites::invite(ctx.as_ref(), invite(GuestRole::Interpreter, InviteMethod::CopyLink, None)).await.unwrap();
    let interpreter = interpreter.link.unwrap();
    assert!(!interpreter.contains("&k="), "an interpreter's link carries no intake key: {interpreter}");

    // A guest who joins under the clinician's identity, with their own link's tokens, is not the provider.
    let impostor = Guest::open(&janus.http, &fragment_param(&link, "c")).await.unwrap();
    let answer = impostor.join(&room, &fragment_param(&link, "t"), "dr-ana-ruiz").await;
    assert_eq!(answer["videoroom"], "joined", "{answer}");
    let impostor_id = answer["id"].as_u64().expect("Janus gave the impostor an id");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let kinds: Vec<_> = events.0.lock().unwrap().iter().map(|event| event.kind()).collect();
    assert!(!kinds.contains(&"provider_joined"), "an impostor taken for the provider: {kinds:?}");

    // The clinician joins under their participant id, with the proof after the identity, and
    // lets nobody in yet.
    let display = format!("{} {proof} admit:", join.identity);
    let provider = Guest::open(&janus.http, core_token).await.unwrap();
    assert_eq!(provider.join_as(&room, &join.token, &display, Some(*clinician_id)).await["videoroom"], "joined");
    next_event(&events, &visit.id, "provider_joined", Duration::from_secs(5)).await;
    let patient_id = joined["id"].as_u64().expect("Janus gave the patient an id").to_string();
    let admission = || {
        monitor
            .snapshot()
            .into_iter()
            .find(|presence| presence.visit_id == visit.id)
            .and_then(|presence| presence.admission)
    };
    assert_eq!(admission(), Some(AdmissionState::Waiting), "a clinician's presence alone lets nobody in");
    // An impostor's display listing the patient lets nobody in; the clinician's does.
    impostor.configure(&format!("dr-ana-ruiz {proof} admit:{patient_id}")).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(admission(), Some(AdmissionState::Waiting), "an impostor's list is not the clinician's");
    provider.configure(&format!("{} {proof} admit:{patient_id}", join.identity)).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while admission() != Some(AdmissionState::Admitted) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(admission(), Some(AdmissionState::Admitted), "the clinician's list lets the patient in");
    // While the clinician is there, Janus lets nobody else take that id.
    let taker = Guest::open(&janus.http, &fragment_param(&link, "c")).await.unwrap();
    let answer = taker.join_as(&room, &fragment_param(&link, "t"), &display, Some(*clinician_id)).await;
    assert_eq!(answer["error_code"], 436, "{answer}");

    // Removing the impostor records them as unverified, never as the clinician.
    rooms::remove_participant(ctx.as_ref(), visit.id.clone(), impostor_id.to_string()).await.unwrap();
    let audit = visitdesk_core::clinic::audit_log(ctx.as_ref()).await.unwrap();
    let removed = audit.iter().rev().find(|entry| entry.detail.starts_with("participant ")).expect("the removal");
    assert!(removed.detail.starts_with("participant unverified dr-ana-ruiz from "), "{}", removed.detail);

    // Remove acts on the connection the clinician saw (Janus's participant id), never on a name
    // anyone could join with; removing the patient kicks them from the room.
    let by_name = rooms::remove_participant(ctx.as_ref(), visit.id.clone(), identity.clone()).await.unwrap_err();
    assert_eq!(by_name.code, ErrorCode::InvalidInput, "{by_name:?}");
    rooms::remove_participant(ctx.as_ref(), visit.id.clone(), patient_id.clone()).await.unwrap();
    next_event(&events, &visit.id, "patient_left", Duration::from_secs(5)).await;
    let gone = rooms::remove_participant(ctx.as_ref(), visit.id.clone(), patient_id).await.unwrap_err();
    assert_eq!(gone.code, ErrorCode::NotFound, "{gone:?}");

    // Ending the visit destroys the room: nobody can join it any more.
    let ended = rooms::end_visit(ctx.as_ref(), visit.id.clone()).await.unwrap();
    assert_eq!(ended.status, VisitStatus::Completed);
    let late = Guest::open(&janus.http, &fragment_param(&link, "c")).await.unwrap();
    assert_eq!(late.join(&room, &fragment_param(&link, "t"), &identity).await["error_code"], 426, "no such room");
    monitor.stop();
}
