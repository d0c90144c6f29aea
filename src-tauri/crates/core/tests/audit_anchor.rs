//! The audit log's head is anchored in the keychain: removing its newest entries, which leaves
//! a valid chain, is reported by `verify_audit_log`, and later appends do not hide it.

mod common;

use std::sync::Arc;

use common::{TestContext, keychain_after_setup, settings_after_setup, unix_now, unreachable_url};
use visitdesk_core::{
    AppContext, ErrorCode,
    account::keychain::KEYCHAIN_ACCOUNT_AUDIT_ANCHOR,
    clinic::{self, settings::ClinicSettings},
    db::KEYCHAIN_ACCOUNT_VISITS_KEY,
    visits::{self, VisitForm},
};

fn form(name: &str) -> VisitForm {
    VisitForm {
        patient_display_name: name.into(),
        patient_mobile: "(415) 555-2671".into(),
        scheduled_at: unix_now() + 3600,
    }
}

fn kept(ctx: &TestContext, entry: &str) -> String {
    ctx.secrets().read(entry).unwrap().expect("the keychain holds the entry").expose().clone()
}

/// Someone with the database key drops the append-only triggers and cuts the log's tail.
fn cut_newest(ctx: &TestContext, rows: i64) {
    let conn = rusqlite::Connection::open(ctx.visits_database().path()).unwrap();
    let key = kept(ctx, KEYCHAIN_ACCOUNT_VISITS_KEY);
    conn.execute_batch(&format!("PRAGMA key = \"x'{key}'\"; PRAGMA cipher_compatibility = 4;")).unwrap();
    conn.execute_batch(&format!(
        "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;
         DELETE FROM audit_log WHERE seq > (SELECT max(seq) FROM audit_log) - {rows};"
    ))
    .unwrap();
}

#[tokio::test]
async fn removing_the_newest_audit_entries_is_reported_and_stays_reported() {
    let ctx = Arc::new(TestContext::new(keychain_after_setup(), &unreachable_url()));
    ctx.settings().save(&settings_after_setup(ClinicSettings::default())).unwrap();
    for name in ["Ada", "Grace", "Edsger"] {
        let visit = visits::create_visit(ctx.as_ref(), form(name)).await.unwrap();
        visits::cancel_visit(ctx.as_ref(), visit.id).await.unwrap();
    }
    let report = clinic::verify_audit_log(ctx.as_ref()).await.unwrap();
    assert_eq!(report.entries, 6);
    assert_eq!(kept(&ctx, KEYCHAIN_ACCOUNT_AUDIT_ANCHOR), format!("6:{}", report.head_hash), "the head is anchored");

    cut_newest(&ctx, 2);
    let error = clinic::verify_audit_log(ctx.as_ref()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::AuditTampered, "{error:?}");
    assert!(error.message.contains("the newest 2 entries are gone"), "{}", error.message);

    // New entries after the cut do not move the anchor over the evidence.
    visits::create_visit(ctx.as_ref(), form("Barbara")).await.unwrap();
    visits::create_visit(ctx.as_ref(), form("Frances")).await.unwrap();
    visits::create_visit(ctx.as_ref(), form("Radia")).await.unwrap();
    assert!(kept(&ctx, KEYCHAIN_ACCOUNT_AUDIT_ANCHOR).starts_with("6:"));
    let error = clinic::verify_audit_log(ctx.as_ref()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::AuditTampered, "{error:?}");
}
