use keyring::Entry;

use crate::Sensitive;

/// Where secrets live. The only implementation that ships is [`OsKeychain`]; there is
/// no file fallback, by design.
pub trait SecretStore: Send + Sync {
    /// `Ok(None)` when nothing is stored under `account`.
    fn read(&self, account: &str) -> Result<Option<Sensitive<String>>, KeychainError>;
    fn write(&self, account: &str, secret: &Sensitive<String>) -> Result<(), KeychainError>;
    /// Deleting an entry that is not there succeeds.
    fn delete(&self, account: &str) -> Result<(), KeychainError>;
}

/// Why the keychain could not be used. Each variant says what the provider can do.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum KeychainError {
    #[error("No system keychain is available. {}", platform_hint())]
    Unavailable { detail: String },
    #[error(
        "The system keychain is locked, or VisitDesk was denied access to it. Unlock your keychain (on Linux, your login keyring) and try again."
    )]
    Locked { detail: String },
    #[error("The system keychain reported an error: {detail}")]
    Failed { detail: String },
}

fn platform_hint() -> &'static str {
    if cfg!(target_os = "macos") {
        "VisitDesk stores the clinic's API key in the macOS Keychain; make sure Keychain Access works for your user."
    } else if cfg!(target_os = "windows") {
        "VisitDesk stores the clinic's API key in Windows Credential Manager; make sure it is enabled for your user."
    } else {
        "VisitDesk stores the clinic's API key in the Secret Service (GNOME Keyring or KWallet). Install and start one (for example the gnome-keyring package), log in again, then restart VisitDesk."
    }
}

impl KeychainError {
    pub fn detail(&self) -> &str {
        match self {
            Self::Unavailable { detail } | Self::Locked { detail } | Self::Failed { detail } => detail,
        }
    }
}

/// The operating system's keychain through the `keyring` crate: macOS Keychain, Windows
/// Credential Manager, or the Secret Service on Linux and the BSDs.
#[derive(Debug, Clone)]
pub struct OsKeychain {
    service: String,
}

impl OsKeychain {
    pub fn new(service: impl Into<String>) -> Self {
        Self { service: service.into() }
    }

    fn entry(&self, account: &str) -> Result<Entry, KeychainError> {
        Entry::new(&self.service, account).map_err(classify)
    }
}

impl SecretStore for OsKeychain {
    fn read(&self, account: &str) -> Result<Option<Sensitive<String>>, KeychainError> {
        match self.entry(account)?.get_password() {
            Ok(secret) => Ok(Some(Sensitive::new(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(classify(error)),
        }
    }

    fn write(&self, account: &str, secret: &Sensitive<String>) -> Result<(), KeychainError> {
        self.entry(account)?.set_password(secret.expose()).map_err(classify)
    }

    fn delete(&self, account: &str) -> Result<(), KeychainError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(error) => Err(classify(error)),
        }
    }
}

/// Maps the keyring's errors onto what the provider can act on. The keyring's own text
/// never contains the secret (it reports platform errors, not values).
fn classify(error: keyring::Error) -> KeychainError {
    let detail = match &error {
        keyring::Error::BadEncoding(_) | keyring::Error::BadDataFormat(..) => {
            "the stored value is not text".to_string()
        }
        keyring::Error::Ambiguous(entries) => format!("{} matching entries", entries.len()),
        other => other.to_string(),
    };
    match error {
        keyring::Error::NoDefaultStore => KeychainError::Unavailable { detail },
        keyring::Error::NoStorageAccess(_) => KeychainError::Locked { detail },
        keyring::Error::PlatformFailure(_) if looks_unavailable(&detail) => KeychainError::Unavailable { detail },
        _ => KeychainError::Failed { detail },
    }
}

/// A session bus without a Secret Service provider answers with these D-Bus errors.
fn looks_unavailable(detail: &str) -> bool {
    ["ServiceUnknown", "org.freedesktop.secrets", "NameHasNoOwner", "No such file"]
        .iter()
        .any(|marker| detail.contains(marker))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_what_to_do() {
        let unavailable = KeychainError::Unavailable { detail: "x".into() }.to_string();
        assert!(unavailable.starts_with("No system keychain is available."), "{unavailable}");
        let locked = KeychainError::Locked { detail: "x".into() }.to_string();
        assert!(locked.contains("Unlock your keychain"), "{locked}");
    }

    #[test]
    fn no_default_store_is_unavailable_and_no_access_is_locked() {
        assert!(matches!(classify(keyring::Error::NoDefaultStore), KeychainError::Unavailable { .. }));
        let denied = keyring::Error::NoStorageAccess(Box::new(std::io::Error::other("locked")));
        assert!(matches!(classify(denied), KeychainError::Locked { .. }));
        let no_service = keyring::Error::PlatformFailure(Box::new(std::io::Error::other(
            "org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided",
        )));
        assert!(matches!(classify(no_service), KeychainError::Unavailable { .. }));
    }
}
