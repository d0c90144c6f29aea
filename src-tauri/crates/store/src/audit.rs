//! The hash chain and the PHI screen of the audit log.

use rusqlite::types::Value;
use sha2::{Digest, Sha256};

use crate::{AuditAction, AuditAnchor, AuditReport, StoreError};

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// `sha256(prev_hash || fields)`, where `prev_hash` is its 64 hex characters and each field
/// is length-prefixed (u64 big-endian) or a fixed-width big-endian integer, so no two
/// different entries serialize alike.
pub fn entry_hash(
    prev_hash: &str,
    seq: i64,
    at_ms: i64,
    actor: &str,
    action: &str,
    visit_id: Option<&str>,
    detail: &str,
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(seq.to_be_bytes());
    hasher.update(at_ms.to_be_bytes());
    update_text(&mut hasher, actor);
    update_text(&mut hasher, action);
    match visit_id {
        None => hasher.update([0u8]),
        Some(id) => {
            hasher.update([1u8]);
            update_text(&mut hasher, id);
        }
    }
    update_text(&mut hasher, detail);
    hex::encode(hasher.finalize())
}

fn update_text(hasher: &mut Sha256, text: &str) {
    hasher.update((text.len() as u64).to_be_bytes());
    hasher.update(text.as_bytes());
}

/// Checks rows of `seq, at_ms, actor, action, visit_id, detail, prev_hash, hash`, ordered
/// by `seq`: numbering from 1 without gaps, each `prev_hash` equal to the previous hash, and
/// each hash recomputed. Reports the first bad `seq` (for a missing entry, the missing `seq`).
/// Rows are raw values so that a field edited to the wrong type is reported, not an error.
pub fn verify_chain(rows: &[Vec<Value>]) -> Result<AuditReport, StoreError> {
    let mut head = GENESIS_HASH.to_string();
    for (index, row) in rows.iter().enumerate() {
        let expected_seq = index as i64 + 1;
        let Some(seq) = integer(row.first()) else {
            return Err(tampered(expected_seq, "its number is not an integer".into()));
        };
        if seq != expected_seq {
            let reason = if seq > expected_seq {
                format!("entry {expected_seq} is missing")
            } else {
                "it is out of order".into()
            };
            return Err(tampered(expected_seq, reason));
        }
        let (Some(at_ms), Some(actor), Some(action), Some(visit_id), Some(detail), Some(prev_hash), Some(hash)) = (
            integer(row.get(1)),
            text(row.get(2)),
            text(row.get(3)),
            optional_text(row.get(4)),
            text(row.get(5)),
            text(row.get(6)),
            text(row.get(7)),
        ) else {
            return Err(tampered(seq, "a field has the wrong type".into()));
        };
        if AuditAction::parse(action).is_none() {
            return Err(tampered(seq, "its action is not one VisitDesk writes".into()));
        }
        if prev_hash != head {
            return Err(tampered(seq, "it does not link to the entry before it".into()));
        }
        let recomputed = entry_hash(prev_hash, seq, at_ms, actor, action, visit_id, detail);
        if hash != recomputed {
            return Err(tampered(seq, "its contents do not match its hash".into()));
        }
        head = recomputed;
    }
    Ok(AuditReport { entries: rows.len() as u64, head_hash: head })
}

/// [`verify_chain`], then the chain against the anchor kept outside the database: entry
/// `anchor.entries` must still be there, with the hash the anchor recorded.
pub fn verify_chain_against(rows: &[Vec<Value>], anchor: Option<&AuditAnchor>) -> Result<AuditReport, StoreError> {
    let report = verify_chain(rows)?;
    let Some(anchor) = anchor.filter(|anchor| anchor.entries > 0) else { return Ok(report) };
    if anchor.entries > report.entries {
        let missing = anchor.entries - report.entries;
        return Err(tampered(
            report.entries as i64 + 1,
            format!(
                "the newest {missing} entries are gone: the log has {} but held {} when last written",
                report.entries, anchor.entries
            ),
        ));
    }
    let recorded = text(rows[anchor.entries as usize - 1].get(7)).unwrap_or_default();
    if recorded != anchor.head_hash {
        return Err(tampered(anchor.entries as i64, "it is not the entry the log ended with when last written".into()));
    }
    Ok(report)
}

fn tampered(seq: i64, reason: String) -> StoreError {
    StoreError::AuditTampered { seq, reason }
}

fn integer(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Integer(number) => Some(*number),
        _ => None,
    }
}

fn text(value: Option<&Value>) -> Option<&str> {
    match value? {
        Value::Text(text) => Some(text),
        _ => None,
    }
}

/// `Some(None)` for SQL NULL, `None` for a wrong type.
fn optional_text(value: Option<&Value>) -> Option<Option<&str>> {
    match value? {
        Value::Null => Some(None),
        Value::Text(text) => Some(Some(text)),
        _ => None,
    }
}

const MAX_DIGIT_RUN: usize = 6;

/// Refuses details that look like they carry a full phone number or a JWT.
pub fn screen_detail(detail: &str) -> Result<(), StoreError> {
    if has_phone_like_run(detail) {
        return Err(StoreError::AuditDetailRejected {
            reason: "contains a run of 7 or more digits, which could be a phone number",
        });
    }
    if has_jwt_like_token(detail) {
        return Err(StoreError::AuditDetailRejected { reason: "contains what looks like an access token (JWT)" });
    }
    Ok(())
}

/// A run of 7+ digits, where spaces, dashes, dots, parentheses and `+` do not break the run.
/// Runs glued to a letter on either side are part of an identifier (a hex ID, a Twilio
/// SID) and are allowed.
fn has_phone_like_run(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let mut index = 0;
    while index < chars.len() {
        if !chars[index].is_ascii_digit() {
            index += 1;
            continue;
        }
        let starts_after_letter = index > 0 && chars[index - 1].is_alphabetic();
        let mut digits = 0;
        let mut last_digit = index;
        let mut cursor = index;
        while cursor < chars.len() {
            let c = chars[cursor];
            if c.is_ascii_digit() {
                digits += 1;
                last_digit = cursor;
            } else if !matches!(c, ' ' | '-' | '+' | '.' | '(' | ')' | '\u{a0}') {
                break;
            }
            cursor += 1;
        }
        let ends_before_letter = chars.get(last_digit + 1).is_some_and(|c| c.is_alphabetic());
        if digits > MAX_DIGIT_RUN && !starts_after_letter && !ends_before_letter {
            return true;
        }
        index = cursor.max(index + 1);
    }
    false
}

/// `eyJ` (base64 of `{"`) starting a token of base64url characters with at least two dots.
fn has_jwt_like_token(text: &str) -> bool {
    let is_token_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=');
    text.match_indices("eyJ").any(|(start, _)| {
        let token: &str = text[start..].split(|c: char| !is_token_char(c)).next().unwrap_or_default();
        token.matches('.').count() >= 2
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_refused() {
        for detail in [
            "sent to +15551234567",
            "sent to 555-123-4567",
            "call (555) 123 4567 now",
            "+44 20 7946 0958",
            "1234567",
            "tel:5551234567",
            "555.123.4567",
            // A dashed date reads as a number too; details should not carry dates.
            "2025-06-01",
        ] {
            assert!(has_phone_like_run(detail), "{detail}");
            assert!(screen_detail(detail).is_err(), "{detail}");
        }
    }

    #[test]
    fn ordinary_details_pass() {
        for detail in [
            "",
            "invite to ***-***-4567",
            "Twilio error 21211",
            "visit 3fa9c2e1b8d44f0d9a7e6c5b4a392817 rescheduled",
            "room RM12345678901234567890123456789012",
            "sid SM0123456789abcdef0123456789abcdef",
            "moved from 10:30 to 11:45",
            "<img src=x onerror=alert(1)>",
            "eyJ alone is fine",
        ] {
            assert!(screen_detail(detail).is_ok(), "{detail}");
        }
    }

    #[test]
    fn jwts_are_refused() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
        assert!(has_jwt_like_token(jwt));
        assert!(screen_detail(&format!("token={jwt} end")).is_err());
        assert!(!has_jwt_like_token("eyJhbGciOiJIUzI1NiJ9.only-one-dot"));
    }

    #[test]
    fn hash_separates_fields() {
        let a = entry_hash(GENESIS_HASH, 1, 5, "ab", "visit_created", None, "c");
        let b = entry_hash(GENESIS_HASH, 1, 5, "a", "visit_created", None, "bc");
        let c = entry_hash(GENESIS_HASH, 1, 5, "ab", "visit_created", Some(""), "c");
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.len(), 64);
        assert_eq!(a, entry_hash(GENESIS_HASH, 1, 5, "ab", "visit_created", None, "c"));
    }
}
