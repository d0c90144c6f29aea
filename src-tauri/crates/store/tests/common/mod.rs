//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::Path;

use rusqlite::Connection;
use visitdesk_store::{DatabaseKey, NewVisit};

/// A connection that bypasses `VisitStore`, keyed the same way, for inspecting and tampering.
pub fn raw_connection(path: &Path, key: &DatabaseKey) -> Connection {
    let conn = Connection::open(path).unwrap();
    let hex = key.to_hex();
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\"; PRAGMA cipher_compatibility = 4;", hex.expose())).unwrap();
    conn
}

pub fn new_visit(name: &str, mobile: &str, scheduled_at: i64) -> NewVisit {
    NewVisit { patient_display_name: name.into(), patient_mobile: mobile.into(), scheduled_at }
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}
