//! `visitdesk keychain import`: the built binary, with the secret on standard input.

use std::{
    io::Write,
    process::{Command, Output, Stdio},
};

fn visitdesk(args: &[&str], stdin: &str, service: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_visitdesk"))
        .args(args)
        .env("VISITDESK_KEYCHAIN_SERVICE", service)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn secrets_are_never_taken_from_arguments_and_bad_ones_are_refused_before_the_keychain() {
    let service = "org.visitdesk.cli-test-refusals";
    let secret = "Zq8vN2mK5xR7tY1wB4cD6fG9hJ3kL0pA";
    let argument = visitdesk(&["keychain", "import", "twilio-api-key-secret", secret], "", service);
    assert_eq!(argument.status.code(), Some(2));
    assert!(text(&argument.stderr).contains("never from the command line"), "{}", text(&argument.stderr));
    assert!(!text(&argument.stderr).contains(secret), "the secret is not echoed back");

    let short = visitdesk(&["keychain", "import", "twilio-api-key-secret"], "abc\n", service);
    assert_eq!(short.status.code(), Some(2));
    assert!(text(&short.stderr).contains("An API Key Secret is 32 letters and digits"), "{}", text(&short.stderr));

    let unknown = visitdesk(&["keychain", "import", "password"], "x", service);
    assert!(text(&unknown.stderr).contains("not a VisitDesk keychain entry"), "{}", text(&unknown.stderr));

    let help = visitdesk(&["--help"], "", service);
    assert_eq!(help.status.code(), Some(0));
    assert!(text(&help.stdout).contains("janus-token-auth-secret"), "{}", text(&help.stdout));
}

/// Needs a Secret Service on the session bus (scripts/with-keyring unlocked).
#[test]
#[ignore = "needs an unlocked Secret Service: scripts/with-keyring unlocked -- cargo test --test cli -- --ignored"]
fn an_imported_secret_lands_in_the_users_keychain() {
    let service = format!("org.visitdesk.cli-test-{}", std::process::id());
    let secret = "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z";
    let out = visitdesk(&["keychain", "import", "twilio-api-key-secret"], &format!("{secret}\n"), &service);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("Stored the Twilio API Key Secret in this user's keychain"),
        "{}",
        text(&out.stdout)
    );
    assert!(!text(&out.stdout).contains(secret));
    let entry = keyring_core_read(&service);
    assert_eq!(entry.as_deref(), Some(secret));
}

fn keyring_core_read(service: &str) -> Option<String> {
    use visitdesk_secrets::{OsKeychain, SecretStore};
    let keychain = OsKeychain::new(service.to_string());
    let value = keychain.read("twilio-api-key-secret").unwrap().map(|s| s.expose().to_string());
    keychain.delete("twilio-api-key-secret").unwrap();
    value
}
