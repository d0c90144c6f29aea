//! `decode_body` against arbitrary answers: any status and any bytes give a value or an
//! error, never a panic, and the error always matches the status.

use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use visitdesk_twilio::{
    TwilioError,
    calls::Call,
    decode_body,
    messages::{Message, MessageStatus},
    participants::{Participant, ParticipantPage},
    rooms::{Room, RoomPage, RoomStatus},
};

/// Field names our types and Twilio's errors read, so generated objects come close.
const KEYS: &[&str] = &[
    "sid",
    "status",
    "type",
    "rooms",
    "participants",
    "meta",
    "page",
    "page_size",
    "next_page_url",
    "unique_name",
    "max_participants",
    "video_codecs",
    "empty_room_timeout",
    "duration",
    "identity",
    "error_code",
    "error_message",
    "num_segments",
    "price",
    "date_created",
    "code",
    "message",
    "more_info",
];

const WORDS: &[&str] = &[
    "in-progress",
    "completed",
    "group",
    "VP8",
    "H264",
    "connected",
    "queued",
    "undelivered",
    "ringing",
    "RM0123456789abcdef0123456789abcdef",
    "1",
    "-0.00750",
    "",
    "\u{1F44D}",
];

const ROOM_STATUSES: &[&str] = &["in-progress", "completed", "failed", "paused"];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        prop::sample::select(WORDS).prop_map(|word| json!(word)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(prop::sample::select(KEYS).prop_map(str::to_string), inner, 0..8)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// JSON, sometimes cut short or with a byte flipped: almost-valid answers.
fn json_ish() -> impl Strategy<Value = Vec<u8>> {
    (json_value(), any::<prop::sample::Index>(), any::<u8>(), 0..3u8).prop_map(|(value, at, byte, damage)| {
        let mut text = serde_json::to_vec(&value).unwrap();
        match damage {
            0 => {}
            1 => text.truncate(at.index(text.len() + 1)),
            _ => {
                if !text.is_empty() {
                    let i = at.index(text.len());
                    text[i] = byte;
                }
            }
        }
        text
    })
}

fn check<T: DeserializeOwned + std::fmt::Debug>(status: u16, body: &[u8]) {
    let decoded = decode_body::<T>(status, body);
    let success = (200..300).contains(&status);
    match &decoded {
        Ok(_) => assert!(success, "a {status} decoded as a value"),
        Err(TwilioError::Api { status: got, .. }) => {
            assert!(!success, "a {status} decoded as Twilio's error");
            assert_eq!(*got, status);
        }
        Err(TwilioError::UnexpectedResponse { status: got, detail, .. }) => {
            assert_eq!(*got, status);
            assert!(!detail.is_empty());
        }
        Err(other) => panic!("decoding never yields a transport error: {other:?}"),
    }
    if let Err(error) = decoded {
        let _ = error.to_string();
        let _ = error.outcome_unknown();
    }
}

fn check_every_type(status: u16, body: &[u8]) {
    check::<Room>(status, body);
    check::<RoomPage>(status, body);
    check::<Participant>(status, body);
    check::<ParticipantPage>(status, body);
    check::<Message>(status, body);
    check::<Call>(status, body);
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(status in 100u16..600, body in prop::collection::vec(any::<u8>(), 0..512)) {
        check_every_type(status, &body);
    }

    #[test]
    fn json_ish_answers_never_panic(status in 100u16..600, body in json_ish()) {
        check_every_type(status, &body);
    }

    #[test]
    fn json_ish_answers_with_success_statuses_never_panic(status in 200u16..300, body in json_ish()) {
        check_every_type(status, &body);
    }

    #[test]
    fn any_twilio_error_body_keeps_its_code_and_message(
        status in 400u16..600,
        code in any::<u32>(),
        message in ".{0,40}",
    ) {
        let body = serde_json::to_vec(&json!({"code": code, "message": message, "more_info": null, "status": status})).unwrap();
        let error = decode_body::<Room>(status, &body).unwrap_err();
        prop_assert_eq!(error.twilio_code(), Some(code));
        prop_assert_eq!(&error.api_error().unwrap().message, &message);
    }

    #[test]
    fn a_room_with_any_sid_and_extra_fields_decodes_them(
        sid in ".{0,40}",
        status in prop::sample::select(ROOM_STATUSES),
        extra in json_value(),
    ) {
        let body = serde_json::to_vec(&json!({"sid": sid, "status": status, "unknown_field": extra})).unwrap();
        let room = decode_body::<Room>(200, &body).unwrap();
        prop_assert_eq!(&room.sid, &sid);
        let expected = match status {
            "in-progress" => Some(RoomStatus::InProgress),
            "completed" => Some(RoomStatus::Completed),
            "failed" => Some(RoomStatus::Failed),
            _ => None,
        };
        prop_assert_eq!(room.status, expected);
    }

    #[test]
    fn a_message_decodes_counts_sent_as_numbers_or_text(segments in any::<u32>(), code in any::<u32>(), as_text in any::<bool>()) {
        let (num_segments, error_code) =
            if as_text { (json!(segments.to_string()), json!(code.to_string())) } else { (json!(segments), json!(code)) };
        let body = serde_json::to_vec(&json!({
            "sid": "SM0123456789abcdef0123456789abcdef", "status": "failed",
            "num_segments": num_segments, "error_code": error_code
        })).unwrap();
        let message = decode_body::<Message>(201, &body).unwrap();
        prop_assert_eq!(message.num_segments, Some(segments.to_string()));
        prop_assert_eq!(message.error_code, Some(code));
        prop_assert_eq!(message.status, Some(MessageStatus::Failed));
    }
}
