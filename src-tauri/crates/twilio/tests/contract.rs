//! Every request this crate makes, sent to Prism serving Twilio's own OpenAPI specs
//! (`../shared/twilio-oai`, with `scripts/twilio-oai-overlay.mjs` declaring Twilio's
//! repeated form keys). Prism answers 422 naming the offending field when a request
//! breaks Twilio's contract; its example answers must decode into our types.
//! `scripts/test` starts both Prism servers and sets:
//! - `VISITDESK_PRISM_VIDEO_URL`: twilio_video_v1.json
//! - `VISITDESK_PRISM_API_URL`: twilio_api_v2010.json

mod common;

use std::{
    fmt::Debug,
    io::{Read, Write},
    net::{Shutdown, TcpListener, TcpStream},
    sync::{Arc, Mutex},
    time::Duration,
};

use common::*;
use visitdesk_twilio::{
    RetryPolicy, TwilioClient, TwilioError,
    calls::CallStatus,
    messages::MessageStatus,
    participants::ParticipantStatus,
    published_tracks::TrackKind,
    rooms::{RoomStatus, RoomType, VideoCodec},
};

fn prism_url(variable: &str, spec: &str) -> String {
    std::env::var(variable)
        .unwrap_or_else(|_| panic!("{variable} names a Prism serving {spec} (scripts/test starts one)"))
}

/// A pass-through between the client and Prism that keeps what Prism answered, so a
/// failure can show Prism's whole validation report (the client's error shows only the
/// start of a body that is not Twilio's).
struct Tap {
    url: String,
    answers: Arc<Mutex<Vec<u8>>>,
}

impl Tap {
    fn to(upstream: &str) -> Self {
        let upstream = url::Url::parse(upstream).unwrap();
        let target = format!("{}:{}", upstream.host_str().unwrap(), upstream.port_or_known_default().unwrap());
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let answers = Arc::new(Mutex::new(Vec::new()));
        let kept = answers.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(&target) else { continue };
                let (mut client_in, mut server_out) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut client_in, &mut server_out);
                    let _ = server_out.shutdown(Shutdown::Write);
                });
                let kept = kept.clone();
                std::thread::spawn(move || {
                    let (mut server_in, mut client_out) = (server, client);
                    let mut buffer = [0u8; 8192];
                    while let Ok(read) = server_in.read(&mut buffer) {
                        if read == 0 {
                            break;
                        }
                        kept.lock().unwrap().extend_from_slice(&buffer[..read]);
                        if client_out.write_all(&buffer[..read]).is_err() {
                            break;
                        }
                    }
                    let _ = client_out.shutdown(Shutdown::Write);
                });
            }
        });
        Self { url, answers }
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
