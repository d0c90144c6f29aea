// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(code) = visitdesk_shell::cli::run(&args) {
        std::process::exit(code);
    }
    visitdesk_shell::run();
}
