//! Files generated from `command_list.rs`, checked here to be current:
//! `ui/src/generated/commands.ts` (the typed call map the UI's platform is built from),
//! `ui/src/generated/events.ts` (the events the shell emits, named once),
//! `ui/isolation/allowed-commands.js` (the isolation hook's allow-list) and the permissions of
//! `src-tauri/capabilities/main-window.json`. `VISITDESK_UPDATE_BINDINGS=1 cargo test -p
//! visitdesk --lib generated` rewrites them.

use std::{collections::BTreeSet, path::Path};

use ts_rs::{Config, TS};
use visitdesk_core::{
    FieldError,
    account::setup::{AppState, ConnectionCheck, SaveOutcome, SetupForm},
    clinic::{
        policy::PolicyView,
        settings::ClinicSettings,
        updates::{UpdateCheck, UpdateInstalled},
    },
    monitor::{AdmissionDecision, VisitPresence},
    video::JanusSecretsForm,
    visits::{
        VisitForm,
        invites::{InviteRequest, InviteSent, RunningLateRequest, SmsDelivery},
        rooms::{JoinInfo, PreflightToken},
    },
};
use visitdesk_store::{AuditEntry, AuditReport, Invite, Visit};

/// One declared command, as the generators need it.
struct Command {
    name: &'static str,
    docs: Vec<&'static str>,
    /// `(name as the webview sends it, TypeScript type)`.
    args: Vec<(String, String)>,
    returns: String,
}

fn typescript<T: TS + ?Sized>(rust: &str) -> String {
    match rust.replace(' ', "").as_str() {
        // Unix seconds fit a JavaScript number; ts-rs would say bigint.
        "i64" => "number".into(),
        "()" => "void".into(),
        _ => T::name(&Config::new()),
    }
}

/// `visit_id` → `visitId`: Tauri's default for command arguments, and the method names.
fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

macro_rules! declared {
    ($($(#[doc = $doc:literal])* $name:ident($($arg:ident: $type:ty),*) -> $returns:ty;)*) => {
        vec![$(Command {
            name: stringify!($name),
            docs: vec![$($doc),*],
            args: vec![$((camel(stringify!($arg)), typescript::<$type>(stringify!($type)))),*],
            returns: typescript::<$returns>(stringify!($returns)),
        }),*]
    };
}

fn commands() -> Vec<Command> {
    with_commands!(declared)
}

fn commands_ts(commands: &[Command]) -> String {
    let mut types = BTreeSet::new();
    for command in commands {
        for text in command.args.iter().map(|(_, ts)| ts).chain([&command.returns]) {
            for word in text.split(|c: char| !c.is_alphanumeric()) {
                if word.starts_with(char::is_uppercase) && word != "Array" {
                    types.insert(word.to_string());
                }
            }
        }
    }
    let mut out = String::from(
        "// Generated from src-tauri/src/command_list.rs by `VISITDESK_UPDATE_BINDINGS=1 cargo test -p visitdesk --lib generated`.\n// Do not edit by hand.\n\n",
    );
    out.push_str(&format!(
        "import type {{ {} }} from \"./bindings\";\n\n",
        types.into_iter().collect::<Vec<_>>().join(", ")
    ));
    out.push_str("/** Each command's name and argument names, in order, keyed by the method that calls it. */\nexport const COMMANDS = {\n");
    for command in commands {
        let args: Vec<String> = command.args.iter().map(|(name, _)| format!("\"{name}\"")).collect();
        out.push_str(&format!(
            "  {}: {{ name: \"{}\", args: [{}] }},\n",
            camel(command.name),
            command.name,
            args.join(", ")
        ));
    }
    out.push_str("} as const;\n\n/** One method per command; the platform implements them all. */\nexport interface Commands {\n");
    for command in commands {
        if !command.docs.is_empty() {
            let docs: Vec<&str> = command.docs.iter().map(|line| line.trim()).collect();
            out.push_str(&format!("  /** {} */\n", docs.join(" ")));
        }
        let args: Vec<String> = command.args.iter().map(|(name, ts)| format!("{name}: {ts}")).collect();
        out.push_str(&format!("  {}({}): Promise<{}>;\n", camel(command.name), args.join(", "), command.returns));
    }
    out.push_str("}\n");
    out
}

/// The events the shell emits, named once: the constants in `monitor_events.rs` and
/// `arrival_alert.rs`, with their payload types.
fn events_ts() -> String {
    let events = [
        ("WAITING_ROOM_EVENT", crate::monitor_events::WAITING_ROOM_EVENT, "WaitingRoomEvent"),
        ("FOCUS_VISIT_EVENT", crate::arrival_alert::FOCUS_VISIT_EVENT, "VisitFocusRequest"),
    ];
    let mut out = String::from(
        "// Generated from the shell's event names by `VISITDESK_UPDATE_BINDINGS=1 cargo test -p visitdesk --lib generated`.\n// Do not edit by hand.\n\n",
    );
    let types: Vec<&str> = events.iter().map(|(_, _, payload)| *payload).collect();
    out.push_str(&format!("import type {{ {} }} from \"./bindings\";\n\n", types.join(", ")));
    for (constant, name, _) in events {
        out.push_str(&format!("export const {constant} = \"{name}\";\n"));
    }
    out.push_str("\n/** Each event's payload. */\nexport interface EventPayloads {\n");
    for (constant, _, payload) in events {
        out.push_str(&format!("  [{constant}]: {payload};\n"));
    }
    out.push_str("}\n");
    out
}

fn allowed_commands_js(commands: &[Command]) -> String {
    let mut out = String::from(
        "// Generated from src-tauri/src/command_list.rs; do not edit by hand. The isolation hook\n// (isolation.js) lets only these commands through.\n// eslint-disable-next-line no-unused-vars\nconst ALLOWED_COMMANDS = new Set([\n",
    );
    for command in commands {
        out.push_str(&format!("  \"{}\",\n", command.name));
    }
    out.push_str("]);\n");
    out
}

fn main_window_capability(current: &str, commands: &[Command]) -> String {
    let mut capability: serde_json::Value = serde_json::from_str(current).expect("the capability is JSON");
    let kept: Vec<serde_json::Value> = capability["permissions"]
        .as_array()
        .expect("a permissions list")
        .iter()
        .filter(|permission| !permission.as_str().is_some_and(|p| p.starts_with("allow-")))
        .cloned()
        .collect();
    let allowed = commands.iter().map(|command| format!("allow-{}", command.name.replace('_', "-")).into());
    capability["permissions"] = kept.into_iter().chain(allowed).collect();
    serde_json::to_string_pretty(&capability).expect("JSON") + "\n"
}

/// The committed file must equal what the list generates; with VISITDESK_UPDATE_BINDINGS=1 it is rewritten.
fn check_current(path: &str, generate: impl FnOnce(&str) -> String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let file = root.join(path);
    let committed = std::fs::read_to_string(&file).unwrap_or_default();
    let wanted = generate(&committed);
    if std::env::var("VISITDESK_UPDATE_BINDINGS").as_deref() == Ok("1") {
        std::fs::write(&file, &wanted).expect("write the generated file");
    } else {
        assert!(
            committed == wanted,
            "{path} is stale: run `VISITDESK_UPDATE_BINDINGS=1 cargo test -p visitdesk --lib generated`"
        );
    }
}

#[test]
fn generated_command_files_are_current() {
    let commands = commands();
    check_current("ui/src/generated/commands.ts", |_| commands_ts(&commands));
    check_current("ui/src/generated/events.ts", |_| events_ts());
    check_current("ui/isolation/allowed-commands.js", |_| allowed_commands_js(&commands));
    check_current("src-tauri/capabilities/main-window.json", |current| main_window_capability(current, &commands));
}

#[test]
fn the_call_map_names_each_argument_as_tauri_expects() {
    let commands = commands();
    let names: BTreeSet<&str> = commands.iter().map(|command| command.name).collect();
    assert_eq!(names.len(), commands.len(), "a command declared twice");
    let ts = commands_ts(&commands);
    assert!(ts.contains("  smsDelivery: { name: \"sms_delivery\", args: [\"visitId\", \"inviteId\"] },"), "{ts}");
    assert!(ts.contains("  listVisits(from: number, to: number): Promise<Array<Visit>>;"), "{ts}");
    assert!(ts.contains("  saveJanusSecrets(form: JanusSecretsForm): Promise<void>;"), "{ts}");
}
