//! The waiting-room monitor's events, delivered to the console window: the typed event
//! itself (`waiting-room`), the waiting count in the window title, and on each arrival a
//! desktop notification and a request for the provider's attention. The notification
//! names no patient: it can show on a shared or locked screen.

use std::sync::{Arc, OnceLock, Weak};

use tauri::{AppHandle, Emitter, Manager, Runtime, UserAttentionType};
use tauri_plugin_notification::NotificationExt;
use visitdesk_core::monitor::{MonitorEvents, MonitorHandle, PatientState, WaitingRoomEvent};

/// The event name the UI listens to (`ui/src/platform/tauri.ts`).
pub const WAITING_ROOM_EVENT: &str = "waiting-room";
const MAIN_WINDOW: &str = "main";

pub struct WindowEvents<R: Runtime> {
    app: AppHandle<R>,
    /// Set once the monitor runs; the count comes from its snapshot.
    monitor: OnceLock<Weak<MonitorHandle>>,
}

impl<R: Runtime> WindowEvents<R> {
    pub fn new(app: AppHandle<R>) -> Self {
        Self { app, monitor: OnceLock::new() }
    }

    pub fn attach(&self, monitor: &Arc<MonitorHandle>) {
        let _ = self.monitor.set(Arc::downgrade(monitor));
    }

    fn waiting_count(&self) -> usize {
        let Some(monitor) = self.monitor.get().and_then(Weak::upgrade) else { return 0 };
        monitor.snapshot().iter().filter(|p| matches!(p.state, PatientState::Waiting { .. }) && !p.delayed).count()
    }

    fn show_count(&self) {
        let count = self.waiting_count();
        if let Some(window) = self.app.get_webview_window(MAIN_WINDOW) {
            let title = if count == 0 { "VisitDesk".to_string() } else { format!("VisitDesk — {count} waiting") };
            let _ = window.set_title(&title);
        }
    }

    fn announce_arrival(&self) {
        let count = self.waiting_count().max(1);
        let body = if count == 1 {
            "A patient has arrived in the waiting room.".to_string()
        } else {
            format!("A patient has arrived; {count} patients are waiting.")
        };
        if let Err(error) = self.app.notification().builder().title("Patient waiting").body(body).show() {
            tracing::warn!(%error, "the arrival notification could not be shown");
        }
        if let Some(window) = self.app.get_webview_window(MAIN_WINDOW) {
            let _ = window.request_user_attention(Some(UserAttentionType::Informational));
        }
    }
}

impl<R: Runtime> MonitorEvents for WindowEvents<R> {
    fn emit(&self, event: WaitingRoomEvent) {
        if let Err(error) = self.app.emit(WAITING_ROOM_EVENT, &event) {
            tracing::warn!(%error, "a waiting-room event could not reach the window");
        }
        if matches!(event, WaitingRoomEvent::PatientArrived { .. }) {
            self.announce_arrival();
        }
        self.show_count();
    }
}
