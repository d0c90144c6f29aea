//! Random names that must not be guessed and carry no PHI.

use visitdesk_store::GuestRole;

use crate::{AppError, ErrorCode};

/// `N` bytes from the OS's random source, for a `what` (room name, identity) that must not
/// be guessed.
pub(crate) fn random_bytes<const N: usize>(what: &str) -> Result<[u8; N], AppError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|error| AppError::new(ErrorCode::Internal, format!("No random {what} could be made: {error}")))?;
    Ok(bytes)
}

/// A unique guest identity with its role as prefix (`patient-kqzmfwprxd`): it tells the
/// provider who is who and carries no PHI. Letters only, so it never reads as a number.
pub(crate) fn guest_identity(role: GuestRole) -> Result<String, AppError> {
    let bytes: [u8; 10] = random_bytes("identity")?;
    let suffix: String = bytes.iter().map(|b| char::from(b'a' + b % 26)).collect();
    Ok(format!("{}-{suffix}", role.as_str()))
}
