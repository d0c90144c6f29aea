fn main() {
    const COMMANDS: &[&str] =
        &["app_state", "check_setup_form", "test_connection", "test_saved_connection", "save_setup", "sign_out"];
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
