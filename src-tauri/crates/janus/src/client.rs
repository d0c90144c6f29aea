use std::{
    fmt,
    sync::Arc,
    time::{Duration, Instant},
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use reqwest::redirect;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use tokio::sync::Mutex;
use tracing::debug;
use url::Url;
use visitdesk_http::{host_of, join_path, transport_cause};
use visitdesk_secrets::Sensitive;

use crate::{
    JanusError,
    decode::{Envelope, created_id, decode_answer, decode_videoroom},
    token::{CORE_REALM, VIDEOROOM_PLUGIN, mint_core_token, mint_room_token, unix_now, validate_secret},
    videoroom::VideoRoomHandler,
};

/// Limit for one request, from sending to the last byte of the answer.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Limit for opening a connection (never more than the request limit).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the core tokens the client signs for itself stay valid.
pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(5 * 60);

/// A Janus session with the VideoRoom plugin attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PluginHandle {
    session: u64,
    handle: u64,
}

/// A client for one Janus server's HTTP API (`http://host:8088/janus`). It keeps one session
/// with VideoRoom attached, shared by its clones, and makes a new one when Janus has
/// dropped it (idle `session_timeout`, restart). Janus drops an unused session on its own;
/// [`JanusClient::close`] ends it at once.
#[derive(Clone)]
pub struct JanusClient {
    http: reqwest::Client,
    base: Url,
    host: String,
    timeout: Duration,
    connect_timeout: Duration,
    admin_key: Option<Sensitive<String>>,
    token_auth_secret: Option<Sensitive<String>>,
    api_secret: Option<Sensitive<String>>,
    token_ttl: Duration,
    cached: Arc<Mutex<Option<PluginHandle>>>,
}

impl fmt::Debug for JanusClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JanusClient")
            .field("base", &self.base.as_str())
            .field("timeout", &self.timeout)
            .field("admin_key", &self.admin_key)
            .field("token_auth_secret", &self.token_auth_secret)
            .field("api_secret", &self.api_secret)
            .field("token_ttl", &self.token_ttl)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
pub struct JanusClientBuilder {
    base: Url,
    timeout: Duration,
    connect_timeout: Duration,
    admin_key: Option<Sensitive<String>>,
    token_auth_secret: Option<Sensitive<String>>,
    api_secret: Option<Sensitive<String>>,
    token_ttl: Duration,
}

impl JanusClientBuilder {
    /// Limit for one request ([`DEFAULT_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Limit for opening a connection ([`DEFAULT_CONNECT_TIMEOUT`]).
    pub fn connect_timeout(mut self, connect_timeout: Duration) -> Self {
        self.connect_timeout = connect_timeout;
        self
    }

    /// VideoRoom's `admin_key`, needed to create rooms when Janus sets one.
    pub fn admin_key(mut self, admin_key: Sensitive<String>) -> Self {
        self.admin_key = Some(admin_key);
        self
    }

    /// Janus's `token_auth_secret`: the client signs a core token for every request, and
    /// [`JanusClient::join_tokens`] signs tokens for participants.
    pub fn token_auth_secret(mut self, secret: Sensitive<String>) -> Self {
        self.token_auth_secret = Some(secret);
        self
    }

    /// Janus's `api_secret`, when it sets one.
    pub fn api_secret(mut self, api_secret: Sensitive<String>) -> Self {
        self.api_secret = Some(api_secret);
        self
    }

    /// Lifetime of the client's own core tokens ([`DEFAULT_TOKEN_TTL`]).
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }

    pub fn build(self) -> Result<JanusClient, JanusError> {
        let base = &self.base;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() || base.host_str().is_none() {
            return Err(JanusError::InvalidInput(format!("The Janus address {base} is not an http(s) address.")));
        }
        if self.token_ttl < Duration::from_secs(1) {
            return Err(JanusError::InvalidInput("Janus tokens must live at least one second.".to_string()));
        }
        if let Some(secret) = &self.token_auth_secret {
            validate_secret(secret)?;
        }
        // reqwest is built without a bundled crypto provider; ring is ours (https Janus).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let connect_timeout = self.connect_timeout.min(self.timeout);
        let host = host_of(base);
        let http = reqwest::Client::builder()
            .user_agent(concat!("VisitDesk/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(connect_timeout)
            .timeout(self.timeout)
            .redirect(redirect::Policy::none())
            .build()
            .map_err(|error| JanusError::Unreachable {
                host: host.clone(),
                detail: format!("the HTTP client could not start: {error}"),
            })?;
        Ok(JanusClient {
            http,
            base: self.base,
            host,
            timeout: self.timeout,
            connect_timeout,
            admin_key: self.admin_key,
            token_auth_secret: self.token_auth_secret,
            api_secret: self.api_secret,
            token_ttl: self.token_ttl,
            cached: Arc::new(Mutex::new(None)),
        })
    }
}

/// What Janus says about itself (`GET /janus/info`, open without a token).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ServerInfo {
    pub name: String,
    /// e.g. 1102 for 1.1.2.
    pub version: u64,
    pub version_string: String,
    #[serde(default)]
    pub api_secret: bool,
    #[serde(default)]
    pub auth_token: bool,
    /// Package names of the loaded plugins.
    #[serde(default, deserialize_with = "object_keys")]
    pub plugins: Vec<String>,
}

fn object_keys<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::Object(map) => map.keys().cloned().collect(),
        _ => Vec::new(),
    })
}

/// What a participant's browser needs to join one room: a core token (create a session,
/// attach VideoRoom) and the room's join token, both valid until `expires_at`.
#[derive(Debug, Clone)]
pub struct JoinTokens {
    pub core: Sensitive<String>,
    pub room: Sensitive<String>,
    /// Unix seconds.
    pub expires_at: u64,
}

impl JanusClient {
    /// `base` is the HTTP transport's address, e.g. `http://127.0.0.1:8088/janus`.
    pub fn builder(base: Url) -> JanusClientBuilder {
        JanusClientBuilder {
            base,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            admin_key: None,
            token_auth_secret: None,
            api_secret: None,
            token_ttl: DEFAULT_TOKEN_TTL,
        }
    }

    /// The VideoRoom plugin.
    pub fn videoroom(&self) -> VideoRoomHandler<'_> {
        VideoRoomHandler::new(self)
    }

    pub(crate) fn admin_key(&self) -> Option<&Sensitive<String>> {
        self.admin_key.as_ref()
    }

    /// `GET /janus/info`.
    pub async fn server_info(&self) -> Result<ServerInfo, JanusError> {
        let url = join_path(&self.base, ["info"]);
        debug!(operation = "info", host = %self.host, "Janus request");
        let started = Instant::now();
        let response = self.http.get(url).send().await.map_err(|error| self.transport_error(&error, started))?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(|error| self.transport_error(&error, started))?;
        decode_answer(&self.host, status, &body, "server_info", None)?;
        serde_json::from_slice(&body).map_err(|error| JanusError::Decode {
            host: self.host.clone(),
            status,
            detail: format!("the server info is not as expected: {error}"),
        })
    }

    /// Tokens for one participant of `room_id` (created with signed tokens), valid for `ttl`.
    pub fn join_tokens(&self, room_id: u64, ttl: Duration) -> Result<JoinTokens, JanusError> {
        let Some(secret) = &self.token_auth_secret else {
            return Err(JanusError::InvalidInput("No Janus token_auth_secret is configured.".to_string()));
        };
        let expires_at = unix_now().saturating_add(ttl.as_secs());
        Ok(JoinTokens {
            core: mint_core_token(secret, CORE_REALM, &[VIDEOROOM_PLUGIN], expires_at)?,
            room: mint_room_token(secret, room_id, expires_at)?,
            expires_at,
        })
    }

    /// Sends one synchronous VideoRoom request on the cached session (made on first use)
    /// and decodes the `expected` answer. A session or handle Janus has dropped (458, 459)
    /// is made again and the request sent once more: Janus never saw it.
    pub(crate) async fn videoroom_request<T: serde::de::DeserializeOwned>(
        &self,
        operation: &'static str,
        body: Value,
        expected: &str,
    ) -> Result<T, JanusError> {
        let mut retried = false;
        loop {
            let handle = self.plugin_handle().await?;
            let mut message = Map::new();
            message.insert("janus".into(), "message".into());
            message.insert("body".into(), body.clone());
            let path = [handle.session.to_string(), handle.handle.to_string()];
            match self.post(operation, &path, message).await {
                Ok((status, envelope)) => return decode_videoroom(&self.host, status, envelope, expected),
                Err(error) if error.is_session_gone() && !retried => {
                    debug!(operation, host = %self.host, "Janus session gone; making a new one");
                    self.forget(handle).await;
                    retried = true;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// Ends the cached session, if any. Janus answering that it is already gone is fine.
    pub async fn close(&self) -> Result<(), JanusError> {
        let Some(handle) = self.cached.lock().await.take() else { return Ok(()) };
        let mut message = Map::new();
        message.insert("janus".into(), "destroy".into());
        match self.post("session.destroy", &[handle.session.to_string()], message).await {
            Err(error) if !error.is_session_gone() => Err(error),
            _ => Ok(()),
        }
    }

    async fn plugin_handle(&self) -> Result<PluginHandle, JanusError> {
        let mut cached = self.cached.lock().await;
        if let Some(handle) = *cached {
            return Ok(handle);
        }
        let mut create = Map::new();
        create.insert("janus".into(), "create".into());
        let (status, envelope) = self.post("session.create", &[], create).await?;
        let session = created_id(&self.host, status, &envelope)?;
        let mut attach = Map::new();
        attach.insert("janus".into(), "attach".into());
        attach.insert("plugin".into(), VIDEOROOM_PLUGIN.into());
        let (status, envelope) = self.post("session.attach", &[session.to_string()], attach).await?;
        let handle = PluginHandle { session, handle: created_id(&self.host, status, &envelope)? };
        *cached = Some(handle);
        Ok(handle)
    }

    async fn forget(&self, handle: PluginHandle) {
        let mut cached = self.cached.lock().await;
        if *cached == Some(handle) {
            *cached = None;
        }
    }

    /// POSTs one Janus API request with a new transaction and this client's credentials,
    /// and returns the `success` answer.
    async fn post(
        &self,
        operation: &'static str,
        path: &[String],
        mut request: Map<String, Value>,
    ) -> Result<(u16, Envelope), JanusError> {
        let transaction = random_text::<12>("Janus transaction id")?;
        request.insert("transaction".into(), Value::String(transaction.clone()));
        if let Some(secret) = &self.token_auth_secret {
            let expires_at = unix_now().saturating_add(self.token_ttl.as_secs());
            let token = mint_core_token(secret, CORE_REALM, &[VIDEOROOM_PLUGIN], expires_at)?;
            request.insert("token".into(), json!(token.expose()));
        }
        if let Some(api_secret) = &self.api_secret {
            request.insert("apisecret".into(), json!(api_secret.expose()));
        }
        let url = join_path(&self.base, path);
        debug!(operation, host = %self.host, "Janus request");
        let started = Instant::now();
        let response =
            self.http.post(url).json(&request).send().await.map_err(|error| self.transport_error(&error, started))?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(|error| self.transport_error(&error, started))?;
        let envelope = decode_answer(&self.host, status, &body, "success", Some(&transaction))?;
        Ok((status, envelope))
    }

    /// Sorts a failure by whether the request can have reached Janus.
    fn transport_error(&self, error: &reqwest::Error, started: Instant) -> JanusError {
        let host = self.host.clone();
        if error.is_connect() && error.is_timeout() {
            let detail = format!("no connection within {} s", self.connect_timeout.as_secs_f64());
            JanusError::Unreachable { host, detail }
        } else if error.is_connect() || error.is_builder() {
            JanusError::Unreachable { host, detail: transport_cause(error) }
        } else if error.is_timeout() {
            JanusError::Timeout { host, after: self.timeout, connection_closed: None }
        } else {
            JanusError::Timeout { host, after: started.elapsed(), connection_closed: Some(transport_cause(error)) }
        }
    }
}

/// `N` random bytes as URL-safe base64 text.
pub(crate) fn random_text<const N: usize>(what: &'static str) -> Result<String, JanusError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|error| JanusError::Random { what, detail: error.to_string() })?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(url: &str) -> Url {
        Url::parse(url).unwrap()
    }

    #[test]
    fn bad_settings_are_refused() {
        assert!(JanusClient::builder(base("mailto:a@example.org")).build().is_err());
        let error = JanusClient::builder(base("http://127.0.0.1:1/janus"))
            .token_auth_secret(Sensitive::new(String::new()))
            .build()
            .unwrap_err();
        assert_eq!(error.to_string(), "VisitDesk cannot make a Janus token: The Janus token secret is empty.");
        assert!(JanusClient::builder(base("http://127.0.0.1:1/janus")).token_ttl(Duration::ZERO).build().is_err());
    }

    #[test]
    fn debug_hides_secrets() {
        let client = JanusClient::builder(base("http://127.0.0.1:1/janus"))
            .admin_key(Sensitive::new("adminkeyvalue".into()))
            .token_auth_secret(Sensitive::new("tokensecretvalue".into()))
            .api_secret(Sensitive::new("apisecretvalue".into()))
            .build()
            .unwrap();
        let shown = format!("{client:?}");
        for secret in ["adminkeyvalue", "tokensecretvalue", "apisecretvalue"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("127.0.0.1:1/janus"), "{shown}");
    }

    #[test]
    fn join_tokens_name_the_room_and_share_an_expiry() {
        let client = JanusClient::builder(base("http://127.0.0.1:1/janus"))
            .token_auth_secret(Sensitive::new("s".into()))
            .build()
            .unwrap();
        let tokens = client.join_tokens(77, Duration::from_secs(600)).unwrap();
        let expiry = tokens.expires_at.to_string();
        assert!(tokens.core.expose().starts_with(&format!("{expiry},janus,janus.plugin.videoroom:")));
        assert!(tokens.room.expose().starts_with(&format!("{expiry},janus.plugin.videoroom,room=77:")));
        let unsigned = JanusClient::builder(base("http://127.0.0.1:1/janus")).build().unwrap();
        assert!(matches!(unsigned.join_tokens(77, Duration::from_secs(600)), Err(JanusError::InvalidInput(_))));
    }

    #[tokio::test]
    async fn a_closed_port_is_unreachable() {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let client = JanusClient::builder(base(&format!("http://127.0.0.1:{port}/janus"))).build().unwrap();
        let error = client.videoroom().exists(1).await.unwrap_err();
        assert!(matches!(&error, JanusError::Unreachable { .. }), "{error:?}");
        assert!(!error.outcome_unknown());
        assert!(error.to_string().starts_with(&format!("Cannot reach Janus at 127.0.0.1:{port}: ")), "{error}");
    }
}
