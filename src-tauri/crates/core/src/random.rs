//! Access tokens for one room: the provider's, and guests' with a role-prefixed identity.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use visitdesk_secrets::Sensitive;
use visitdesk_store::GuestRole;
use visitdesk_twilio::access_token::{AccessToken, AccessTokenError};

use crate::{AppError, ErrorCode, session::Session};

pub(crate) struct MintedToken {
    pub identity: String,
    pub jwt: Sensitive<String>,
    pub expires_at: i64,
}

fn token_error(error: AccessTokenError) -> AppError {
    AppError::new(ErrorCode::InvalidInput, format!("VisitDesk cannot make this access token: {error}"))
}

/// `N` bytes from the OS's random source, for a `what` (room name, identity) that must not
/// be guessed.
pub(crate) fn random_bytes<const N: usize>(what: &str) -> Result<[u8; N], AppError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|error| AppError::new(ErrorCode::Internal, format!("No random {what} could be made: {error}")))?;
    Ok(bytes)
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

pub(crate) fn mint(
    session: &Session,
    identity: String,
    room_sid: &str,
    ttl_minutes: u32,
) -> Result<MintedToken, AppError> {
    let ttl = Duration::from_secs(u64::from(ttl_minutes) * 60);
    let issued_at = unix_now();
    let jwt = AccessToken::video(&session.account.account_sid, &session.account.api_key_sid, &identity)
        .room(room_sid)
        .ttl(ttl)
        .issued_at(issued_at)
        .to_jwt(&session.secret)
        .map_err(token_error)?;
    Ok(MintedToken { identity, jwt, expires_at: (issued_at + ttl.as_secs()) as i64 })
}

/// A unique guest identity with its role as prefix (`patient-kqzmfwprxd`): it tells the
/// provider who is who and carries no PHI. Letters only, so it never reads as a number.
pub(crate) fn guest_identity(role: GuestRole) -> Result<String, AppError> {
    let bytes: [u8; 10] = random_bytes("identity")?;
    let suffix: String = bytes.iter().map(|b| char::from(b'a' + b % 26)).collect();
    Ok(format!("{}-{suffix}", role.as_str()))
}

/// A short-lived token for Twilio's network preflight test: its own identity and a room
/// name used for nothing else, so the test never meets a visit.
pub(crate) fn preflight_token(session: &Session) -> Result<MintedToken, AppError> {
    let room: [u8; 8] = random_bytes("room name")?;
    let identity = format!("{}-preflight", session.workspace.profile.identity);
    mint(session, identity, &format!("preflight-{}", hex::encode(room)), PREFLIGHT_TTL_MINUTES)
}

const PREFLIGHT_TTL_MINUTES: u32 = 10;
