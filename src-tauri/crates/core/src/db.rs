//! The visits database: opened on first use with its key from the keychain. A missing key
//! never leads to a new, empty database over an existing one.

use std::sync::Arc;

use tracing::info;
use visitdesk_store::{DatabaseKey, StoreError, VisitStore};

pub use crate::context::VisitsDatabase;
use crate::{AppContext, AppError, ErrorCode, account::keychain::with_secrets};

/// The keychain entry (under the app's service name) that holds the visits database key.
pub const KEYCHAIN_ACCOUNT_VISITS_KEY: &str = "visits-database-key";

async fn open_store(ctx: &impl AppContext) -> Result<Arc<VisitStore>, AppError> {
    let database = ctx.visits_database();
    let mut open = database.open.lock().await;
    if let Some(store) = open.as_ref() {
        return Ok(store.clone());
    }
    let path = database.path.clone();
    let exists = path.exists();
    let key = with_secrets(ctx, move |secrets| {
        if let Some(hex) = secrets.read(KEYCHAIN_ACCOUNT_VISITS_KEY)? {
            return Ok(Some(hex));
        }
        if exists {
            return Ok(None);
        }
        let key = DatabaseKey::generate().map_err(|error| visitdesk_secrets::KeychainError::Failed {
            detail: format!("no random key could be made: {error}"),
        })?;
        let hex = key.to_hex();
        secrets.write(KEYCHAIN_ACCOUNT_VISITS_KEY, &hex)?;
        Ok(Some(hex))
    })
    .await?;
    let Some(hex) = key else {
        return Err(AppError::new(
            ErrorCode::VisitsKeyMissing,
            format!(
                "The key that unlocks this computer's visits database is missing from the keychain, so the visits cannot be read. VisitDesk left the database untouched at {}. Restore the keychain (or ask IT), then try again.",
                path.display()
            ),
        ));
    };
    let store = tokio::task::spawn_blocking(move || {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        VisitStore::open(&path, &DatabaseKey::from_hex(hex.expose())?)
    })
    .await
    .map_err(|join| AppError::new(ErrorCode::Internal, format!("Opening the visits database stopped: {join}")))??;
    info!(created = !exists, "visits database open");
    let store = Arc::new(store);
    *open = Some(store.clone());
    Ok(store)
}

/// Runs one store call off the async workers (SQLite blocks).
pub(crate) async fn with_store<T: Send + 'static>(
    ctx: &impl AppContext,
    call: impl FnOnce(&VisitStore) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, AppError> {
    let store = open_store(ctx).await?;
    tokio::task::spawn_blocking(move || call(&store))
        .await
        .map_err(|join| AppError::new(ErrorCode::Internal, format!("A visits database call stopped: {join}")))?
        .map_err(AppError::from)
}
