//! The provider's account: first-run setup, the saved credentials one action works with,
//! the keychain, and IT's pre-provisioning of secrets.

pub mod keychain;
pub mod provisioning;
pub(crate) mod session;
pub mod setup;
