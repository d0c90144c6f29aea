//! The thin Tauri shell: wires the core to the OS (keychain, settings store, webview).
//! Every command is a one-line adapter over a `visitdesk_core` function.

mod arrival_alert;
pub mod cli;
mod commands;
mod context;
#[cfg(target_os = "linux")]
mod linux_webview;
mod monitor_events;
pub mod updates;

use tauri::{Manager, Runtime};

pub use context::{ShellContext, ShellOptions};

/// Plugins, commands and state, for any runtime: `tauri::Wry` in the app,
/// `tauri::test::MockRuntime` in tests.
pub fn configure<R: Runtime>(builder: tauri::Builder<R>, options: ShellOptions) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .manage(updates::PendingUpdate::default())
        .invoke_handler(tauri::generate_handler![
            commands::app_state,
            commands::check_setup_form,
            commands::test_connection,
            commands::test_saved_connection,
            commands::save_setup,
            commands::sign_out,
            commands::clinic_settings,
            commands::save_clinic_settings,
            commands::save_janus_secrets,
            commands::list_visits,
            commands::create_visit,
            commands::edit_visit,
            commands::cancel_visit,
            commands::mark_no_show,
            commands::start_visit,
            commands::open_visit_in_browser,
            commands::end_visit,
            commands::remove_participant,
            commands::invite_guest,
            commands::send_running_late,
            commands::visit_invites,
            commands::sms_delivery,
            commands::preflight_token,
            commands::audit_log,
            commands::verify_audit_log,
            commands::waiting_room,
            commands::managed_policy,
            commands::check_for_update,
            commands::install_update,
        ])
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
