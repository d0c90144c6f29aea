//! Janus signed tokens (`token_auth_secret`): `<expiry>,<realm>,<descriptor>…:<signature>`.
//! The signature is what Janus's `janus_auth_check_signature[_contains]` recompute: standard
//! padded base64 of HMAC-SHA1, keyed with the secret's bytes, over everything before the `:`.
//! Janus accepts a token until the second after `expiry` (Unix seconds).

use std::time::{SystemTime, UNIX_EPOCH};

use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use visitdesk_secrets::Sensitive;

/// The realm Janus's core checks request tokens against.
pub const CORE_REALM: &str = "janus";
/// The VideoRoom plugin's package name: a plugin a core token grants, and the realm of
/// room tokens.
pub const VIDEOROOM_PLUGIN: &str = "janus.plugin.videoroom";
/// Janus parses the expiry with `strtoll`.
pub const MAX_EXPIRY: u64 = i64::MAX as u64;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("The Janus token secret is empty.")]
    EmptySecret,
    #[error("The Janus token secret contains a NUL character, which Janus cannot read from its configuration.")]
    SecretHasNul,
    #[error("The token {what} is empty.")]
    EmptyField { what: &'static str },
    #[error(
        "The token {what} {value:?} contains a comma, a colon or a control character, which Janus's token format cannot carry."
    )]
    BadField { what: &'static str, value: String },
    #[error("A core token must grant at least one plugin (e.g. {VIDEOROOM_PLUGIN}).")]
    NoPlugins,
    #[error("Room id 0 is not a room.")]
    ZeroRoom,
    #[error("The token would expire at {expires_at}, which is not after now ({now}).")]
    AlreadyExpired { expires_at: u64, now: u64 },
    #[error("The expiry {expires_at} is larger than Janus can read ({MAX_EXPIRY}).")]
    ExpiryTooLarge { expires_at: u64 },
}

/// A core token: lets its holder use Janus's API (create sessions) and attach to `plugins`.
/// `realm` is [`CORE_REALM`] for a stock Janus.
pub fn mint_core_token(
    secret: &Sensitive<String>,
    realm: &str,
    plugins: &[&str],
    expires_at: u64,
) -> Result<Sensitive<String>, TokenError> {
    validate_secret(secret)?;
    validate_field("realm", realm)?;
    if plugins.is_empty() {
        return Err(TokenError::NoPlugins);
    }
    for plugin in plugins {
        validate_field("plugin", plugin)?;
    }
    validate_expiry(expires_at, unix_now())?;
    let payload = format!("{expires_at},{realm},{}", plugins.join(","));
    Ok(sign(secret, payload))
}

/// A VideoRoom join token for one room created with `signed_tokens: true`, sent as the
/// `token` of the `join` request.
pub fn mint_room_token(
    secret: &Sensitive<String>,
    room_id: u64,
    expires_at: u64,
) -> Result<Sensitive<String>, TokenError> {
    validate_secret(secret)?;
    if room_id == 0 {
        return Err(TokenError::ZeroRoom);
    }
    validate_expiry(expires_at, unix_now())?;
    Ok(sign(secret, format!("{expires_at},{VIDEOROOM_PLUGIN},room={room_id}")))
}

pub(crate) fn validate_secret(secret: &Sensitive<String>) -> Result<(), TokenError> {
    if secret.expose().is_empty() {
        Err(TokenError::EmptySecret)
    } else if secret.expose().contains('\0') {
        Err(TokenError::SecretHasNul)
    } else {
        Ok(())
    }
}

fn validate_field(what: &'static str, value: &str) -> Result<(), TokenError> {
    if value.is_empty() {
        Err(TokenError::EmptyField { what })
    } else if value.chars().any(|c| c == ',' || c == ':' || c.is_control()) {
        Err(TokenError::BadField { what, value: value.to_string() })
    } else {
        Ok(())
    }
}

fn validate_expiry(expires_at: u64, now: u64) -> Result<(), TokenError> {
    if expires_at > MAX_EXPIRY {
        Err(TokenError::ExpiryTooLarge { expires_at })
    } else if expires_at <= now {
        Err(TokenError::AlreadyExpired { expires_at, now })
    } else {
        Ok(())
    }
}

/// `payload:base64(HMAC-SHA1(secret, payload))`.
fn sign(secret: &Sensitive<String>, payload: String) -> Sensitive<String> {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.expose().as_bytes()).expect("HMAC takes any key");
    mac.update(payload.as_bytes());
    let signature = mac.finalize().into_bytes();
    let mut token = payload;
    token.push(':');
    STANDARD.encode_string(signature, &mut token);
    Sensitive::new(token)
}

pub(crate) fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAR: u64 = 4_000_000_000;

    fn secret(value: &str) -> Sensitive<String> {
        Sensitive::new(value.to_string())
    }

    #[test]
    fn core_token_matches_a_known_hmac_sha1() {
        // Reference: python3 hmac.new(b"janus", b"4000000000,janus,janus.plugin.videoroom", hashlib.sha1), base64.
        let token = mint_core_token(&secret("janus"), CORE_REALM, &[VIDEOROOM_PLUGIN], FAR).unwrap();
        assert_eq!(token.expose(), "4000000000,janus,janus.plugin.videoroom:lapUnAyw6RP1NAPsRC1jgBTj0ic=");
    }

    #[test]
    fn room_token_matches_a_known_hmac_sha1() {
        // Reference: python3 hmac.new(b"janus", b"4000000000,janus.plugin.videoroom,room=1234", hashlib.sha1), base64.
        let token = mint_room_token(&secret("janus"), 1234, FAR).unwrap();
        assert_eq!(token.expose(), "4000000000,janus.plugin.videoroom,room=1234:Rps8GWdQEwqpHfN1v7CYqZhleX8=");
    }

    #[test]
    fn several_plugins_are_comma_separated() {
        let token =
            mint_core_token(&secret("s"), CORE_REALM, &[VIDEOROOM_PLUGIN, "janus.plugin.textroom"], FAR).unwrap();
        let (payload, signature) = token.expose().split_once(':').unwrap();
        assert_eq!(payload, "4000000000,janus,janus.plugin.videoroom,janus.plugin.textroom");
        assert_eq!(signature.len(), 28, "20 bytes in padded base64");
        assert!(signature.ends_with('='));
    }

    #[test]
    fn bad_inputs_are_refused_with_reasons() {
        let good = secret("s");
        assert_eq!(mint_core_token(&secret(""), CORE_REALM, &[VIDEOROOM_PLUGIN], FAR), Err(TokenError::EmptySecret));
        assert_eq!(mint_room_token(&secret("a\0b"), 1, FAR), Err(TokenError::SecretHasNul));
        assert_eq!(mint_core_token(&good, CORE_REALM, &[], FAR), Err(TokenError::NoPlugins));
        assert_eq!(mint_core_token(&good, "", &[VIDEOROOM_PLUGIN], FAR), Err(TokenError::EmptyField { what: "realm" }));
        assert_eq!(
            mint_core_token(&good, CORE_REALM, &["a,b"], FAR),
            Err(TokenError::BadField { what: "plugin", value: "a,b".into() })
        );
        assert!(matches!(mint_core_token(&good, "ja:nus", &[VIDEOROOM_PLUGIN], FAR), Err(TokenError::BadField { .. })));
        assert!(matches!(mint_core_token(&good, CORE_REALM, &["x\ny"], FAR), Err(TokenError::BadField { .. })));
        assert_eq!(mint_room_token(&good, 0, FAR), Err(TokenError::ZeroRoom));
        assert!(matches!(mint_room_token(&good, 1, 1_000), Err(TokenError::AlreadyExpired { expires_at: 1_000, .. })));
        assert_eq!(
            mint_room_token(&good, 1, MAX_EXPIRY + 1),
            Err(TokenError::ExpiryTooLarge { expires_at: MAX_EXPIRY + 1 })
        );
        assert!(mint_room_token(&good, u64::MAX, MAX_EXPIRY).is_ok());
    }

    #[test]
    fn errors_never_show_the_secret_or_the_token() {
        let token = mint_room_token(&secret("topsecret"), 7, FAR).unwrap();
        assert!(!format!("{token:?} {token}").contains("room=7"));
    }
}
