use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::types::Value;
use rusqlite::{Connection, ErrorCode, OptionalExtension, Row, Transaction, TransactionBehavior, params};

use crate::audit::{self, GENESIS_HASH};
use crate::{
    AuditAnchor, AuditEntry, AuditRecord, AuditReport, DatabaseKey, Invite, InviteOutcome, InviteStatus, NewInvite,
    NewVisit, RemovedIdentity, RoomRef, StoreError, Visit, VisitEdit, VisitStatus, schema,
};

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

const VISIT_COLUMNS: &str = "id, patient_display_name, patient_mobile, scheduled_at, status, room_unique_name, \
     room_sid, created_at, updated_at, room_service";

const INVITE_COLUMNS: &str = "id, visit_id, role, method, purpose, to_masked, to_e164, guest_identity, status, \
     twilio_sid, error_code, error_message, created_at, updated_at";

const AUDIT_COLUMNS: &str = "seq, at_ms, actor, action, visit_id, detail, prev_hash, hash";

/// The encrypted visit database. One connection behind a mutex; every public write is one
/// `BEGIN IMMEDIATE` transaction.
pub struct VisitStore {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for VisitStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VisitStore").field("path", &self.path).finish_non_exhaustive()
    }
}

impl VisitStore {
    /// Opens the database at `path`, creating it if absent, and brings its schema up to
    /// date. With a wrong key, a foreign file or a newer schema, nothing is written.
    pub fn open(path: &Path, key: &DatabaseKey) -> Result<Self, StoreError> {
        create_private_file(path)?;
        let mut conn = Connection::open(path)?;
        unlock(&conn, key, path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        schema::refuse_newer(schema::user_version(&conn)?)?;

        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Sqlite { detail: format!("could not switch to WAL journaling (got {mode})") });
        }
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;")?;
        schema::migrate(&mut conn)?;
        Ok(Self { path: path.to_path_buf(), conn: Mutex::new(conn) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn create_visit(&self, new: NewVisit) -> Result<Visit, StoreError> {
        let id = random_id()?;
        let now = unix_now();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO visits (id, patient_display_name, patient_mobile, scheduled_at, status, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                params![id, new.patient_display_name, new.patient_mobile, new.scheduled_at, VisitStatus::Scheduled, now],
            )?;
            load_visit(tx, &id)
        })
    }

    /// Changes the patient's name, mobile and time.
    pub fn update_visit(&self, id: &str, edit: VisitEdit) -> Result<Visit, StoreError> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE visits SET patient_display_name = ?2, patient_mobile = ?3, scheduled_at = ?4, updated_at = ?5
                 WHERE id = ?1",
                params![id, edit.patient_display_name, edit.patient_mobile, edit.scheduled_at, unix_now()],
            )?;
            expect_row(changed, "visit", id)?;
            load_visit(tx, id)
        })
    }

    /// Sets the status without checking the transition; the core owns those rules.
    pub fn set_visit_status(&self, id: &str, status: VisitStatus) -> Result<Visit, StoreError> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE visits SET status = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, status, unix_now()],
            )?;
            expect_row(changed, "visit", id)?;
            load_visit(tx, id)
        })
    }

    pub fn set_visit_room(&self, id: &str, room: Option<RoomRef>) -> Result<Visit, StoreError> {
        let (service, unique_name, sid) =
            room.map_or((None, None, None), |room| (Some(room.service), Some(room.unique_name), room.sid));
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE visits SET room_service = ?2, room_unique_name = ?3, room_sid = ?4, updated_at = ?5 WHERE id = ?1",
                params![id, service, unique_name, sid, unix_now()],
            )?;
            expect_row(changed, "visit", id)?;
            load_visit(tx, id)
        })
    }

    pub fn visit(&self, id: &str) -> Result<Visit, StoreError> {
        load_visit(&self.lock(), id)
    }

    /// Visits scheduled in `[from_unix, to_unix)`, by time, then in the order they were created.
    pub fn visits_between(&self, from_unix: i64, to_unix: i64) -> Result<Vec<Visit>, StoreError> {
        let conn = self.lock();
        let mut statement = conn.prepare_cached(&format!(
            "SELECT {VISIT_COLUMNS} FROM visits WHERE scheduled_at >= ?1 AND scheduled_at < ?2
             ORDER BY scheduled_at, row_id"
        ))?;
        let rows = statement.query_map(params![from_unix, to_unix], visit_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records an invite as `Pending`. Call it, and let it commit, before sending the request
    /// to Twilio, so a crash mid-request leaves a trace.
    pub fn create_invite(&self, new: NewInvite) -> Result<Invite, StoreError> {
        let id = random_id()?;
        let now = unix_now();
        self.write(|tx| {
            require_visit(tx, &new.visit_id)?;
            tx.execute(
                "INSERT INTO invites (id, visit_id, role, method, purpose, to_masked, to_e164, guest_identity, status,
                                      created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
                params![
                    id,
                    new.visit_id,
                    new.role,
                    new.method,
                    new.purpose,
                    new.to_masked,
                    new.to_e164,
                    new.guest_identity,
                    InviteStatus::Pending,
                    now
                ],
            )?;
            load_invite(tx, &id)
        })
    }

    pub fn finish_invite(&self, id: &str, outcome: InviteOutcome) -> Result<Invite, StoreError> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE invites SET status = ?2, twilio_sid = ?3, error_code = ?4, error_message = ?5, updated_at = ?6
                 WHERE id = ?1",
                params![id, outcome.status, outcome.twilio_sid, outcome.error_code, outcome.error_message, unix_now()],
            )?;
            expect_row(changed, "invite", id)?;
            load_invite(tx, id)
        })
    }

    /// A visit's invites, oldest first. `NotFound` when the visit does not exist.
    pub fn invites_for_visit(&self, visit_id: &str) -> Result<Vec<Invite>, StoreError> {
        let conn = self.lock();
        require_visit(&conn, visit_id)?;
        let mut statement =
            conn.prepare_cached(&format!("SELECT {INVITE_COLUMNS} FROM invites WHERE visit_id = ?1 ORDER BY row_id"))?;
        let rows = statement.query_map([visit_id], invite_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Remembers that `identity` was removed from the visit's room. Removing the same identity
    /// again keeps the first time. `NotFound` when the visit does not exist.
    pub fn record_removed_identity(&self, visit_id: &str, identity: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            require_visit(tx, visit_id)?;
            tx.execute(
                "INSERT INTO removed_identities (visit_id, identity, removed_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (visit_id, identity) DO NOTHING",
                params![visit_id, identity, unix_now()],
            )?;
            Ok(())
        })
    }

    /// Who was removed from the rooms of the visits scheduled in `[from_unix, to_unix)`, by
    /// visit, then in the order they were first removed.
    pub fn removed_identities_between(&self, from_unix: i64, to_unix: i64) -> Result<Vec<RemovedIdentity>, StoreError> {
        let conn = self.lock();
        let mut statement = conn.prepare_cached(
            "SELECT r.visit_id, r.identity, r.removed_at FROM removed_identities r
             JOIN visits v ON v.id = r.visit_id
             WHERE v.scheduled_at >= ?1 AND v.scheduled_at < ?2
             ORDER BY v.scheduled_at, v.row_id, r.removed_at, r.identity",
        )?;
        let rows = statement.query_map(params![from_unix, to_unix], |row| {
            Ok(RemovedIdentity { visit_id: row.get(0)?, identity: row.get(1)?, removed_at: row.get(2)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Appends one entry to the hash chain. Refuses a `detail` that looks like it carries a
    /// phone number or a token.
    pub fn append_audit(&self, record: AuditRecord) -> Result<AuditEntry, StoreError> {
        audit::screen_detail(&record.detail)?;
        self.write(|tx| {
            // Taken under the lock so times follow `seq` within this process.
            let at_ms = unix_now_ms();
            let head: Option<(i64, String)> = tx
                .query_row("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", [], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })
                .optional()?;
            let (prev_seq, prev_hash) = head.unwrap_or_else(|| (0, GENESIS_HASH.to_string()));
            let seq = prev_seq + 1;
            let hash = audit::entry_hash(
                &prev_hash,
                seq,
                at_ms,
                &record.actor,
                record.action.as_str(),
                record.visit_id.as_deref(),
                &record.detail,
            );
            tx.execute(
                &format!("INSERT INTO audit_log ({AUDIT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
                params![seq, at_ms, record.actor, record.action, record.visit_id, record.detail, prev_hash, hash],
            )?;
            Ok(AuditEntry {
                seq,
                at_ms,
                actor: record.actor,
                action: record.action,
                visit_id: record.visit_id,
                detail: record.detail,
                prev_hash,
                hash,
            })
        })
    }

    /// Every audit entry, oldest first.
    pub fn audit_entries(&self) -> Result<Vec<AuditEntry>, StoreError> {
        let conn = self.lock();
        let mut statement = conn.prepare_cached(&format!("SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY seq"))?;
        let rows = statement.query_map([], |row| {
            Ok(AuditEntry {
                seq: row.get(0)?,
                at_ms: row.get(1)?,
                actor: row.get(2)?,
                action: row.get(3)?,
                visit_id: row.get(4)?,
                detail: row.get(5)?,
                prev_hash: row.get(6)?,
                hash: row.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Recomputes the whole chain. `Err(AuditTampered)` names the first entry that fails.
    /// Cannot see a truncated tail; compare `head_hash` with a copy kept elsewhere for that.
    pub fn verify_audit(&self) -> Result<AuditReport, StoreError> {
        self.verify_audit_against(None)
    }

    /// The log's head now, to keep outside the database as its [`AuditAnchor`].
    pub fn audit_anchor(&self) -> Result<AuditAnchor, StoreError> {
        let conn = self.lock();
        let head: Option<(i64, String)> = conn
            .query_row("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", [], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .optional()?;
        let (entries, head_hash) = head.unwrap_or_else(|| (0, GENESIS_HASH.to_string()));
        Ok(AuditAnchor { entries: entries as u64, head_hash })
    }

    /// Whether the log still holds `anchor`'s entry, unchanged: the log has only grown since.
    pub fn audit_extends(&self, anchor: &AuditAnchor) -> Result<bool, StoreError> {
        if anchor.entries == 0 {
            return Ok(true);
        }
        let conn = self.lock();
        let hash: Option<String> = conn
            .query_row("SELECT hash FROM audit_log WHERE seq = ?1", [anchor.entries as i64], |row| row.get(0))
            .optional()?;
        Ok(hash.as_deref() == Some(anchor.head_hash.as_str()))
    }

    /// [`Self::verify_audit`], and against the anchor kept outside: a log whose newest entries
    /// were removed is reported.
    pub fn verify_audit_against(&self, anchor: Option<&AuditAnchor>) -> Result<AuditReport, StoreError> {
        let rows = {
            let conn = self.lock();
            let mut statement = conn.prepare_cached(&format!("SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY seq"))?;
            let rows = statement.query_map([], |row| (0..8).map(|index| row.get::<_, Value>(index)).collect())?;
            rows.collect::<Result<Vec<Vec<Value>>, _>>()?
        };
        let result = audit::verify_chain_against(&rows, anchor);
        if let Err(StoreError::AuditTampered { seq, reason }) = &result {
            tracing::warn!(seq, reason, "audit chain verification failed");
        }
        result
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic mid-write rolled its transaction back when the guard's frame unwound.
        self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write<T>(&self, body: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = body(&tx)?;
        tx.commit()?;
        Ok(value)
    }
}

/// Creates an absent database file readable by its owner only; SQLite gives the WAL and
/// shared-memory files the same permissions.
fn create_private_file(path: &Path) -> Result<(), StoreError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(error.into()),
    }
}

/// Keys the connection and proves the key opens the file before anything can write to it.
fn unlock(conn: &Connection, key: &DatabaseKey, path: &Path) -> Result<(), StoreError> {
    let cipher: Option<String> = conn.query_row("PRAGMA cipher_version", [], |row| row.get(0)).optional()?;
    if cipher.is_none() {
        return Err(StoreError::Sqlite { detail: "this build of VisitDesk lacks database encryption".into() });
    }
    conn.execute_batch(&key.pragma_statement())
        .map_err(|_| StoreError::Sqlite { detail: "SQLCipher did not accept the key".into() })?;
    // Pin SQLCipher 4's settings so a future default change still opens today's files.
    conn.execute_batch("PRAGMA cipher_compatibility = 4;")?;
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get::<_, i64>(0)) {
        Ok(_) => Ok(()),
        Err(error) if error.sqlite_error_code() == Some(ErrorCode::NotADatabase) => {
            Err(StoreError::WrongKeyOrNotADatabase { path: path.to_path_buf() })
        }
        Err(error) => Err(error.into()),
    }
}

fn load_visit(conn: &Connection, id: &str) -> Result<Visit, StoreError> {
    conn.prepare_cached(&format!("SELECT {VISIT_COLUMNS} FROM visits WHERE id = ?1"))?
        .query_row([id], visit_from_row)
        .optional()?
        .ok_or_else(|| not_found("visit", id))
}

fn load_invite(conn: &Connection, id: &str) -> Result<Invite, StoreError> {
    conn.prepare_cached(&format!("SELECT {INVITE_COLUMNS} FROM invites WHERE id = ?1"))?
        .query_row([id], invite_from_row)
        .optional()?
        .ok_or_else(|| not_found("invite", id))
}

fn require_visit(conn: &Connection, id: &str) -> Result<(), StoreError> {
    let found = conn.query_row("SELECT 1 FROM visits WHERE id = ?1", [id], |_| Ok(())).optional()?;
    found.ok_or_else(|| not_found("visit", id))
}

fn visit_from_row(row: &Row<'_>) -> rusqlite::Result<Visit> {
    let room = match row.get::<_, Option<String>>(5)? {
        Some(unique_name) => Some(RoomRef { service: row.get(9)?, unique_name, sid: row.get(6)? }),
        None => None,
    };
    Ok(Visit {
        id: row.get(0)?,
        patient_display_name: row.get(1)?,
        patient_mobile: row.get(2)?,
        scheduled_at: row.get(3)?,
        status: row.get(4)?,
        room,
        created_at: row.get(7)?,
        updated_at: row.get(8)?,
    })
}

fn invite_from_row(row: &Row<'_>) -> rusqlite::Result<Invite> {
    Ok(Invite {
        id: row.get(0)?,
        visit_id: row.get(1)?,
        role: row.get(2)?,
        method: row.get(3)?,
        purpose: row.get(4)?,
        to_masked: row.get(5)?,
        to_e164: row.get(6)?,
        guest_identity: row.get(7)?,
        status: row.get(8)?,
        twilio_sid: row.get(9)?,
        error_code: row.get(10)?,
        error_message: row.get(11)?,
        created_at: row.get(12)?,
        updated_at: row.get(13)?,
    })
}

fn expect_row(changed: usize, what: &'static str, id: &str) -> Result<(), StoreError> {
    if changed == 0 { Err(not_found(what, id)) } else { Ok(()) }
}

fn not_found(what: &'static str, id: &str) -> StoreError {
    StoreError::NotFound { what, id: id.to_string() }
}

/// 128 random bits as 32 lowercase hex characters.
fn random_id() -> Result<String, StoreError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|error| StoreError::Io { detail: format!("no secure random numbers available: {error}") })?;
    Ok(hex::encode(bytes))
}

fn since_epoch() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default()
}

fn unix_now() -> i64 {
    since_epoch().as_secs() as i64
}

fn unix_now_ms() -> i64 {
    since_epoch().as_millis() as i64
}
