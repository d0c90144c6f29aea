use std::{
    fmt,
    time::{Duration, Instant},
};

use reqwest::{Method, header::RETRY_AFTER, redirect};
use serde::de::DeserializeOwned;
use tracing::{debug, warn};
use url::Url;
use visitdesk_http::{host_of, join_path, transport_cause};
use visitdesk_secrets::Sensitive;

use crate::{
    TwilioError,
    calls::CallsHandler,
    decode::decode_answer,
    messages::MessagesHandler,
    participants::ParticipantsHandler,
    published_tracks::PublishedTracksHandler,
    retry::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, Failure, Idempotency, RetryPolicy, parse_retry_after},
    rooms::RoomsHandler,
    subscribe_rules::SubscribeRulesHandler,
};

/// API Key credentials: the key SID is the HTTP Basic user, the secret its password. The
/// Account SID names the account in Api v2010 paths.
#[derive(Clone)]
pub struct ApiKeyAuth {
    pub account_sid: String,
    pub api_key_sid: String,
    pub api_key_secret: Sensitive<String>,
}

impl fmt::Debug for ApiKeyAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKeyAuth")
            .field("account_sid", &self.account_sid)
            .field("api_key_sid", &self.api_key_sid)
            .field("api_key_secret", &self.api_key_secret)
            .finish()
    }
}

/// Where each Twilio API lives. Tests point these at local servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrls {
    /// Video v1 (Rooms, Participants).
    pub video: Url,
    /// Api v2010 (Messages, Calls).
    pub api: Url,
}

impl Default for BaseUrls {
    fn default() -> Self {
        Self {
            video: Url::parse("https://video.twilio.com").expect("a valid URL"),
            api: Url::parse("https://api.twilio.com").expect("a valid URL"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct TwilioClient {
    http: reqwest::Client,
    auth: ApiKeyAuth,
    base: BaseUrls,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
}

#[derive(Debug)]
pub struct TwilioClientBuilder {
    auth: ApiKeyAuth,
    base: BaseUrls,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
}

impl TwilioClientBuilder {
    pub fn base_urls(mut self, base: BaseUrls) -> Self {
        self.base = base;
        self
    }

    /// Limit for one attempt, from sending to the last byte of the answer (15 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Limit for opening a connection (8 s, and never more than `timeout`).
    pub fn connect_timeout(mut self, connect_timeout: Duration) -> Self {
        self.connect_timeout = connect_timeout;
        self
    }

    /// How idempotent requests are retried ([`RetryPolicy::default`]).
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn build(self) -> Result<TwilioClient, TwilioError> {
        for base in [&self.base.video, &self.base.api] {
            if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() || base.host_str().is_none() {
                return Err(TwilioError::Unreachable {
                    host: base.to_string(),
                    detail: "not an http(s) address".to_string(),
                });
            }
        }
        // reqwest is built without a bundled crypto provider; ring is ours. A second
        // install (another client in the same process) is a harmless no-op.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let connect_timeout = self.connect_timeout.min(self.timeout);
        let http = reqwest::Client::builder()
            .user_agent(concat!("VisitDesk/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(connect_timeout)
            .timeout(self.timeout)
            // Twilio does not redirect; following one could turn a POST into a GET.
            .redirect(redirect::Policy::none())
            .build()
            .map_err(|error| TwilioError::Unreachable {
                host: host_of(&self.base.video),
                detail: format!("the HTTP client could not start: {error}"),
            })?;
        Ok(TwilioClient {
            http,
            auth: self.auth,
            base: self.base,
            timeout: self.timeout,
            connect_timeout,
            retry: self.retry,
        })
    }
}

/// Which of Twilio's APIs a request goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    Video,
    /// Api v2010, under `/2010-04-01/Accounts/{AccountSid}`.
    Account,
}

/// Form or query parameters, in order; a key may repeat (`VideoCodecs=VP8&VideoCodecs=H264`).
pub(crate) type Params = Vec<(&'static str, String)>;

/// One request, described so it can be sent again.
pub(crate) struct Request {
    /// Names the request in logs ("rooms.create"); URLs and bodies are never logged.
    pub operation: &'static str,
    pub api: Api,
    pub method: Method,
    /// Path segments after the API's base, each percent-encoded as needed.
    pub path: Vec<String>,
    pub query: Params,
    pub form: Option<Params>,
    pub idempotency: Idempotency,
}

struct Answer {
    status: u16,
    retry_after: Option<Duration>,
    body: Vec<u8>,
}

impl TwilioClient {
    pub fn builder(auth: ApiKeyAuth) -> TwilioClientBuilder {
        TwilioClientBuilder {
            auth,
            base: BaseUrls::default(),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            retry: RetryPolicy::default(),
        }
    }

    /// Video Rooms.
    pub fn rooms(&self) -> RoomsHandler<'_> {
        RoomsHandler::new(self)
    }

    /// The Participants of one Room (its SID, or its UniqueName while in progress).
    pub fn participants(&self, room_sid: impl Into<String>) -> ParticipantsHandler<'_> {
        ParticipantsHandler::new(self, room_sid.into())
    }

    /// The tracks one Participant of a Room publishes now.
    pub fn published_tracks(
        &self,
        room_sid: impl Into<String>,
        participant_sid: impl Into<String>,
    ) -> PublishedTracksHandler<'_> {
        PublishedTracksHandler::new(self, room_sid.into(), participant_sid.into())
    }

    /// The Subscribe Rules of one Participant of a Room: which tracks its client receives.
    pub fn subscribe_rules(
        &self,
        room_sid: impl Into<String>,
        participant_sid: impl Into<String>,
    ) -> SubscribeRulesHandler<'_> {
        SubscribeRulesHandler::new(self, room_sid.into(), participant_sid.into())
    }

    /// SMS.
    pub fn messages(&self) -> MessagesHandler<'_> {
        MessagesHandler::new(self)
    }

    /// Voice calls.
    pub fn calls(&self) -> CallsHandler<'_> {
        CallsHandler::new(self)
    }

    /// Sends a request, retrying it under the [`RetryPolicy`] if it is idempotent, and
    /// decodes Twilio's answer.
    pub(crate) async fn execute<T: DeserializeOwned>(&self, request: Request) -> Result<T, TwilioError> {
        let url = self.url_for(&request);
        let host = host_of(&url);
        let operation = request.operation;
        let mut attempt = 1;
        loop {
            debug!(operation, %host, attempt, "Twilio request");
            let (error, failure) = match self.send_once(&request, &url, &host).await {
                Ok(answer) => match decode_answer(host.clone(), answer.status, &answer.body) {
                    Ok(value) => return Ok(value),
                    Err(error) => (
                        with_retry_after(error, answer.retry_after),
                        Failure::Status { status: answer.status, retry_after: answer.retry_after },
                    ),
                },
                Err(error) => (error, Failure::NoAnswer),
            };
            let pause = match request.idempotency {
                Idempotency::Idempotent => self.retry.pause_after(attempt, failure),
                Idempotency::SendOnce => None,
            };
            let Some(pause) = pause else { return Err(error) };
            let pause_ms = pause.as_millis() as u64;
            warn!(operation, %host, attempt, pause_ms, %error, "retrying Twilio request");
            tokio::time::sleep(pause).await;
            attempt += 1;
        }
    }

    async fn send_once(&self, request: &Request, url: &Url, host: &str) -> Result<Answer, TwilioError> {
        let mut outgoing = self
            .http
            .request(request.method.clone(), url.clone())
            .basic_auth(&self.auth.api_key_sid, Some(self.auth.api_key_secret.expose()));
        if !request.query.is_empty() {
            outgoing = outgoing.query(&request.query);
        }
        if let Some(form) = &request.form {
            outgoing = outgoing.form(form);
        }
        let started = Instant::now();
        let response = outgoing.send().await.map_err(|error| self.transport_error(host, &error, started))?;
        let status = response.status().as_u16();
        let retry_after =
            response.headers().get(RETRY_AFTER).and_then(|value| value.to_str().ok()).and_then(parse_retry_after);
        let body = response.bytes().await.map_err(|error| self.transport_error(host, &error, started))?;
        Ok(Answer { status, retry_after, body: body.to_vec() })
    }

    /// Sorts a failure by whether the request can have reached Twilio: a connection that
    /// never opened (DNS, refused, connect timeout, TLS) certainly did not.
    fn transport_error(&self, host: &str, error: &reqwest::Error, started: Instant) -> TwilioError {
        let host = host.to_string();
        if error.is_connect() && error.is_timeout() {
            let detail = format!("no connection within {} s", self.connect_timeout.as_secs_f64());
            TwilioError::Unreachable { host, detail }
        } else if error.is_connect() || error.is_builder() {
            TwilioError::Unreachable { host, detail: transport_cause(error) }
        } else if error.is_timeout() {
            TwilioError::Timeout { host, after: self.timeout, connection_closed: None }
        } else {
            TwilioError::Timeout { host, after: started.elapsed(), connection_closed: Some(transport_cause(error)) }
        }
    }

    fn url_for(&self, request: &Request) -> Url {
        match request.api {
            Api::Video => join_path(&self.base.video, request.path.iter().map(String::as_str)),
            Api::Account => join_path(
                &self.base.api,
                ["2010-04-01", "Accounts", self.auth.account_sid.as_str()]
                    .into_iter()
                    .chain(request.path.iter().map(String::as_str)),
            ),
        }
    }
}

fn with_retry_after(error: TwilioError, asked: Option<Duration>) -> TwilioError {
    match error {
        TwilioError::Api { status, error, .. } => TwilioError::Api { status, error, retry_after: asked },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_paths_carry_the_account_sid() {
        let client = TwilioClient::builder(ApiKeyAuth {
            account_sid: "AC0123".into(),
            api_key_sid: "SK0123".into(),
            api_key_secret: Sensitive::new("s".into()),
        })
        .build()
        .unwrap();
        let request = Request {
            operation: "messages.fetch",
            api: Api::Account,
            method: Method::GET,
            path: vec!["Messages".into(), "SM1.json".into()],
            query: Vec::new(),
            form: None,
            idempotency: Idempotency::Idempotent,
        };
        assert_eq!(
            client.url_for(&request).as_str(),
            "https://api.twilio.com/2010-04-01/Accounts/AC0123/Messages/SM1.json"
        );
    }

    #[test]
    fn auth_debug_hides_the_secret() {
        let auth = ApiKeyAuth {
            account_sid: "AC0123".into(),
            api_key_sid: "SK0123".into(),
            api_key_secret: Sensitive::new("topsecretvalue".into()),
        };
        let shown = format!("{auth:?}");
        assert!(shown.contains("SK0123") && shown.contains("AC0123") && !shown.contains("topsecretvalue"), "{shown}");
    }

    #[test]
    fn a_base_url_that_is_not_http_is_refused() {
        let auth = ApiKeyAuth {
            account_sid: "AC0123".into(),
            api_key_sid: "SK0123".into(),
            api_key_secret: Sensitive::new("s".into()),
        };
        let base = BaseUrls { api: Url::parse("mailto:someone@example.org").unwrap(), ..BaseUrls::default() };
        assert!(TwilioClient::builder(auth).base_urls(base).build().is_err());
    }
}
