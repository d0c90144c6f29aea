//! The command line IT uses to pre-provision a user: `visitdesk keychain import ENTRY`
//! reads the secret from standard input. Anything else launches the app.

use std::io::{IsTerminal, Read};

use visitdesk_core::account::provisioning::{IMPORTABLE, import_secret};
use visitdesk_secrets::OsKeychain;

use crate::ShellOptions;

const MAX_SECRET_BYTES: u64 = 4096;

/// Runs a command-line request and returns its exit code, or `None` to launch the app.
pub fn run(args: &[String]) -> Option<i32> {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        [] => None,
        ["--help" | "-h" | "help"] => {
            println!("{}", usage());
            Some(0)
        }
        ["--version" | "-V"] => {
            println!("VisitDesk {}", env!("CARGO_PKG_VERSION"));
            Some(0)
        }
        ["keychain", "import", entry] => Some(report(import(entry))),
        ["keychain", "import", _, ..] => Some(report(Err(
            "The secret is read from standard input, never from the command line, where other users can see it. Run: visitdesk keychain import ENTRY < file".into(),
        ))),
        // Options a desktop launcher or WebDriver may pass go to the app.
        [first, ..] if first.starts_with('-') => None,
        _ => Some(report(Err(format!("Unknown command “{}”.\n\n{}", words.join(" "), usage())))),
    }
}

fn import(entry: &str) -> Result<String, String> {
    let mut stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(format!(
            "Pipe the secret in, so it is never shown or kept in the shell's history: visitdesk keychain import {entry} < file"
        ));
    }
    let mut input = String::new();
    (&mut stdin)
        .take(MAX_SECRET_BYTES)
        .read_to_string(&mut input)
        .map_err(|error| format!("Standard input could not be read as text: {error}"))?;
    let service = ShellOptions::from_env().keychain_service;
    let stored = import_secret(&OsKeychain::new(service.clone()), entry, &input)?;
    Ok(format!("Stored {stored} in this user's keychain (service {service}, entry {entry})."))
}

fn report(result: Result<String, String>) -> i32 {
    match result {
        Ok(message) => {
            println!("{message}");
            0
        }
        Err(message) => {
            eprintln!("visitdesk: {message}");
            2
        }
    }
}

fn usage() -> String {
    let entries: Vec<String> = IMPORTABLE.iter().map(|(name, what)| format!("  {name:<26}{what}")).collect();
    format!(
        "Usage:\n  visitdesk                          open the provider console\n  visitdesk keychain import ENTRY    store a secret from standard input in this user's keychain\n\nEntries:\n{}",
        entries.join("\n")
    )
}
