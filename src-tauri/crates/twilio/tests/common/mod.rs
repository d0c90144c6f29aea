#![allow(dead_code)]

use std::time::Duration;

use url::Url;
use visitdesk_secrets::Sensitive;
use visitdesk_twilio::{ApiKeyAuth, BaseUrls, RetryPolicy, TwilioClient};

pub const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
pub const KEY_SID: &str = "SK0123456789abcdef0123456789abcdef";
pub const KEY_SECRET: &str = "abcdefghijklmnopqrstuvwxyz012345";
pub const ROOM_SID: &str = "RM0123456789abcdef0123456789abcdef";
pub const PARTICIPANT_SID: &str = "PA0123456789abcdef0123456789abcdef";
pub const MESSAGE_SID: &str = "SM0123456789abcdef0123456789abcdef";
pub const SERVICE_SID: &str = "MG0123456789abcdef0123456789abcdef";
pub const CALL_SID: &str = "CA0123456789abcdef0123456789abcdef";

pub fn auth() -> ApiKeyAuth {
    ApiKeyAuth {
        account_sid: ACCOUNT_SID.into(),
        api_key_sid: KEY_SID.into(),
        api_key_secret: Sensitive::new(KEY_SECRET.into()),
    }
}

/// Video and Api v2010 at their own addresses, retrying as `retry` says.
pub fn client_at(video: &str, api: &str, timeout: Duration, retry: RetryPolicy) -> TwilioClient {
    TwilioClient::builder(auth())
        .base_urls(BaseUrls { video: Url::parse(video).unwrap(), api: Url::parse(api).unwrap() })
        .timeout(timeout)
        .retry_policy(retry)
        .build()
        .unwrap()
}

/// Both APIs on one mock server, each request sent once.
pub fn client_for(base: &str, timeout: Duration) -> TwilioClient {
    client_at(base, base, timeout, RetryPolicy::no_retries())
}

/// Three attempts with short pauses, so fault tests stay fast.
pub fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(100),
        max_retry_after: Duration::from_secs(5),
    }
}

pub fn account_path(rest: &str) -> String {
    format!("/2010-04-01/Accounts/{ACCOUNT_SID}/{rest}")
}

/// A request's form body as (key, value) pairs, in the order sent.
pub fn form_of(request: &wiremock::Request) -> Vec<(String, String)> {
    url::form_urlencoded::parse(&request.body).into_owned().collect()
}

pub fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(key, value)| (key.to_string(), value.to_string())).collect()
}

/// `Authorization: Basic …` for the test key, encoded here so the test does not trust
/// the client's encoder.
pub fn basic_auth_header() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{KEY_SID}:{KEY_SECRET}");
    let mut out = String::from("Basic ");
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
    out
}

/// An address where nothing listens: bind, learn the port, close.
pub fn refused_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    format!("http://127.0.0.1:{port}")
}

pub fn room_json(status: &str) -> serde_json::Value {
    serde_json::json!({
        "sid": ROOM_SID,
        "account_sid": ACCOUNT_SID,
        "unique_name": "vd-3f9a1c",
        "status": status,
        "type": "group",
        "max_participants": 4,
        "video_codecs": ["VP8"],
        "empty_room_timeout": 5,
        "unused_room_timeout": 10,
        "record_participants_on_connect": false,
        "date_created": "2026-04-14T09:00:00Z",
        "end_time": null,
        "duration": null
    })
}

pub fn room_page() -> serde_json::Value {
    serde_json::json!({
        "rooms": [room_json("in-progress")],
        "meta": { "page": 0, "page_size": 1, "next_page_url": null }
    })
}

/// A Message as Twilio returns it, recipient and text included.
pub fn message_json(status: &str) -> serde_json::Value {
    serde_json::json!({
        "account_sid": ACCOUNT_SID,
        "api_version": "2010-04-01",
        "body": "Your video visit with Dr. Ruiz starts at 10:30",
        "date_created": "Thu, 24 Aug 2023 05:01:45 +0000",
        "date_sent": null,
        "date_updated": "Thu, 24 Aug 2023 05:01:45 +0000",
        "direction": "outbound-api",
        "error_code": null,
        "error_message": null,
        "from": "+15017122661",
        "messaging_service_sid": null,
        "num_media": "0",
        "num_segments": "1",
        "price": null,
        "price_unit": "USD",
        "sid": MESSAGE_SID,
        "status": status,
        "to": "+15558675310",
        "uri": format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{MESSAGE_SID}.json")
    })
}

pub fn twilio_error(status: u16, code: u32, message: &str) -> serde_json::Value {
    serde_json::json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status
    })
}
