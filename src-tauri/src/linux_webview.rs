//! WebKitGTK: media capture for the device checks. This WebKitGTK has no
//! RTCPeerConnection (even with WebRTC enabled), so calls open in the system browser.

use tauri::{Runtime, WebviewWindow};
use webkit2gtk::{PermissionRequestExt, SettingsExt, UserMediaPermissionRequest, WebViewExt, glib::Cast};

pub fn enable_media_capture<R: Runtime>(window: &WebviewWindow<R>, mock_capture_devices: bool) {
    let result = window.with_webview(move |webview| {
        let view = webview.inner();
        if let Some(settings) = WebViewExt::settings(&view) {
            settings.set_enable_media_stream(true);
            settings.set_enable_webrtc(true);
            if mock_capture_devices {
                settings.set_enable_mock_capture_devices(true);
            }
        }
        // Only camera/microphone requests from our own pages are granted; the webview
        // loads nothing else. Other permission kinds keep WebKit's default (deny).
        view.connect_permission_request(|_, request| {
            if request.dynamic_cast_ref::<UserMediaPermissionRequest>().is_some() {
                request.allow();
                true
            } else {
                false
            }
        });
    });
    if let Err(error) = result {
        tracing::warn!(%error, "could not configure the webview for camera and microphone");
    }
}
