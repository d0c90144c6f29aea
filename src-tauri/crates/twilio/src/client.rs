use std::{fmt, time::Duration};

use reqwest::{Method, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use url::Url;
use visitdesk_secrets::Sensitive;

use crate::{TwilioApiError, TwilioError, rooms::RoomsHandler};

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(8);

/// API Key credentials: the key SID is the HTTP Basic user, the secret its password.
#[derive(Clone)]
pub struct ApiKeyAuth {
    pub api_key_sid: String,
    pub api_key_secret: Sensitive<String>,
}

impl fmt::Debug for ApiKeyAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKeyAuth")
            .field("api_key_sid", &self.api_key_sid)
            .field("api_key_secret", &self.api_key_secret)
            .finish()
    }
}

/// Where each Twilio API lives. Tests point these at local servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrls {
    pub video: Url,
}

impl Default for BaseUrls {
    fn default() -> Self {
        Self { video: Url::parse("https://video.twilio.com").expect("a valid URL") }
    }
}

#[derive(Debug, Clone)]
pub struct TwilioClient {
    http: reqwest::Client,
    auth: ApiKeyAuth,
    base: BaseUrls,
    timeout: Duration,
}

pub struct TwilioClientBuilder {
    auth: ApiKeyAuth,
    base: BaseUrls,
    timeout: Duration,
}

impl TwilioClientBuilder {
    pub fn base_urls(mut self, base: BaseUrls) -> Self {
        self.base = base;
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn build(self) -> Result<TwilioClient, TwilioError> {
        // reqwest is built without a bundled crypto provider; ring is ours. A second
        // install (another client in the same process) is a harmless no-op.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .user_agent(concat!("VisitDesk/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(CONNECT_TIMEOUT.min(self.timeout))
            .timeout(self.timeout)
            .build()
            .map_err(|error| TwilioError::Unreachable {
                host: self.base.video.host_str().unwrap_or_default().to_string(),
                detail: format!("the HTTP client could not start: {error}"),
            })?;
        Ok(TwilioClient { http, auth: self.auth, base: self.base, timeout: self.timeout })
    }
}

impl TwilioClient {
    pub fn builder(auth: ApiKeyAuth) -> TwilioClientBuilder {
        TwilioClientBuilder { auth, base: BaseUrls::default(), timeout: DEFAULT_TIMEOUT }
    }

    pub fn rooms(&self) -> RoomsHandler<'_> {
        RoomsHandler::new(self)
    }

    pub(crate) fn video_request(&self, method: Method, path: &str) -> RequestBuilder {
        let url = join(&self.base.video, path);
        self.http.request(method, url).basic_auth(&self.auth.api_key_sid, Some(self.auth.api_key_secret.expose()))
    }

    pub(crate) fn video_host(&self) -> String {
        host_of(&self.base.video)
    }

    /// Sends a request and decodes Twilio's answer, mapping every failure to a
    /// [`TwilioError`]. Never retries: the caller decides what is safe to repeat.
    pub(crate) async fn send<T: DeserializeOwned>(
        &self,
        host: String,
        request: RequestBuilder,
    ) -> Result<T, TwilioError> {
        let response = request.send().await.map_err(|error| self.transport_error(host.clone(), &error))?;
        decode(host, response).await
    }

    fn transport_error(&self, host: String, error: &reqwest::Error) -> TwilioError {
        if error.is_timeout() {
            TwilioError::Timeout { host, after: self.timeout }
        } else {
            TwilioError::Unreachable { host, detail: describe_transport_error(error) }
        }
    }
}

fn join(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let prefix = url.path().trim_end_matches('/').to_string();
    url.set_path(&format!("{prefix}{path}"));
    url
}

fn host_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_string(),
        _ => url.to_string(),
    }
}

/// The innermost cause, which is what the provider can act on ("connection refused",
/// "dns error: failed to lookup address"). reqwest's errors never include credentials.
fn describe_transport_error(error: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = error;
    while let Some(next) = source.source() {
        source = next;
    }
    source.to_string()
}

async fn decode<T: DeserializeOwned>(host: String, response: Response) -> Result<T, TwilioError> {
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(|error| TwilioError::Unreachable {
        host: host.clone(),
        detail: format!("the answer was cut off: {}", describe_transport_error(&error)),
    })?;
    if (200..300).contains(&status) {
        return serde_json::from_slice(&body).map_err(|error| TwilioError::UnexpectedResponse {
            host,
            status,
            detail: format!("the body is not what Twilio sends: {error}"),
        });
    }
    match serde_json::from_slice::<TwilioApiError>(&body) {
        Ok(error) => Err(TwilioError::Api { status, error }),
        Err(_) => Err(TwilioError::UnexpectedResponse { host, status, detail: snippet(&body) }),
    }
}

fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return "an empty body".to_string();
    }
    let cut: String = text.chars().take(160).collect();
    if cut.len() < text.len() { format!("{cut}…") } else { cut }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_keeps_a_base_path() {
        let base = Url::parse("http://127.0.0.1:4010/twilio/").unwrap();
        assert_eq!(join(&base, "/v1/Rooms").as_str(), "http://127.0.0.1:4010/twilio/v1/Rooms");
        let base = Url::parse("https://video.twilio.com").unwrap();
        assert_eq!(join(&base, "/v1/Rooms").as_str(), "https://video.twilio.com/v1/Rooms");
    }

    #[test]
    fn auth_debug_hides_the_secret() {
        let auth = ApiKeyAuth { api_key_sid: "SK0123".into(), api_key_secret: Sensitive::new("topsecretvalue".into()) };
        let shown = format!("{auth:?}");
        assert!(shown.contains("SK0123") && !shown.contains("topsecretvalue"), "{shown}");
    }
}
