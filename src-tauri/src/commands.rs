//! One-line adapters from IPC to the core. Errors reach the webview as `{code, message}`.

use tauri::State;
use visitdesk_core::{
    AppError, FieldError,
    setup::{self, AppState, ConnectionCheck, SaveOutcome, SetupForm},
};

use crate::ShellContext;

#[tauri::command]
pub async fn app_state(ctx: State<'_, ShellContext>) -> Result<AppState, AppError> {
    Ok(ctx.opening_state().await)
}

#[tauri::command]
pub fn check_setup_form(form: SetupForm) -> Vec<FieldError> {
    setup::check_setup_form(&form)
}

#[tauri::command]
pub async fn test_connection(ctx: State<'_, ShellContext>, form: SetupForm) -> Result<ConnectionCheck, AppError> {
    setup::test_connection(ctx.core(), form).await
}

#[tauri::command]
pub async fn test_saved_connection(ctx: State<'_, ShellContext>) -> Result<ConnectionCheck, AppError> {
    setup::test_saved_connection(ctx.core()).await
}

#[tauri::command]
pub async fn save_setup(ctx: State<'_, ShellContext>, form: SetupForm) -> Result<SaveOutcome, AppError> {
    setup::save_setup(ctx.core_for_change(), form).await
}

#[tauri::command]
pub async fn sign_out(ctx: State<'_, ShellContext>) -> Result<AppState, AppError> {
    setup::sign_out(ctx.core_for_change()).await
}
