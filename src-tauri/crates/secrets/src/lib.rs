//! Secrets: a [`Sensitive`] wrapper that cannot be logged or serialized, and the OS
//! keychain behind the [`SecretStore`] interface.

mod keychain;
#[cfg(feature = "memory")]
mod memory;
mod sensitive;

pub use keychain::{KeychainError, OsKeychain, SecretStore};
#[cfg(feature = "memory")]
pub use memory::MemoryKeychain;
pub use sensitive::Sensitive;
