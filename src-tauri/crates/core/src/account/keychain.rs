//! Keychain access for the core: every read and write goes through [`with_secrets`].

use std::sync::Arc;

use visitdesk_secrets::SecretStore;

use crate::{AppContext, AppError, ErrorCode};

/// The keychain entry that anchors the audit log's head (`entries:hash`) outside its database.
pub const KEYCHAIN_ACCOUNT_AUDIT_ANCHOR: &str = "audit-log-anchor";

/// Keychain entries (under the app's service name) for a Janus server.
pub const KEYCHAIN_ACCOUNT_JANUS_ADMIN_KEY: &str = "janus-admin-key";
pub const KEYCHAIN_ACCOUNT_JANUS_TOKEN_SECRET: &str = "janus-token-auth-secret";

/// Runs a blocking keychain call off the async runtime's workers (a Secret Service may
/// take its time, or wait for the user to unlock it).
pub(crate) async fn with_secrets<T: Send + 'static>(
    ctx: &impl AppContext,
    call: impl FnOnce(&dyn SecretStore) -> Result<T, visitdesk_secrets::KeychainError> + Send + 'static,
) -> Result<T, AppError> {
    let store: Arc<dyn SecretStore> = ctx.secrets();
    tokio::task::spawn_blocking(move || call(store.as_ref()))
        .await
        .map_err(|join| AppError::new(ErrorCode::Internal, format!("The keychain call stopped: {join}")))?
        .map_err(AppError::from)
}
