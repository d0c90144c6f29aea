//! What each builder puts on the wire (method, path, query, form, auth) and how each
//! answer decodes, against a local mock server.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use visitdesk_twilio::{
    calls::CallStatus,
    messages::{MessageSender, MessageStatus},
    participants::ParticipantStatus,
    published_tracks::TrackKind,
    rooms::{RoomStatus, RoomType, VideoCodec},
    subscribe_rules::{RuleType, SubscribeRule},
};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{header, method, path, query_param},
};

const TIMEOUT: Duration = Duration::from_secs(5);

async fn only_request(server: &MockServer) -> wiremock::Request {
    let mut requests = server.received_requests().await.expect("requests are recorded");
    assert_eq!(requests.len(), 1, "exactly one request");
    requests.remove(0)
}

fn assert_form_post(request: &wiremock::Request) {
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.headers.get("content-type").unwrap(), "application/x-www-form-urlencoded");
    assert_eq!(request.headers.get("authorization").unwrap().to_str().unwrap(), basic_auth_header());
}

#[tokio::test]
async fn rooms_list_sends_basic_auth_and_filters_and_decodes_rooms() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/Rooms"))
        .and(query_param("PageSize", "1"))
        .and(query_param("Status", "in-progress"))
        .and(query_param("UniqueName", "vd-3f9a1c"))
        .and(header("authorization", basic_auth_header().as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(room_page()))
        .expect(1)
        .mount(&server)
        .await;

    let page = client_for(&server.uri(), TIMEOUT)
        .rooms()
        .list()
        .status(RoomStatus::InProgress)
        .unique_name("vd-3f9a1c")
        .page_size(1)
        .send()
        .await
        .expect("the page decodes");
    assert_eq!(page.rooms.len(), 1);
    let room = &page.rooms[0];
    assert_eq!(room.sid, ROOM_SID);
    assert_eq!(room.status, Some(RoomStatus::InProgress));
    assert_eq!(room.room_type, Some(RoomType::Group));
    assert_eq!(room.video_codecs.as_deref(), Some(&[VideoCodec::Vp8][..]));
    assert_eq!((room.empty_room_timeout, room.unused_room_timeout), (Some(5), Some(10)));
    assert_eq!(page.meta.page_size, 1);
}

#[tokio::test]
async fn rooms_create_sends_each_setting_and_one_key_per_codec() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/Rooms"))
        .respond_with(ResponseTemplate::new(201).set_body_json(room_json("in-progress")))
        .expect(1)
        .mount(&server)
        .await;

    let room = client_for(&server.uri(), TIMEOUT)
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
        .await
        .expect("the room decodes");
    assert_eq!(room.sid, ROOM_SID);
    assert_eq!(room.unique_name.as_deref(), Some("vd-3f9a1c"));
    assert_eq!(room.max_participants, Some(4));
    assert_eq!(room.record_participants_on_connect, Some(false));

    let request = only_request(&server).await;
    assert_form_post(&request);
    assert_eq!(
        form_of(&request),
        pairs(&[
            ("UniqueName", "vd-3f9a1c"),
            ("Type", "group"),
            ("MaxParticipants", "4"),
            ("VideoCodecs", "VP8"),
            ("VideoCodecs", "H264"),
            ("EmptyRoomTimeout", "5"),
            ("UnusedRoomTimeout", "10"),
            ("RecordParticipantsOnConnect", "false"),
        ])
    );
}

#[tokio::test]
async fn rooms_create_without_settings_sends_an_empty_form() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/Rooms"))
        .respond_with(ResponseTemplate::new(201).set_body_json(room_json("in-progress")))
        .mount(&server)
        .await;

    client_for(&server.uri(), TIMEOUT).rooms().create().send().await.expect("the room decodes");
    assert!(form_of(&only_request(&server).await).is_empty());
}

#[tokio::test]
async fn rooms_fetch_by_unique_name_keeps_the_name_in_one_path_segment() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/Rooms/visit%2012%2Fb"))
        .respond_with(ResponseTemplate::new(200).set_body_json(room_json("completed")))
        .expect(1)
        .mount(&server)
        .await;

    let room = client_for(&server.uri(), TIMEOUT).rooms().fetch("visit 12/b").await.expect("the room decodes");
    assert_eq!(room.status, Some(RoomStatus::Completed));
}

#[tokio::test]
async fn rooms_complete_posts_status_completed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v1/Rooms/{ROOM_SID}")))
        .respond_with(ResponseTemplate::new(202).set_body_json(room_json("completed")))
        .mount(&server)
        .await;

    let room = client_for(&server.uri(), TIMEOUT).rooms().complete(ROOM_SID).await.expect("the room decodes");
    assert_eq!(room.status, Some(RoomStatus::Completed));
    let request = only_request(&server).await;
    assert_form_post(&request);
    assert_eq!(form_of(&request), pairs(&[("Status", "completed")]));
}

#[tokio::test]
async fn participants_list_filters_and_decodes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/Rooms/{ROOM_SID}/Participants")))
        .and(query_param("Status", "connected"))
        .and(query_param("Identity", "dr-ana-ruiz"))
        .and(query_param("PageSize", "20"))
        .and(header("authorization", basic_auth_header().as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "participants": [{
                "sid": PARTICIPANT_SID, "room_sid": ROOM_SID, "account_sid": ACCOUNT_SID,
                "identity": "dr-ana-ruiz", "status": "connected",
                "start_time": "2026-04-14T09:00:00Z", "end_time": null, "duration": null
            }],
            "meta": { "page": 0, "page_size": 20, "next_page_url": null }
        })))
        .expect(1)
        .mount(&server)
        .await;

    let page = client_for(&server.uri(), TIMEOUT)
        .participants(ROOM_SID)
        .list()
        .status(ParticipantStatus::Connected)
        .identity("dr-ana-ruiz")
        .page_size(20)
        .send()
        .await
        .expect("the page decodes");
    assert_eq!(page.participants.len(), 1);
    let participant = &page.participants[0];
    assert_eq!(participant.sid, PARTICIPANT_SID);
    assert_eq!(participant.identity.as_deref(), Some("dr-ana-ruiz"));
    assert_eq!(participant.status, Some(ParticipantStatus::Connected));
    assert_eq!(participant.duration, None);
}

#[tokio::test]
async fn participants_disconnect_posts_status_disconnected() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v1/Rooms/{ROOM_SID}/Participants/patient-7")))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({
            "sid": PARTICIPANT_SID, "room_sid": ROOM_SID, "identity": "patient-7",
            "status": "disconnected", "duration": 61
        })))
        .mount(&server)
        .await;

    let participant = client_for(&server.uri(), TIMEOUT)
        .participants(ROOM_SID)
        .disconnect("patient-7")
        .await
        .expect("the participant decodes");
    assert_eq!(participant.status, Some(ParticipantStatus::Disconnected));
    assert_eq!(participant.duration, Some(61));
    let request = only_request(&server).await;
    assert_form_post(&request);
    assert_eq!(form_of(&request), pairs(&[("Status", "disconnected")]));
}

#[tokio::test]
async fn published_tracks_list_gets_the_participants_tracks_and_decodes_them() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/Rooms/{ROOM_SID}/Participants/{PARTICIPANT_SID}/PublishedTracks")))
        .and(query_param("PageSize", "20"))
        .and(header("authorization", basic_auth_header().as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "published_tracks": [
                {
                    "sid": "MT0123456789abcdef0123456789abcdef", "participant_sid": PARTICIPANT_SID,
                    "room_sid": ROOM_SID, "name": "camera", "kind": "video", "enabled": false,
                    "date_created": "2026-04-14T09:00:02Z"
                },
                { "sid": "MT1123456789abcdef0123456789abcdef", "name": "mic", "kind": "audio", "enabled": true },
                { "sid": "MT2123456789abcdef0123456789abcdef", "name": "chat", "kind": "data", "enabled": true }
            ],
            "meta": { "page": 0, "page_size": 20, "next_page_url": null }
        })))
        .expect(1)
        .mount(&server)
        .await;

    let page = client_for(&server.uri(), TIMEOUT)
        .published_tracks(ROOM_SID, PARTICIPANT_SID)
        .list()
        .page_size(20)
        .send()
        .await
        .expect("the page decodes");
    let kinds: Vec<_> = page.published_tracks.iter().map(|track| (track.kind, track.enabled)).collect();
    assert_eq!(
        kinds,
        [
            (Some(TrackKind::Video), Some(false)),
            (Some(TrackKind::Audio), Some(true)),
            (Some(TrackKind::Data), Some(true))
        ]
    );
    let camera = &page.published_tracks[0];
    assert_eq!(camera.sid, "MT0123456789abcdef0123456789abcdef");
    assert_eq!(camera.name.as_deref(), Some("camera"));
    assert_eq!(camera.participant_sid.as_deref(), Some(PARTICIPANT_SID));
    assert_eq!(page.meta.page_size, 20);
    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert!(request.body.is_empty(), "a GET sends no body");
}

#[tokio::test]
async fn published_tracks_list_is_retried_like_other_reads() {
    let server = MockServer::start().await;
    let tracks_path = format!("/v1/Rooms/{ROOM_SID}/Participants/{PARTICIPANT_SID}/PublishedTracks");
    Mock::given(method("GET"))
        .and(path(tracks_path.as_str()))
        .respond_with(ResponseTemplate::new(503).set_body_json(twilio_error(503, 20503, "Service unavailable")))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(tracks_path.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "published_tracks": [], "meta": { "page": 0, "page_size": 50, "next_page_url": null }
        })))
        .mount(&server)
        .await;

    let client = client_at(&server.uri(), &server.uri(), TIMEOUT, quick_retries());
    let page = client.published_tracks(ROOM_SID, PARTICIPANT_SID).list().send().await.expect("the retry succeeds");
    assert!(page.published_tracks.is_empty());
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2, "one 503, then one retry");
    assert!(requests.iter().all(|request| request.url.query().is_none()), "no PageSize unless asked");
}

fn subscribe_rules_json(rules: serde_json::Value) -> serde_json::Value {
    json!({
        "participant_sid": PARTICIPANT_SID, "room_sid": ROOM_SID, "rules": rules,
        "date_created": "2026-04-14T09:00:00Z", "date_updated": "2026-04-14T09:00:05Z"
    })
}

#[tokio::test]
async fn subscribe_rules_update_posts_the_rules_as_one_json_form_field() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v1/Rooms/{ROOM_SID}/Participants/{PARTICIPANT_SID}/SubscribeRules")))
        .respond_with(ResponseTemplate::new(202).set_body_json(subscribe_rules_json(json!([
            { "type": "exclude", "all": true, "publisher": null, "track": null, "kind": null, "priority": null }
        ]))))
        .expect(1)
        .mount(&server)
        .await;

    let answer = client_for(&server.uri(), TIMEOUT)
        .subscribe_rules(ROOM_SID, PARTICIPANT_SID)
        .update()
        .rule(SubscribeRule::exclude_all())
        .send()
        .await
        .expect("the rules decode");
    assert_eq!(answer.participant_sid.as_deref(), Some(PARTICIPANT_SID));
    assert_eq!(answer.room_sid.as_deref(), Some(ROOM_SID));
    assert_eq!(answer.rules, Some(vec![SubscribeRule::exclude_all()]));
    assert_eq!(answer.date_updated.as_deref(), Some("2026-04-14T09:00:05Z"));
    let request = only_request(&server).await;
    assert_form_post(&request);
    assert_eq!(form_of(&request), pairs(&[("Rules", r#"[{"type":"exclude","all":true}]"#)]));
    // On the wire, as Twilio's own example writes it (spaces aside): one url-encoded key.
    assert_eq!(
        String::from_utf8(request.body.clone()).unwrap(),
        "Rules=%5B%7B%22type%22%3A%22exclude%22%2C%22all%22%3Atrue%7D%5D"
    );
}

#[tokio::test]
async fn subscribe_rules_update_keeps_the_rules_in_order() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(subscribe_rules_json(json!([]))))
        .mount(&server)
        .await;

    client_for(&server.uri(), TIMEOUT)
        .subscribe_rules(ROOM_SID, PARTICIPANT_SID)
        .update()
        .rule(SubscribeRule::exclude_all())
        .rules([SubscribeRule::include_publisher("dr-ana-ruiz"), SubscribeRule::exclude_publisher("guest-1")])
        .send()
        .await
        .expect("sent");
    let request = only_request(&server).await;
    let form = form_of(&request);
    assert_eq!(form.len(), 1, "one Rules field, not one per rule: {form:?}");
    let sent: serde_json::Value = serde_json::from_str(&form[0].1).expect("Rules is JSON");
    assert_eq!(
        sent,
        json!([
            { "type": "exclude", "all": true },
            { "type": "include", "publisher": "dr-ana-ruiz" },
            { "type": "exclude", "publisher": "guest-1" }
        ])
    );
}

#[tokio::test]
async fn subscribe_rules_fetch_reads_the_rules() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/Rooms/{ROOM_SID}/Participants/{PARTICIPANT_SID}/SubscribeRules")))
        .and(header("authorization", basic_auth_header().as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(subscribe_rules_json(json!([
            { "type": "include", "all": true, "publisher": null, "track": null, "kind": null, "priority": null },
            { "type": "exclude", "all": null, "publisher": "guest-1", "track": null, "kind": "video", "priority": null }
        ]))))
        .expect(1)
        .mount(&server)
        .await;

    let answer =
        client_for(&server.uri(), TIMEOUT).subscribe_rules(ROOM_SID, PARTICIPANT_SID).fetch().await.expect("decodes");
    let rules = answer.rules.expect("two rules");
    assert_eq!(rules[0], SubscribeRule::include_all());
    assert_eq!(rules[1].rule_type, RuleType::Exclude);
    assert_eq!((rules[1].publisher.as_deref(), rules[1].kind), (Some("guest-1"), Some(TrackKind::Video)));
    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert!(request.body.is_empty() && request.url.query().is_none(), "a bare GET");
}

#[tokio::test]
async fn subscribe_rules_update_is_retried_like_other_state_setting_posts() {
    let server = MockServer::start().await;
    let rules_path = format!("/v1/Rooms/{ROOM_SID}/Participants/{PARTICIPANT_SID}/SubscribeRules");
    Mock::given(path(rules_path.as_str()))
        .respond_with(ResponseTemplate::new(503).set_body_json(twilio_error(503, 20503, "Service unavailable")))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path(rules_path.as_str()))
        .respond_with(
            ResponseTemplate::new(202).set_body_json(subscribe_rules_json(json!([{"type": "include", "all": true}]))),
        )
        .mount(&server)
        .await;

    let client = client_at(&server.uri(), &server.uri(), TIMEOUT, quick_retries());
    let answer = client
        .subscribe_rules(ROOM_SID, PARTICIPANT_SID)
        .update()
        .rule(SubscribeRule::include_all())
        .send()
        .await
        .expect("the retry succeeds");
    assert_eq!(answer.rules, Some(vec![SubscribeRule::include_all()]));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2, "one 503, then one retry");
    assert!(requests.iter().all(|request| request.body == requests[0].body), "the same rules both times");
}

#[tokio::test]
async fn subscribe_rules_for_a_participant_twilio_does_not_have_carry_its_404() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(404).set_body_json(twilio_error(
            404,
            20404,
            "The requested resource was not found",
        )))
        .mount(&server)
        .await;

    let client = client_at(&server.uri(), &server.uri(), TIMEOUT, quick_retries());
    let error = client
        .subscribe_rules(ROOM_SID, PARTICIPANT_SID)
        .update()
        .rule(SubscribeRule::exclude_all())
        .send()
        .await
        .expect_err("404");
    assert_eq!((error.http_status(), error.twilio_code()), (Some(404), Some(20404)));
    assert_eq!(server.received_requests().await.unwrap().len(), 1, "a 404 is not retried");
}

#[tokio::test]
async fn messages_create_from_a_number_posts_to_the_account_and_keeps_no_phi() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(account_path("Messages.json")))
        .respond_with(ResponseTemplate::new(201).set_body_json(message_json("queued")))
        .mount(&server)
        .await;

    let message = client_for(&server.uri(), TIMEOUT)
        .messages()
        .create("+15558675310", "Your video visit with Dr. Ruiz starts at 10:30")
        .from("+15017122661")
        .status_callback("https://visit.example-clinic.org/twilio/status")
        .send()
        .await
        .expect("the message decodes");
    assert_eq!(message.sid, MESSAGE_SID);
    assert_eq!(message.status, Some(MessageStatus::Queued));
    assert_eq!(message.num_segments.as_deref(), Some("1"));
    assert_eq!(message.date_created.as_deref(), Some("Thu, 24 Aug 2023 05:01:45 +0000"));
    let kept = format!("{message:?}");
    assert!(!kept.contains("+15558675310") && !kept.contains("Dr. Ruiz"), "PHI kept: {kept}");

    let request = only_request(&server).await;
    assert_form_post(&request);
    assert_eq!(
        form_of(&request),
        pairs(&[
            ("To", "+15558675310"),
            ("From", "+15017122661"),
            ("Body", "Your video visit with Dr. Ruiz starts at 10:30"),
            ("StatusCallback", "https://visit.example-clinic.org/twilio/status"),
        ])
    );
}

#[tokio::test]
async fn messages_create_through_a_messaging_service_sends_no_from() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(account_path("Messages.json")))
        .respond_with(ResponseTemplate::new(201).set_body_json(message_json("accepted")))
        .mount(&server)
        .await;

    let message = client_for(&server.uri(), TIMEOUT)
        .messages()
        .create("+15558675310", "Join: https://visit.example-clinic.org/j/3f9a")
        .sender(MessageSender::MessagingService(SERVICE_SID.into()))
        .send()
        .await
        .expect("the message decodes");
    assert_eq!(message.status, Some(MessageStatus::Accepted));
    assert_eq!(
        form_of(&only_request(&server).await),
        pairs(&[
            ("To", "+15558675310"),
            ("MessagingServiceSid", SERVICE_SID),
            ("Body", "Join: https://visit.example-clinic.org/j/3f9a"),
        ])
    );
}

#[tokio::test]
async fn messages_fetch_reads_the_delivery_status_and_error() {
    let server = MockServer::start().await;
    let mut answer = message_json("undelivered");
    answer["error_code"] = json!(30003);
    answer["error_message"] = json!("Unreachable destination handset");
    answer["price"] = json!("-0.00750");
    Mock::given(method("GET"))
        .and(path(account_path(&format!("Messages/{MESSAGE_SID}.json"))))
        .and(header("authorization", basic_auth_header().as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .expect(1)
        .mount(&server)
        .await;

    let message = client_for(&server.uri(), TIMEOUT).messages().fetch(MESSAGE_SID).await.expect("the message decodes");
    assert_eq!(message.status, Some(MessageStatus::Undelivered));
    assert!(message.status.unwrap().is_final());
    assert_eq!(message.error_code, Some(30003));
    assert_eq!(message.error_message.as_deref(), Some("Unreachable destination handset"));
    assert_eq!(message.price.as_deref(), Some("-0.00750"));
}

#[tokio::test]
async fn a_status_this_version_does_not_know_decodes_as_none() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(message_json("pending_review")))
        .mount(&server)
        .await;

    let message = client_for(&server.uri(), TIMEOUT).messages().fetch(MESSAGE_SID).await.expect("still decodes");
    assert_eq!(message.sid, MESSAGE_SID);
    assert_eq!(message.status, None);
}

#[tokio::test]
async fn calls_create_sends_to_from_and_twiml() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(account_path("Calls.json")))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "sid": CALL_SID, "status": "queued", "to": "+15558675310", "from": "+15017122661",
            "price": null, "duration": null, "date_created": "Tue, 31 Aug 2010 20:36:28 +0000"
        })))
        .mount(&server)
        .await;

    let twiml = "<Response><Say>Your visit starts now.</Say></Response>";
    let call = client_for(&server.uri(), TIMEOUT)
        .calls()
        .create("+15558675310", "+15017122661", twiml)
        .send()
        .await
        .expect("the call decodes");
    assert_eq!(call.sid, CALL_SID);
    assert_eq!(call.status, Some(CallStatus::Queued));
    let request = only_request(&server).await;
    assert_form_post(&request);
    assert_eq!(form_of(&request), pairs(&[("To", "+15558675310"), ("From", "+15017122661"), ("Twiml", twiml)]));
}

#[tokio::test]
async fn video_and_account_requests_go_to_their_own_base() {
    let video = MockServer::start().await;
    let api = MockServer::start().await;
    Mock::given(path("/v1/Rooms"))
        .respond_with(ResponseTemplate::new(200).set_body_json(room_page()))
        .mount(&video)
        .await;
    Mock::given(path(account_path(&format!("Messages/{MESSAGE_SID}.json"))))
        .respond_with(ResponseTemplate::new(200).set_body_json(message_json("sent")))
        .mount(&api)
        .await;

    let client =
        client_at(&video.uri(), &format!("{}/", api.uri()), TIMEOUT, visitdesk_twilio::RetryPolicy::no_retries());
    client.rooms().list().send().await.expect("rooms from the Video base");
    client.messages().fetch(MESSAGE_SID).await.expect("messages from the Api base");
    assert_eq!(video.received_requests().await.unwrap().len(), 1);
    assert_eq!(api.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn builders_hide_phone_numbers_and_texts_from_debug() {
    let client = client_for("http://127.0.0.1:9", TIMEOUT);
    let message = client.messages().create("+15558675310", "Dr. Ruiz will call you").from("+15017122661");
    let call = client.calls().create("+15558675310", "+15017122661", "<Response><Say>Dr. Ruiz</Say></Response>");
    for shown in [format!("{message:?}"), format!("{call:?}")] {
        assert!(!shown.contains("+15558675310") && !shown.contains("Dr. Ruiz"), "{shown}");
    }
}
