mod common;

use std::sync::OnceLock;

use common::new_visit;
use proptest::prelude::*;
use visitdesk_store::{DatabaseKey, VisitEdit, VisitStore};

/// One store for all cases; opening per case would dominate the run time.
fn store() -> &'static VisitStore {
    static STORE: OnceLock<(tempfile::TempDir, VisitStore)> = OnceLock::new();
    let (_, store) = STORE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let store = VisitStore::open(&dir.path().join("visits.db"), &DatabaseKey::generate().unwrap()).unwrap();
        (dir, store)
    });
    store
}

fn display_name() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "\\PC{0,80}",
        Just("<img src=x onerror=alert(1)>".to_string()),
        Just("Robert'); DROP TABLE visits;--".to_string()),
        Just("Zoë 李 محمد 👩🏽‍⚕️ \u{202e}evil".to_string()),
        Just("nul\0inside".to_string()),
        Just(String::new()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn visits_round_trip(name in display_name(), mobile in "\\+[1-9][0-9]{6,14}", scheduled_at in any::<i64>()) {
        let store = store();
        let created = store.create_visit(new_visit(&name, &mobile, scheduled_at)).unwrap();
        prop_assert_eq!(&created.patient_display_name, &name);
        prop_assert_eq!(created.scheduled_at, scheduled_at);
        let read = store.visit(&created.id).unwrap();
        prop_assert_eq!(&read, &created);

        let window = store.visits_between(scheduled_at, scheduled_at.saturating_add(1)).unwrap();
        if scheduled_at < i64::MAX {
            prop_assert!(window.contains(&created));
        }
    }

    #[test]
    fn edits_round_trip(first in display_name(), second in display_name(), at in any::<i64>()) {
        let store = store();
        let created = store.create_visit(new_visit(&first, "+15550001111", 0)).unwrap();
        let edit = VisitEdit { patient_display_name: second.clone(), patient_mobile: "+15550002222".into(), scheduled_at: at };
        let edited = store.update_visit(&created.id, edit).unwrap();
        prop_assert_eq!(&edited.patient_display_name, &second);
        prop_assert_eq!(edited.scheduled_at, at);
        prop_assert_eq!(store.visit(&created.id).unwrap(), edited);
    }
}
