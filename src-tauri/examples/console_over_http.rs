//! Test harness only (an example target: never bundled, never in the release binary). The
//! shell's real commands, core, keychain and settings store on Tauri's mock runtime, served to a
//! browser page on 127.0.0.1, so the console's UI can run in Chromium (what WebView2 is) with
//! real WebRTC against the real core:
//!
//!   cargo run --example console-over-http -- <folder of the built console page>
//!
//! Prints `CONSOLE_URL=http://127.0.0.1:<port>/` once it listens. Then:
//! - `GET /…`: the page's files, from the folder;
//! - `POST /invoke/<command>` with the arguments as JSON: `{"ok": …}` or `{"error": …}`, through
//!   the main window's real IPC and ACL (`ui/e2e/console/httpPlatform.ts` calls it);
//! - `GET /events?from=N`: the shell's events (waiting room, focus visit) from the Nth on.
//!
//! Loopback only; settings come from the environment as the app reads them
//! (`VISITDESK_KEYCHAIN_SERVICE`, `VISITDESK_TWILIO_*_URL`).

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{TcpListener, TcpStream},
    path::{Component, Path, PathBuf},
    sync::{Arc, Mutex},
};

use serde_json::{Value, json};
use tauri::{
    Listener, WebviewUrl, WebviewWindowBuilder,
    ipc::{CallbackFn, InvokeBody},
    test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder},
    webview::InvokeRequest,
};
use visitdesk_shell::{FOCUS_VISIT_EVENT, ShellOptions, WAITING_ROOM_EVENT, configure, manage_context};

type Events = Arc<Mutex<Vec<Value>>>;

fn main() {
    let root = PathBuf::from(std::env::args().nth(1).expect("usage: console-over-http <folder of the console page>"));
    let options = ShellOptions::from_env();
    let app = configure(mock_builder(), options.clone()).build(tauri::generate_context!()).expect("the app builds");
    manage_context(app.handle(), options);
    let window = WebviewWindowBuilder::new(&app, "main", WebviewUrl::default()).build().expect("the main window");

    let events: Events = Arc::default();
    for name in [WAITING_ROOM_EVENT, FOCUS_VISIT_EVENT] {
        let events = events.clone();
        app.listen_any(name, move |event| {
            let payload = serde_json::from_str(event.payload()).unwrap_or(Value::Null);
            events.lock().unwrap().push(json!({ "event": name, "payload": payload }));
        });
    }

    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    println!("CONSOLE_URL=http://{}/", listener.local_addr().unwrap());
    for stream in listener.incoming().flatten() {
        let (window, events, root) = (window.clone(), events.clone(), root.clone());
        std::thread::spawn(move || {
            if let Err(error) = serve(stream, &window, &events, &root) {
                eprintln!("console-over-http: {error}");
            }
        });
    }
}

fn serve(
    mut stream: TcpStream,
    window: &tauri::WebviewWindow<MockRuntime>,
    events: &Events,
    root: &Path,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header)?;
        if header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let (path, query) = target.split_once('?').unwrap_or((target, ""));

    let (status, kind, content) = match (method, path.strip_prefix("/invoke/")) {
        ("POST", Some(command)) => {
            let args = serde_json::from_slice(&body).unwrap_or(json!({}));
            let answer = match invoke(window, command, args) {
                Ok(value) => json!({ "ok": value }),
                Err(error) => json!({ "error": error }),
            };
            (200, "application/json", answer.to_string().into_bytes())
        }
        ("GET", _) if path == "/events" => {
            let from = query.strip_prefix("from=").and_then(|n| n.parse::<usize>().ok()).unwrap_or(0);
            let all = events.lock().unwrap();
            let since: Vec<_> = all.iter().skip(from).cloned().collect();
            (200, "application/json", Value::Array(since).to_string().into_bytes())
        }
        ("GET", _) => match file(root, path) {
            Some((kind, bytes)) => (200, kind, bytes),
            None => (404, "text/plain", b"not found".to_vec()),
        },
        _ => (405, "text/plain", b"method not allowed".to_vec()),
    };
    let head = format!(
        "HTTP/1.1 {status} OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        content.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(&content)
}

fn invoke(window: &tauri::WebviewWindow<MockRuntime>, command: &str, args: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: command.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request).map(|body| body.deserialize::<Value>().unwrap_or(Value::Null))
}

/// A file under `root` for a request path (`/` is `index.html`); nothing outside it.
fn file(root: &Path, path: &str) -> Option<(&'static str, Vec<u8>)> {
    let relative = Path::new(path.trim_start_matches('/'));
    if relative.components().any(|part| !matches!(part, Component::Normal(_))) {
        return None;
    }
    let full = if path == "/" { root.join("index.html") } else { root.join(relative) };
    let kind = match full.extension().and_then(|ext| ext.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("css") => "text/css",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    };
    std::fs::read(full).ok().map(|bytes| (kind, bytes))
}
