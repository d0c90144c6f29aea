//! Versioned migrations, tracked in `PRAGMA user_version`.

use rusqlite::{Connection, TransactionBehavior};

use crate::StoreError;

/// Migration `n` (1-based) takes the schema from version `n - 1` to `n`. Append only;
/// never edit a migration that has shipped.
const MIGRATIONS: &[&str] = &[
    // 1: visits, invites, and the append-only audit log.
    r#"
    CREATE TABLE visits (
        row_id INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        patient_display_name TEXT NOT NULL,
        patient_mobile TEXT NOT NULL,
        scheduled_at INTEGER NOT NULL,
        status TEXT NOT NULL,
        room_unique_name TEXT,
        room_sid TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        CHECK (room_sid IS NULL OR room_unique_name IS NOT NULL)
    );
    CREATE INDEX visits_by_schedule ON visits (scheduled_at, row_id);

    CREATE TABLE invites (
        row_id INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        visit_id TEXT NOT NULL REFERENCES visits (id),
        role TEXT NOT NULL,
        method TEXT NOT NULL,
        purpose TEXT NOT NULL,
        to_masked TEXT,
        to_e164 TEXT,
        guest_identity TEXT,
        status TEXT NOT NULL,
        twilio_sid TEXT,
        error_code INTEGER,
        error_message TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE INDEX invites_by_visit ON invites (visit_id, row_id);

    CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        at_ms INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        visit_id TEXT,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only');
    END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only');
    END;
    "#,
    // 2: each visit's room names the video service that made it. Rooms made before were
    // Twilio's (`RM…` SIDs) or Janus's (room numbers).
    r#"
    ALTER TABLE visits ADD COLUMN room_service TEXT;
    UPDATE visits SET room_service = CASE WHEN room_sid GLOB '[0-9]*' THEN 'janus' ELSE 'twilio' END
        WHERE room_unique_name IS NOT NULL;
    "#,
    // 3: who was removed from each visit's room, by the identity the video service reported,
    // so the waiting-room monitor can remove them again when they come back with the same link.
    r#"
    CREATE TABLE removed_identities (
        visit_id TEXT NOT NULL REFERENCES visits (id),
        identity TEXT NOT NULL,
        removed_at INTEGER NOT NULL,
        PRIMARY KEY (visit_id, identity)
    );
    "#,
];

/// The newest schema this build knows.
pub const SUPPORTED_VERSION: i64 = MIGRATIONS.len() as i64;

pub fn user_version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |row| row.get(0))?)
}

pub fn refuse_newer(found: i64) -> Result<(), StoreError> {
    if found > SUPPORTED_VERSION {
        return Err(StoreError::NewerSchema { found, supported: SUPPORTED_VERSION });
    }
    Ok(())
}

/// Applies each missing migration in its own transaction. The version is re-read inside the
/// transaction so two processes opening at once do not both apply a step.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    for (index, sql) in MIGRATIONS.iter().enumerate() {
        let target = index as i64 + 1;
        if user_version(conn)? >= target {
            continue;
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = user_version(&tx)?;
        refuse_newer(current)?;
        if current < target {
            tx.execute_batch(sql)?;
            tx.execute_batch(&format!("PRAGMA user_version = {target};"))?;
            tx.commit()?;
            tracing::info!(version = target, "visit database migrated");
        }
    }
    Ok(())
}
