//! Secrets: a [`Sensitive`] wrapper that cannot be logged or serialized, and the OS
//! keychain behind the [`SecretStore`] interface.

mod keychain;
mod sensitive;

pub use keychain::{KeychainError, OsKeychain, SecretStore};
pub use sensitive::Sensitive;
