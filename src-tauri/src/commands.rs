//! One-line adapters from IPC to the core. Errors reach the webview as `{code, message}`.

use tauri::{AppHandle, Runtime, State};
use visitdesk_core::{
    AppError, FieldError,
    account::setup::{self, AppState, ConnectionCheck, SaveOutcome, SetupForm},
    clinic,
    clinic::policy::PolicyView,
    clinic::settings::ClinicSettings,
    clinic::updates::{UpdateCheck, UpdateInstalled},
    monitor::{AdmissionDecision, VisitPresence},
    video::{self, JanusSecretsForm},
    visits::invites::{self, InviteRequest, InviteSent, RunningLateRequest, SmsDelivery},
    visits::rooms::{self, JoinInfo, PreflightToken},
    visits::{self, VisitForm},
};
use visitdesk_store::{AuditEntry, AuditReport, Invite, Visit};

use crate::{ShellContext, updates};

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

#[tauri::command]
pub async fn clinic_settings(ctx: State<'_, ShellContext>) -> Result<ClinicSettings, AppError> {
    clinic::clinic_settings(ctx.core()).await
}

#[tauri::command]
pub async fn save_clinic_settings(
    ctx: State<'_, ShellContext>,
    settings: ClinicSettings,
) -> Result<ClinicSettings, AppError> {
    clinic::save_clinic_settings(ctx.core(), settings).await
}

#[tauri::command]
pub async fn open_visit_in_browser(ctx: State<'_, ShellContext>, visit_id: String) -> Result<(), AppError> {
    ctx.expect_provider(&visit_id);
    rooms::open_visit_in_browser(ctx.core(), visit_id, ctx.browser_handoff(), |url| {
        tauri_plugin_opener::open_url(url, None::<&str>).map_err(|error| error.to_string())
    })
    .await
}

#[tauri::command]
pub async fn save_janus_secrets(ctx: State<'_, ShellContext>, form: JanusSecretsForm) -> Result<(), AppError> {
    video::save_janus_secrets(ctx.core(), form).await
}

#[tauri::command]
pub async fn janus_join_page_key(ctx: State<'_, ShellContext>) -> Result<String, AppError> {
    video::janus_join_page_key(ctx.core()).await
}

#[tauri::command]
pub async fn list_visits(ctx: State<'_, ShellContext>, from: i64, to: i64) -> Result<Vec<Visit>, AppError> {
    visits::list_visits(ctx.core(), from, to).await
}

#[tauri::command]
pub async fn create_visit(ctx: State<'_, ShellContext>, form: VisitForm) -> Result<Visit, AppError> {
    visits::create_visit(ctx.core(), form).await
}

#[tauri::command]
pub async fn edit_visit(ctx: State<'_, ShellContext>, id: String, form: VisitForm) -> Result<Visit, AppError> {
    visits::edit_visit(ctx.core(), id, form).await
}

#[tauri::command]
pub async fn cancel_visit(ctx: State<'_, ShellContext>, id: String) -> Result<Visit, AppError> {
    visits::cancel_visit(ctx.core(), id).await
}

#[tauri::command]
pub async fn mark_no_show(ctx: State<'_, ShellContext>, id: String) -> Result<Visit, AppError> {
    visits::mark_no_show(ctx.core(), id).await
}

#[tauri::command]
pub async fn start_visit(ctx: State<'_, ShellContext>, visit_id: String) -> Result<JoinInfo, AppError> {
    ctx.expect_provider(&visit_id);
    rooms::start_visit(ctx.core(), visit_id).await
}

#[tauri::command]
pub async fn preflight_token(ctx: State<'_, ShellContext>) -> Result<PreflightToken, AppError> {
    rooms::preflight_token(ctx.core()).await
}

#[tauri::command]
pub async fn end_visit(ctx: State<'_, ShellContext>, visit_id: String) -> Result<Visit, AppError> {
    rooms::end_visit(ctx.core(), visit_id).await
}

#[tauri::command]
pub async fn remove_participant(
    ctx: State<'_, ShellContext>,
    visit_id: String,
    participant: String,
) -> Result<(), AppError> {
    rooms::remove_participant(ctx.core(), visit_id, participant).await
}

#[tauri::command]
pub async fn invite_guest(ctx: State<'_, ShellContext>, request: InviteRequest) -> Result<InviteSent, AppError> {
    invites::invite(ctx.core(), request).await
}

#[tauri::command]
pub async fn send_running_late(ctx: State<'_, ShellContext>, request: RunningLateRequest) -> Result<Invite, AppError> {
    invites::send_running_late(ctx.core(), request).await
}

#[tauri::command]
pub async fn sms_delivery(
    ctx: State<'_, ShellContext>,
    visit_id: String,
    invite_id: String,
) -> Result<SmsDelivery, AppError> {
    invites::sms_delivery(ctx.core(), visit_id, invite_id).await
}

#[tauri::command]
pub async fn visit_invites(ctx: State<'_, ShellContext>, visit_id: String) -> Result<Vec<Invite>, AppError> {
    invites::visit_invites(ctx.core(), visit_id).await
}

#[tauri::command]
pub async fn audit_log(ctx: State<'_, ShellContext>) -> Result<Vec<AuditEntry>, AppError> {
    clinic::audit_log(ctx.core()).await
}

#[tauri::command]
pub async fn verify_audit_log(ctx: State<'_, ShellContext>) -> Result<AuditReport, AppError> {
    clinic::verify_audit_log(ctx.core()).await
}

#[tauri::command]
pub fn waiting_room(ctx: State<'_, ShellContext>) -> Vec<VisitPresence> {
    ctx.waiting_room()
}

#[tauri::command]
pub fn decide_admission(
    ctx: State<'_, ShellContext>,
    visit_id: String,
    decision: AdmissionDecision,
) -> Result<(), AppError> {
    ctx.decide_admission(&visit_id, decision)
}

#[tauri::command]
pub fn managed_policy(ctx: State<'_, ShellContext>) -> Result<PolicyView, AppError> {
    clinic::managed_policy(ctx.core())
}

#[tauri::command]
pub async fn check_for_update<R: Runtime>(
    app: AppHandle<R>,
    ctx: State<'_, ShellContext>,
) -> Result<UpdateCheck, AppError> {
    updates::check(&app, ctx.core()).await
}

#[tauri::command]
pub async fn install_update<R: Runtime>(
    app: AppHandle<R>,
    ctx: State<'_, ShellContext>,
) -> Result<UpdateInstalled, AppError> {
    updates::install(&app, ctx.core()).await
}
