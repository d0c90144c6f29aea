//! The shell's commands through Tauri's real IPC and ACL, on the mock runtime (no window):
//! the app's own config and capabilities, errors serialized as `{code, message}`.

use serde_json::{Value, json};
use tauri::{
    WebviewUrl, WebviewWindowBuilder,
    ipc::{CallbackFn, InvokeBody},
    test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder},
    webview::InvokeRequest,
};
use visitdesk_shell::{ShellOptions, configure, manage_context};

fn app() -> tauri::App<MockRuntime> {
    let options = ShellOptions {
        keychain_service: "org.visitdesk.ipc-test".into(),
        twilio_base_urls: Default::default(),
        mock_capture_devices: false,
        waiting_room_monitor: false,
        policy_path: std::env::temp_dir().join("visitdesk-ipc-test-no-policy.json"),
    };
    let app = configure(mock_builder(), options.clone()).build(tauri::generate_context!()).expect("the app builds");
    manage_context(app.handle(), options);
    app
}

fn invoke(window: &tauri::WebviewWindow<MockRuntime>, cmd: &str, body: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request).map(|body| body.deserialize::<Value>().unwrap())
}

fn bad_form() -> Value {
    json!({ "form": {
        "account_sid": "AC123", "api_key_sid": "SK0123456789abcdef0123456789abcdef",
        "api_key_secret": "abcdefghijklmnopqrstuvwxyz012345", "display_name": "Dr. Ana Ruiz",
        "identity": "dr-ana-ruiz", "join_page_url": "http://visit.example.org"
    }})
}

#[test]
fn the_main_window_gets_field_errors_from_the_core() {
    let app = app();
    let main = WebviewWindowBuilder::new(&app, "main", WebviewUrl::default()).build().unwrap();
    let errors = invoke(&main, "check_setup_form", bad_form()).expect("allowed for the main window");
    let fields: Vec<&str> = errors.as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["account_sid", "join_page_url"]);
}

#[test]
fn errors_cross_as_code_and_message() {
    let app = app();
    let main = WebviewWindowBuilder::new(&app, "main", WebviewUrl::default()).build().unwrap();
    let error = invoke(&main, "test_connection", bad_form()).expect_err("invalid input is an error");
    assert_eq!(error["code"], "invalid_input");
    assert_eq!(error["message"], "2 fields need attention.");
    assert_eq!(error["fields"].as_array().unwrap().len(), 2);
}

#[test]
fn a_window_without_the_capability_cannot_call_commands() {
    let app = app();
    let other = WebviewWindowBuilder::new(&app, "other", WebviewUrl::default()).build().unwrap();
    let denied = invoke(&other, "check_setup_form", bad_form()).expect_err("no capability for this window");
    assert!(denied.to_string().contains("not allowed"), "{denied}");
}

#[test]
fn visit_commands_take_their_arguments_over_ipc() {
    let app = app();
    let main = WebviewWindowBuilder::new(&app, "main", WebviewUrl::default()).build().unwrap();
    // Checked before anything is read: a reversed range is the caller's mistake.
    let error = invoke(&main, "list_visits", json!({ "from": 200, "to": 100 })).expect_err("a reversed range");
    assert_eq!(error["code"], "invalid_input");
    let error = invoke(&main, "list_visits", json!({ "from": "today" })).expect_err("wrong argument types");
    assert!(error.to_string().contains("invalid type"), "{error}");
}

#[test]
fn the_join_page_key_is_allowed_and_needs_the_janus_token_secret() {
    let app = app();
    let main = WebviewWindowBuilder::new(&app, "main", WebviewUrl::default()).build().unwrap();
    // This test's keychain service holds no Janus secret (or there is no keychain here at all).
    let error = invoke(&main, "janus_join_page_key", json!({})).expect_err("no token secret saved");
    let code = error["code"].as_str().unwrap_or_default();
    assert!(code == "not_configured" || code.starts_with("keychain_"), "{error}");
}

/// Every command in `command_list.rs` has its function in `commands.rs` (the build checks
/// that too), and the generated permission list and isolation allow-list name exactly those.
#[test]
fn every_command_is_listed_in_the_manifest_the_capability_and_the_isolation_hook() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |path: &str| std::fs::read_to_string(root.join(path)).unwrap();
    let quoted = |text: &str| -> std::collections::BTreeSet<String> {
        text.split('"').skip(1).step_by(2).map(str::to_string).collect()
    };
    let commands_rs = read("src-tauri/src/commands.rs");
    let handlers: std::collections::BTreeSet<String> = commands_rs
        .split("#[tauri::command]")
        .skip(1)
        .filter_map(|item| item.split("fn ").nth(1)?.split(['(', '<']).next().map(str::to_string))
        .collect();
    let list = read("src-tauri/src/command_list.rs");
    let declared: std::collections::BTreeSet<String> = list
        .lines()
        .map(str::trim)
        .filter(|line| !line.starts_with("//") && line.ends_with(';') && line.contains(") -> "))
        .filter_map(|line| line.split('(').next().map(str::to_string))
        .collect();
    let capability: Value = serde_json::from_str(&read("src-tauri/capabilities/main-window.json")).unwrap();
    let allowed: std::collections::BTreeSet<String> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str()?.strip_prefix("allow-").map(|c| c.replace('-', "_")))
        .collect();
    let isolation = read("ui/isolation/allowed-commands.js");
    let isolated = quoted(isolation.split("new Set([").nth(1).unwrap().split("])").next().unwrap());
    assert!(handlers.len() >= 21, "{handlers:?}");
    assert_eq!(declared, handlers, "command_list.rs");
    assert_eq!(allowed, handlers, "capabilities/main-window.json");
    assert_eq!(isolated, handlers, "ui/isolation/allowed-commands.js");
    assert!(read("ui/isolation/index.html").contains("<script src=\"allowed-commands.js\"></script>"));
}

/// The arguments each command's function takes (Tauri's state and app handle aside) are the
/// ones `command_list.rs` declares, in order: the UI sends exactly those names.
#[test]
fn every_command_takes_the_arguments_it_declares() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |path: &str| std::fs::read_to_string(root.join(path)).unwrap();
    let arguments = |signature: &str| -> Vec<String> {
        let inside = signature.split_once('(').map_or("", |(_, rest)| rest);
        let inside = inside.rsplit_once(')').map_or(inside, |(args, _)| args);
        inside
            .split(',')
            .filter_map(|argument| argument.split_once(':').map(|(name, _)| name.trim().to_string()))
            .filter(|name| !name.is_empty() && name != "ctx" && name != "app")
            .collect()
    };
    let functions: std::collections::BTreeMap<String, Vec<String>> = read("src-tauri/src/commands.rs")
        .split("#[tauri::command]")
        .skip(1)
        .filter_map(|item| {
            let after_fn = item.split("fn ").nth(1)?;
            let name = after_fn.split(['(', '<']).next()?.to_string();
            let signature = after_fn.split(" -> ").next()?;
            Some((name, arguments(signature)))
        })
        .collect();
    let list = read("src-tauri/src/command_list.rs");
    let mut checked = 0;
    for line in list.lines().map(str::trim).filter(|line| !line.starts_with("//") && line.contains(") -> ")) {
        let name = line.split('(').next().unwrap();
        let declared = arguments(line.split(" -> ").next().unwrap());
        assert_eq!(functions.get(name), Some(&declared), "{name}: commands.rs against command_list.rs");
        checked += 1;
    }
    assert_eq!(checked, functions.len(), "every function in commands.rs is declared");
}
