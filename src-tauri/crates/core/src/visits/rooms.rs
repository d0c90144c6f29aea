//! One room per visit, on the clinic's video service (`crate::video`): ensured (reused
//! while it lasts, made again once ended), joined by the provider, ended, and rid of a
//! participant. Nothing here knows which service it is.

use serde::Serialize;
use tracing::info;
use ts_rs::TS;
use visitdesk_store::{AuditAction, RoomRef, Visit, VisitStatus};

use crate::{
    AppContext, AppError, Change, ErrorCode,
    account::session::Session,
    context::changing,
    db::with_store,
    random,
    video::{self, CallTarget, ClinicVideo, Holder},
    visits::{self, OPEN, browser_handoff::BrowserHandoff, require_status},
};

/// What the provider's call needs to join the visit's room.
#[derive(Clone, Serialize, TS)]
pub struct JoinInfo {
    pub visit_id: String,
    pub room_name: String,
    pub identity: String,
    /// The provider's token, for the call in this window only.
    pub token: String,
    #[ts(type = "number")]
    pub expires_at: i64,
    /// Which service, and where on it, the call connects.
    pub target: CallTarget,
    /// The join page in the provider's role, for a webview without WebRTC: opened in the
    /// system browser (the token is in the fragment, which no server sees).
    pub join_url: String,
    /// The visit's intake key (the `k` of the clinician's and the patient's links), which opens
    /// the patient's sealed intake answers in the call.
    pub intake_key: String,
}

impl std::fmt::Debug for JoinInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JoinInfo")
            .field("target", &self.target)
            .field("token", &"[redacted]")
            .field("intake_key", &"[redacted]")
            .finish()
    }
}

/// A token for the provider's network preflight test (Twilio's `runPreflight`).
#[derive(Clone, Serialize, TS)]
pub struct PreflightToken {
    pub token: String,
    #[ts(type = "number")]
    pub expires_at: i64,
}

impl std::fmt::Debug for PreflightToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreflightToken").field("token", &"[redacted]").finish()
    }
}

pub async fn preflight_token(ctx: &impl AppContext) -> Result<PreflightToken, AppError> {
    let session = Session::load(ctx).await?;
    let (token, expires_at) = video::preflight_token(ctx, &session)?;
    Ok(PreflightToken { token: token.expose().clone(), expires_at })
}

/// A random room name: unique, and nothing in it says who the visit is for.
fn new_room_name() -> Result<String, AppError> {
    let bytes: [u8; 12] = random::random_bytes("room name")?;
    Ok(format!("vd-{}", hex::encode(bytes)))
}

/// The visit's room, in progress: the one it has, or a new one under the same name once
/// that one ended. Saves the room on the visit.
pub(crate) async fn ensure_room(
    ctx: &impl AppContext,
    session: &Session,
    video: &ClinicVideo,
    visit: &Visit,
) -> Result<RoomRef, AppError> {
    let name = match &visit.room {
        Some(room) => room.unique_name.clone(),
        None => new_room_name()?,
    };
    let (room, created) = video.ensure_room(&session.workspace, visit, name).await?;
    let label = video::room_label(&room);
    let visit_id = visit.id.clone();
    let actor = session.workspace.actor();
    let saved = room.clone();
    with_store(ctx, move |store| {
        store.set_visit_room(&visit_id, Some(saved))?;
        if created {
            store.append_audit(visits::audit(actor, AuditAction::RoomCreated, &visit_id, label))?;
        }
        Ok(())
    })
    .await?;
    if created {
        info!(visit = %visit.id, backend = ?video.kind(), "room created");
    }
    Ok(room)
}

/// Ensures the room and mints the provider's token for it; the visit is then in progress.
pub async fn start_visit(ctx: &impl AppContext, visit_id: String) -> Result<JoinInfo, AppError> {
    changing(ctx, Change::Visits, start(ctx, visit_id)).await
}

async fn start(ctx: &impl AppContext, visit_id: String) -> Result<JoinInfo, AppError> {
    let session = Session::load(ctx).await?;
    let visit = visits::visit(ctx, visit_id.clone()).await?;
    require_status(&visit, OPEN, "join the visit")?;
    let video = ClinicVideo::load(ctx, &session).await?;
    let room = ensure_room(ctx, &session, &video, &visit).await?;
    let profile = &session.workspace.profile;
    let ttl = session.workspace.clinic().provider_token_ttl_minutes;
    let credential = video.credential(&room, Holder::Clinician, profile.identity.clone(), ttl)?;
    let language = session.workspace.clinic().sms_language;
    let join_url = video::join_link(&profile.join_page_url, &credential, language, &profile.identity);
    let Some(intake_key) = credential.intake_key.as_ref().map(|key| key.expose().clone()) else {
        return Err(AppError::new(ErrorCode::Internal, "The clinician's join credential came without the intake key."));
    };
    if visit.status != VisitStatus::InVisit {
        with_store(ctx, move |store| store.set_visit_status(&visit_id, VisitStatus::InVisit)).await?;
    }
    Ok(JoinInfo {
        visit_id: visit.id,
        room_name: room.unique_name,
        identity: credential.identity,
        token: credential.token.expose().clone(),
        expires_at: credential.expires_at,
        target: credential.target,
        join_url,
        intake_key,
    })
}

/// Ends the visit's room (everyone is disconnected) and marks the visit completed. A room
/// the service already ended, or never made, is not an error.
pub async fn end_visit(ctx: &impl AppContext, visit_id: String) -> Result<Visit, AppError> {
    changing(ctx, Change::Visits, end(ctx, visit_id)).await
}

async fn end(ctx: &impl AppContext, visit_id: String) -> Result<Visit, AppError> {
    let session = Session::load(ctx).await?;
    let visit = visits::visit(ctx, visit_id.clone()).await?;
    require_status(&visit, OPEN, "end the visit")?;
    let video = ClinicVideo::load(ctx, &session).await?;
    let label = match &visit.room {
        Some(room) => {
            video.end_room(room).await?;
            room.sid.is_some().then(|| video::room_label(room))
        }
        None => None,
    };
    let actor = session.workspace.actor();
    with_store(ctx, move |store| {
        let visit = store.set_visit_status(&visit_id, VisitStatus::Completed)?;
        let detail = label.unwrap_or_else(|| "no room".to_string());
        store.append_audit(visits::audit(actor, AuditAction::RoomEnded, &visit_id, detail))?;
        Ok(visit)
    })
    .await
}

/// Disconnects one participant (by identity or the service's participant id) from the
/// visit's room, and remembers the identity they had: the waiting-room monitor removes it
/// again if it comes back with the same link (a new invite is a new identity). The provider's
/// own identity is not remembered.
pub async fn remove_participant(ctx: &impl AppContext, visit_id: String, participant: String) -> Result<(), AppError> {
    changing(ctx, Change::Visits, remove(ctx, visit_id, participant)).await
}

async fn remove(ctx: &impl AppContext, visit_id: String, participant: String) -> Result<(), AppError> {
    let participant = participant.trim().to_string();
    if participant.is_empty() {
        return Err(AppError::new(
            ErrorCode::InvalidInput,
            "Say which participant to remove: their connection in the call.",
        ));
    }
    let session = Session::load(ctx).await?;
    let visit = visits::visit(ctx, visit_id.clone()).await?;
    require_status(&visit, OPEN, "remove a participant")?;
    let Some(room) = visit.room.clone().filter(|room| room.sid.is_some()) else {
        return Err(AppError::new(ErrorCode::VisitStateConflict, "This visit has no room yet, so nobody is in it."));
    };
    let video = ClinicVideo::load(ctx, &session).await?;
    let identity = video.remove(&room, &participant).await?;
    let label = video::room_label(&room);
    let actor = session.workspace.actor();
    // Not the provider (removing their own other connection must not lock them out), and not
    // a connection id the service gave back for want of an identity: it never comes back.
    let remember = identity != session.workspace.profile.identity && identity != participant;
    with_store(ctx, move |store| {
        if remember {
            store.record_removed_identity(&visit_id, &identity)?;
        }
        // The identity only: a Janus participant id is a long number, which audit details refuse.
        let detail = format!("participant {identity} from {label}");
        store.append_audit(visits::audit(actor, AuditAction::ParticipantRemoved, &visit_id, detail))
    })
    .await?;
    Ok(())
}

/// Starts the visit and opens the call in the system browser, through the join page in the
/// provider's role (for a webview without WebRTC). `open` hands an address to the OS: a
/// `file://` page from `handoff` that forwards to the join link, so the token never appears
/// in a process's arguments (see `browser_handoff`).
pub async fn open_visit_in_browser(
    ctx: &impl AppContext,
    visit_id: String,
    handoff: &BrowserHandoff,
    open: impl FnOnce(&str) -> Result<(), String>,
) -> Result<(), AppError> {
    handoff.prepare()?;
    handoff.remove_stale();
    let join = start_visit(ctx, visit_id).await?;
    let file = handoff.write(&join.join_url)?;
    match open(file.url()) {
        Ok(()) => {
            file.remove_later();
            Ok(())
        }
        Err(detail) => {
            file.remove();
            Err(AppError::new(
                ErrorCode::BrowserUnavailable,
                format!("VisitDesk could not open your web browser ({detail}). Set a default browser, then try again."),
            ))
        }
    }
}
