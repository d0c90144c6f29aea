//! The thin Tauri shell: wires the core to the OS (keychain, settings store, webview).
//! Every command is a one-line adapter over a `visitdesk_core` function.

#[macro_use]
mod command_list;

mod arrival_alert;
pub mod cli;
mod commands;
mod context;
#[cfg(test)]
mod generated;
#[cfg(target_os = "linux")]
mod linux_webview;
mod monitor_events;
pub mod updates;

use tauri::{Manager, Runtime};

pub use arrival_alert::FOCUS_VISIT_EVENT;
pub use context::{ShellContext, ShellOptions};
pub use monitor_events::WAITING_ROOM_EVENT;

/// The invoke handler for every command in `command_list.rs`.
macro_rules! invoke_handler {
    ($($(#[doc = $doc:literal])* $name:ident($($arg:ident: $type:ty),*) -> $returns:ty;)*) => {
        tauri::generate_handler![$(commands::$name),*]
    };
}

/// Plugins, commands and state, for any runtime: `tauri::Wry` in the app,
/// `tauri::test::MockRuntime` in tests.
pub fn configure<R: Runtime>(builder: tauri::Builder<R>, options: ShellOptions) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .manage(updates::PendingUpdate::default())
        .invoke_handler(with_commands!(invoke_handler))
        .setup(move |app| {
            manage_context(app.handle(), options.clone());
            #[cfg(target_os = "linux")]
            if let Some(window) = app.get_webview_window("main") {
                linux_webview::enable_media_capture(&window, options.mock_capture_devices);
            }
            Ok(())
        })
}

/// Puts the core's context into the app's state (done by `setup`; tests on the mock
/// runtime call it themselves, as `setup` runs only once the event loop starts).
pub fn manage_context<R: Runtime>(app: &tauri::AppHandle<R>, options: ShellOptions) {
    app.manage(ShellContext::new(app.clone(), options));
}

pub fn run() {
    init_logging();
    let options = ShellOptions::from_env();
    tracing::info!(version = env!("CARGO_PKG_VERSION"), keychain_service = %options.keychain_service, "VisitDesk starting");
    configure(tauri::Builder::default(), options).run(tauri::generate_context!()).unwrap_or_else(|error| {
        tracing::error!(%error, "VisitDesk could not start");
        std::process::exit(1);
    });
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("VISITDESK_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
