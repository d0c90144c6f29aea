//! The TypeScript declarations of every type that crosses the IPC boundary, as one file
//! (`ui/src/generated/bindings.ts`). A test fails when the committed file is stale.

use ts_rs::{Config, TS};
use visitdesk_store::{
    AuditAction, AuditEntry, AuditReport, GuestRole, Invite, InviteMethod, InvitePurpose, InviteStatus, RoomRef, Visit,
    VisitStatus,
};

use crate::{
    AppError, ErrorCode, FieldError, FormField, Service, ServiceErrorInfo,
    account::setup::{AppState, ConnectionCheck, SaveOutcome, SetupForm, SetupPrefill},
    clinic::policy::{ManagedSetting, PolicySetting, PolicyView},
    clinic::settings::{
        AdmissionMode, ClinicSettings, ProviderProfile, SmsLanguage, SmsTexts, TwilioAccount, VideoService,
    },
    clinic::updates::{UpdateChannel, UpdateCheck, UpdateInstalled, UpdateSettings},
    monitor::{
        AdmissionDecision, AdmissionState, DelayReason, DeviceReadiness, GuestPresence, PatientState,
        VisitFocusRequest, VisitPresence, WaitingRoomEvent,
    },
    video::{CallTarget, JanusSecretsForm, VideoBackendKind},
    visits::VisitForm,
    visits::invites::{InviteRequest, InviteSent, RunningLateRequest, SmsDelivery},
    visits::rooms::{JoinInfo, PreflightToken},
};

pub fn typescript() -> String {
    let cfg = Config::new();
    let declarations = [
        ErrorCode::decl(&cfg),
        FormField::decl(&cfg),
        FieldError::decl(&cfg),
        Service::decl(&cfg),
        ServiceErrorInfo::decl(&cfg),
        AppError::decl(&cfg),
        ProviderProfile::decl(&cfg),
        TwilioAccount::decl(&cfg),
        SetupForm::decl(&cfg),
        SetupPrefill::decl(&cfg),
        AppState::decl(&cfg),
        ConnectionCheck::decl(&cfg),
        SaveOutcome::decl(&cfg),
        SmsLanguage::decl(&cfg),
        SmsTexts::decl(&cfg),
        VideoService::decl(&cfg),
        UpdateChannel::decl(&cfg),
        UpdateSettings::decl(&cfg),
        AdmissionMode::decl(&cfg),
        ClinicSettings::decl(&cfg),
        VisitStatus::decl(&cfg),
        RoomRef::decl(&cfg),
        Visit::decl(&cfg),
        VisitForm::decl(&cfg),
        GuestRole::decl(&cfg),
        InviteMethod::decl(&cfg),
        InvitePurpose::decl(&cfg),
        InviteStatus::decl(&cfg),
        Invite::decl(&cfg),
        InviteRequest::decl(&cfg),
        RunningLateRequest::decl(&cfg),
        InviteSent::decl(&cfg),
        SmsDelivery::decl(&cfg),
        VideoBackendKind::decl(&cfg),
        JanusSecretsForm::decl(&cfg),
        CallTarget::decl(&cfg),
        JoinInfo::decl(&cfg),
        PreflightToken::decl(&cfg),
        AuditAction::decl(&cfg),
        AuditEntry::decl(&cfg),
        AuditReport::decl(&cfg),
        GuestPresence::decl(&cfg),
        DeviceReadiness::decl(&cfg),
        DelayReason::decl(&cfg),
        PatientState::decl(&cfg),
        AdmissionState::decl(&cfg),
        AdmissionDecision::decl(&cfg),
        VisitPresence::decl(&cfg),
        WaitingRoomEvent::decl(&cfg),
        VisitFocusRequest::decl(&cfg),
        PolicySetting::decl(&cfg),
        ManagedSetting::decl(&cfg),
        PolicyView::decl(&cfg),
        UpdateCheck::decl(&cfg),
        UpdateInstalled::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust core by `VISITDESK_UPDATE_BINDINGS=1 cargo test -p visitdesk-core --test bindings`.\n// Do not edit by hand.\n",
    );
    for declaration in declarations {
        out.push('\n');
        out.push_str("export ");
        out.push_str(&declaration);
        out.push('\n');
    }
    out
}
