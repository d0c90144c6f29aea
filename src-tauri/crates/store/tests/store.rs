mod common;

use std::fs;

use common::{contains, new_visit, raw_connection};
use visitdesk_store::{
    DatabaseKey, GuestRole, InviteMethod, InviteOutcome, InvitePurpose, InviteStatus, NewInvite, RoomRef,
    SCHEMA_VERSION, StoreError, StoreErrorKind, VideoBackendKind, VisitEdit, VisitStatus, VisitStore,
};

const NAME: &str = "Zebulon Quartermaine";
const MOBILE: &str = "+15557654321";

fn open_new() -> (tempfile::TempDir, std::path::PathBuf, DatabaseKey, VisitStore) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("visits.db");
    let key = DatabaseKey::generate().unwrap();
    let store = VisitStore::open(&path, &key).unwrap();
    (dir, path, key, store)
}

fn sms_invite(visit_id: &str, to: &str) -> NewInvite {
    NewInvite {
        visit_id: visit_id.into(),
        role: GuestRole::Patient,
        method: InviteMethod::Sms,
        purpose: InvitePurpose::Join,
        to_e164: Some(to.into()),
        to_masked: Some("***-***-4321".into()),
        guest_identity: Some("guest-1".into()),
    }
}

#[test]
fn visit_lifecycle_round_trips() {
    let (_dir, path, _key, store) = open_new();
    assert_eq!(store.path(), path);

    let created = store.create_visit(new_visit(NAME, MOBILE, 1_800_000_000)).unwrap();
    assert_eq!(created.id.len(), 32);
    assert!(created.id.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(created.status, VisitStatus::Scheduled);
    assert_eq!(created.room, None);
    assert_eq!(created.created_at, created.updated_at);
    assert_eq!(store.visit(&created.id).unwrap(), created);

    let edit = VisitEdit {
        patient_display_name: "Zeb Q.".into(),
        patient_mobile: "+447700900123".into(),
        scheduled_at: 1_800_000_600,
    };
    let edited = store.update_visit(&created.id, edit).unwrap();
    assert_eq!(
        (edited.patient_display_name.as_str(), edited.patient_mobile.as_str(), edited.scheduled_at),
        ("Zeb Q.", "+447700900123", 1_800_000_600)
    );
    assert_eq!(edited.created_at, created.created_at);

    // Any transition is stored; the core decides which are allowed.
    let done = store.set_visit_status(&created.id, VisitStatus::Completed).unwrap();
    assert_eq!(done.status, VisitStatus::Completed);
    let back = store.set_visit_status(&created.id, VisitStatus::InVisit).unwrap();
    assert_eq!(back.status, VisitStatus::InVisit);

    let room = RoomRef {
        service: VideoBackendKind::Twilio,
        unique_name: "vd-room-1".into(),
        sid: Some("RM0123456789abcdef0123456789abcdef".into()),
    };
    assert_eq!(store.set_visit_room(&created.id, Some(room.clone())).unwrap().room, Some(room));
    let janus =
        RoomRef { service: VideoBackendKind::Janus, unique_name: "vd-room-3".into(), sid: Some("4815162342".into()) };
    assert_eq!(store.set_visit_room(&created.id, Some(janus.clone())).unwrap().room, Some(janus));
    let unnamed = RoomRef { service: VideoBackendKind::Twilio, unique_name: "vd-room-2".into(), sid: None };
    assert_eq!(store.set_visit_room(&created.id, Some(unnamed.clone())).unwrap().room, Some(unnamed));
    assert_eq!(store.set_visit_room(&created.id, None).unwrap().room, None);
    assert_eq!(store.visit(&created.id).unwrap().status, VisitStatus::InVisit);
}

#[test]
fn unknown_ids_are_not_found() {
    let (_dir, _path, _key, store) = open_new();
    let missing = "0".repeat(32);
    let edit = VisitEdit { patient_display_name: "A".into(), patient_mobile: MOBILE.into(), scheduled_at: 0 };
    let errors = [
        store.visit(&missing).unwrap_err(),
        store.update_visit(&missing, edit).unwrap_err(),
        store.set_visit_status(&missing, VisitStatus::Cancelled).unwrap_err(),
        store.set_visit_room(&missing, None).unwrap_err(),
        store.create_invite(sms_invite(&missing, MOBILE)).unwrap_err(),
        store.invites_for_visit(&missing).unwrap_err(),
    ];
    for error in errors {
        assert_eq!(error, StoreError::NotFound { what: "visit", id: missing.clone() });
        assert_eq!(error.kind(), StoreErrorKind::NotFound);
        assert_eq!(error.to_string(), format!("No visit with ID {missing} was found."));
    }
    let outcome = InviteOutcome { status: InviteStatus::Sent, twilio_sid: None, error_code: None, error_message: None };
    assert_eq!(
        store.finish_invite(&missing, outcome).unwrap_err(),
        StoreError::NotFound { what: "invite", id: missing.clone() }
    );
}

#[test]
fn visits_between_is_half_open_and_ordered() {
    let (_dir, _path, _key, store) = open_new();
    let late = store.create_visit(new_visit("Late", MOBILE, 200)).unwrap();
    let early_first = store.create_visit(new_visit("Early 1", MOBILE, 100)).unwrap();
    let before = store.create_visit(new_visit("Before", MOBILE, 99)).unwrap();
    let early_second = store.create_visit(new_visit("Early 2", MOBILE, 100)).unwrap();
    let at_end = store.create_visit(new_visit("At end", MOBILE, 300)).unwrap();

    let ids = |from, to| store.visits_between(from, to).unwrap().into_iter().map(|v| v.id).collect::<Vec<_>>();
    assert_eq!(ids(100, 300), [early_first.id.as_str(), &early_second.id, &late.id]);
    assert_eq!(ids(99, 301), [before.id.as_str(), &early_first.id, &early_second.id, &late.id, &at_end.id]);
    assert!(ids(300, 300).is_empty());
    assert!(ids(400, 100).is_empty());
    assert_eq!(store.visits_between(200, 201).unwrap(), [late]);
}

#[test]
fn invites_are_pending_until_finished() {
    let (_dir, _path, _key, store) = open_new();
    let visit = store.create_visit(new_visit(NAME, MOBILE, 1_800_000_000)).unwrap();
    let other = store.create_visit(new_visit("Other", MOBILE, 1_800_000_000)).unwrap();

    let sms = store.create_invite(sms_invite(&visit.id, MOBILE)).unwrap();
    assert_eq!(sms.status, InviteStatus::Pending);
    assert_eq!((sms.twilio_sid.clone(), sms.error_code, sms.error_message.clone()), (None, None, None));
    assert_eq!(sms.to_e164.as_deref(), Some(MOBILE));
    assert_eq!(sms.to_masked.as_deref(), Some("***-***-4321"));

    let link = store
        .create_invite(NewInvite {
            visit_id: visit.id.clone(),
            role: GuestRole::Interpreter,
            method: InviteMethod::CopyLink,
            purpose: InvitePurpose::Join,
            to_e164: None,
            to_masked: None,
            guest_identity: None,
        })
        .unwrap();
    let late = store
        .create_invite(NewInvite {
            purpose: InvitePurpose::RunningLate,
            method: InviteMethod::PhoneDialIn,
            role: GuestRole::Caregiver,
            ..sms_invite(&visit.id, MOBILE)
        })
        .unwrap();
    store.create_invite(sms_invite(&other.id, MOBILE)).unwrap();

    let sent = store
        .finish_invite(
            &sms.id,
            InviteOutcome {
                status: InviteStatus::Sent,
                twilio_sid: Some("SM0123456789abcdef0123456789abcdef".into()),
                error_code: None,
                error_message: None,
            },
        )
        .unwrap();
    assert_eq!(sent.status, InviteStatus::Sent);
    assert_eq!(sent.twilio_sid.as_deref(), Some("SM0123456789abcdef0123456789abcdef"));
    assert_eq!(sent.created_at, sms.created_at);

    let failed = store
        .finish_invite(
            &late.id,
            InviteOutcome {
                status: InviteStatus::Failed,
                twilio_sid: None,
                error_code: Some(21_211),
                error_message: Some("Invalid 'To' Phone Number".into()),
            },
        )
        .unwrap();
    assert_eq!((failed.status, failed.error_code), (InviteStatus::Failed, Some(21_211)));

    let listed = store.invites_for_visit(&visit.id).unwrap();
    assert_eq!(listed, [sent, link, failed]);
    assert_eq!(listed[2].role, GuestRole::Caregiver);
    assert_eq!(store.invites_for_visit(&other.id).unwrap().len(), 1);
}

#[test]
fn data_survives_reopen() {
    let (_dir, path, key, store) = open_new();
    let visit = store.create_visit(new_visit(NAME, MOBILE, 1_800_000_000)).unwrap();
    let visit = store.set_visit_status(&visit.id, VisitStatus::Invited).unwrap();
    let invite = store.create_invite(sms_invite(&visit.id, MOBILE)).unwrap();
    drop(store);

    let key_again = DatabaseKey::from_hex(key.to_hex().expose()).unwrap();
    let reopened = VisitStore::open(&path, &key_again).unwrap();
    assert_eq!(reopened.visit(&visit.id).unwrap(), visit);
    assert_eq!(reopened.invites_for_visit(&visit.id).unwrap(), [invite]);
    assert_eq!(reopened.visits_between(0, i64::MAX).unwrap(), [visit]);
}

#[test]
fn database_is_wal_at_the_current_schema() {
    let (_dir, path, key, _store) = open_new();
    let raw = raw_connection(&path, &key);
    let mode: String = raw.query_row("PRAGMA journal_mode", [], |row| row.get(0)).unwrap();
    assert_eq!(mode, "wal");
    let version: i64 = raw.query_row("PRAGMA user_version", [], |row| row.get(0)).unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let triggers: i64 =
        raw.query_row("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'", [], |row| row.get(0)).unwrap();
    assert_eq!(triggers, 2);
}

#[test]
fn file_on_disk_holds_no_plaintext_phi() {
    let (_dir, path, _key, store) = open_new();
    let visit = store.create_visit(new_visit(NAME, MOBILE, 1_800_000_000)).unwrap();
    store.create_invite(sms_invite(&visit.id, "+15559876543")).unwrap();
    for n in 0..50 {
        store.create_visit(new_visit(&format!("{NAME} {n}"), MOBILE, 1_800_000_000 + n)).unwrap();
    }

    let wal_path = path.with_file_name("visits.db-wal");
    let forbidden: [&[u8]; 5] = [NAME.as_bytes(), b"Quartermaine", MOBILE.as_bytes(), b"5557654321", b"5559876543"];
    let check = |bytes: &[u8], what: &str| {
        for needle in forbidden {
            assert!(!contains(bytes, needle), "{what} contains {:?} in plain text", String::from_utf8_lossy(needle));
        }
    };

    // While open, recent writes sit in the WAL.
    let wal = fs::read(&wal_path).unwrap();
    assert!(wal.len() > 4096, "expected the writes in the WAL, found {} bytes", wal.len());
    check(&wal, "the WAL");
    let main = fs::read(&path).unwrap();
    check(&main, "the database");

    // On close they are checkpointed into the main file.
    drop(store);
    let main = fs::read(&path).unwrap();
    assert!(main.len() > 8192);
    assert!(!main.starts_with(b"SQLite format 3"), "the database header is plain SQLite");
    check(&main, "the database");
    if let Ok(wal) = fs::read(&wal_path) {
        check(&wal, "the WAL");
    }
}

#[cfg(unix)]
#[test]
fn files_are_private_to_the_user() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, path, _key, store) = open_new();
    store.create_visit(new_visit(NAME, MOBILE, 1_800_000_000)).unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let file = path.with_file_name(format!("visits.db{suffix}"));
        let mode = fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", file.display());
    }
}

#[test]
fn wrong_key_is_refused_and_file_untouched() {
    let (_dir, path, _key, store) = open_new();
    store.create_visit(new_visit(NAME, MOBILE, 1_800_000_000)).unwrap();
    drop(store);
    let before = fs::read(&path).unwrap();

    let wrong = DatabaseKey::generate().unwrap();
    let error = VisitStore::open(&path, &wrong).unwrap_err();
    assert_eq!(error, StoreError::WrongKeyOrNotADatabase { path: path.clone() });
    assert_eq!(error.kind(), StoreErrorKind::WrongKeyOrNotADatabase);
    let message = error.to_string();
    assert!(message.contains("does not match") && message.contains("not changed"), "{message}");
    assert!(!message.contains(wrong.to_hex().expose()));
    assert_eq!(fs::read(&path).unwrap(), before);
    assert!(!path.with_file_name("visits.db-wal").exists());
}

#[test]
fn foreign_files_are_refused_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let key = DatabaseKey::generate().unwrap();

    let text = dir.path().join("notes.txt");
    let contents = "not a database\n".repeat(500).into_bytes();
    fs::write(&text, &contents).unwrap();
    assert_eq!(VisitStore::open(&text, &key).unwrap_err().kind(), StoreErrorKind::WrongKeyOrNotADatabase);
    assert_eq!(fs::read(&text).unwrap(), contents);

    // A plain, unencrypted SQLite database is not ours either.
    let plain = dir.path().join("plain.db");
    let conn = rusqlite::Connection::open(&plain).unwrap();
    conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
    drop(conn);
    let before = fs::read(&plain).unwrap();
    assert!(before.starts_with(b"SQLite format 3"));
    assert_eq!(VisitStore::open(&plain, &key).unwrap_err().kind(), StoreErrorKind::WrongKeyOrNotADatabase);
    assert_eq!(fs::read(&plain).unwrap(), before);
}

/// A database from before rooms named their service: Twilio's `RM…` rooms and Janus's
/// numbered rooms keep working, each on its own service.
#[test]
fn rooms_saved_before_they_named_their_service_are_read_as_the_service_that_made_them() {
    let (_dir, path, key, store) = open_new();
    let on = |service, name: &str, sid: &str| RoomRef { service, unique_name: name.into(), sid: Some(sid.into()) };
    let twilio = store.create_visit(new_visit(NAME, MOBILE, 1_800_000_000)).unwrap();
    let janus = store.create_visit(new_visit(NAME, MOBILE, 1_800_000_600)).unwrap();
    let none = store.create_visit(new_visit(NAME, MOBILE, 1_800_001_200)).unwrap();
    store
        .set_visit_room(&twilio.id, Some(on(VideoBackendKind::Twilio, "vd-a", "RM0123456789abcdef0123456789abcdef")))
        .unwrap();
    store.set_visit_room(&janus.id, Some(on(VideoBackendKind::Janus, "vd-b", "4815162342"))).unwrap();
    drop(store);
    let raw = raw_connection(&path, &key);
    raw.execute_batch(
        "ALTER TABLE visits DROP COLUMN room_service; DROP TABLE removed_identities; PRAGMA user_version = 1;",
    )
    .unwrap();
    drop(raw);

    let store = VisitStore::open(&path, &key).unwrap();
    assert_eq!(store.visit(&twilio.id).unwrap().room.unwrap().service, VideoBackendKind::Twilio);
    assert_eq!(store.visit(&janus.id).unwrap().room.unwrap().service, VideoBackendKind::Janus);
    assert_eq!(store.visit(&none.id).unwrap().room, None);
    let raw = raw_connection(&path, &key);
    let version: i64 = raw.query_row("PRAGMA user_version", [], |row| row.get(0)).unwrap();
    assert_eq!(version, SCHEMA_VERSION);
}

#[test]
fn removed_identities_are_kept_per_visit_and_survive_reopen() {
    let (_dir, path, key, store) = open_new();
    let early = store.create_visit(new_visit(NAME, MOBILE, 1_800_000_000)).unwrap();
    let later = store.create_visit(new_visit(NAME, MOBILE, 1_800_003_600)).unwrap();
    assert!(store.removed_identities_between(0, i64::MAX).unwrap().is_empty());

    store.record_removed_identity(&later.id, "family-qwertyuiop").unwrap();
    store.record_removed_identity(&early.id, "interpreter-kqzmtrwxab").unwrap();
    let first = store.removed_identities_between(0, i64::MAX).unwrap();
    // Removed again: the first time is kept, and it is listed once.
    store.record_removed_identity(&early.id, "interpreter-kqzmtrwxab").unwrap();
    let listed = |store: &VisitStore, from, to| -> Vec<(String, String)> {
        store
            .removed_identities_between(from, to)
            .unwrap()
            .into_iter()
            .map(|removed| (removed.visit_id, removed.identity))
            .collect()
    };
    assert_eq!(
        listed(&store, 0, i64::MAX),
        [(early.id.clone(), "interpreter-kqzmtrwxab".to_string()), (later.id.clone(), "family-qwertyuiop".to_string())],
        "by visit, earliest appointment first"
    );
    assert_eq!(store.removed_identities_between(0, i64::MAX).unwrap(), first);
    assert_eq!(listed(&store, 1_800_003_600, i64::MAX), [(later.id.clone(), "family-qwertyuiop".to_string())]);
    assert!(listed(&store, 0, 1_800_000_000).is_empty(), "half-open, as visits_between");

    let error = store.record_removed_identity("no-such-visit", "family-qwertyuiop").unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::NotFound);

    drop(store);
    let reopened = VisitStore::open(&path, &key).unwrap();
    assert_eq!(reopened.removed_identities_between(0, i64::MAX).unwrap(), first);
}

/// A database from before removals were remembered gains the table, and keeps its visits.
#[test]
fn a_database_from_before_removals_were_remembered_is_migrated() {
    let (_dir, path, key, store) = open_new();
    let visit = store.create_visit(new_visit(NAME, MOBILE, 1_800_000_000)).unwrap();
    drop(store);
    let raw = raw_connection(&path, &key);
    raw.execute_batch("DROP TABLE removed_identities; PRAGMA user_version = 2;").unwrap();
    drop(raw);

    let store = VisitStore::open(&path, &key).unwrap();
    assert_eq!(store.visit(&visit.id).unwrap(), visit);
    store.record_removed_identity(&visit.id, "caregiver-asdfghjklz").unwrap();
    assert_eq!(store.removed_identities_between(0, i64::MAX).unwrap().len(), 1);
    let raw = raw_connection(&path, &key);
    let version: i64 = raw.query_row("PRAGMA user_version", [], |row| row.get(0)).unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    assert_eq!(SCHEMA_VERSION, 3);
}

#[test]
fn newer_schema_is_refused_without_writing() {
    let (_dir, path, key, store) = open_new();
    store.create_visit(new_visit(NAME, MOBILE, 1_800_000_000)).unwrap();
    drop(store);
    let raw = raw_connection(&path, &key);
    raw.execute_batch("PRAGMA user_version = 99;").unwrap();
    drop(raw);
    let before = fs::read(&path).unwrap();

    let error = VisitStore::open(&path, &key).unwrap_err();
    assert_eq!(error, StoreError::NewerSchema { found: 99, supported: SCHEMA_VERSION });
    assert_eq!(error.kind(), StoreErrorKind::NewerSchema);
    assert!(error.to_string().contains("Update VisitDesk"), "{error}");
    assert_eq!(fs::read(&path).unwrap(), before);
}

#[test]
fn unusable_path_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let key = DatabaseKey::generate().unwrap();
    let error = VisitStore::open(&dir.path().join("missing-folder").join("visits.db"), &key).unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Io, "{error:?}");
}

#[test]
fn store_can_be_shared_across_threads() {
    let (_dir, _path, _key, store) = open_new();
    let store = std::sync::Arc::new(store);
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                for n in 0..25 {
                    store.create_visit(new_visit(&format!("T{t} #{n}"), MOBILE, t * 1000 + n)).unwrap();
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(store.visits_between(0, i64::MAX).unwrap().len(), 100);
}
