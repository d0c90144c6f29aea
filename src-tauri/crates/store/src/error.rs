use std::path::PathBuf;

use rusqlite::ErrorCode;

/// Why the store could not do what was asked. Messages are written for the provider and
/// never contain patient data or the database key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error(
        "The database key stored in the keychain is not valid ({reason}). VisitDesk cannot open the visit database without it."
    )]
    InvalidKey { reason: &'static str },
    #[error(
        "VisitDesk could not open the visit database at {}: the key in the keychain does not match it, or the file is not a VisitDesk database. The file was not changed.",
        path.display()
    )]
    WrongKeyOrNotADatabase { path: PathBuf },
    #[error(
        "The visit database was written by a newer version of VisitDesk (schema {found}; this version supports up to {supported}). Update VisitDesk to open it. The file was not changed."
    )]
    NewerSchema { found: i64, supported: i64 },
    #[error("No {what} with ID {id} was found.")]
    NotFound { what: &'static str, id: String },
    #[error(
        "The audit log has been altered: the chain breaks at entry {seq} ({reason}). Keep a copy of the database file for review."
    )]
    AuditTampered { seq: i64, reason: String },
    #[error(
        "VisitDesk refused to write an audit entry because its detail {reason}. Audit details must not carry PHI or secrets."
    )]
    AuditDetailRejected { reason: &'static str },
    #[error("The visit database is in use by another VisitDesk window or process. Close it and try again.")]
    Busy,
    #[error("The visit database appears to be damaged ({detail}). Restore it from a backup.")]
    Corrupt { detail: String },
    #[error("VisitDesk could not read or write the visit database: {detail}")]
    Io { detail: String },
    #[error("The visit database reported an error: {detail}")]
    Sqlite { detail: String },
}

/// The variant of a [`StoreError`] without its fields, for mapping to UI error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoreErrorKind {
    InvalidKey,
    WrongKeyOrNotADatabase,
    NewerSchema,
    NotFound,
    AuditTampered,
    AuditDetailRejected,
    Busy,
    Corrupt,
    Io,
    Sqlite,
}

impl StoreError {
    pub fn kind(&self) -> StoreErrorKind {
        match self {
            Self::InvalidKey { .. } => StoreErrorKind::InvalidKey,
            Self::WrongKeyOrNotADatabase { .. } => StoreErrorKind::WrongKeyOrNotADatabase,
            Self::NewerSchema { .. } => StoreErrorKind::NewerSchema,
            Self::NotFound { .. } => StoreErrorKind::NotFound,
            Self::AuditTampered { .. } => StoreErrorKind::AuditTampered,
            Self::AuditDetailRejected { .. } => StoreErrorKind::AuditDetailRejected,
            Self::Busy => StoreErrorKind::Busy,
            Self::Corrupt { .. } => StoreErrorKind::Corrupt,
            Self::Io { .. } => StoreErrorKind::Io,
            Self::Sqlite { .. } => StoreErrorKind::Sqlite,
        }
    }
}

/// SQLite's messages name tables and constraints, never bound values, so they carry no PHI.
impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        let detail = error.to_string();
        match error.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Self::Busy,
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => Self::Corrupt { detail },
            Some(ErrorCode::DiskFull) => Self::Io { detail: "the disk is full".into() },
            Some(
                ErrorCode::SystemIoFailure
                | ErrorCode::CannotOpen
                | ErrorCode::ReadOnly
                | ErrorCode::PermissionDenied
                | ErrorCode::FileLockingProtocolFailed,
            ) => Self::Io { detail },
            _ => match error {
                rusqlite::Error::FromSqlConversionFailure(..)
                | rusqlite::Error::InvalidColumnType(..)
                | rusqlite::Error::IntegralValueOutOfRange(..) => Self::Corrupt { detail },
                _ => Self::Sqlite { detail },
            },
        }
    }
}

impl From<std::io::Error> for StoreError {
    fn from(error: std::io::Error) -> Self {
        Self::Io { detail: error.to_string() }
    }
}
