//! The arrival notification and what clicking it does. tauri-plugin-notification 2.4
//! hands desktop notifications to notify-rust and drops the handle, so a click never
//! reaches the app; the shell raises the notification through notify-rust itself, with a
//! default action, and waits on the handle: a click shows the window and that visit.
//! The notification names no patient: it can show on a shared or locked screen.

use tauri::{AppHandle, Emitter, Manager, Runtime};
use visitdesk_core::monitor::VisitFocusRequest;

/// The event the UI listens to (`ui/src/platform/tauri.ts`).
pub const FOCUS_VISIT_EVENT: &str = "focus-visit";
pub const MAIN_WINDOW: &str = "main";
/// The freedesktop name of a click on the notification's body (notify-rust uses it on
/// every desktop).
const CLICK: &str = "default";

pub fn raise<R: Runtime>(app: &AppHandle<R>, visit_id: String, body: String) {
    let app = app.clone();
    let spawned = std::thread::Builder::new().name("arrival-notification".into()).spawn(move || {
        let mut notification = notify_rust::Notification::new();
        notification.summary("Patient waiting").body(&body).appname("VisitDesk").action(CLICK, "Open visit");
        #[cfg(all(unix, not(target_os = "macos")))]
        notification.icon("visitdesk").hint(notify_rust::Hint::Category("presence.online".into()));
        #[cfg(windows)]
        notification.app_id(&app.config().identifier);
        #[cfg(target_os = "macos")]
        {
            static APPLICATION: std::sync::Once = std::sync::Once::new();
            APPLICATION.call_once(|| {
                let _ = notify_rust::set_application(&app.config().identifier);
            });
        }
        match notification.show() {
            Ok(handle) => handle.wait_for_action(|action| {
                if action == CLICK {
                    focus_visit(&app, visit_id);
                }
            }),
            Err(error) => tracing::warn!(%error, "the arrival notification could not be shown"),
        }
    });
    if let Err(error) = spawned {
        tracing::warn!(%error, "the arrival notification could not be shown");
    }
}

/// Brings the console forward and tells it which visit to show.
pub fn focus_visit<R: Runtime>(app: &AppHandle<R>, visit_id: String) {
    if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
    if let Err(error) = app.emit(FOCUS_VISIT_EVENT, VisitFocusRequest { visit_id }) {
        tracing::warn!(%error, "the visit to show could not reach the window");
    }
}
