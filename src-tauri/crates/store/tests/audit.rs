mod common;

use common::raw_connection;
use rusqlite::Connection;
use sha2::{Digest, Sha256};
use visitdesk_store::{
    AuditAction, AuditAnchor, AuditRecord, AuditReport, DatabaseKey, StoreError, StoreErrorKind, VisitStore,
};

const ZEROS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

struct Fixture {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    key: DatabaseKey,
    store: VisitStore,
}

/// A store with five audit entries.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("visits.db");
    let key = DatabaseKey::generate().unwrap();
    let store = VisitStore::open(&path, &key).unwrap();
    let actions = [
        AuditAction::VisitCreated,
        AuditAction::InviteSmsSent,
        AuditAction::RoomCreated,
        AuditAction::ParticipantRemoved,
        AuditAction::RoomEnded,
    ];
    for (n, action) in actions.into_iter().enumerate() {
        let visit_id = (n % 2 == 0).then(|| format!("{n:032x}"));
        store.append_audit(record(action, visit_id, &format!("step {n}"))).unwrap();
    }
    Fixture { _dir: dir, path, key, store }
}

fn record(action: AuditAction, visit_id: Option<String>, detail: &str) -> AuditRecord {
    AuditRecord { actor: "dr-ada".into(), action, visit_id, detail: detail.into() }
}

/// Drops the append-only triggers, as someone with the key could.
fn tamper(fixture: &Fixture, sql: &str) {
    let raw = raw_connection(&fixture.path, &fixture.key);
    raw.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;").unwrap();
    raw.execute_batch(sql).unwrap();
}

fn tampered_at(fixture: &Fixture) -> (i64, String) {
    match fixture.store.verify_audit().unwrap_err() {
        StoreError::AuditTampered { seq, reason } => (seq, reason),
        other => panic!("expected AuditTampered, got {other:?}"),
    }
}

/// The documented formula, computed independently of the crate.
fn expected_hash(
    prev: &str,
    seq: i64,
    at_ms: i64,
    actor: &str,
    action: &str,
    visit_id: Option<&str>,
    detail: &str,
) -> String {
    let text = |hasher: &mut Sha256, value: &str| {
        hasher.update((value.len() as u64).to_be_bytes());
        hasher.update(value.as_bytes());
    };
    let mut hasher = Sha256::new();
    hasher.update(prev.as_bytes());
    hasher.update(seq.to_be_bytes());
    hasher.update(at_ms.to_be_bytes());
    text(&mut hasher, actor);
    text(&mut hasher, action);
    match visit_id {
        None => hasher.update([0u8]),
        Some(id) => {
            hasher.update([1u8]);
            text(&mut hasher, id);
        }
    }
    text(&mut hasher, detail);
    hex::encode(hasher.finalize())
}

#[test]
fn chain_links_and_verifies() {
    let fixture = fixture();
    let entries = fixture.store.audit_entries().unwrap();
    assert_eq!(entries.len(), 5);
    assert_eq!(entries[0].prev_hash, ZEROS);
    for (index, entry) in entries.iter().enumerate() {
        assert_eq!(entry.seq, index as i64 + 1);
        assert_eq!(entry.detail, format!("step {index}"));
        assert_eq!(
            entry.hash,
            expected_hash(
                &entry.prev_hash,
                entry.seq,
                entry.at_ms,
                &entry.actor,
                entry.action.as_str(),
                entry.visit_id.as_deref(),
                &entry.detail
            )
        );
        if index > 0 {
            assert_eq!(entry.prev_hash, entries[index - 1].hash);
        }
    }
    assert_eq!(entries[1].visit_id, None);
    assert_eq!(entries[2].visit_id.as_deref(), Some("00000000000000000000000000000002"));
    let report = fixture.store.verify_audit().unwrap();
    assert_eq!(report, AuditReport { entries: 5, head_hash: entries[4].hash.clone() });

    let appended = fixture.store.append_audit(record(AuditAction::VisitCancelled, None, "")).unwrap();
    assert_eq!((appended.seq, appended.prev_hash.as_str()), (6, report.head_hash.as_str()));
    assert_eq!(fixture.store.audit_entries().unwrap().last(), Some(&appended));
}

#[test]
fn empty_log_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let store = VisitStore::open(&dir.path().join("visits.db"), &DatabaseKey::generate().unwrap()).unwrap();
    assert_eq!(store.verify_audit().unwrap(), AuditReport { entries: 0, head_hash: ZEROS.into() });
    assert!(store.audit_entries().unwrap().is_empty());
}

#[test]
fn chain_survives_reopen() {
    let fixture = fixture();
    let head = fixture.store.verify_audit().unwrap().head_hash;
    let Fixture { _dir, path, key, store } = fixture;
    drop(store);
    let store = VisitStore::open(&path, &key).unwrap();
    assert_eq!(store.verify_audit().unwrap().head_hash, head);
    assert_eq!(store.append_audit(record(AuditAction::RoomEnded, None, "again")).unwrap().prev_hash, head);
    assert_eq!(store.verify_audit().unwrap().entries, 6);
}

#[test]
fn triggers_refuse_update_and_delete() {
    let fixture = fixture();
    let raw = raw_connection(&fixture.path, &fixture.key);
    for sql in ["UPDATE audit_log SET detail = 'edited' WHERE seq = 2", "DELETE FROM audit_log WHERE seq = 5"] {
        let error = raw.execute(sql, []).unwrap_err();
        assert!(error.to_string().contains("append-only"), "{sql}: {error}");
    }
    assert_eq!(fixture.store.verify_audit().unwrap().entries, 5);
}

#[test]
fn changed_field_is_reported_at_its_seq() {
    for (sql, seq) in [
        ("UPDATE audit_log SET detail = 'step X' WHERE seq = 2", 2),
        ("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1", 1),
        ("UPDATE audit_log SET at_ms = at_ms + 1 WHERE seq = 4", 4),
        ("UPDATE audit_log SET action = 'room_created' WHERE seq = 5", 5),
        ("UPDATE audit_log SET visit_id = NULL WHERE seq = 3", 3),
        ("UPDATE audit_log SET action = 'made_up' WHERE seq = 3", 3),
        ("UPDATE audit_log SET at_ms = 'yesterday' WHERE seq = 2", 2),
    ] {
        let fixture = fixture();
        tamper(&fixture, sql);
        assert_eq!(tampered_at(&fixture).0, seq, "{sql}");
    }
}

#[test]
fn deleted_middle_row_is_reported_as_missing() {
    let fixture = fixture();
    tamper(&fixture, "DELETE FROM audit_log WHERE seq = 3");
    let (seq, reason) = tampered_at(&fixture);
    assert_eq!(seq, 3);
    assert!(reason.contains("missing"), "{reason}");
}

/// Removing the newest entries leaves a valid chain; the anchor kept outside the database shows
/// it. An anchor behind the log (a crash before it was written) is no alarm.
#[test]
fn deleted_newest_rows_are_reported_against_the_anchor() {
    let fixture = fixture();
    let anchor = fixture.store.audit_anchor().unwrap();
    assert!(anchor.entries >= 4, "{anchor:?}");
    assert_eq!(AuditAnchor::parse(&anchor.to_text()), Some(anchor.clone()));
    assert_eq!(fixture.store.verify_audit_against(Some(&anchor)).unwrap().entries, anchor.entries);

    let behind = {
        let conn = raw_connection(&fixture.path, &fixture.key);
        let hash: String = conn.query_row("SELECT hash FROM audit_log WHERE seq = 2", [], |row| row.get(0)).unwrap();
        AuditAnchor { entries: 2, head_hash: hash }
    };
    assert!(fixture.store.verify_audit_against(Some(&behind)).is_ok(), "an older anchor is a prefix");

    tamper(&fixture, &format!("DELETE FROM audit_log WHERE seq >= {}", anchor.entries - 1));
    assert!(fixture.store.verify_audit().is_ok(), "the chain alone cannot see a cut tail");
    match fixture.store.verify_audit_against(Some(&anchor)).unwrap_err() {
        StoreError::AuditTampered { seq, reason } => {
            assert_eq!(seq, anchor.entries as i64 - 1);
            assert!(reason.contains("the newest 2 entries are gone"), "{reason}");
        }
        other => panic!("expected AuditTampered, got {other:?}"),
    }

    let forged = AuditAnchor { entries: 2, head_hash: "0".repeat(64) };
    assert!(fixture.store.verify_audit_against(Some(&forged)).is_err(), "a different entry where the anchor was");
}

#[test]
fn deleted_first_row_is_reported() {
    let fixture = fixture();
    tamper(&fixture, "DELETE FROM audit_log WHERE seq = 1");
    assert_eq!(tampered_at(&fixture).0, 1);
}

#[test]
fn renumbered_rows_are_reported() {
    // Closing the gap after a deletion still breaks the link.
    let fixture = fixture();
    tamper(&fixture, "DELETE FROM audit_log WHERE seq = 3; UPDATE audit_log SET seq = seq - 1 WHERE seq > 3;");
    assert_eq!(tampered_at(&fixture).0, 3);
}

#[test]
fn reordered_rows_are_reported() {
    let fixture = fixture();
    tamper(
        &fixture,
        "UPDATE audit_log SET seq = -2 WHERE seq = 2;
         UPDATE audit_log SET seq = 2 WHERE seq = 3;
         UPDATE audit_log SET seq = 3 WHERE seq = -2;",
    );
    let (seq, reason) = tampered_at(&fixture);
    assert_eq!(seq, 2);
    assert!(reason.contains("link"), "{reason}");
}

#[test]
fn forged_hash_is_reported() {
    let fixture = fixture();
    let forged = "ab".repeat(32);
    tamper(&fixture, &format!("UPDATE audit_log SET hash = '{forged}' WHERE seq = 4"));
    let (seq, reason) = tampered_at(&fixture);
    assert_eq!(seq, 4);
    assert!(reason.contains("do not match"), "{reason}");
}

#[test]
fn rewritten_entry_with_recomputed_hash_breaks_the_next_link() {
    let fixture = fixture();
    let entries = fixture.store.audit_entries().unwrap();
    let target = &entries[2];
    let forged = expected_hash(
        &target.prev_hash,
        target.seq,
        target.at_ms,
        &target.actor,
        target.action.as_str(),
        target.visit_id.as_deref(),
        "nothing happened",
    );
    tamper(&fixture, &format!("UPDATE audit_log SET detail = 'nothing happened', hash = '{forged}' WHERE seq = 3"));
    let (seq, reason) = tampered_at(&fixture);
    assert_eq!(seq, 4);
    assert!(reason.contains("link"), "{reason}");
}

#[test]
fn truncated_tail_is_not_detectable_from_the_file() {
    // Documented limit: only an outside copy of head_hash reveals it.
    let fixture = fixture();
    let before = fixture.store.verify_audit().unwrap();
    tamper(&fixture, "DELETE FROM audit_log WHERE seq >= 4");
    let after = fixture.store.verify_audit().unwrap();
    assert_eq!(after.entries, 3);
    assert_ne!(after.head_hash, before.head_hash);
}

#[test]
fn details_with_phone_numbers_or_tokens_are_refused() {
    let fixture = fixture();
    for detail in
        ["texted +1 555 765 4321", "number 555-765-4321", "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"]
    {
        let error = fixture.store.append_audit(record(AuditAction::InviteSmsSent, None, detail)).unwrap_err();
        assert_eq!(error.kind(), StoreErrorKind::AuditDetailRejected, "{detail}");
        assert!(!error.to_string().contains("765"), "{error}");
    }
    for detail in ["to ***-***-4321", "Twilio error 21614", "sid SM0123456789abcdef0123456789abcdef"] {
        fixture.store.append_audit(record(AuditAction::InviteFailed, None, detail)).unwrap();
    }
    assert_eq!(fixture.store.verify_audit().unwrap().entries, 8);
}

#[test]
fn verification_reads_through_a_plain_connection_too() {
    // The raw connection sees the same rows the store wrote: nothing is hidden in the file.
    let fixture = fixture();
    let raw: Connection = raw_connection(&fixture.path, &fixture.key);
    let count: i64 = raw.query_row("SELECT count(*) FROM audit_log", [], |row| row.get(0)).unwrap();
    assert_eq!(count, 5);
}
