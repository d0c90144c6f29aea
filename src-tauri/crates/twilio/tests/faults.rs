//! Faults Prism cannot play (429, 5xx, slow and cut-off answers, refused connections),
//! from a local server that injects them. The rules under test are in `src/retry.rs`:
//! idempotent requests (GETs, `complete`, `disconnect`) are retried on 429/502/503/504
//! and on missing answers; creating a Room, Message or Call is sent exactly once.

mod common;

use std::{
    io::{Read, Write},
    net::TcpListener,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use common::*;
use serde_json::json;
use visitdesk_twilio::{RetryPolicy, TwilioClient, TwilioError, rooms::RoomStatus};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path},
};

fn client(server: &MockServer, timeout: Duration, retry: RetryPolicy) -> TwilioClient {
    client_at(&server.uri(), &server.uri(), timeout, retry)
}

async fn requests_received(server: &MockServer) -> usize {
    server.received_requests().await.expect("requests are recorded").len()
}

fn rooms_path() -> &'static str {
    "/v1/Rooms"
}

fn too_many_requests() -> ResponseTemplate {
    ResponseTemplate::new(429).set_body_json(twilio_error(429, 20429, "Too Many Requests"))
}

/// A create of each kind, all on `client`; each must reach the server exactly once.
async fn create_each_kind(client: &TwilioClient) -> Vec<TwilioError> {
    vec![
        client.rooms().create().unique_name("vd-3f9a1c").send().await.unwrap_err(),
        client
            .messages()
            .create("+15558675310", "Your visit starts soon")
            .from("+15017122661")
            .send()
            .await
            .unwrap_err(),
        client.calls().create("+15558675310", "+15017122661", "<Response/>").send().await.unwrap_err(),
    ]
}

#[tokio::test]
async fn a_get_waits_for_retry_after_then_tries_again() {
    let server = MockServer::start().await;
    Mock::given(path(rooms_path()))
        .respond_with(too_many_requests().insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path(rooms_path()))
        .respond_with(ResponseTemplate::new(200).set_body_json(room_page()))
        .expect(1)
        .mount(&server)
        .await;

    let started = Instant::now();
    let page = client(&server, Duration::from_secs(5), quick_retries()).rooms().list().send().await.expect("retried");
    let waited = started.elapsed();
    assert_eq!(page.rooms.len(), 1);
    assert_eq!(requests_received(&server).await, 2);
    // Retry-After: 1, not the 20 ms backoff.
    assert!(waited >= Duration::from_secs(1) && waited < Duration::from_millis(2500), "{waited:?}");
}

#[tokio::test]
async fn a_retry_after_longer_than_the_maximum_is_not_waited_for() {
    let server = MockServer::start().await;
    Mock::given(path(rooms_path()))
        .respond_with(too_many_requests().insert_header("Retry-After", "60"))
        .expect(1)
        .mount(&server)
        .await;

    let started = Instant::now();
    let error = client(&server, Duration::from_secs(5), quick_retries()).rooms().list().send().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(error.twilio_code(), Some(20429));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(60)));
    assert_eq!(requests_received(&server).await, 1);
}

#[tokio::test]
async fn a_get_is_retried_after_503_and_gateway_errors() {
    let server = MockServer::start().await;
    for answer in [
        ResponseTemplate::new(503).set_body_json(twilio_error(503, 20503, "Service Unavailable")),
        ResponseTemplate::new(502).set_body_string("<html>Bad Gateway</html>"),
    ] {
        Mock::given(path(rooms_path())).respond_with(answer).up_to_n_times(1).mount(&server).await;
    }
    Mock::given(path(rooms_path()))
        .respond_with(ResponseTemplate::new(200).set_body_json(room_page()))
        .mount(&server)
        .await;

    client(&server, Duration::from_secs(5), quick_retries()).rooms().list().send().await.expect("the third try");
    assert_eq!(requests_received(&server).await, 3);
}

#[tokio::test]
async fn retries_stop_after_the_last_attempt_with_the_last_error() {
    let server = MockServer::start().await;
    Mock::given(path(rooms_path()))
        .respond_with(ResponseTemplate::new(504).set_body_string("upstream timed out"))
        .mount(&server)
        .await;

    let error = client(&server, Duration::from_secs(5), quick_retries()).rooms().list().send().await.unwrap_err();
    assert!(
        matches!(&error, TwilioError::UnexpectedResponse { status: 504, detail, .. } if detail.contains("upstream"))
    );
    assert_eq!(requests_received(&server).await, 3);
}

/// 500 is Twilio failing on this request: repeating it rarely helps, so the provider
/// hears at once instead of after the backoff.
#[tokio::test]
async fn a_500_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(path(rooms_path()))
        .respond_with(ResponseTemplate::new(500).set_body_json(twilio_error(500, 20500, "Internal Server Error")))
        .mount(&server)
        .await;

    let error = client(&server, Duration::from_secs(5), quick_retries()).rooms().list().send().await.unwrap_err();
    assert!(matches!(&error, TwilioError::Api { status: 500, .. }), "{error:?}");
    assert_eq!(error.twilio_code(), Some(20500));
    assert_eq!(requests_received(&server).await, 1);
}

#[tokio::test]
async fn a_slow_get_is_retried_then_reported_as_a_timeout() {
    let server = MockServer::start().await;
    Mock::given(path(rooms_path()))
        .respond_with(ResponseTemplate::new(200).set_body_json(room_page()).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;

    let retry = RetryPolicy { max_attempts: 2, ..quick_retries() };
    let started = Instant::now();
    let error = client(&server, Duration::from_millis(300), retry).rooms().list().send().await.unwrap_err();
    assert!(
        matches!(&error, TwilioError::Timeout { connection_closed: None, after, .. } if *after == Duration::from_millis(300)),
        "{error:?}"
    );
    assert!(error.is_unreachable());
    assert_eq!(requests_received(&server).await, 2);
    assert!(started.elapsed() < Duration::from_secs(2), "gave up on time");
}

#[tokio::test]
async fn a_slow_complete_is_retried_because_repeating_it_is_harmless() {
    let server = MockServer::start().await;
    let path_of_room = format!("/v1/Rooms/{ROOM_SID}");
    Mock::given(path(path_of_room.as_str()))
        .respond_with(
            ResponseTemplate::new(202).set_body_json(room_json("completed")).set_delay(Duration::from_secs(3)),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path(path_of_room.as_str()))
        .respond_with(ResponseTemplate::new(202).set_body_json(room_json("completed")))
        .mount(&server)
        .await;

    let room =
        client(&server, Duration::from_millis(300), quick_retries()).rooms().complete(ROOM_SID).await.expect("retried");
    assert_eq!(room.status, Some(RoomStatus::Completed));
    assert_eq!(requests_received(&server).await, 2);
}

#[tokio::test]
async fn a_disconnect_is_retried_after_503() {
    let server = MockServer::start().await;
    let participant_path = format!("/v1/Rooms/{ROOM_SID}/Participants/{PARTICIPANT_SID}");
    Mock::given(path(participant_path.as_str()))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path(participant_path.as_str()))
        .respond_with(
            ResponseTemplate::new(202).set_body_json(json!({"sid": PARTICIPANT_SID, "status": "disconnected"})),
        )
        .mount(&server)
        .await;

    client(&server, Duration::from_secs(5), quick_retries())
        .participants(ROOM_SID)
        .disconnect(PARTICIPANT_SID)
        .await
        .expect("retried");
    assert_eq!(requests_received(&server).await, 2);
}

#[tokio::test]
async fn a_slow_create_is_sent_once_and_its_outcome_is_unknown() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({})).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;

    let client = client(&server, Duration::from_millis(300), quick_retries());
    for error in create_each_kind(&client).await {
        assert!(matches!(error, TwilioError::Timeout { .. }), "{error:?}");
        assert!(error.outcome_unknown(), "{error:?}");
    }
    let requests = server.received_requests().await.unwrap();
    let paths: Vec<&str> = requests.iter().map(|request| request.url.path()).collect();
    assert_eq!(
        paths,
        [rooms_path().to_string(), account_path("Messages.json"), account_path("Calls.json")],
        "one request per create"
    );
}

#[tokio::test]
async fn a_429_on_a_create_is_not_retried_and_carries_twilios_code() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(too_many_requests().insert_header("Retry-After", "0"))
        .mount(&server)
        .await;

    let client = client(&server, Duration::from_secs(5), quick_retries());
    for error in create_each_kind(&client).await {
        assert!(matches!(&error, TwilioError::Api { status: 429, .. }), "{error:?}");
        assert_eq!(error.twilio_code(), Some(20429));
        assert_eq!(error.api_error().unwrap().message, "Too Many Requests");
        assert!(!error.outcome_unknown(), "Twilio refused it: {error:?}");
    }
    assert_eq!(requests_received(&server).await, 3, "one request per create");
}

#[tokio::test]
async fn a_200_that_is_not_json_is_an_unexpected_response() {
    let server = MockServer::start().await;
    Mock::given(path(rooms_path()))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"rooms": [{"sid": "RM"#))
        .mount(&server)
        .await;

    let error = client(&server, Duration::from_secs(5), quick_retries()).rooms().list().send().await.unwrap_err();
    assert!(matches!(&error, TwilioError::UnexpectedResponse { status: 200, .. }), "{error:?}");
    assert_eq!(requests_received(&server).await, 1, "a bad body is not retried");
}

#[tokio::test]
async fn a_created_message_whose_answer_is_unreadable_is_outcome_unknown() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(201).set_body_string("<html>")).mount(&server).await;

    let error = client(&server, Duration::from_secs(5), quick_retries())
        .messages()
        .create("+15558675310", "Your visit starts soon")
        .from("+15017122661")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(&error, TwilioError::UnexpectedResponse { status: 201, .. }), "{error:?}");
    assert!(error.outcome_unknown());
}

#[tokio::test]
async fn a_401_carries_twilios_code_and_message_and_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(path(rooms_path()))
        .respond_with(ResponseTemplate::new(401).set_body_json(twilio_error(401, 20003, "Authenticate")))
        .mount(&server)
        .await;

    let error = client(&server, Duration::from_secs(5), quick_retries()).rooms().list().send().await.unwrap_err();
    assert!(error.is_authentication_failure(), "{error:?}");
    assert_eq!(error.twilio_code(), Some(20003));
    let api = error.api_error().expect("Twilio's own error");
    assert_eq!(api.message, "Authenticate");
    assert_eq!(api.more_info.as_deref(), Some("https://www.twilio.com/docs/errors/20003"));
    assert_eq!(error.to_string(), "Twilio error 20003: Authenticate (HTTP 401)");
    assert!(!error.outcome_unknown());
    assert_eq!(requests_received(&server).await, 1);
}

#[tokio::test]
async fn a_room_name_in_use_is_reported_as_a_conflict() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(twilio_error(400, 53113, "Room exists")))
        .mount(&server)
        .await;

    let error = client(&server, Duration::from_secs(5), quick_retries())
        .rooms()
        .create()
        .unique_name("vd-3f9a1c")
        .send()
        .await
        .unwrap_err();
    assert!(error.is_room_exists_conflict(), "{error:?}");
    assert_eq!(error.http_status(), Some(400));
}

#[tokio::test]
async fn a_refused_connection_is_unreachable_and_certainly_not_sent() {
    let base = refused_url();
    let host = base.trim_start_matches("http://").to_string();
    // A GET is retried: two pauses of at least 50 and 100 ms.
    let retry =
        RetryPolicy { base_delay: Duration::from_millis(100), max_delay: Duration::from_secs(1), ..quick_retries() };
    let started = Instant::now();
    let error = client_at(&base, &base, Duration::from_secs(5), retry).rooms().list().send().await.unwrap_err();
    assert!(started.elapsed() >= Duration::from_millis(150), "retried: {:?}", started.elapsed());
    assert!(matches!(&error, TwilioError::Unreachable { host: h, .. } if *h == host), "{error:?}");
    assert!(error.is_unreachable());
    assert!(!error.outcome_unknown());
    assert!(!format!("{error} {error:?}").contains(KEY_SECRET));

    // A create is not: a retry would pause at least 500 ms.
    let retry =
        RetryPolicy { base_delay: Duration::from_secs(1), max_delay: Duration::from_secs(1), ..quick_retries() };
    let started = Instant::now();
    let error = client_at(&base, &base, Duration::from_secs(5), retry)
        .messages()
        .create("+15558675310", "Your visit starts soon")
        .from("+15017122661")
        .send()
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(400), "not retried: {:?}", started.elapsed());
    assert!(matches!(error, TwilioError::Unreachable { .. }), "{error:?}");
    assert!(!error.outcome_unknown());
}

/// A port whose accept queue is full: the kernel drops further connection attempts, so
/// connecting hangs until the client gives up. Keep the returned value alive.
fn black_hole() -> (String, TcpListener, Vec<std::net::TcpStream>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let mut queued = Vec::new();
    while queued.len() < 5000 {
        match std::net::TcpStream::connect_timeout(&address, Duration::from_millis(100)) {
            Ok(stream) => queued.push(stream),
            Err(error) if error.kind() == std::io::ErrorKind::TimedOut => {
                return (format!("http://{address}"), listener, queued);
            }
            Err(error) => panic!("filling the accept queue: {error}"),
        }
    }
    panic!("the accept queue never filled");
}

#[tokio::test]
async fn a_connect_timeout_is_unreachable_not_unknown() {
    let (base, _listener, _queued) = black_hole();
    let client = TwilioClient::builder(auth())
        .base_urls(visitdesk_twilio::BaseUrls { video: base.parse().unwrap(), api: base.parse().unwrap() })
        .connect_timeout(Duration::from_millis(200))
        .timeout(Duration::from_secs(5))
        .retry_policy(RetryPolicy::no_retries())
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.calls().create("+15558675310", "+15017122661", "<Response/>").send().await.unwrap_err();
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(150) && waited < Duration::from_secs(2), "{waited:?}");
    assert!(
        matches!(&error, TwilioError::Unreachable { detail, .. } if detail == "no connection within 0.2 s"),
        "{error:?}"
    );
    assert!(!error.outcome_unknown());
}

/// A server that reads each request whole, then closes the connection without a word.
fn hang_up_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            counted.fetch_add(1, Ordering::SeqCst);
            let _ = read_request(&mut stream);
            let _ = stream.flush();
            drop(stream);
        }
    });
    (base, connections)
}

fn read_request(stream: &mut std::net::TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let read = stream.read(&mut buffer)?;
        if read == 0 {
            return Ok(());
        }
        seen.extend_from_slice(&buffer[..read]);
        let Some(end) = seen.windows(4).position(|window| window == b"\r\n\r\n") else { continue };
        let head = String::from_utf8_lossy(&seen[..end]).to_ascii_lowercase();
        let length = head
            .lines()
            .find_map(|line| line.strip_prefix("content-length:"))
            .and_then(|value| value.trim().parse::<usize>().ok())
            .unwrap_or(0);
        if seen.len() >= end + 4 + length {
            return Ok(());
        }
    }
}

#[tokio::test]
async fn a_connection_closed_after_a_create_was_sent_is_outcome_unknown() {
    let (base, connections) = hang_up_server();
    let error = client_at(&base, &base, Duration::from_secs(5), quick_retries())
        .messages()
        .create("+15558675310", "Your visit starts soon")
        .from("+15017122661")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(&error, TwilioError::Timeout { connection_closed: Some(_), .. }), "{error:?}");
    assert!(error.outcome_unknown());
    assert_eq!(connections.load(Ordering::SeqCst), 1, "sent once");
}

#[tokio::test]
async fn a_connection_closed_during_a_get_is_retried() {
    let (base, connections) = hang_up_server();
    let error = client_at(&base, &base, Duration::from_secs(5), quick_retries())
        .messages()
        .fetch(MESSAGE_SID)
        .await
        .unwrap_err();
    assert!(matches!(&error, TwilioError::Timeout { connection_closed: Some(_), .. }), "{error:?}");
    assert_eq!(connections.load(Ordering::SeqCst), 3);
}
