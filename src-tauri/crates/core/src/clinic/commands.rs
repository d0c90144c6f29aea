//! The clinic's settings for rooms, tokens and texts, and the audit log's checks.

use std::str::FromStr;

use visitdesk_store::{AuditEntry, AuditReport};

use crate::{
    AppContext, AppError, FieldError, FormField,
    clinic::policy::PolicyView,
    clinic::settings::{ClinicSettings, SmsTexts, VideoService},
    clinic::sms_text::{SmsKind, check_custom},
    db::{kept_audit_anchor, with_store},
    phone::{self, PhoneUse},
    validate,
    validate::feed_url_problem,
    validate::is_messaging_service_sid,
};
use crate::{Change, context::changing};

pub async fn clinic_settings(ctx: &impl AppContext) -> Result<ClinicSettings, AppError> {
    Ok(ctx.settings().load_or_default().map_err(AppError::settings)?.clinic)
}

fn range(fields: &mut Vec<FieldError>, field: FormField, value: u32, min: u32, max: u32, what: &str) {
    if !(min..=max).contains(&value) {
        fields.push(FieldError { field, message: format!("{what} must be between {min} and {max}; it is {value}.") });
    }
}

fn optional_number(fields: &mut Vec<FieldError>, field: FormField, value: &mut Option<String>, region: &str) {
    let Some(typed) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
        *value = None;
        return;
    };
    match phone::normalize(typed, region, PhoneUse::Call) {
        Ok(number) => *value = Some(number.as_str().to_string()),
        Err(message) => fields.push(FieldError { field, message }),
    }
}

fn check_texts(fields: &mut Vec<FieldError>, texts: &SmsTexts) {
    let pairs = [
        (&texts.patient_invite, SmsKind::PatientInvite),
        (&texts.guest_invite, SmsKind::GuestInvite),
        (&texts.running_late, SmsKind::RunningLate),
    ];
    for (text, kind) in pairs {
        if let Some(message) = text.as_deref().and_then(|text| check_custom(text, kind)) {
            fields.push(FieldError { field: FormField::SmsTexts, message });
        }
    }
}

/// Validates, normalises (numbers to E.164) and saves; returns what was saved.
pub async fn save_clinic_settings(ctx: &impl AppContext, clinic: ClinicSettings) -> Result<ClinicSettings, AppError> {
    changing(ctx, Change::VideoService, save_clinic_settings_now(ctx, clinic)).await
}

async fn save_clinic_settings_now(
    ctx: &impl AppContext,
    mut clinic: ClinicSettings,
) -> Result<ClinicSettings, AppError> {
    let mut fields = Vec::new();
    clinic.default_region = clinic.default_region.trim().to_ascii_uppercase();
    if phonenumber::country::Id::from_str(&clinic.default_region).is_err() {
        fields.push(FieldError {
            field: FormField::DefaultRegion,
            message: format!("“{}” is not a two-letter country code such as US, GB or MX.", clinic.default_region),
        });
    }
    let region = clinic.default_region.clone();
    if let Some(service) = clinic.messaging_service_sid.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        if !is_messaging_service_sid(service) {
            fields.push(FieldError {
                field: FormField::MessagingServiceSid,
                message: "A Messaging Service SID is MG followed by 32 hexadecimal characters.".into(),
            });
        }
        clinic.messaging_service_sid = Some(service.to_string());
    } else {
        clinic.messaging_service_sid = None;
    }
    optional_number(&mut fields, FormField::SmsFrom, &mut clinic.sms_from, &region);
    optional_number(&mut fields, FormField::CallerId, &mut clinic.caller_id, &region);
    check_texts(&mut fields, &clinic.sms_texts_en);
    check_texts(&mut fields, &clinic.sms_texts_es);
    if let VideoService::Janus { api_url, browser_url } = &mut clinic.video {
        *api_url = api_url.trim().to_string();
        *browser_url = browser_url.trim().to_string();
        fields.extend(validate::janus_api_url(api_url));
        fields.extend(validate::janus_browser_url(browser_url));
    }
    range(&mut fields, FormField::MaxParticipants, clinic.max_participants, 2, 50, "Participants per room");
    let day = 24 * 60;
    range(
        &mut fields,
        FormField::GuestTokenTtlMinutes,
        clinic.guest_token_ttl_minutes,
        1,
        day,
        "Guest link lifetime (minutes)",
    );
    range(
        &mut fields,
        FormField::ProviderTokenTtlMinutes,
        clinic.provider_token_ttl_minutes,
        1,
        day,
        "Provider token lifetime (minutes)",
    );
    range(
        &mut fields,
        FormField::EmptyRoomTimeoutMinutes,
        clinic.empty_room_timeout_minutes,
        1,
        60,
        "Empty room timeout (minutes)",
    );
    range(
        &mut fields,
        FormField::UnusedRoomTimeoutMinutes,
        clinic.unused_room_timeout_minutes,
        1,
        60,
        "Unused room timeout (minutes)",
    );
    if let Some(feed) = clinic.updates.feed_url.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        if let Some(message) = feed_url_problem(feed) {
            fields.push(FieldError { field: FormField::UpdateFeedUrl, message });
        }
        clinic.updates.feed_url = Some(feed.to_string());
    } else {
        clinic.updates.feed_url = None;
    }
    if !fields.is_empty() {
        return Err(AppError::invalid(fields));
    }
    let before = ctx.settings().load_or_default().map_err(AppError::settings)?;
    let mut settings = before.clone();
    settings.clinic = clinic;
    ctx.policy().refuse_locked_changes(&before, &settings)?;
    ctx.settings().save(&settings).map_err(AppError::settings)?;
    Ok(ctx.settings().load_or_default().map_err(AppError::settings)?.clinic)
}

/// The policy as the UI shows it, against the provider's own saved settings.
pub fn managed_policy(ctx: &impl AppContext) -> Result<PolicyView, AppError> {
    let saved = ctx.saved_settings().load().map_err(AppError::settings)?;
    Ok(ctx.policy().view(saved.as_ref()))
}

/// The whole audit log, oldest first.
pub async fn audit_log(ctx: &impl AppContext) -> Result<Vec<AuditEntry>, AppError> {
    with_store(ctx, |store| store.audit_entries()).await
}

/// Recomputes the audit log's hash chain; an altered entry is reported by number.
/// The removal of the newest entries shows against the anchor kept in the keychain.
pub async fn verify_audit_log(ctx: &impl AppContext) -> Result<AuditReport, AppError> {
    let anchor = kept_audit_anchor(ctx).await?;
    with_store(ctx, move |store| store.verify_audit_against(anchor.as_ref())).await
}
