//! The core's access tokens against Twilio's official helper library (npm `twilio`):
//! same inputs, same header and claims key by key; a standard JWT verifier (npm
//! `jsonwebtoken`) accepts ours with the secret and rejects it with a wrong one.
//! Needs Node and `ui/node_modules` (scripts/test installs both).

use std::{
    io::Write,
    path::PathBuf,
    process::{Command, Stdio},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use visitdesk_secrets::Sensitive;
use visitdesk_twilio::access_token::AccessToken;

const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
const KEY_SID: &str = "SK0123456789abcdef0123456789abcdef";
const SECRET: &str = "abcdefghijklmnopqrstuvwxyz012345";

struct Case {
    identity: &'static str,
    room: Option<&'static str>,
    ttl_secs: u64,
    nbf: Option<u64>,
}

fn oracle_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../ui/oracle/access-token.mjs")
}

fn ask_oracle(case: &Case, core_token: &str) -> Value {
    let mut input = json!({
        "accountSid": ACCOUNT_SID, "apiKeySid": KEY_SID, "secret": SECRET,
        "wrongSecret": "not-the-secret-0123456789abcdefgh",
        "identity": case.identity, "ttl": case.ttl_secs, "coreToken": core_token,
    });
    if let Some(room) = case.room {
        input["room"] = json!(room);
    }
    if let Some(nbf) = case.nbf {
        input["nbf"] = json!(nbf);
    }
    let mut child = Command::new("node")
        .arg(oracle_script())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs (install Node 20+)");
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "oracle failed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

fn decode(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// The time-derived claims must have the library's shape; the values differ by the clock.
fn check_time_claims(payload: &mut Value, ttl: u64, who: &str) {
    let iat = payload["iat"].as_u64().unwrap_or_else(|| panic!("{who}: iat is not a number: {payload}"));
    assert!(iat.abs_diff(unix_now()) <= 10, "{who}: iat {iat} is not now");
    assert_eq!(payload["exp"].as_u64(), Some(iat + ttl), "{who}: exp is not iat + ttl");
    assert_eq!(payload["jti"], json!(format!("{KEY_SID}-{iat}")), "{who}: jti is not <key SID>-<iat>");
    for claim in ["iat", "exp", "jti"] {
        payload.as_object_mut().unwrap().remove(claim);
    }
}

fn check(case: Case) {
    let mut token = AccessToken::video(ACCOUNT_SID, KEY_SID, case.identity).ttl(Duration::from_secs(case.ttl_secs));
    if let Some(room) = case.room {
        token = token.room(room);
    }
    if let Some(nbf) = case.nbf {
        token = token.not_before(nbf);
    }
    let jwt = token.to_jwt(&Sensitive::new(SECRET.to_string())).unwrap();
    let parts: Vec<&str> = jwt.expose().split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT has three parts");
    let oracle = ask_oracle(&case, jwt.expose());

    assert_eq!(decode(parts[0]), oracle["header"], "header differs from the library's");
    let mut ours = decode(parts[1]);
    let mut theirs = oracle["payload"].clone();
    check_time_claims(&mut ours, case.ttl_secs, "core");
    check_time_claims(&mut theirs, case.ttl_secs, "library");
    let ours_keys: Vec<_> = ours.as_object().unwrap().keys().cloned().collect();
    let theirs_keys: Vec<_> = theirs.as_object().unwrap().keys().cloned().collect();
    assert_eq!(ours_keys, theirs_keys, "claim names differ");
    for key in ours_keys {
        assert_eq!(ours[&key], theirs[&key], "claim {key} differs from the library's");
    }

    assert_eq!(oracle["withSecret"], json!("accepted"), "jsonwebtoken must accept the core's token");
    let wrong = oracle["withWrongSecret"].as_str().unwrap();
    assert!(wrong.starts_with("rejected: invalid signature"), "a wrong secret must fail: {wrong}");
}

#[test]
#[ignore = "needs Node and ui/node_modules (npm twilio, jsonwebtoken); run through scripts/test"]
fn provider_token_matches_twilios_library() {
    check(Case { identity: "dr-rivera", room: Some("vd-7f3a9c2e5b1d4e6f"), ttl_secs: 4 * 3600, nbf: None });
}

#[test]
#[ignore = "needs Node and ui/node_modules (npm twilio, jsonwebtoken); run through scripts/test"]
fn guest_token_scoped_to_a_room_sid_matches_twilios_library() {
    check(Case {
        identity: "interpreter-5e0c1a7f",
        room: Some("RM0123456789abcdef0123456789abcdef"),
        ttl_secs: 24 * 3600,
        nbf: Some(unix_now() - 60),
    });
}

#[test]
#[ignore = "needs Node and ui/node_modules (npm twilio, jsonwebtoken); run through scripts/test"]
fn roomless_token_with_unicode_identity_matches_twilios_library() {
    check(Case { identity: "family-José Ñúñez", room: None, ttl_secs: 60, nbf: None });
}
