//! The benchmark's reference: a bare Tauri window showing one heading.
fn main() {
    tauri::Builder::default().run(tauri::generate_context!()).expect("hello-tauri runs");
}
