//! The Rooms handler against a local mock server that scripts Twilio's answers.

mod common;

use std::time::Duration;

use common::{KEY_SECRET, KEY_SID, client_for};
use serde_json::json;
use visitdesk_twilio::{TwilioError, rooms::RoomStatus};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{header, method, path, query_param},
};

fn basic_auth() -> String {
    use std::fmt::Write;
    // Base64 by hand keeps the test independent of the client's encoder.
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{KEY_SID}:{KEY_SECRET}");
    let mut out = String::new();
    for chunk in input.as_bytes().chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    let mut header = String::new();
    write!(header, "Basic {out}").unwrap();
    header
}

fn one_room_page() -> serde_json::Value {
    json!({
        "rooms": [{
            "sid": "RM0123456789abcdef0123456789abcdef",
            "account_sid": "AC0123456789abcdef0123456789abcdef",
            "unique_name": "vd-3f9a1c",
            "status": "in-progress",
            "type": "group",
            "max_participants": 4
        }],
        "meta": { "page": 0, "page_size": 1, "next_page_url": null }
    })
}

#[tokio::test]
async fn list_sends_basic_auth_and_page_size_and_decodes_rooms() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/Rooms"))
        .and(query_param("PageSize", "1"))
        .and(query_param("Status", "in-progress"))
        .and(header("authorization", basic_auth().as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(one_room_page()))
        .expect(1)
        .mount(&server)
        .await;

    let page = client_for(&server.uri(), Duration::from_secs(5))
        .rooms()
        .list()
        .status(RoomStatus::InProgress)
        .page_size(1)
        .send()
        .await
        .expect("the page decodes");
    assert_eq!(page.rooms.len(), 1);
    assert_eq!(page.rooms[0].status, Some(RoomStatus::InProgress));
    assert_eq!(page.rooms[0].room_type.as_deref(), Some("group"));
    assert_eq!(page.meta.page_size, 1);
}

#[tokio::test]
async fn a_401_carries_twilios_code_and_message() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/Rooms"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "code": 20003, "message": "Authenticate",
            "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401
        })))
        .mount(&server)
        .await;

    let error = client_for(&server.uri(), Duration::from_secs(5)).rooms().list().send().await.unwrap_err();
    assert!(error.is_authentication_failure(), "{error:?}");
    let api = error.api_error().expect("Twilio's own error");
    assert_eq!(api.code, Some(20003));
    assert_eq!(api.more_info.as_deref(), Some("https://www.twilio.com/docs/errors/20003"));
    assert_eq!(error.to_string(), "Twilio error 20003: Authenticate (HTTP 401)");
}

#[tokio::test]
async fn a_429_is_an_api_error_with_its_code() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/Rooms"))
        .respond_with(ResponseTemplate::new(429).set_body_json(json!({
            "code": 20429, "message": "Too Many Requests", "more_info": null, "status": 429
        })))
        .mount(&server)
        .await;

    let error = client_for(&server.uri(), Duration::from_secs(5)).rooms().list().send().await.unwrap_err();
    assert!(!error.is_authentication_failure());
    assert!(matches!(&error, TwilioError::Api { status: 429, error } if error.code == Some(20429)), "{error:?}");
}

#[tokio::test]
async fn a_proxy_error_page_is_reported_as_unexpected_with_a_snippet() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/Rooms"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>Bad Gateway</html>"))
        .mount(&server)
        .await;

    let error = client_for(&server.uri(), Duration::from_secs(5)).rooms().list().send().await.unwrap_err();
    match error {
        TwilioError::UnexpectedResponse { status, detail, .. } => {
            assert_eq!(status, 502);
            assert!(detail.contains("Bad Gateway"), "{detail}");
        }
        other => panic!("expected UnexpectedResponse, got {other:?}"),
    }
}

#[tokio::test]
async fn a_refused_connection_is_unreachable() {
    // Bind, learn the port, close: nothing listens there any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let error = client_for(&format!("http://127.0.0.1:{port}"), Duration::from_secs(5))
        .rooms()
        .list()
        .send()
        .await
        .unwrap_err();
    assert!(error.is_unreachable(), "{error:?}");
    assert!(matches!(&error, TwilioError::Unreachable { host, .. } if host == &format!("127.0.0.1:{port}")));
    assert!(!error.to_string().contains(KEY_SECRET));
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/Rooms"))
        .respond_with(ResponseTemplate::new(200).set_body_json(one_room_page()).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;

    let error = client_for(&server.uri(), Duration::from_millis(300)).rooms().list().send().await.unwrap_err();
    assert!(matches!(error, TwilioError::Timeout { .. }), "{error:?}");
    assert!(error.is_unreachable());
}
