include!("src/command_list.rs");

macro_rules! command_names {
    ($($(#[doc = $doc:literal])* $name:ident($($arg:ident: $type:ty),*) -> $returns:ty;)*) => {
        &[$(stringify!($name)),*]
    };
}

fn main() {
    const COMMANDS: &[&str] = with_commands!(command_names);
    println!("cargo:rerun-if-changed=src-tauri/src/command_list.rs");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
