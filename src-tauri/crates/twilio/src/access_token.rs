//! Twilio Access Tokens: HS256 JWTs with a Video grant, in the format Twilio's official
//! helper libraries write (header `cty: twilio-fpa;v=1`, `jti = <key SID>-<iat>`).
//!
//! The signature is `jsonwebtoken`'s (HS256, RustCrypto backend). The header and claims
//! are serialized here rather than by `jsonwebtoken::encode`, whose `Header` writes `typ`
//! before `alg`: ours keep the exact bytes of Twilio's libraries, `{"alg":"HS256","typ":
//! "JWT","cty":"twilio-fpa;v=1"}`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, crypto};
use serde::Serialize;
use visitdesk_secrets::Sensitive;

/// Twilio refuses tokens that live longer than a day.
pub const MAX_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// Twilio Video refuses longer identities.
pub const MAX_IDENTITY_LEN: usize = 121;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessTokenError {
    #[error("The participant identity is empty.")]
    EmptyIdentity,
    #[error("The participant identity is {len} characters long; Twilio allows at most {MAX_IDENTITY_LEN}.")]
    IdentityTooLong { len: usize },
    #[error("The participant identity contains a control character; use letters, digits and punctuation only.")]
    IdentityHasControlCharacter,
    #[error("A token must live at least one second.")]
    TtlTooShort,
    #[error("A token may live at most 24 hours (Twilio's limit); {} was asked for.", describe(*.asked))]
    TtlTooLong { asked: Duration },
    #[error("The room name is empty.")]
    EmptyRoom,
    #[error("The API Key Secret is empty.")]
    EmptySecret,
}

fn describe(duration: Duration) -> String {
    let minutes = duration.as_secs() / 60;
    if minutes >= 60 { format!("{} h {} min", minutes / 60, minutes % 60) } else { format!("{minutes} min") }
}

/// Checks an identity the way Twilio Video will.
pub fn validate_identity(identity: &str) -> Result<(), AccessTokenError> {
    let len = identity.chars().count();
    if identity.trim().is_empty() {
        Err(AccessTokenError::EmptyIdentity)
    } else if len > MAX_IDENTITY_LEN {
        Err(AccessTokenError::IdentityTooLong { len })
    } else if identity.chars().any(char::is_control) {
        Err(AccessTokenError::IdentityHasControlCharacter)
    } else {
        Ok(())
    }
}

pub fn validate_ttl(ttl: Duration) -> Result<(), AccessTokenError> {
    if ttl < Duration::from_secs(1) {
        Err(AccessTokenError::TtlTooShort)
    } else if ttl > MAX_TTL {
        Err(AccessTokenError::TtlTooLong { asked: ttl })
    } else {
        Ok(())
    }
}

/// A Video access token waiting to be signed. `room` is a room's unique name or its
/// RoomSid (Twilio advises the SID for guests: it cannot be reused after the room ends).
#[derive(Debug, Clone)]
pub struct AccessToken {
    account_sid: String,
    api_key_sid: String,
    identity: String,
    room: Option<String>,
    ttl: Duration,
    issued_at: Option<u64>,
    not_before: Option<u64>,
}

#[derive(Serialize)]
struct Header {
    alg: &'static str,
    typ: &'static str,
    cty: &'static str,
}

#[derive(Serialize)]
struct Claims<'a> {
    jti: String,
    grants: Grants<'a>,
    iat: u64,
    exp: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    nbf: Option<u64>,
    iss: &'a str,
    sub: &'a str,
}

#[derive(Serialize)]
struct Grants<'a> {
    identity: &'a str,
    video: VideoGrant<'a>,
}

#[derive(Serialize)]
struct VideoGrant<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    room: Option<&'a str>,
}

const HEADER: Header = Header { alg: "HS256", typ: "JWT", cty: "twilio-fpa;v=1" };

impl AccessToken {
    /// One hour by default, as Twilio's libraries do.
    pub fn video(account_sid: impl Into<String>, api_key_sid: impl Into<String>, identity: impl Into<String>) -> Self {
        Self {
            account_sid: account_sid.into(),
            api_key_sid: api_key_sid.into(),
            identity: identity.into(),
            room: None,
            ttl: Duration::from_secs(3600),
            issued_at: None,
            not_before: None,
        }
    }

    pub fn room(mut self, room: impl Into<String>) -> Self {
        self.room = Some(room.into());
        self
    }

    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// Unix seconds; now when not set.
    pub fn issued_at(mut self, unix_seconds: u64) -> Self {
        self.issued_at = Some(unix_seconds);
        self
    }

    pub fn not_before(mut self, unix_seconds: u64) -> Self {
        self.not_before = Some(unix_seconds);
        self
    }

    /// Signs the token with the API Key Secret.
    pub fn to_jwt(&self, api_key_secret: &Sensitive<String>) -> Result<Sensitive<String>, AccessTokenError> {
        validate_identity(&self.identity)?;
        validate_ttl(self.ttl)?;
        if self.room.as_deref().is_some_and(|room| room.trim().is_empty()) {
            return Err(AccessTokenError::EmptyRoom);
        }
        let key =
            EncodingKey::from_secret(api_key_secret.expose().as_bytes()).map_err(|_| AccessTokenError::EmptySecret)?;
        let iat = self.issued_at.unwrap_or_else(unix_now);
        let claims = Claims {
            jti: format!("{}-{iat}", self.api_key_sid),
            grants: Grants { identity: &self.identity, video: VideoGrant { room: self.room.as_deref() } },
            iat,
            exp: iat + self.ttl.as_secs(),
            nbf: self.not_before,
            iss: &self.api_key_sid,
            sub: &self.account_sid,
        };
        let header = serde_json::to_vec(&HEADER).expect("the header serializes");
        let claims = serde_json::to_vec(&claims).expect("the claims serialize");
        let mut token = String::with_capacity(64 + claims.len() * 4 / 3 + 44);
        URL_SAFE_NO_PAD.encode_string(header, &mut token);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(claims, &mut token);
        // Base64url without padding, like the parts above.
        let signature =
            crypto::sign(token.as_bytes(), &key, Algorithm::HS256).expect("HS256 signs with any non-empty key");
        token.push('.');
        token.push_str(&signature);
        Ok(Sensitive::new(token))
    }
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_part(part: &str) -> serde_json::Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    #[test]
    fn claims_follow_twilios_format() {
        let secret = Sensitive::new("s3cret".to_string());
        let token = AccessToken::video("AC1", "SK1", "patient-abc")
            .room("RM1")
            .ttl(Duration::from_secs(600))
            .issued_at(1_700_000_000)
            .to_jwt(&secret)
            .unwrap();
        let parts: Vec<&str> = token.expose().split('.').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(decode_part(parts[0]), serde_json::json!({"alg": "HS256", "typ": "JWT", "cty": "twilio-fpa;v=1"}));
        assert_eq!(
            decode_part(parts[1]),
            serde_json::json!({
                "jti": "SK1-1700000000",
                "grants": {"identity": "patient-abc", "video": {"room": "RM1"}},
                "iat": 1_700_000_000u64, "exp": 1_700_000_600u64, "iss": "SK1", "sub": "AC1"
            })
        );
    }

    /// The bytes the hand-written HMAC signer produced before the switch to `jsonwebtoken`
    /// (header, claims and signature alike), for the benchmark's token.
    #[test]
    fn the_signed_bytes_are_unchanged() {
        let secret = Sensitive::new("abcdefghijklmnopqrstuvwxyz012345".to_string());
        let token = AccessToken::video(
            "AC0123456789abcdef0123456789abcdef",
            "SK0123456789abcdef0123456789abcdef",
            "patient-kqzmfwprxd",
        )
        .room("RM0123456789abcdef0123456789abcdef")
        .ttl(Duration::from_secs(4 * 3600))
        .issued_at(1_795_361_400)
        .to_jwt(&secret)
        .unwrap();
        assert_eq!(
            token.expose(),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImN0eSI6InR3aWxpby1mcGE7dj0xIn0.\
             eyJqdGkiOiJTSzAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmLTE3OTUzNjE0MDAiLCJncmFudHMiOnsiaWRlbnRpdHkiOiJwYXRpZW50LWtxem1md3ByeGQiLCJ2aWRlbyI6eyJyb29tIjoiUk0wMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZiJ9fSwiaWF0IjoxNzk1MzYxNDAwLCJleHAiOjE3OTUzNzU4MDAsImlzcyI6IlNLMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYiLCJzdWIiOiJBQzAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmIn0.\
             eHAOdHfRkkMMwXhdOtl7f1zK_38esR1QMrLJ1kOZl9M"
        );
    }

    #[test]
    fn an_empty_secret_is_refused() {
        let empty = Sensitive::new(String::new());
        assert_eq!(AccessToken::video("AC", "SK", "p").to_jwt(&empty).unwrap_err(), AccessTokenError::EmptySecret);
    }

    #[test]
    fn bad_identities_and_ttls_are_refused_with_reasons() {
        let secret = Sensitive::new("s".to_string());
        let long = "x".repeat(122);
        assert_eq!(
            AccessToken::video("AC", "SK", long).to_jwt(&secret).unwrap_err(),
            AccessTokenError::IdentityTooLong { len: 122 }
        );
        assert_eq!(AccessToken::video("AC", "SK", " ").to_jwt(&secret).unwrap_err(), AccessTokenError::EmptyIdentity);
        let too_long = AccessToken::video("AC", "SK", "p").ttl(MAX_TTL + Duration::from_secs(1)).to_jwt(&secret);
        assert!(too_long.unwrap_err().to_string().contains("24 hours"));
        assert!(AccessToken::video("AC", "SK", "p").ttl(MAX_TTL).to_jwt(&secret).is_ok());
        assert_eq!(
            AccessToken::video("AC", "SK", "p").ttl(Duration::ZERO).to_jwt(&secret).unwrap_err(),
            AccessTokenError::TtlTooShort
        );
    }
}
