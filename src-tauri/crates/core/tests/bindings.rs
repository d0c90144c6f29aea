//! Fails when `ui/src/generated/bindings.ts` no longer matches the Rust types.

use std::path::PathBuf;

#[test]
fn typescript_bindings_are_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../ui/src/generated/bindings.ts");
    let expected = visitdesk_core::bindings::typescript();
    if std::env::var_os("VISITDESK_UPDATE_BINDINGS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &expected).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == expected,
        "{} is stale; regenerate it with VISITDESK_UPDATE_BINDINGS=1 cargo test -p visitdesk-core --test bindings",
        path.display()
    );
}
