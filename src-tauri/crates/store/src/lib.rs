//! VisitDesk's local database: visits, invites, who was removed from each visit's room, and the
//! audit log, in one SQLCipher file.
//!
//! Visits hold PHI (patient names and mobile numbers), so the whole file, its WAL included,
//! is encrypted with a random 256-bit [`DatabaseKey`] that the core keeps in the OS keychain.
//! A wrong key or a foreign file is refused without writing to it, as is a file from a newer
//! VisitDesk. The database runs in WAL mode with `synchronous = FULL`, and every public write
//! is one transaction, so a crash or power loss keeps each committed write.
//!
//! # Audit log
//!
//! Append-only (triggers abort any `UPDATE` or `DELETE`) and hash-chained: each entry stores
//! `sha256(prev_hash || entry)`, the first chaining from 64 zeros. [`VisitStore::verify_audit`]
//! recomputes the chain and names the first entry that was changed, removed, reordered or
//! given a forged hash.
//!
//! Limits: someone holding the key can drop the triggers and rewrite the log. Removing the
//! newest entries (truncating the tail), or rewriting every entry from some point to the end,
//! leaves a valid chain and cannot be detected from inside the file; only a copy of
//! [`AuditReport::head_hash`] kept elsewhere reveals it.

mod audit;
mod error;
mod key;
mod model;
mod schema;
mod store;

pub use error::{StoreError, StoreErrorKind};
pub use key::DatabaseKey;
pub use model::{
    AuditAction, AuditAnchor, AuditEntry, AuditRecord, AuditReport, GuestRole, Invite, InviteMethod, InviteOutcome,
    InvitePurpose, InviteStatus, NewInvite, NewVisit, RemovedIdentity, RoomRef, VideoBackendKind, Visit, VisitEdit,
    VisitStatus,
};
pub use schema::SUPPORTED_VERSION as SCHEMA_VERSION;
pub use store::VisitStore;

#[cfg(test)]
mod tests {
    #[test]
    fn store_is_send_and_sync() {
        fn is<T: Send + Sync>() {}
        is::<crate::VisitStore>();
    }
}
