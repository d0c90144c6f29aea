//! Inviting people into a visit's room: an SMS with a join link, a phone call that dials
//! an interpreter in, or a link to copy; and the "running late" text. The invite is
//! committed as pending before Twilio is asked, and SMS and calls are never retried: a
//! request that timed out leaves the invite "unknown" until the provider decides.

use serde::{Deserialize, Serialize};
use tracing::{info, warn};
use ts_rs::TS;
use visitdesk_store::{
    AuditAction, GuestRole, Invite, InviteMethod, InviteOutcome, InvitePurpose, InviteStatus, NewInvite, Visit,
    VisitStatus,
};
use visitdesk_twilio::{
    TwilioClient, TwilioError,
    messages::{MessageSender, MessageStatus},
};

use crate::{
    AppContext, AppError, ErrorCode, FormField,
    account::session::Session,
    clinic::settings::{ClinicSettings, SmsLanguage, VideoService},
    clinic::sms_text::{self, SmsKind, SmsValues},
    db::with_store,
    phone::{self, E164, PhoneUse},
    random,
    video::{self, ClinicVideo, Holder},
    visits::rooms::ensure_room,
    visits::{self, require_status},
};
use crate::{Change, context::changing};

pub const MAX_LATE_MINUTES: u32 = 180;

#[derive(Debug, Clone, Deserialize, TS)]
pub struct InviteRequest {
    pub visit_id: String,
    pub role: GuestRole,
    pub method: InviteMethod,
    /// Who to text or call; for the patient, empty means the visit's mobile number.
    pub phone: Option<String>,
    /// The clinic's default when absent.
    pub language: Option<SmsLanguage>,
    /// Send although an earlier attempt to the same person has an unknown outcome.
    pub confirm_resend: bool,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct RunningLateRequest {
    pub visit_id: String,
    pub minutes: u32,
    pub language: Option<SmsLanguage>,
    pub confirm_resend: bool,
}

/// A sent or copied invite. Failed and unknown outcomes come back as errors (codes
/// `twilio_*` and `invite_outcome_unknown`); the invite is saved either way.
#[derive(Clone, Serialize, TS)]
pub struct InviteSent {
    pub invite: Invite,
    /// The join link, for "copy link" only.
    pub link: Option<String>,
}

impl std::fmt::Debug for InviteSent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InviteSent").field("invite", &self.invite.id).field("link", &"[redacted]").finish()
    }
}

/// The join page URL with the token in the fragment, which browsers never send to the server.
fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// TwiML that connects the answered call to the room as `identity`.
pub fn dial_in_twiml(room_name: &str, identity: &str) -> String {
    format!(
        "<Response><Connect><Room participantIdentity=\"{}\">{}</Room></Connect></Response>",
        xml_escape(identity),
        xml_escape(room_name)
    )
}

fn phone_field_error(message: String) -> AppError {
    AppError::field(FormField::Phone, message)
}

fn recipient(request: &InviteRequest, visit: &Visit, region: &str) -> Result<Option<E164>, AppError> {
    let usage = match request.method {
        InviteMethod::CopyLink => return Ok(None),
        InviteMethod::Sms => PhoneUse::Sms,
        InviteMethod::PhoneDialIn => PhoneUse::Call,
    };
    let typed = request.phone.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let typed = match (typed, request.role) {
        (Some(typed), _) => typed,
        (None, GuestRole::Patient) => visit.patient_mobile.as_str(),
        (None, _) => return Err(phone_field_error("Enter the phone number to invite.".into())),
    };
    phone::normalize(typed, region, usage).map(Some).map_err(phone_field_error)
}

/// Refuses to send again to someone whose last attempt may have gone through, unless the
/// provider has confirmed.
async fn guard_resend(
    ctx: &impl AppContext,
    visit_id: &str,
    method: InviteMethod,
    purpose: InvitePurpose,
    to: Option<&E164>,
    confirmed: bool,
) -> Result<(), AppError> {
    let (Some(to), false) = (to, confirmed) else { return Ok(()) };
    let visit_id = visit_id.to_string();
    let earlier = with_store(ctx, move |store| store.invites_for_visit(&visit_id)).await?;
    let unknown = earlier.iter().any(|invite| {
        invite.status == InviteStatus::Unknown
            && invite.method == method
            && invite.purpose == purpose
            && invite.to_e164.as_deref() == Some(to.as_str())
    });
    if unknown {
        return Err(AppError::new(
            ErrorCode::ResendNeedsConfirmation,
            format!(
                "An earlier attempt to {} timed out, so it may have arrived. Check with them before sending again, then confirm.",
                to.masked()
            ),
        ));
    }
    Ok(())
}

fn sender_missing(what: &str) -> AppError {
    AppError::new(ErrorCode::NotConfigured, format!("Set the clinic's {what} in Settings before sending."))
}

/// Who texts come from: the clinic's Messaging Service, else its Twilio number.
fn sms_sender(clinic: &ClinicSettings) -> Result<MessageSender, AppError> {
    match (&clinic.messaging_service_sid, &clinic.sms_from) {
        (Some(service), _) => Ok(MessageSender::MessagingService(service.clone())),
        (None, Some(from)) => Ok(MessageSender::From(from.clone())),
        (None, None) => Err(sender_missing("SMS sender (a Messaging Service or a Twilio number)")),
    }
}

/// Records Twilio's answer on the invite and in the audit log, and turns a failure into
/// the error the provider sees.
async fn settle(
    ctx: &impl AppContext,
    session: &Session,
    invite: Invite,
    sent_action: AuditAction,
    result: Result<String, TwilioError>,
) -> Result<Invite, AppError> {
    let masked = invite.to_masked.clone().unwrap_or_default();
    let what = format!("{} {} to {masked}", invite.role.as_str(), invite.method.as_str());
    let (outcome, action, detail, error) = match result {
        Ok(sid) => (
            InviteOutcome {
                status: InviteStatus::Sent,
                twilio_sid: Some(sid.clone()),
                error_code: None,
                error_message: None,
            },
            sent_action,
            format!("{what}, {sid}"),
            None,
        ),
        Err(error) if error.outcome_unknown() => {
            warn!(invite = %invite.id, "invite request timed out; outcome unknown");
            let message = format!(
                "{error}. The {} may or may not have gone out: check with the recipient before sending again.",
                if invite.method == InviteMethod::Sms { "text" } else { "call" }
            );
            (
                InviteOutcome {
                    status: InviteStatus::Unknown,
                    twilio_sid: None,
                    error_code: None,
                    error_message: Some(message.clone()),
                },
                AuditAction::InviteOutcomeUnknown,
                format!("{what}, no answer from Twilio"),
                Some(AppError::new(ErrorCode::InviteOutcomeUnknown, message)),
            )
        }
        Err(error) => {
            let code = error.twilio_code();
            let app_error = AppError::from(error);
            (
                InviteOutcome {
                    status: InviteStatus::Failed,
                    twilio_sid: None,
                    error_code: code,
                    error_message: Some(app_error.message.clone()),
                },
                AuditAction::InviteFailed,
                format!("{what}, failed{}", code.map(|c| format!(" with Twilio error {c}")).unwrap_or_default()),
                Some(app_error),
            )
        }
    };
    let actor = session.workspace.actor();
    let invite_id = invite.id.clone();
    let visit_id = invite.visit_id.clone();
    let saved = with_store(ctx, move |store| {
        let saved = store.finish_invite(&invite_id, outcome)?;
        store.append_audit(visits::audit(actor, action, &visit_id, detail))?;
        Ok(saved)
    })
    .await?;
    info!(invite = %saved.id, status = saved.status.as_str(), "invite settled");
    match error {
        Some(error) => Err(error),
        None => Ok(saved),
    }
}

/// Invites the patient or a guest into the visit's room.
pub async fn invite(ctx: &impl AppContext, request: InviteRequest) -> Result<InviteSent, AppError> {
    changing(ctx, Change::Visits, invite_now(ctx, request)).await
}

async fn invite_now(ctx: &impl AppContext, request: InviteRequest) -> Result<InviteSent, AppError> {
    ctx.policy().allow_invite(request.method)?;
    let session = Session::load(ctx).await?;
    let clinic = session.workspace.clinic().clone();
    let visit = visits::visit(ctx, request.visit_id.clone()).await?;
    require_status(&visit, visits::OPEN, "invite anyone to this visit")?;
    if request.method == InviteMethod::PhoneDialIn && request.role == GuestRole::Patient {
        return Err(AppError::new(
            ErrorCode::InvalidInput,
            "Dial-in is for interpreters and other guests; invite the patient by text or link.",
        ));
    }
    if request.method == InviteMethod::PhoneDialIn && clinic.video != VideoService::Twilio {
        return Err(AppError::new(
            ErrorCode::InvalidInput,
            "Phone dial-in needs Twilio's video rooms; this clinic's video runs on its own server. Send a text or a link instead.",
        ));
    }
    let to = recipient(&request, &visit, &clinic.default_region)?;
    guard_resend(ctx, &visit.id, request.method, InvitePurpose::Join, to.as_ref(), request.confirm_resend).await?;
    // Checked before a room is made or an invite saved.
    let sender = match request.method {
        InviteMethod::Sms => Some(sms_sender(&clinic)?),
        InviteMethod::PhoneDialIn if clinic.caller_id.is_none() => {
            return Err(sender_missing("caller ID (the Twilio number dial-in calls come from)"));
        }
        _ => None,
    };

    let video = ClinicVideo::load(ctx, &session).await?;
    let client = session.client(ctx)?;
    let room = ensure_room(ctx, &session, &video, &visit).await?;
    let identity = random::guest_identity(request.role)?;
    let language = request.language.unwrap_or(clinic.sms_language);
    let link = match request.method {
        InviteMethod::PhoneDialIn => None,
        _ => {
            // Only the patient's link carries the visit's intake key (see `video::intake_key`).
            let holder = Holder::from(request.role);
            let credential = video.credential(&room, holder, identity.clone(), clinic.guest_token_ttl_minutes)?;
            let profile = &session.workspace.profile;
            Some(video::join_link(&profile.join_page_url, &credential, language, &profile.identity))
        }
    };
    let new_invite = NewInvite {
        visit_id: visit.id.clone(),
        role: request.role,
        method: request.method,
        purpose: InvitePurpose::Join,
        to_e164: to.as_ref().map(|to| to.as_str().to_string()),
        to_masked: to.as_ref().map(E164::masked),
        guest_identity: Some(identity.clone()),
    };
    let pending = with_store(ctx, move |store| store.create_invite(new_invite)).await?;

    let invite = match (request.method, to, sender) {
        (InviteMethod::CopyLink, _, _) => copied(ctx, &session, pending).await?,
        (InviteMethod::Sms, Some(to), Some(sender)) => {
            let kind = if request.role == GuestRole::Patient { SmsKind::PatientInvite } else { SmsKind::GuestInvite };
            let values =
                SmsValues { provider: &session.workspace.profile.display_name, link: link.as_deref(), minutes: None };
            let body = sms_text::render(&clinic, kind, language, &values);
            let result = send_message(&client, sender, &to, body).await;
            settle(ctx, &session, pending, AuditAction::InviteSmsSent, result).await?
        }
        (InviteMethod::PhoneDialIn, Some(to), _) => {
            let from = clinic.caller_id.clone().unwrap_or_default();
            let twiml = dial_in_twiml(&room.unique_name, &identity);
            let result = client.calls().create(to.as_str(), from, twiml).send().await.map(|call| call.sid);
            settle(ctx, &session, pending, AuditAction::InviteCallPlaced, result).await?
        }
        _ => return Err(AppError::new(ErrorCode::Internal, "An invite by text or call lost its number or sender.")),
    };
    if request.role == GuestRole::Patient && visit.status == VisitStatus::Scheduled {
        let visit_id = visit.id.clone();
        with_store(ctx, move |store| store.set_visit_status(&visit_id, VisitStatus::Invited)).await?;
    }
    let link = if request.method == InviteMethod::CopyLink { link } else { None };
    Ok(InviteSent { invite, link })
}

async fn copied(ctx: &impl AppContext, session: &Session, pending: Invite) -> Result<Invite, AppError> {
    let actor = session.workspace.actor();
    with_store(ctx, move |store| {
        let invite = store.finish_invite(
            &pending.id,
            InviteOutcome { status: InviteStatus::Sent, twilio_sid: None, error_code: None, error_message: None },
        )?;
        let detail = format!("{} link", invite.role.as_str());
        store.append_audit(visits::audit(actor, AuditAction::InviteLinkCopied, &invite.visit_id, detail))?;
        Ok(invite)
    })
    .await
}

/// Sends one SMS; the Twilio result is kept as is for [`settle`].
async fn send_message(
    client: &TwilioClient,
    sender: MessageSender,
    to: &E164,
    body: String,
) -> Result<String, TwilioError> {
    client.messages().create(to.as_str(), body).sender(sender).send().await.map(|message| message.sid)
}

/// Texts the patient that the provider is running about `minutes` late.
pub async fn send_running_late(ctx: &impl AppContext, request: RunningLateRequest) -> Result<Invite, AppError> {
    if !(1..=MAX_LATE_MINUTES).contains(&request.minutes) {
        return Err(AppError::field(
            FormField::Minutes,
            format!("Enter a delay between 1 and {MAX_LATE_MINUTES} minutes."),
        ));
    }
    ctx.policy().allow_invite(InviteMethod::Sms)?;
    let session = Session::load(ctx).await?;
    let clinic = session.workspace.clinic().clone();
    let visit = visits::visit(ctx, request.visit_id.clone()).await?;
    require_status(
        &visit,
        &[VisitStatus::Scheduled, VisitStatus::Invited, VisitStatus::Waiting],
        "send a running-late text",
    )?;
    let to = phone::normalize(&visit.patient_mobile, &clinic.default_region, PhoneUse::Sms)
        .map_err(|message| AppError::field(FormField::PatientMobile, message))?;
    guard_resend(ctx, &visit.id, InviteMethod::Sms, InvitePurpose::RunningLate, Some(&to), request.confirm_resend)
        .await?;
    let sender = sms_sender(&clinic)?;
    let client = session.client(ctx)?;
    let values =
        SmsValues { provider: &session.workspace.profile.display_name, link: None, minutes: Some(request.minutes) };
    let body =
        sms_text::render(&clinic, SmsKind::RunningLate, request.language.unwrap_or(clinic.sms_language), &values);
    let new_invite = NewInvite {
        visit_id: visit.id.clone(),
        role: GuestRole::Patient,
        method: InviteMethod::Sms,
        purpose: InvitePurpose::RunningLate,
        to_e164: Some(to.as_str().to_string()),
        to_masked: Some(to.masked()),
        guest_identity: None,
    };
    let pending = with_store(ctx, move |store| store.create_invite(new_invite)).await?;
    let result = send_message(&client, sender, &to, body).await;
    settle(ctx, &session, pending, AuditAction::RunningLateSmsSent, result).await
}

/// Where a texted invite stands, as Twilio reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SmsDelivery {
    pub invite_id: String,
    /// Twilio's status as Twilio spells it (`queued`, `sent`, `delivered`, `undelivered`,
    /// `failed`, …); `None` for one this version does not know.
    pub status: Option<String>,
    /// No further change is expected: stop asking.
    pub settled: bool,
    pub error_code: Option<u32>,
    pub error_message: Option<String>,
}

/// Asks Twilio how a texted invite's message is doing (the UI asks a few times after
/// sending). One GET; reads are safe to repeat.
pub async fn sms_delivery(ctx: &impl AppContext, visit_id: String, invite_id: String) -> Result<SmsDelivery, AppError> {
    let invites = visit_invites(ctx, visit_id).await?;
    let invite = invites
        .into_iter()
        .find(|invite| invite.id == invite_id)
        .ok_or_else(|| AppError::new(ErrorCode::NotFound, "This invite is not part of this visit."))?;
    let Some(sid) = invite.twilio_sid.filter(|_| invite.method == InviteMethod::Sms) else {
        return Err(AppError::new(ErrorCode::InvalidInput, "Only a text that Twilio accepted has a delivery status."));
    };
    let session = Session::load(ctx).await?;
    let message = session.client(ctx)?.messages().fetch(&sid).await?;
    Ok(SmsDelivery {
        invite_id,
        settled: message.status.is_some_and(MessageStatus::is_final),
        status: message.status.and_then(|status| serde_json::to_value(status).ok()?.as_str().map(str::to_string)),
        error_code: message.error_code,
        error_message: message.error_message,
    })
}

/// Every invite of a visit, oldest first.
pub async fn visit_invites(ctx: &impl AppContext, visit_id: String) -> Result<Vec<Invite>, AppError> {
    with_store(ctx, move |store| store.invites_for_visit(&visit_id)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twiml_escapes_what_it_embeds() {
        assert_eq!(
            dial_in_twiml("vd-<&>", "interpreter-\"x\""),
            "<Response><Connect><Room participantIdentity=\"interpreter-&quot;x&quot;\">vd-&lt;&amp;&gt;</Room></Connect></Response>"
        );
    }
}
