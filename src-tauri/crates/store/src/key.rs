use std::fmt;

use visitdesk_secrets::Sensitive;
use zeroize::{Zeroize, Zeroizing};

use crate::StoreError;

pub(crate) const KEY_BYTES: usize = 32;

/// The 256-bit SQLCipher key of the visit database. The core keeps it in the OS keychain
/// as 64 hex characters. Wiped from memory on drop; `Debug` never shows the bytes.
pub struct DatabaseKey([u8; KEY_BYTES]);

impl DatabaseKey {
    /// A fresh random key from the operating system's CSPRNG.
    pub fn generate() -> Result<Self, StoreError> {
        let mut bytes = [0u8; KEY_BYTES];
        getrandom::fill(&mut bytes)
            .map_err(|error| StoreError::Io { detail: format!("no secure random numbers available: {error}") })?;
        Ok(Self(bytes))
    }

    /// The key as 64 lowercase hex characters, for the keychain.
    pub fn to_hex(&self) -> Sensitive<String> {
        Sensitive::new(hex::encode(self.0))
    }

    pub fn from_hex(hex: &str) -> Result<Self, StoreError> {
        let trimmed = hex.trim();
        if trimmed.len() != KEY_BYTES * 2 {
            return Err(StoreError::InvalidKey { reason: "it must be exactly 64 hexadecimal characters" });
        }
        let mut bytes = [0u8; KEY_BYTES];
        if hex::decode_to_slice(trimmed, &mut bytes).is_err() {
            bytes.zeroize();
            return Err(StoreError::InvalidKey { reason: "it contains characters other than 0-9 and a-f" });
        }
        Ok(Self(bytes))
    }

    /// `PRAGMA key` in SQLCipher's raw-key form, so no passphrase derivation runs.
    pub(crate) fn pragma_statement(&self) -> Zeroizing<String> {
        let hex = Zeroizing::new(hex::encode(self.0));
        Zeroizing::new(format!("PRAGMA key = \"x'{}'\";", hex.as_str()))
    }
}

impl Drop for DatabaseKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for DatabaseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DatabaseKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let key = DatabaseKey::generate().unwrap();
        let hex = key.to_hex();
        assert_eq!(hex.expose().len(), 64);
        assert!(hex.expose().bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        let again = DatabaseKey::from_hex(hex.expose()).unwrap();
        assert_eq!(again.0, key.0);
        assert_ne!(DatabaseKey::generate().unwrap().0, key.0);
    }

    #[test]
    fn bad_hex_is_a_clear_error() {
        for bad in ["", "abc", &"0".repeat(63), &"0".repeat(65), &"g".repeat(64)] {
            let error = DatabaseKey::from_hex(bad).unwrap_err();
            assert!(matches!(error, StoreError::InvalidKey { .. }), "{bad:?}");
            assert!(error.to_string().contains("not valid"), "{error}");
        }
        assert!(DatabaseKey::from_hex(&"AB".repeat(32)).is_ok());
    }

    #[test]
    fn debug_hides_the_bytes() {
        let key = DatabaseKey::from_hex(&"ab".repeat(32)).unwrap();
        let shown = format!("{key:?} {}", key.to_hex());
        assert!(!shown.contains("abab"), "{shown}");
        assert!(!shown.contains("171"), "{shown}");
    }
}
