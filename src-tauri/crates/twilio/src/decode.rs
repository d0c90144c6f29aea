//! Turning Twilio's answers into typed values or [`TwilioError`]s, and lenient field
//! decoders so a new enum value or a number sent as a string never fails a whole answer.

use serde::{Deserialize, Deserializer, de::DeserializeOwned};

use visitdesk_http::body_snippet;

use crate::{TwilioApiError, TwilioError};

/// Decodes one answer: a 2xx body into `T`, anything else into Twilio's error (or
/// [`TwilioError::UnexpectedResponse`] when it is not Twilio's format). Pure and total:
/// any status and any bytes give a value or an error, never a panic. The error's `host`
/// is left empty; the client fills it in.
pub fn decode_body<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<T, TwilioError> {
    decode_answer(String::new(), status, body)
}

pub(crate) fn decode_answer<T: DeserializeOwned>(host: String, status: u16, body: &[u8]) -> Result<T, TwilioError> {
    if (200..300).contains(&status) {
        // serde's message names a position, and at most the value of a field our types
        // read: never `body` or `to`, which they do not.
        return serde_json::from_slice(body).map_err(|error| TwilioError::UnexpectedResponse {
            host,
            status,
            detail: format!("the body is not what Twilio sends: {error}"),
        });
    }
    match serde_json::from_slice::<TwilioApiError>(body) {
        Ok(error) => Err(TwilioError::Api { status, error, retry_after: None }),
        Err(_) => Err(TwilioError::UnexpectedResponse { host, status, detail: body_snippet(body) }),
    }
}

/// Any field where an unknown enum value, a wrong type or `null` decode as `None`.
pub(crate) fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(serde_json::from_value(value).ok())
}

/// A count Twilio may send as a number or as a string ("1"); anything else is `None`.
pub(crate) fn lenient_u32<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    Ok(match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Number(number) => number.as_u64().and_then(|n| u32::try_from(n).ok()),
        serde_json::Value::String(text) => text.trim().parse().ok(),
        _ => None,
    })
}

/// Text Twilio may send as a string or a number (`price`, `num_segments`); `None` otherwise.
pub(crate) fn lenient_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::String(text) => Some(text),
        serde_json::Value::Number(number) => Some(number.to_string()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq, Eq)]
    #[serde(rename_all = "kebab-case")]
    enum Colour {
        Red,
    }

    #[derive(Debug, Deserialize)]
    struct Sample {
        #[serde(default, deserialize_with = "lenient")]
        colour: Option<Colour>,
        #[serde(default, deserialize_with = "lenient_u32")]
        count: Option<u32>,
        #[serde(default, deserialize_with = "lenient_string")]
        price: Option<String>,
    }

    #[test]
    fn lenient_fields_tolerate_what_twilio_might_send() {
        let sample: Sample = serde_json::from_str(r#"{"colour":"red","count":"3","price":-0.0075}"#).unwrap();
        assert_eq!(sample.colour, Some(Colour::Red));
        assert_eq!(sample.count, Some(3));
        assert_eq!(sample.price.as_deref(), Some("-0.0075"));
        let sample: Sample = serde_json::from_str(r#"{"colour":"ultraviolet","count":-1,"price":null}"#).unwrap();
        assert_eq!((sample.colour, sample.count, sample.price), (None, None, None));
        let sample: Sample = serde_json::from_str("{}").unwrap();
        assert_eq!((sample.colour, sample.count, sample.price), (None, None, None));
    }

    #[test]
    fn an_error_body_that_is_not_twilios_is_cut_short() {
        let page = "x".repeat(500);
        let Err(TwilioError::UnexpectedResponse { status, detail, .. }) = decode_body::<Sample>(502, page.as_bytes())
        else {
            panic!("expected UnexpectedResponse")
        };
        assert_eq!(status, 502);
        assert_eq!(detail.chars().count(), 161);
        assert!(detail.ends_with('…'));
    }
}
