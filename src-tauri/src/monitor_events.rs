//! The waiting-room monitor's events, delivered to the console window: the typed event
//! itself (`waiting-room`), the waiting count in the window title and badge, and on each
//! arrival a desktop notification (`arrival_alert`) and a request for the provider's
//! attention.

use std::sync::{Arc, OnceLock, Weak};

use tauri::{AppHandle, Emitter, Manager, Runtime, UserAttentionType};
use visitdesk_core::monitor::{MonitorEvents, MonitorHandle, PatientState, WaitingRoomEvent};

use crate::arrival_alert::{self, MAIN_WINDOW};

/// The event name the UI listens to (`ui/src/platform/tauri.ts`).
pub const WAITING_ROOM_EVENT: &str = "waiting-room";

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
            show_badge(&window, count);
        }
    }

    fn announce_arrival(&self, visit_id: &str) {
        let count = self.waiting_count().max(1);
        let body = if count == 1 {
            "A patient has arrived in the waiting room.".to_string()
        } else {
            format!("A patient has arrived; {count} patients are waiting.")
        };
        arrival_alert::raise(&self.app, visit_id.to_string(), body);
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
        if let WaitingRoomEvent::PatientArrived { visit_id, .. } = &event {
            self.announce_arrival(visit_id);
        }
        self.show_count();
    }
}

/// The count on the dock (macOS) or launcher (Linux desktops with the Unity launcher API);
/// Windows has no taskbar count, so it gets an overlay dot.
fn show_badge<R: Runtime>(window: &tauri::WebviewWindow<R>, count: usize) {
    #[cfg(not(windows))]
    let _ = window.set_badge_count((count > 0).then_some(count as i64));
    #[cfg(windows)]
    let _ = window.set_overlay_icon((count > 0).then(waiting_dot));
}

/// A 16×16 red dot, drawn here rather than shipped as a file.
#[cfg(windows)]
fn waiting_dot() -> tauri::image::Image<'static> {
    const SIZE: u32 = 16;
    let mut rgba = Vec::with_capacity((SIZE * SIZE * 4) as usize);
    for y in 0..SIZE {
        for x in 0..SIZE {
            let (dx, dy) = (x as f32 - 7.5, y as f32 - 7.5);
            let inside = dx * dx + dy * dy <= 7.5 * 7.5;
            rgba.extend_from_slice(if inside { &[0xd9, 0x2d, 0x20, 0xff] } else { &[0, 0, 0, 0] });
        }
    }
    tauri::image::Image::new_owned(rgba, SIZE, SIZE)
}
