fn main() {
    const COMMANDS: &[&str] = &[
        "app_state",
        "check_setup_form",
        "test_connection",
        "test_saved_connection",
        "save_setup",
        "sign_out",
        "clinic_settings",
        "save_clinic_settings",
        "save_janus_secrets",
        "list_visits",
        "create_visit",
        "edit_visit",
        "cancel_visit",
        "mark_no_show",
        "start_visit",
        "open_visit_in_browser",
        "end_visit",
        "remove_participant",
        "invite_guest",
        "send_running_late",
        "visit_invites",
        "sms_delivery",
        "preflight_token",
        "audit_log",
        "verify_audit_log",
        "waiting_room",
    ];
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
