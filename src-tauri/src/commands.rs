//! One-line adapters from IPC to the core. Errors reach the webview as `{code, message}`.

use tauri::State;
use visitdesk_core::{
    AppError, FieldError,
    setup::{self, AppState, ConnectionCheck, SaveOutcome, SetupForm},
};

use crate::ShellContext;

#[tauri::command]
pub async fn app_state(ctx: State<'_, ShellContext>) -> Result<AppState, AppError> {
    Ok(setup::app_state(ctx.inner()).await)
}

#[tauri::command]
pub fn check_setup_form(form: SetupForm) -> Vec<FieldError> {
    setup::check_setup_form(&form)
}

#[tauri::command]
pub async fn test_connection(ctx: State<'_, ShellContext>, form: SetupForm) -> Result<ConnectionCheck, AppError> {
    setup::test_connection(ctx.inner(), form).await
}

#[tauri::command]
pub async fn test_saved_connection(ctx: State<'_, ShellContext>) -> Result<ConnectionCheck, AppError> {
    setup::test_saved_connection(ctx.inner()).await
}

#[tauri::command]
pub async fn save_setup(ctx: State<'_, ShellContext>, form: SetupForm) -> Result<SaveOutcome, AppError> {
    setup::save_setup(ctx.inner(), form).await
}

#[tauri::command]
pub async fn sign_out(ctx: State<'_, ShellContext>) -> Result<AppState, AppError> {
    setup::sign_out(ctx.inner()).await
}
