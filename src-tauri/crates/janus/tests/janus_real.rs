//! Against a real Janus (Debian's `janus`) on 127.0.0.1, started by `scripts/janus-test-server`
//! (the one home of the test Janus config: the HTTP transport and VideoRoom only, signed tokens
//! on). `cargo test -p visitdesk-janus -- --include-ignored`; without the binary these fail and
//! say so. `JANUS_BIN` and `JANUS_LIB_DIR` point the script at another build.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha1::Sha1;
use url::Url;
use visitdesk_janus::{JanusClient, JanusError, codes, mint_core_token, mint_room_token, videoroom::MAX_ID};
use visitdesk_secrets::Sensitive;

const TOKEN_SECRET: &str = "test-token-auth-secret";
const ADMIN_KEY: &str = "test-admin-key";
const VIDEOROOM: &str = "janus.plugin.videoroom";

fn launcher() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../scripts/janus-test-server")
}

/// One Janus process with its own config folder; killed on drop.
struct Janus {
    child: Child,
    dir: tempfile::TempDir,
    base: Url,
}

impl Janus {
    fn start() -> Self {
        Self::start_with_session_timeout(60)
    }

    fn start_with_session_timeout(session_timeout: u32) -> Self {
        // A port taken between the script's probe and Janus's bind: try again.
        for _ in 0..3 {
            if let Some(janus) = Self::try_start(session_timeout) {
                return janus;
            }
        }
        panic!("Janus did not start on a free loopback port in 3 tries");
    }

    fn try_start(session_timeout: u32) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(launcher())
            .arg("--dir")
            .arg(dir.path())
            .args(["--session-timeout", &session_timeout.to_string()])
            .env("VISITDESK_JANUS_TOKEN_SECRET", TOKEN_SECRET)
            .env("VISITDESK_JANUS_ADMIN_KEY", ADMIN_KEY)
            .env_remove("VISITDESK_JANUS_MEDIA_IFACE")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot run {} ({error})", launcher().display()));

        // The script prints `KEY=value` lines, then JANUS_READY (or JANUS_FAILED).
        let stdout = child.stdout.take().unwrap();
        let (lines, received) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut base = None;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match received.recv_timeout(left) {
                Ok(line) if line == "JANUS_READY" => break,
                Ok(line) => {
                    if let Some(url) = line.strip_prefix("JANUS_HTTP=") {
                        base = Some(Url::parse(url).unwrap());
                    }
                }
                // JANUS_FAILED was printed (with the log's tail, on stderr) and the script ended.
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return None;
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("{} printed no JANUS_READY within 20 s", launcher().display());
                }
            }
        }
        let base = base.expect("the launcher printed JANUS_HTTP before JANUS_READY");
        Some(Janus { child, dir, base })
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("janus.log")).unwrap_or_default()
    }

    fn client(&self) -> JanusClient {
        self.client_with(TOKEN_SECRET, Some(ADMIN_KEY))
    }

    fn client_with(&self, token_secret: &str, admin_key: Option<&str>) -> JanusClient {
        let mut builder = JanusClient::builder(self.base.clone())
            .timeout(Duration::from_secs(5))
            .token_auth_secret(Sensitive::new(token_secret.to_string()));
        if let Some(admin_key) = admin_key {
            builder = builder.admin_key(Sensitive::new(admin_key.to_string()));
        }
        builder.build().unwrap()
    }

    fn raw(&self) -> Raw {
        Raw { http: reqwest::Client::new(), base: self.base.to_string() }
    }
}

impl Drop for Janus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// Signs a token here, without the crate, for tokens the crate refuses to make (expired).
fn hand_signed(secret: &str, payload: &str) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(payload.as_bytes());
    format!("{payload}:{}", STANDARD.encode(mac.finalize().into_bytes()))
}

fn core_token() -> String {
    mint_core_token(&Sensitive::new(TOKEN_SECRET.into()), "janus", &[VIDEOROOM], unix_now() + 600)
        .unwrap()
        .expose()
        .clone()
}

/// A plain Janus HTTP client, as a participant's browser would use it.
struct Raw {
    http: reqwest::Client,
    base: String,
}

/// `(janus, error code)` of an answer.
fn kind_and_code(answer: &Value) -> (String, Option<i64>) {
    (answer["janus"].as_str().unwrap_or_default().to_string(), answer["error"]["code"].as_i64())
}

impl Raw {
    async fn post(&self, path: &str, mut request: Value, token: Option<&str>) -> Value {
        request["transaction"] = json!(format!("t{}", unix_now()));
        if let Some(token) = token {
            request["token"] = json!(token);
        }
        let response = self.http.post(format!("{}{path}", self.base)).json(&request).send().await.unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    async fn session(&self, token: Option<&str>) -> Value {
        self.post("", json!({"janus": "create"}), token).await
    }

    async fn attach(&self, session: u64, token: &str) -> Value {
        self.post(&format!("/{session}"), json!({"janus": "attach", "plugin": VIDEOROOM}), Some(token)).await
    }

    /// A session with VideoRoom attached: `(session, handle)`.
    async fn handle(&self, token: &str) -> (u64, u64) {
        let session = self.session(Some(token)).await["data"]["id"].as_u64().expect("a session id");
        let handle = self.attach(session, token).await["data"]["id"].as_u64().expect("a handle id");
        (session, handle)
    }

    /// `join` as a publisher that does not publish; returns VideoRoom's answer (`joined`
    /// or an error event), read from the session's long poll.
    async fn join(&self, core: &str, room: u64, room_token: Option<&str>, display: &str) -> Value {
        let (session, handle) = self.handle(core).await;
        let mut body = json!({"request": "join", "ptype": "publisher", "room": room, "display": display});
        if let Some(room_token) = room_token {
            body["token"] = json!(room_token);
        }
        let ack =
            self.post(&format!("/{session}/{handle}"), json!({"janus": "message", "body": body}), Some(core)).await;
        assert_eq!(ack["janus"], "ack", "{ack}");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let mut poll = Url::parse(&format!("{}/{session}", self.base)).unwrap();
            poll.query_pairs_mut().append_pair("maxev", "1").append_pair("token", core);
            let event: Value = self.http.get(poll).send().await.unwrap().json().await.unwrap();
            if event["janus"] == "event" && event["sender"] == json!(handle) {
                return event["plugindata"]["data"].clone();
            }
        }
        panic!("no answer to join within 10 s");
    }
}

fn plugin_code(error: &JanusError) -> i64 {
    match error {
        JanusError::Plugin { code, .. } => *code,
        other => panic!("expected a VideoRoom error, got {other:?}"),
    }
}

fn api_code(error: &JanusError) -> i64 {
    match error {
        JanusError::Api { code, .. } => *code,
        other => panic!("expected a Janus core error, got {other:?}"),
    }
}

#[tokio::test]
#[ignore = "needs the janus binary"]
async fn room_lifecycle() {
    let janus = Janus::start();
    let client = janus.client();
    let info = client.server_info().await.unwrap();
    assert!(info.auth_token, "{info:?}");
    assert_eq!(info.plugins, vec![VIDEOROOM.to_string()], "only VideoRoom is loaded");

    let room = client.videoroom().create().room_id(4242).description("Visit 42").publishers(2).send().await.unwrap();
    assert_eq!(room.room_id, 4242);
    assert_eq!(room.secret.expose().len(), 32);
    assert!(client.videoroom().exists(4242).await.unwrap());
    assert_eq!(client.videoroom().list_participants(4242).await.unwrap(), vec![]);

    let again = client.videoroom().create().room_id(4242).send().await.unwrap_err();
    assert!(again.is_room_exists(), "{again}");
    assert_eq!(plugin_code(&again), codes::VIDEOROOM_ROOM_EXISTS);

    let wrong = Sensitive::new("not-the-secret".to_string());
    let refused = client.videoroom().destroy(4242, &wrong).await.unwrap_err();
    assert_eq!(plugin_code(&refused), codes::VIDEOROOM_UNAUTHORIZED, "{refused}");
    assert_eq!(
        refused.to_string(),
        "The Janus VideoRoom plugin refused the request: Unauthorized (wrong secret) (VideoRoom error 433)"
    );
    assert!(client.videoroom().exists(4242).await.unwrap());

    client.videoroom().destroy(4242, &room.secret).await.unwrap();
    assert!(!client.videoroom().exists(4242).await.unwrap());
    let gone = client.videoroom().destroy(4242, &room.secret).await.unwrap_err();
    assert!(gone.is_no_such_room(), "{gone}");
    let gone = client.videoroom().list_participants(4242).await.unwrap_err();
    assert_eq!(plugin_code(&gone), codes::VIDEOROOM_NO_SUCH_ROOM);

    // Janus picks the id; it stays exact in JavaScript.
    let random = client.videoroom().create().send().await.unwrap();
    assert!((1..=MAX_ID).contains(&random.room_id), "{}", random.room_id);
    assert!(client.videoroom().exists(random.room_id).await.unwrap());

    // After close, the next request opens a new session.
    client.close().await.unwrap();
    client.videoroom().destroy(random.room_id, &random.secret).await.unwrap();
    assert!(!client.videoroom().exists(random.room_id).await.unwrap());
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the janus binary"]
async fn a_wrong_or_missing_admin_key_is_refused() {
    let janus = Janus::start();
    let wrong = janus.client_with(TOKEN_SECRET, Some("wrong-admin-key"));
    let error = wrong.videoroom().create().room_id(7).send().await.unwrap_err();
    assert_eq!(plugin_code(&error), codes::VIDEOROOM_UNAUTHORIZED);
    assert!(error.is_unauthorized());
    assert_eq!(
        error.to_string(),
        "The Janus VideoRoom plugin refused the request: Unauthorized (wrong admin_key) (VideoRoom error 433)"
    );

    let missing = janus.client_with(TOKEN_SECRET, None);
    let error = missing.videoroom().create().room_id(7).send().await.unwrap_err();
    assert_eq!(plugin_code(&error), codes::VIDEOROOM_MISSING_ELEMENT, "{error}");
    assert!(!janus.client().videoroom().exists(7).await.unwrap(), "no room was made");
}

#[tokio::test]
#[ignore = "needs the janus binary"]
async fn bad_core_tokens_are_refused() {
    let janus = Janus::start();

    // The client signing with the wrong secret.
    let error = janus.client_with("not-the-secret", Some(ADMIN_KEY)).videoroom().exists(1).await.unwrap_err();
    assert_eq!(api_code(&error), codes::UNAUTHORIZED);
    assert!(error.is_unauthorized());
    assert_eq!(
        error.to_string(),
        "Janus refused the request: Unauthorized request (wrong or missing secret/token) (Janus error 403)"
    );

    let raw = janus.raw();
    let future = unix_now() + 600;
    let expired = hand_signed(TOKEN_SECRET, &format!("{},janus,{VIDEOROOM}", unix_now() - 5));
    let forged = hand_signed("not-the-secret", &format!("{future},janus,{VIDEOROOM}"));
    let tampered = core_token().replacen(&future.to_string(), &(future + 1).to_string(), 1);
    let other_realm = hand_signed(TOKEN_SECRET, &format!("{future},janus.plugin.videoroom,{VIDEOROOM}"));
    for (what, token) in [
        ("expired", Some(expired.as_str())),
        ("forged", Some(&forged)),
        ("tampered", Some(&tampered)),
        ("other realm", Some(&other_realm)),
        ("missing", None),
    ] {
        let answer = raw.session(token).await;
        assert_eq!(kind_and_code(&answer), ("error".into(), Some(403)), "{what}: {answer}");
    }

    // A valid token that does not grant VideoRoom: the session opens, attaching is refused.
    let echotest_only = hand_signed(TOKEN_SECRET, &format!("{future},janus,janus.plugin.echotest"));
    let session = raw.session(Some(&echotest_only)).await["data"]["id"].as_u64().expect("a session");
    let answer = raw.attach(session, &echotest_only).await;
    assert_eq!(kind_and_code(&answer), ("error".into(), Some(405)), "{answer}");

    // The crate's own token, for contrast, is accepted.
    let answer = raw.session(Some(&core_token())).await;
    assert_eq!(answer["janus"], "success", "{answer}");
}

#[tokio::test]
#[ignore = "needs the janus binary"]
async fn room_tokens_admit_only_their_room() {
    let janus = Janus::start();
    let client = janus.client();
    let room = client.videoroom().create().room_id(5001).description("Visit").send().await.unwrap();
    client.videoroom().create().room_id(5002).send().await.unwrap();

    let raw = janus.raw();
    let core = core_token();
    let secret = Sensitive::new(TOKEN_SECRET.to_string());
    let future = unix_now() + 600;

    let refusals = [
        ("another room's", Some(mint_room_token(&secret, 5002, future).unwrap().expose().clone())),
        ("expired", Some(hand_signed(TOKEN_SECRET, &format!("{},{VIDEOROOM},room=5001", unix_now() - 5)))),
        ("forged", Some(hand_signed("not-the-secret", &format!("{future},{VIDEOROOM},room=5001")))),
        ("core realm", Some(hand_signed(TOKEN_SECRET, &format!("{future},janus,room=5001")))),
        ("missing", None),
    ];
    for (what, token) in refusals {
        let answer = raw.join(&core, 5001, token.as_deref(), "intruder").await;
        assert_eq!(answer["error_code"], json!(codes::VIDEOROOM_UNAUTHORIZED), "{what} token: {answer}");
        assert_eq!(answer["error"], "Unauthorized (wrong token)", "{what} token: {answer}");
    }
    assert_eq!(client.videoroom().list_participants(5001).await.unwrap(), vec![], "nobody got in");

    let token = mint_room_token(&secret, 5001, future).unwrap();
    let joined = raw.join(&core, 5001, Some(token.expose()), "Dr Who").await;
    assert_eq!(joined["videoroom"], "joined", "{joined}");
    assert_eq!(joined["description"], "Visit");
    let id = joined["id"].as_u64().unwrap();
    assert!(id <= MAX_ID);

    let listed = client.videoroom().list_participants(5001).await.unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!((listed[0].id, listed[0].display.as_deref(), listed[0].publisher), (id, Some("Dr Who"), false));

    let wrong = Sensitive::new("not-the-secret".to_string());
    let error = client.videoroom().kick(5001, &wrong, id).await.unwrap_err();
    assert_eq!(plugin_code(&error), codes::VIDEOROOM_UNAUTHORIZED);
    let error = client.videoroom().kick(5001, &room.secret, id + 1).await.unwrap_err();
    assert_eq!(plugin_code(&error), codes::VIDEOROOM_NO_SUCH_FEED, "{error}");
    client.videoroom().kick(5001, &room.secret, id).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !client.videoroom().list_participants(5001).await.unwrap().is_empty() {
        assert!(Instant::now() < deadline, "the kicked participant is still listed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
#[ignore = "needs the janus binary"]
async fn a_session_janus_dropped_is_made_again() {
    // Janus's watchdog checks sessions every 2 s; with a 1 s timeout an idle one goes in ~3 s.
    let janus = Janus::start_with_session_timeout(1);
    let client = janus.client();
    assert!(!client.videoroom().exists(9).await.unwrap());
    // A session opened after the client's last request: once Janus drops it, it has
    // dropped the client's too (one watchdog pass sees both).
    let raw = janus.raw();
    let witness = raw.session(Some(&core_token())).await["data"]["id"].as_u64().unwrap();
    let dropped = format!("Timeout expired for session {witness}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !janus.log().contains(&dropped) {
        assert!(Instant::now() < deadline, "Janus kept the idle session:\n{}", janus.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let answer = raw.post(&format!("/{witness}"), json!({"janus": "keepalive"}), Some(&core_token())).await;
    assert_eq!(kind_and_code(&answer), ("error".into(), Some(codes::SESSION_NOT_FOUND)), "{answer}");
    assert!(!client.videoroom().exists(9).await.unwrap(), "a new session replaced the dropped one");
}
