//! Kill -9 a writer mid-stream and check that everything it reported as committed is there,
//! intact. The writer is this same test binary, re-run on the ignored `crash_child_writer`.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::raw_connection;
use visitdesk_store::{
    AuditAction, AuditRecord, DatabaseKey, GuestRole, InviteMethod, InviteOutcome, InvitePurpose, InviteStatus,
    NewInvite, NewVisit, VisitStatus, VisitStore,
};

const DB_ENV: &str = "VISITDESK_STORE_CRASH_DB";
const KEY_ENV: &str = "VISITDESK_STORE_CRASH_KEY";
const ROUND_ENV: &str = "VISITDESK_STORE_CRASH_ROUND";
const LIMIT_ENV: &str = "VISITDESK_STORE_CRASH_LIMIT";
const CHILD_TEST: &str = "crash_child_writer";
/// Starts each report; the harness may print "test crash_child_writer ... " before the first.
const MARKER: &str = "@@ ";
const ROUNDS: u64 = 20;
/// The child stops by itself after this long, in case the parent never kills it.
const CHILD_MAX_RUN: Duration = Duration::from_secs(20);

fn visit_name(round: u64, n: u64) -> String {
    format!("Crash Patient {round}-{n} Ünïcødé <b>")
}

fn visit_mobile(round: u64, n: u64) -> String {
    format!("+1555{:03}{:04}", round % 1000, n % 10_000)
}

fn visit_time(round: u64, n: u64) -> i64 {
    1_800_000_000 + (round * 100_000 + n) as i64
}

/// The writer. Prints a line only after the write it names has committed.
#[test]
#[ignore = "child process of the crash tests; does nothing without its environment"]
fn crash_child_writer() {
    let Ok(path) = std::env::var(DB_ENV) else { return };
    let key = DatabaseKey::from_hex(&std::env::var(KEY_ENV).unwrap()).unwrap();
    let round: u64 = std::env::var(ROUND_ENV).unwrap().parse().unwrap();
    let limit: u64 = std::env::var(LIMIT_ENV).ok().map_or(u64::MAX, |limit| limit.parse().unwrap());
    let store = VisitStore::open(Path::new(&path), &key).unwrap();
    let started = Instant::now();
    let mut out = std::io::stdout().lock();
    let mut report = |line: String| {
        writeln!(out, "{MARKER}{line}").unwrap();
        out.flush().unwrap();
    };
    for n in 0..limit {
        if started.elapsed() > CHILD_MAX_RUN {
            break;
        }
        let new = NewVisit {
            patient_display_name: visit_name(round, n),
            patient_mobile: visit_mobile(round, n),
            scheduled_at: visit_time(round, n),
        };
        let visit = store.create_visit(new).unwrap();
        report(format!("VISIT {} {round} {n}", visit.id));

        let entry = store
            .append_audit(AuditRecord {
                actor: "crash-test".into(),
                action: AuditAction::VisitCreated,
                visit_id: Some(visit.id.clone()),
                detail: format!("round {round} visit {n}"),
            })
            .unwrap();
        report(format!("AUDIT {} {}", entry.seq, entry.hash));

        let invite = store
            .create_invite(NewInvite {
                visit_id: visit.id.clone(),
                role: GuestRole::Patient,
                method: InviteMethod::Sms,
                purpose: InvitePurpose::Join,
                to_e164: Some(visit.patient_mobile.clone()),
                to_masked: Some("***".into()),
                guest_identity: None,
            })
            .unwrap();
        report(format!("INVITE {} {}", invite.id, visit.id));

        store
            .finish_invite(
                &invite.id,
                InviteOutcome {
                    status: InviteStatus::Sent,
                    twilio_sid: Some(format!("SM{}", invite.id)),
                    error_code: None,
                    error_message: None,
                },
            )
            .unwrap();
        report(format!("SENT {}", invite.id));

        store.set_visit_status(&visit.id, VisitStatus::Invited).unwrap();
        report(format!("INVITED {}", visit.id));
    }
}

/// What the parent learned from the child's stdout, accumulated over rounds.
#[derive(Default)]
struct Committed {
    visits: HashMap<String, (u64, u64)>,
    invited: Vec<String>,
    audit: HashMap<i64, String>,
    invites: HashMap<String, String>,
    sent: Vec<String>,
}

impl Committed {
    fn record(&mut self, line: &str) {
        let Some((_, report)) = line.split_once(MARKER) else { return };
        let fields: Vec<&str> = report.split(' ').collect();
        match fields.as_slice() {
            ["VISIT", id, round, n] => {
                self.visits.insert(id.to_string(), (round.parse().unwrap(), n.parse().unwrap()));
            }
            ["AUDIT", seq, hash] => {
                self.audit.insert(seq.parse().unwrap(), hash.to_string());
            }
            ["INVITE", id, visit_id] => {
                self.invites.insert(id.to_string(), visit_id.to_string());
            }
            ["SENT", id] => self.sent.push(id.to_string()),
            ["INVITED", id] => self.invited.push(id.to_string()),
            _ => panic!("unexpected report {report:?}"),
        }
    }
}

fn spawn_child(path: &Path, key: &DatabaseKey, round: u64, limit: Option<u64>) -> Child {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args(["--exact", CHILD_TEST, "--nocapture", "--include-ignored", "--test-threads=1"])
        .env(DB_ENV, path)
        .env(KEY_ENV, key.to_hex().expose())
        .env(ROUND_ENV, round.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(limit) = limit {
        command.env(LIMIT_ENV, limit.to_string());
    }
    command.spawn().unwrap()
}

/// Forwards complete lines only: a line cut short by the kill was never fully reported.
fn forward_lines(child: &mut Child) -> (mpsc::Receiver<String>, thread::JoinHandle<()>) {
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let (sender, receiver) = mpsc::channel();
    let reader = thread::spawn(move || {
        let mut line = String::new();
        while stdout.read_line(&mut line).unwrap_or(0) > 0 {
            if let Some(complete) = line.strip_suffix('\n') {
                let _ = sender.send(complete.to_string());
            }
            line.clear();
        }
    });
    (receiver, reader)
}

/// 30-300 ms, varied per round without a random number crate.
fn kill_delay(round: u64) -> Duration {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos() as u64;
    Duration::from_millis(30 + (nanos / 1000 + round * 97) % 271)
}

fn check_database(path: &Path, key: &DatabaseKey, committed: &Committed) {
    let raw = raw_connection(path, key);
    let integrity: String = raw.query_row("PRAGMA integrity_check", [], |row| row.get(0)).unwrap();
    assert_eq!(integrity, "ok");
    let mut cipher_check = raw.prepare("PRAGMA cipher_integrity_check").unwrap();
    let problems: Vec<String> =
        cipher_check.query_map([], |row| row.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
    assert!(problems.is_empty(), "cipher_integrity_check: {problems:?}");
    drop(cipher_check);
    drop(raw);

    let store = VisitStore::open(path, key).unwrap();
    for (id, &(round, n)) in &committed.visits {
        let visit = store.visit(id).unwrap();
        assert_eq!(visit.patient_display_name, visit_name(round, n));
        assert_eq!(visit.patient_mobile, visit_mobile(round, n));
        assert_eq!(visit.scheduled_at, visit_time(round, n));
    }
    for id in &committed.invited {
        assert_eq!(store.visit(id).unwrap().status, VisitStatus::Invited);
    }
    for (id, visit_id) in &committed.invites {
        let invites = store.invites_for_visit(visit_id).unwrap();
        let invite = invites.iter().find(|invite| &invite.id == id).expect("a committed invite is missing");
        let expected = if committed.sent.contains(id) { InviteStatus::Sent } else { invite.status };
        assert!(matches!(invite.status, InviteStatus::Pending | InviteStatus::Sent));
        assert_eq!(invite.status, expected);
    }

    let report = store.verify_audit().unwrap();
    let entries = store.audit_entries().unwrap();
    assert_eq!(report.entries, entries.len() as u64);
    for (seq, hash) in &committed.audit {
        assert_eq!(&entries[(*seq - 1) as usize].hash, hash, "audit entry {seq}");
    }
}

#[test]
fn kill_9_mid_write_keeps_every_committed_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("visits.db");
    let key = DatabaseKey::generate().unwrap();
    let started = Instant::now();
    let mut committed = Committed::default();
    let mut killed_with_writes = 0;

    for round in 0..ROUNDS {
        let mut child = spawn_child(&path, &key, round, None);
        let (lines, reader) = forward_lines(&mut child);
        let before = committed.visits.len();
        // Even rounds time from the spawn, so some kills land while opening; odd rounds time
        // from the first commit, so they land mid-stream however slow the machine is.
        if round % 2 == 1 {
            let first = lines.recv_timeout(Duration::from_secs(60)).expect("the writer reported nothing");
            committed.record(&first);
        }
        let deadline = Instant::now() + kill_delay(round);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match lines.recv_timeout(left) {
                Ok(line) => committed.record(&line),
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the writer exited before it was killed"),
            }
        }
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        reader.join().unwrap();
        // Lines printed before the kill are still commits.
        for line in lines.try_iter() {
            committed.record(&line);
        }
        if committed.visits.len() > before {
            killed_with_writes += 1;
        }
        check_database(&path, &key, &committed);
    }

    let store = VisitStore::open(&path, &key).unwrap();
    let stored = store.visits_between(i64::MIN, i64::MAX).unwrap().len();
    println!(
        "crash loop: {ROUNDS} rounds ({killed_with_writes} with commits before the kill), {} visits reported committed, {stored} stored, {} audit entries, {:.1?}",
        committed.visits.len(),
        store.verify_audit().unwrap().entries,
        started.elapsed()
    );
    assert!(stored >= committed.visits.len());
    assert!(killed_with_writes >= ROUNDS / 2, "too few rounds wrote anything: {killed_with_writes}");
}

#[test]
fn visits_survive_a_process_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("visits.db");
    let key = DatabaseKey::generate().unwrap();
    let mut committed = Committed::default();
    for round in 0..2 {
        let mut child = spawn_child(&path, &key, round, Some(10));
        let (lines, reader) = forward_lines(&mut child);
        assert!(child.wait().unwrap().success());
        reader.join().unwrap();
        lines.try_iter().for_each(|line| committed.record(&line));
    }
    assert_eq!(committed.visits.len(), 20);
    check_database(&path, &key, &committed);
    let store = VisitStore::open(&path, &key).unwrap();
    assert_eq!(store.visits_between(i64::MIN, i64::MAX).unwrap().len(), 20);
    assert_eq!(store.verify_audit().unwrap().entries, 20);
}
