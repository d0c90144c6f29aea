//! Every request this crate makes, sent to Prism serving Twilio's own OpenAPI specs
//! (`../shared/twilio-oai`, with `scripts/twilio-oai-overlay.mjs` declaring Twilio's
//! repeated form keys). Prism answers 422 naming the offending field when a request
//! breaks Twilio's contract; its example answers must decode into our types.
//! `scripts/test` starts both Prism servers and sets:
//! - `VISITDESK_PRISM_VIDEO_URL`: twilio_video_v1.json
//! - `VISITDESK_PRISM_API_URL`: twilio_api_v2010.json
//!
//! Where the spec leaves a field untyped, so Prism takes anything (`Rules` of SubscribeRules,
//! "a JSON-encoded array"), the test checks what the client sent against the spec itself
//! (`VISITDESK_TWILIO_OAI_DIR`, else `../shared/twilio-oai` beside the checkout, as
//! `scripts/test` finds it).

mod common;

use std::{
    fmt::Debug,
    io::{Read, Write},
    net::{Shutdown, TcpListener, TcpStream},
    path::PathBuf,
    sync::{Arc, Mutex},
    time::Duration,
};

use common::*;
use serde_json::Value;
use visitdesk_twilio::{
    RetryPolicy, TwilioClient, TwilioError,
    calls::CallStatus,
    messages::MessageStatus,
    participants::ParticipantStatus,
    published_tracks::TrackKind,
    rooms::{RoomStatus, RoomType, VideoCodec},
    subscribe_rules::{SubscribeRule, SubscribeRules},
};

fn prism_url(variable: &str, spec: &str) -> String {
    std::env::var(variable)
        .unwrap_or_else(|_| panic!("{variable} names a Prism serving {spec} (scripts/test starts one)"))
}

/// A pass-through between the client and Prism that keeps what Prism answered, so a
/// failure can show Prism's whole validation report (the client's error shows only the
/// start of a body that is not Twilio's), and what the client sent, for the fields Prism
/// cannot check.
struct Tap {
    url: String,
    answers: Arc<Mutex<Vec<u8>>>,
    requests: Arc<Mutex<Vec<u8>>>,
}

/// Copies `from` to `to`, keeping a copy in `kept`, until either side closes.
fn relay(mut from: TcpStream, mut to: TcpStream, kept: Arc<Mutex<Vec<u8>>>) {
    let mut buffer = [0u8; 8192];
    while let Ok(read) = from.read(&mut buffer) {
        if read == 0 {
            break;
        }
        kept.lock().unwrap().extend_from_slice(&buffer[..read]);
        if to.write_all(&buffer[..read]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

impl Tap {
    fn to(upstream: &str) -> Self {
        let upstream = url::Url::parse(upstream).unwrap();
        let target = format!("{}:{}", upstream.host_str().unwrap(), upstream.port_or_known_default().unwrap());
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (answers, requests) = (Arc::new(Mutex::new(Vec::new())), Arc::new(Mutex::new(Vec::new())));
        let (kept_answers, kept_requests) = (answers.clone(), requests.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(&target) else { continue };
                let (client_in, server_out) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                let kept = kept_requests.clone();
                std::thread::spawn(move || relay(client_in, server_out, kept));
                let kept = kept_answers.clone();
                std::thread::spawn(move || relay(server, client, kept));
            }
        });
        Self { url, answers, requests }
    }

    /// The form bodies of the requests sent so far, in order (empty for a request without
    /// a body). The client sends one request at a time and always a `content-length`.
    fn sent_forms(&self) -> Vec<Vec<(String, String)>> {
        visitdesk_twilio_scripted::form_bodies(&self.requests.lock().unwrap())
    }

    /// The one value of `key` in the last request's form.
    fn last_form_value(&self, key: &str) -> String {
        let forms = self.sent_forms();
        let last = forms.last().expect("a request went through the tap");
        let values: Vec<&String> = last.iter().filter(|(name, _)| name == key).map(|(_, value)| value).collect();
        assert_eq!(values.len(), 1, "one {key} in the form: {last:?}");
        values[0].clone()
    }

    /// The end of what Prism answered.
    fn last_answers(&self) -> String {
        let answers = self.answers.lock().unwrap();
        let text = String::from_utf8_lossy(&answers);
        let start = text.char_indices().rev().nth(3000).map_or(0, |(i, _)| i);
        text[start..].to_string()
    }
}

struct Prism {
    video: Tap,
    api: Tap,
    client: TwilioClient,
}

impl Prism {
    fn new() -> Self {
        let video = Tap::to(&prism_url("VISITDESK_PRISM_VIDEO_URL", "twilio_video_v1.json"));
        let api = Tap::to(&prism_url("VISITDESK_PRISM_API_URL", "twilio_api_v2010.json"));
        let client = client_at(&video.url, &api.url, Duration::from_secs(20), RetryPolicy::no_retries());
        Self { video, api, client }
    }

    /// The value, or a panic naming the request and quoting Prism's answer.
    fn accepted<T: Debug>(&self, what: &str, result: Result<T, TwilioError>) -> T {
        result.unwrap_or_else(|error| {
            let rejected = if error.http_status() == Some(422) { "Prism rejected" } else { "failed" };
            panic!(
                "{what}: {rejected}: {error}\n--- Prism (Video) answered:\n{}\n--- Prism (Api) answered:\n{}",
                self.video.last_answers(),
                self.api.last_answers()
            )
        })
    }
}

#[tokio::test]
#[ignore = "needs Prism serving Twilio's specs; run through scripts/test"]
async fn rooms_list_satisfies_the_video_spec() {
    let prism = Prism::new();
    let page = prism.accepted(
        "GET /v1/Rooms",
        prism.client.rooms().list().status(RoomStatus::InProgress).unique_name("vd-contract").page_size(1).send().await,
    );
    assert!(page.meta.page_size >= 1);
    assert!(page.rooms.iter().all(|room| room.sid.starts_with("RM")), "{page:?}");
}

#[tokio::test]
#[ignore = "needs Prism serving Twilio's specs; run through scripts/test"]
async fn rooms_create_with_every_setting_satisfies_the_video_spec() {
    let prism = Prism::new();
    let room = prism.accepted(
        "POST /v1/Rooms (every setting, two codecs)",
        prism
            .client
            .rooms()
            .create()
            .unique_name("vd-3f9a1c")
            .room_type(RoomType::Group)
            .max_participants(4)
            .video_codecs(&[VideoCodec::Vp8, VideoCodec::H264])
            .empty_room_timeout(5)
            .unused_room_timeout(10)
            .record_participants_on_connect(false)
            .send()
            .await,
    );
    assert!(room.sid.starts_with("RM"), "{room:?}");
    assert_eq!(room.status, Some(RoomStatus::InProgress));
    assert_eq!(room.video_codecs.as_deref(), Some(&[VideoCodec::Vp8][..]));
}

#[tokio::test]
#[ignore = "needs Prism serving Twilio's specs; run through scripts/test"]
async fn rooms_create_with_one_codec_and_with_nothing_satisfy_the_video_spec() {
    let prism = Prism::new();
    prism.accepted(
        "POST /v1/Rooms (one codec)",
        prism.client.rooms().create().room_type(RoomType::Group).video_codecs(&[VideoCodec::Vp8]).send().await,
    );
    prism.accepted("POST /v1/Rooms (no settings)", prism.client.rooms().create().send().await);
}

#[tokio::test]
#[ignore = "needs Prism serving Twilio's specs; run through scripts/test"]
async fn rooms_fetch_by_sid_and_by_name_satisfy_the_video_spec() {
    let prism = Prism::new();
    let room = prism.accepted("GET /v1/Rooms/{Sid}", prism.client.rooms().fetch(ROOM_SID).await);
    assert!(room.sid.starts_with("RM"), "{room:?}");
    prism.accepted("GET /v1/Rooms/{UniqueName}", prism.client.rooms().fetch("vd-3f9a1c").await);
}

#[tokio::test]
#[ignore = "needs Prism serving Twilio's specs; run through scripts/test"]
async fn rooms_complete_satisfies_the_video_spec() {
    let prism = Prism::new();
    let room = prism.accepted("POST /v1/Rooms/{Sid} Status=completed", prism.client.rooms().complete(ROOM_SID).await);
    assert_eq!(room.status, Some(RoomStatus::Completed));
}

#[tokio::test]
#[ignore = "needs Prism serving Twilio's specs; run through scripts/test"]
async fn participants_list_satisfies_the_video_spec() {
    let prism = Prism::new();
    let page = prism.accepted(
        "GET /v1/Rooms/{RoomSid}/Participants",
        prism
            .client
            .participants(ROOM_SID)
            .list()
            .status(ParticipantStatus::Connected)
            .identity("dr-ana-ruiz")
            .page_size(20)
            .send()
            .await,
    );
    assert!(page.participants.iter().all(|participant| participant.sid.starts_with("PA")), "{page:?}");
    prism.accepted("GET …/Participants (no filters)", prism.client.participants(ROOM_SID).list().send().await);
}

#[tokio::test]
#[ignore = "needs Prism serving Twilio's specs; run through scripts/test"]
async fn participants_disconnect_satisfies_the_video_spec() {
    let prism = Prism::new();
    let participant = prism.accepted(
        "POST …/Participants/{Sid} Status=disconnected",
        prism.client.participants(ROOM_SID).disconnect(PARTICIPANT_SID).await,
    );
    assert_eq!(participant.status, Some(ParticipantStatus::Disconnected));
    prism.accepted(
        "POST …/Participants/{Identity} Status=disconnected",
        prism.client.participants("vd-3f9a1c").disconnect("patient-7").await,
    );
}

#[tokio::test]
#[ignore = "needs Prism serving Twilio's specs; run through scripts/test"]
async fn published_tracks_list_satisfies_the_video_spec() {
    let prism = Prism::new();
    let page = prism.accepted(
        "GET …/Participants/{ParticipantSid}/PublishedTracks",
        prism.client.published_tracks(ROOM_SID, PARTICIPANT_SID).list().page_size(50).send().await,
    );
    assert!(page.published_tracks.iter().all(|track| track.sid.starts_with("MT")), "{page:?}");
    let _: Vec<Option<TrackKind>> = page.published_tracks.iter().map(|track| track.kind).collect();
    prism.accepted(
        "GET …/PublishedTracks (no page size)",
        prism.client.published_tracks(ROOM_SID, PARTICIPANT_SID).list().send().await,
    );
}

/// Twilio's Video v1 spec, as `scripts/test` finds it.
fn video_spec() -> Value {
    let dir = std::env::var_os("VISITDESK_TWILIO_OAI_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../../shared/twilio-oai"));
    let path = dir.join("twilio_video_v1.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error} (set VISITDESK_TWILIO_OAI_DIR)", path.display()));
    serde_json::from_str(&text).unwrap()
}

const SUBSCRIBE_RULES_PATH: &str = "/v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/SubscribeRules";
const SUBSCRIBE_RULE_SCHEMA: &str = "video.v1.room.room_participant.room_participant_subscribe_rule";

/// Every rule object in the spec's examples for SubscribeRules: the response examples, and
/// the request example (whose `Rules` value the spec writes percent-encoded).
fn example_rules(spec: &Value) -> Vec<Value> {
    let path = &spec["paths"][SUBSCRIBE_RULES_PATH];
    let mut rules = Vec::new();
    for method in ["get", "post"] {
        for example in path[method]["responses"]["200"]["content"]["application/json"]["examples"]
            .as_object()
            .expect("the spec has example answers")
            .values()
        {
            rules.extend(example["value"]["rules"].as_array().cloned().unwrap_or_default());
        }
    }
    rules.extend(spec_request_example(spec).as_array().cloned().unwrap_or_default());
    rules
}

/// The spec's example `Rules` of the update, decoded: `[{"type":"exclude","all": true}]`.
fn spec_request_example(spec: &Value) -> Value {
    let encoded = spec["paths"][SUBSCRIBE_RULES_PATH]["post"]["requestBody"]["content"]
        ["application/x-www-form-urlencoded"]["examples"]["updateFilters"]["value"]["Rules"]
        .as_str()
        .expect("the spec's example Rules");
    let decoded: String =
        url::form_urlencoded::parse(format!("x={encoded}").as_bytes()).map(|(_, value)| value.into_owned()).collect();
    serde_json::from_str(&decoded).unwrap()
}

/// Prism takes any `Rules`: the spec declares the field without a type, as "A JSON-encoded
/// array of subscribe rules". So the sent value is checked against the spec here: a JSON
/// array of objects, each with a `type`, using only the properties the spec's rule schema
/// (the `rules` items of the answer) lists, each of the JSON type it declares, and a `type`
/// the spec's own examples use.
fn check_rules_against_the_spec(spec: &Value, sent: &str) -> Result<(), String> {
    let request = &spec["paths"][SUBSCRIBE_RULES_PATH]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]
        ["schema"]["properties"]["Rules"];
    let description = request["description"].as_str().unwrap_or_default();
    if !description.contains("JSON-encoded array") {
        return Err(format!("the spec no longer describes Rules as a JSON-encoded array: {request}"));
    }
    let schema = &spec["components"]["schemas"][SUBSCRIBE_RULE_SCHEMA]["properties"]["rules"]["items"]["properties"];
    let schema = schema.as_object().expect("the spec's rule schema");
    let types: Vec<Value> = example_rules(spec).iter().map(|rule| rule["type"].clone()).collect();
    let rules: Value = serde_json::from_str(sent).map_err(|error| format!("Rules is not JSON ({error}): {sent}"))?;
    let rules = rules.as_array().ok_or_else(|| format!("Rules is not a JSON array: {sent}"))?;
    for rule in rules {
        let rule = rule.as_object().ok_or_else(|| format!("a rule is not an object: {rule}"))?;
        if !rule.contains_key("type") {
            return Err(format!("a rule without a type: {sent}"));
        }
        for (key, value) in rule {
            let declared =
                schema.get(key).ok_or_else(|| format!("`{key}` is not in the spec's rule schema: {sent}"))?;
            let fits = match declared["type"].as_str() {
                Some("string") => value.is_string(),
                Some("boolean") => value.is_boolean(),
                other => return Err(format!("the spec declares `{key}` as {other:?}, which this check does not know")),
            };
            if !fits {
                return Err(format!("`{key}` is not a {}: {sent}", declared["type"]));
            }
        }
        if !types.contains(&rule["type"]) {
            return Err(format!("type {} is none of the spec's examples' {types:?}", rule["type"]));
        }
    }
    Ok(())
}

#[test]
fn the_rules_check_refuses_what_twilio_would_not_read() {
    let spec = video_spec();
    assert_eq!(spec_request_example(&spec), serde_json::json!([{"type": "exclude", "all": true}]));
    assert_eq!(check_rules_against_the_spec(&spec, r#"[{"type":"exclude","all":true}]"#), Ok(()));
    assert_eq!(check_rules_against_the_spec(&spec, r#"[{"type":"include","publisher":"dr-ana-ruiz"}]"#), Ok(()));
    for wrong in [
        r#"[SubscribeRule { rule_type: Exclude, all: Some(true) }]"#,
        r#"{"type":"exclude","all":true}"#,
        r#"[{"all":true}]"#,
        r#"[{"type":"exclude","all":"true"}]"#,
        r#"[{"type":"exclude","everything":true}]"#,
        r#"[{"type":"Exclude","all":true}]"#,
        r#"[{"rule_type":"exclude","all":true}]"#,
    ] {
        assert!(check_rules_against_the_spec(&spec, wrong).is_err(), "{wrong}");
    }
}

/// The update as the Tap saw it sent: accepted by Prism, its `Rules` checked against the spec.
fn assert_rules_sent_satisfy_the_spec(prism: &Prism, spec: &Value, what: &str) -> Value {
    let sent = prism.video.last_form_value("Rules");
    if let Err(problem) = check_rules_against_the_spec(spec, &sent) {
        panic!("{what}: Rules breaks Twilio's spec: {problem}");
    }
    serde_json::from_str(&sent).unwrap()
}

#[tokio::test]
#[ignore = "needs Prism serving Twilio's specs; run through scripts/test"]
async fn subscribe_rules_update_satisfies_the_video_spec() {
    let prism = Prism::new();
    let spec = video_spec();
    let rules = prism.client.subscribe_rules(ROOM_SID, PARTICIPANT_SID);

    // Waiting: nothing at all, exactly the spec's own example.
    let answer: SubscribeRules = prism.accepted(
        "POST …/SubscribeRules (exclude all)",
        rules.update().rule(SubscribeRule::exclude_all()).send().await,
    );
    let sent = assert_rules_sent_satisfy_the_spec(&prism, &spec, "exclude all");
    assert_eq!(sent, spec_request_example(&spec), "the spec's example Rules");
    // Prism's answer is the spec's example (`updateFilters`): it must decode.
    assert_eq!(answer.rules, Some(vec![SubscribeRule::exclude_all()]), "{answer:?}");
    assert!(answer.participant_sid.as_deref().is_some_and(|sid| sid.starts_with("PA")), "{answer:?}");
    assert!(answer.room_sid.as_deref().is_some_and(|sid| sid.starts_with("RM")), "{answer:?}");

    // Admitted: everything.
    prism.accepted(
        "POST …/SubscribeRules (include all)",
        rules.update().rule(SubscribeRule::include_all()).send().await,
    );
    let sent = assert_rules_sent_satisfy_the_spec(&prism, &spec, "include all");
    assert_eq!(sent, serde_json::json!([{"type": "include", "all": true}]));

    // Several rules, with the publisher and kind filters.
    prism.accepted(
        "POST …/SubscribeRules (publisher and kind filters)",
        rules
            .update()
            .rule(SubscribeRule::exclude_all())
            .rule(SubscribeRule::include_publisher("dr-ana-ruiz"))
            .rule(SubscribeRule { kind: Some(TrackKind::Video), ..SubscribeRule::exclude_publisher(PARTICIPANT_SID) })
            .send()
            .await,
    );
    assert_rules_sent_satisfy_the_spec(&prism, &spec, "publisher and kind filters");
}

#[tokio::test]
#[ignore = "needs Prism serving Twilio's specs; run through scripts/test"]
async fn subscribe_rules_fetch_satisfies_the_video_spec() {
    let prism = Prism::new();
    let answer = prism.accepted(
        "GET …/Participants/{ParticipantSid}/SubscribeRules",
        prism.client.subscribe_rules(ROOM_SID, PARTICIPANT_SID).fetch().await,
    );
    // The spec's example (`readEmpty`): Twilio's default, every track.
    assert_eq!(answer.rules, Some(vec![SubscribeRule::include_all()]), "{answer:?}");
    assert_eq!((answer.date_created, answer.date_updated), (None, None));
}

#[tokio::test]
#[ignore = "needs Prism serving Twilio's specs; run through scripts/test"]
async fn messages_create_from_a_number_satisfies_the_api_spec() {
    let prism = Prism::new();
    let message = prism.accepted(
        "POST Messages.json (From)",
        prism
            .client
            .messages()
            .create("+15558675310", "Your video visit starts at 10:30")
            .from("+15017122661")
            .status_callback("https://visit.example-clinic.org/twilio/status")
            .send()
            .await,
    );
    assert!(message.sid.starts_with("SM") || message.sid.starts_with("MM"), "{message:?}");
    assert_eq!(message.status, Some(MessageStatus::Queued));
    assert_eq!(message.num_segments.as_deref(), Some("1"));
}

#[tokio::test]
#[ignore = "needs Prism serving Twilio's specs; run through scripts/test"]
async fn messages_create_through_a_messaging_service_satisfies_the_api_spec() {
    let prism = Prism::new();
    let message = prism.accepted(
        "POST Messages.json (MessagingServiceSid)",
        prism
            .client
            .messages()
            .create("+15558675310", "Join: https://visit.example-clinic.org/j/3f9a")
            .messaging_service_sid(SERVICE_SID)
            .send()
            .await,
    );
    assert!(message.messaging_service_sid.as_deref().is_some_and(|sid| sid.starts_with("MG")), "{message:?}");
}

#[tokio::test]
#[ignore = "needs Prism serving Twilio's specs; run through scripts/test"]
async fn messages_fetch_satisfies_the_api_spec() {
    let prism = Prism::new();
    let message = prism.accepted("GET Messages/{Sid}.json", prism.client.messages().fetch(MESSAGE_SID).await);
    // The spec's example: sent, with Twilio error 30007 and a price as text.
    assert_eq!(message.status, Some(MessageStatus::Sent));
    assert_eq!(message.error_code, Some(30007));
    assert!(message.price.is_some() && message.date_created.is_some(), "{message:?}");
}

#[tokio::test]
#[ignore = "needs Prism serving Twilio's specs; run through scripts/test"]
async fn calls_create_satisfies_the_api_spec() {
    let prism = Prism::new();
    let call = prism.accepted(
        "POST Calls.json (Twiml)",
        prism
            .client
            .calls()
            .create("+15558675310", "+15017122661", "<Response><Say>Your video visit starts now.</Say></Response>")
            .status_callback("https://visit.example-clinic.org/twilio/call-status")
            .send()
            .await,
    );
    assert!(call.sid.starts_with("CA"), "{call:?}");
    assert!(call.status.is_some(), "{call:?}");
    let _: Option<CallStatus> = call.status;
}

#[test]
fn the_tap_quotes_what_came_back() {
    // The Tap itself, against a one-shot server, so a broken Tap cannot hide Prism's report.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let upstream = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut buffer = [0u8; 1024];
        let _ = stream.read(&mut buffer);
        stream.write_all(b"HTTP/1.1 422 Unprocessable Entity\r\ncontent-length: 17\r\n\r\nmust be array !!!").unwrap();
    });
    let tap = Tap::to(&upstream);
    let mut stream = TcpStream::connect(tap.url.trim_start_matches("http://")).unwrap();
    stream.write_all(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.contains("must be array"), "{answer}");
    assert!(tap.last_answers().contains("must be array"), "{}", tap.last_answers());
}
