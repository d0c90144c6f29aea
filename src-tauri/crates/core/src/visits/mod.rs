//! A provider's visits: create, edit, cancel, mark no-show, list a day. Every change is
//! audited without PHI (no names, no numbers).

pub mod browser_handoff;
pub mod invites;
pub mod rooms;

use serde::Deserialize;
use ts_rs::TS;
use visitdesk_store::{AuditAction, AuditRecord, NewVisit, Visit, VisitEdit, VisitStatus};

use crate::{
    AppContext, AppError, ErrorCode, FieldError, FormField,
    account::session::Workspace,
    db::with_store,
    phone::{self, PhoneUse},
};
use crate::{Change, context::changing};

pub const MAX_PATIENT_NAME_CHARS: usize = 80;
/// 2000-01-01 and 2100-01-01, in unix seconds: anything outside is a typo or a unit mix-up.
const EARLIEST: i64 = 946_684_800;
const LATEST: i64 = 4_102_444_800;

#[derive(Debug, Clone, Deserialize, TS)]
pub struct VisitForm {
    pub patient_display_name: String,
    pub patient_mobile: String,
    /// Unix seconds.
    #[ts(type = "number")]
    pub scheduled_at: i64,
}

struct ValidVisit {
    name: String,
    mobile: String,
}

fn validate(form: &VisitForm, default_region: &str) -> Result<ValidVisit, AppError> {
    let mut fields = Vec::new();
    let name = form.patient_display_name.trim();
    let name_chars = name.chars().count();
    if name.is_empty() {
        fields.push(FieldError { field: FormField::PatientDisplayName, message: "Enter the patient's name.".into() });
    } else if name_chars > MAX_PATIENT_NAME_CHARS {
        fields.push(FieldError {
            field: FormField::PatientDisplayName,
            message: format!("Keep the name to {MAX_PATIENT_NAME_CHARS} characters; this one has {name_chars}."),
        });
    } else if name.chars().any(char::is_control) {
        fields.push(FieldError {
            field: FormField::PatientDisplayName,
            message: "The name contains a control character (a tab or line break); type it on one line.".into(),
        });
    }
    let mobile = phone::normalize(&form.patient_mobile, default_region, PhoneUse::Sms);
    if let Err(message) = &mobile {
        fields.push(FieldError { field: FormField::PatientMobile, message: message.clone() });
    }
    if !(EARLIEST..LATEST).contains(&form.scheduled_at) {
        fields.push(FieldError {
            field: FormField::ScheduledAt,
            message: "Pick a date and time for the visit between the years 2000 and 2100.".into(),
        });
    }
    if !fields.is_empty() {
        return Err(AppError::invalid(fields));
    }
    Ok(ValidVisit { name: name.to_string(), mobile: mobile.expect("checked above").as_str().to_string() })
}

/// Refuses an action the visit's status does not allow, saying why.
pub(crate) fn require_status(visit: &Visit, allowed: &[VisitStatus], action: &str) -> Result<(), AppError> {
    if allowed.contains(&visit.status) {
        return Ok(());
    }
    let state = match visit.status {
        VisitStatus::Scheduled => "scheduled",
        VisitStatus::Invited => "invited",
        VisitStatus::Waiting => "waiting",
        VisitStatus::InVisit => "in progress",
        VisitStatus::Completed => "completed",
        VisitStatus::Cancelled => "cancelled",
        VisitStatus::NoShow => "marked no-show",
    };
    Err(AppError::new(ErrorCode::VisitStateConflict, format!("Cannot {action}: this visit is {state}.")))
}

/// Statuses in which a visit is still ahead or running.
pub(crate) const OPEN: &[VisitStatus] =
    &[VisitStatus::Scheduled, VisitStatus::Invited, VisitStatus::Waiting, VisitStatus::InVisit];
const NOT_STARTED: &[VisitStatus] = &[VisitStatus::Scheduled, VisitStatus::Invited, VisitStatus::Waiting];

pub(crate) fn audit(actor: String, action: AuditAction, visit_id: &str, detail: impl Into<String>) -> AuditRecord {
    AuditRecord { actor, action, visit_id: Some(visit_id.to_string()), detail: detail.into() }
}

/// Visits scheduled in `[from, to)` (unix seconds), earliest first.
pub async fn list_visits(ctx: &impl AppContext, from: i64, to: i64) -> Result<Vec<Visit>, AppError> {
    if to <= from {
        return Err(AppError::new(ErrorCode::InvalidInput, "The end of the range must be after its start."));
    }
    with_store(ctx, move |store| store.visits_between(from, to)).await
}

pub async fn visit(ctx: &impl AppContext, id: String) -> Result<Visit, AppError> {
    with_store(ctx, move |store| store.visit(&id)).await
}

pub async fn create_visit(ctx: &impl AppContext, form: VisitForm) -> Result<Visit, AppError> {
    changing(ctx, Change::Visits, create_visit_now(ctx, form)).await
}

async fn create_visit_now(ctx: &impl AppContext, form: VisitForm) -> Result<Visit, AppError> {
    let workspace = Workspace::load(ctx)?;
    let valid = validate(&form, &workspace.clinic().default_region)?;
    let actor = workspace.actor();
    with_store(ctx, move |store| {
        let visit = store.create_visit(NewVisit {
            patient_display_name: valid.name,
            patient_mobile: valid.mobile,
            scheduled_at: form.scheduled_at,
        })?;
        store.append_audit(audit(actor, AuditAction::VisitCreated, &visit.id, "scheduled"))?;
        Ok(visit)
    })
    .await
}

pub async fn edit_visit(ctx: &impl AppContext, id: String, form: VisitForm) -> Result<Visit, AppError> {
    changing(ctx, Change::Visits, edit_visit_now(ctx, id, form)).await
}

async fn edit_visit_now(ctx: &impl AppContext, id: String, form: VisitForm) -> Result<Visit, AppError> {
    let workspace = Workspace::load(ctx)?;
    let valid = validate(&form, &workspace.clinic().default_region)?;
    let current = visit(ctx, id.clone()).await?;
    require_status(&current, OPEN, "edit the visit")?;
    let actor = workspace.actor();
    with_store(ctx, move |store| {
        let visit = store.update_visit(
            &id,
            VisitEdit {
                patient_display_name: valid.name,
                patient_mobile: valid.mobile,
                scheduled_at: form.scheduled_at,
            },
        )?;
        store.append_audit(audit(actor, AuditAction::VisitEdited, &visit.id, "details edited"))?;
        Ok(visit)
    })
    .await
}

async fn close_visit(
    ctx: &impl AppContext,
    id: String,
    status: VisitStatus,
    action: AuditAction,
    verb: &str,
) -> Result<Visit, AppError> {
    let workspace = Workspace::load(ctx)?;
    let current = visit(ctx, id.clone()).await?;
    require_status(&current, NOT_STARTED, verb)?;
    let actor = workspace.actor();
    with_store(ctx, move |store| {
        let visit = store.set_visit_status(&id, status)?;
        store.append_audit(audit(actor, action, &visit.id, format!("status {}", status.as_str())))?;
        Ok(visit)
    })
    .await
}

/// A visit in progress must be ended, not cancelled.
pub async fn cancel_visit(ctx: &impl AppContext, id: String) -> Result<Visit, AppError> {
    changing(ctx, Change::Visits, cancel_visit_now(ctx, id)).await
}

async fn cancel_visit_now(ctx: &impl AppContext, id: String) -> Result<Visit, AppError> {
    close_visit(ctx, id, VisitStatus::Cancelled, AuditAction::VisitCancelled, "cancel the visit").await
}

pub async fn mark_no_show(ctx: &impl AppContext, id: String) -> Result<Visit, AppError> {
    changing(ctx, Change::Visits, mark_no_show_now(ctx, id)).await
}

async fn mark_no_show_now(ctx: &impl AppContext, id: String) -> Result<Visit, AppError> {
    close_visit(ctx, id, VisitStatus::NoShow, AuditAction::VisitNoShow, "mark the visit as a no-show").await
}
