//! Janus's answers into typed values or [`JanusError`]s. Pure and total: any status and
//! any bytes give a value or an error, never a panic.

use serde::{Deserialize, de::DeserializeOwned};
use serde_json::Value;
use visitdesk_http::body_snippet;

use crate::{JanusError, token::VIDEOROOM_PLUGIN};

/// The parts of a Janus API answer this client reads.
#[derive(Debug, Deserialize)]
pub(crate) struct Envelope {
    pub janus: String,
    #[serde(default)]
    pub transaction: Option<String>,
    #[serde(default)]
    pub data: Option<Value>,
    #[serde(default)]
    pub plugindata: Option<PluginData>,
    #[serde(default)]
    error: Option<CoreError>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct PluginData {
    pub plugin: String,
    pub data: Value,
}

#[derive(Debug, Deserialize)]
struct CoreError {
    code: i64,
    #[serde(default)]
    reason: String,
}

/// One HTTP answer: a core error becomes [`JanusError::Api`]; anything but a `kind` answer
/// (`success`, `server_info`) to our `transaction` is [`JanusError::Decode`].
pub(crate) fn decode_answer(
    host: &str,
    status: u16,
    body: &[u8],
    kind: &str,
    transaction: Option<&str>,
) -> Result<Envelope, JanusError> {
    let decode = |detail: String| JanusError::Decode { host: host.to_string(), status, detail };
    if !(200..300).contains(&status) {
        return Err(decode(body_snippet(body)));
    }
    let envelope: Envelope =
        serde_json::from_slice(body).map_err(|error| decode(format!("the body is not a Janus answer: {error}")))?;
    if envelope.janus == "error" {
        return match envelope.error {
            Some(CoreError { code, reason }) => Err(JanusError::Api { code, reason }),
            None => Err(decode("an error answer without an error code".to_string())),
        };
    }
    if let Some(sent) = transaction
        && envelope.transaction.as_deref() != Some(sent)
    {
        return Err(decode("the answer is for another transaction".to_string()));
    }
    if envelope.janus != kind {
        return Err(decode(format!("expected a {kind:?} answer, got {:?}", envelope.janus)));
    }
    Ok(envelope)
}

/// The `id` in `data` of a `create` or `attach` answer.
pub(crate) fn created_id(host: &str, status: u16, envelope: &Envelope) -> Result<u64, JanusError> {
    envelope.data.as_ref().and_then(|data| data.get("id")).and_then(Value::as_u64).ok_or_else(|| JanusError::Decode {
        host: host.to_string(),
        status,
        detail: "the answer has no numeric data.id".to_string(),
    })
}

/// A synchronous VideoRoom answer: `error_code` becomes [`JanusError::Plugin`]; otherwise
/// `data.videoroom` must be `expected` and the rest decodes into `T`.
pub(crate) fn decode_videoroom<T: DeserializeOwned>(
    host: &str,
    status: u16,
    envelope: Envelope,
    expected: &str,
) -> Result<T, JanusError> {
    let decode = |detail: String| JanusError::Decode { host: host.to_string(), status, detail };
    let Some(PluginData { plugin, data }) = envelope.plugindata else {
        return Err(decode("a success answer without plugindata".to_string()));
    };
    if plugin != VIDEOROOM_PLUGIN {
        return Err(decode(format!("an answer from plugin {plugin:?}")));
    }
    if let Some(code) = data.get("error_code") {
        let code = code.as_i64().ok_or_else(|| decode("a non-numeric error_code".to_string()))?;
        let reason = data.get("error").and_then(Value::as_str).unwrap_or_default().to_string();
        return Err(JanusError::Plugin { code, reason });
    }
    match data.get("videoroom").and_then(Value::as_str) {
        Some(kind) if kind == expected => {}
        other => return Err(decode(format!("expected videoroom {expected:?}, got {other:?}"))),
    }
    serde_json::from_value(data).map_err(|error| decode(format!("the VideoRoom answer is not as expected: {error}")))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Exists {
        room: u64,
        exists: bool,
    }

    fn success(data: &str) -> Vec<u8> {
        format!(
            r#"{{"janus":"success","session_id":1,"transaction":"t","sender":2,
                 "plugindata":{{"plugin":"janus.plugin.videoroom","data":{data}}}}}"#
        )
        .into_bytes()
    }

    fn videoroom<T: DeserializeOwned>(body: &[u8], expected: &str) -> Result<T, JanusError> {
        let envelope = decode_answer("h", 200, body, "success", Some("t"))?;
        decode_videoroom("h", 200, envelope, expected)
    }

    #[test]
    fn core_errors_carry_janus_code_and_reason() {
        let body = br#"{"janus":"error","transaction":"t","error":{"code":403,"reason":"Unauthorized request (wrong or missing secret/token)"}}"#;
        let error = decode_answer("h", 200, body, "success", Some("t")).unwrap_err();
        assert!(
            matches!(&error, JanusError::Api { code: 403, reason } if reason.starts_with("Unauthorized request")),
            "{error:?}"
        );
        // A core error for another transaction is still the core's error (e.g. 458 without one).
        let body = br#"{"janus":"error","session_id":9,"error":{"code":458,"reason":"No such session 9"}}"#;
        assert!(decode_answer("h", 200, body, "success", Some("t")).unwrap_err().is_session_gone());
    }

    #[test]
    fn plugin_errors_carry_videoroom_code_and_reason() {
        let body = success(r#"{"videoroom":"event","error_code":433,"error":"Unauthorized (wrong admin_key)"}"#);
        let error = videoroom::<Exists>(&body, "created").unwrap_err();
        assert!(
            matches!(&error, JanusError::Plugin { code: 433, reason } if reason == "Unauthorized (wrong admin_key)"),
            "{error:?}"
        );
    }

    #[test]
    fn typed_answers_decode() {
        let body = success(r#"{"videoroom":"success","room":4242,"exists":true}"#);
        assert_eq!(videoroom::<Exists>(&body, "success").unwrap(), Exists { room: 4242, exists: true });
    }

    #[test]
    fn anything_else_is_a_decode_error() {
        let cases: Vec<(u16, Vec<u8>, &str)> = vec![
            (404, Vec::new(), "an empty body"),
            (502, b"<html>Bad gateway</html>".to_vec(), "<html>Bad gateway"),
            (200, b"not json".to_vec(), "not a Janus answer"),
            (200, br#"{"janus":"ack","transaction":"t"}"#.to_vec(), r#"got "ack""#),
            (200, br#"{"janus":"success","transaction":"other"}"#.to_vec(), "another transaction"),
            (200, br#"{"janus":"error","transaction":"t"}"#.to_vec(), "without an error code"),
            (200, br#"{"janus":"success","transaction":"t"}"#.to_vec(), "without plugindata"),
            (200, success(r#"{"videoroom":"created","room":1}"#), r#"expected videoroom "success""#),
            (200, success(r#"{"videoroom":"success","room":"x","exists":true}"#), "not as expected"),
            (200, success(r#"{"videoroom":"event","error_code":"433"}"#), "non-numeric error_code"),
        ];
        for (status, body, expected) in cases {
            let result = decode_answer("h", status, &body, "success", Some("t"))
                .and_then(|envelope| decode_videoroom::<Exists>("h", status, envelope, "success"));
            match result {
                Err(JanusError::Decode { status: got, detail, .. }) => {
                    assert_eq!(got, status);
                    assert!(detail.contains(expected), "{detail:?} should contain {expected:?}");
                }
                other => panic!("expected a decode error for {:?}, got {other:?}", String::from_utf8_lossy(&body)),
            }
        }
    }

    #[test]
    fn created_ids() {
        let body = br#"{"janus":"success","transaction":"t","data":{"id":1072434304938946}}"#;
        let envelope = decode_answer("h", 200, body, "success", Some("t")).unwrap();
        assert_eq!(created_id("h", 200, &envelope).unwrap(), 1_072_434_304_938_946);
        let body = br#"{"janus":"success","transaction":"t","data":{"id":"1"}}"#;
        let envelope = decode_answer("h", 200, body, "success", Some("t")).unwrap();
        assert!(matches!(created_id("h", 200, &envelope), Err(JanusError::Decode { .. })));
    }
}
