//! The visits database: opened on first use with its key from the keychain. A missing key
//! never leads to a new, empty database over an existing one.

use std::sync::Arc;

use tracing::{info, warn};
use visitdesk_secrets::Sensitive;
use visitdesk_store::{AuditAnchor, DatabaseKey, StoreError, VisitStore};

pub use crate::context::VisitsDatabase;
use crate::{
    AppContext, AppError, ErrorCode,
    account::keychain::{KEYCHAIN_ACCOUNT_AUDIT_ANCHOR, with_secrets},
};

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

/// Runs one store call off the async workers (SQLite blocks), then keeps the audit log's
/// anchor in the keychain in step with what the call appended.
pub(crate) async fn with_store<T: Send + 'static>(
    ctx: &impl AppContext,
    call: impl FnOnce(&VisitStore) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, AppError> {
    let store = open_store(ctx).await?;
    let for_call = store.clone();
    let value = tokio::task::spawn_blocking(move || call(&for_call))
        .await
        .map_err(|join| AppError::new(ErrorCode::Internal, format!("A visits database call stopped: {join}")))?
        .map_err(AppError::from)?;
    keep_audit_anchor(ctx, store).await;
    Ok(value)
}

/// The anchor the keychain holds, if any.
pub(crate) async fn kept_audit_anchor(ctx: &impl AppContext) -> Result<Option<AuditAnchor>, AppError> {
    let text = with_secrets(ctx, |secrets| secrets.read(KEYCHAIN_ACCOUNT_AUDIT_ANCHOR)).await?;
    Ok(text.and_then(|text| AuditAnchor::parse(text.expose())))
}

/// Writes the log's head to the keychain when it grew. A log that no longer holds the kept
/// anchor's entry is left as evidence: the anchor is not moved, and verifying says so.
async fn keep_audit_anchor(ctx: &impl AppContext, store: Arc<VisitStore>) {
    let mut known = ctx.visits_database().anchor.lock().await;
    if known.is_none() {
        match kept_audit_anchor(ctx).await {
            Ok(anchor) => *known = Some(anchor),
            Err(error) => return warn!(code = ?error.code, "the audit anchor could not be read"),
        }
    }
    let previous = known.clone().flatten();
    let checked = tokio::task::spawn_blocking(move || {
        let head = store.audit_anchor()?;
        let extends = match &previous {
            Some(previous) => store.audit_extends(previous)?,
            None => true,
        };
        Ok::<_, StoreError>((head, extends, previous))
    })
    .await;
    let Ok(Ok((head, extends, previous))) = checked else {
        return warn!("the audit log's head could not be read to anchor it");
    };
    if previous.as_ref() == Some(&head) || head.entries == 0 {
        return;
    }
    if !extends {
        return warn!("the audit log no longer holds the entry its anchor recorded; the anchor is kept as evidence");
    }
    let text = Sensitive::new(head.to_text());
    match with_secrets(ctx, move |secrets| secrets.write(KEYCHAIN_ACCOUNT_AUDIT_ANCHOR, &text)).await {
        Ok(()) => *known = Some(Some(head)),
        Err(error) => warn!(code = ?error.code, "the audit anchor could not be written"),
    }
}
