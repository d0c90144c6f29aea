//! One room per visit, on Twilio (a group room) or the clinic's Janus server: ensured
//! (reused while it lasts, made again once ended), joined by the provider, ended, and rid of
//! a participant.

use serde::Serialize;
use tracing::info;
use ts_rs::TS;
use visitdesk_store::{AuditAction, RoomRef, Visit, VisitStatus};
use visitdesk_twilio::{
    TwilioClient,
    rooms::{RoomStatus, RoomType, VideoCodec},
};

use crate::{
    AppContext, AppError, ErrorCode,
    db::with_store,
    session::Session,
    tokens,
    video::{self, VideoBackendKind, VideoRooms},
    visits::{self, OPEN, require_status},
};

/// What the provider's call needs to join the visit's room.
#[derive(Clone, Serialize, TS)]
pub struct JoinInfo {
    pub visit_id: String,
    pub backend: VideoBackendKind,
    pub room_name: String,
    /// Twilio's RoomSid, or the Janus room id.
    pub room_sid: String,
    pub identity: String,
    /// The provider's token, for the call in this window only.
    pub token: String,
    #[ts(type = "number")]
    pub expires_at: i64,
    /// Janus only: the address the call connects to, and the session token.
    pub server: Option<String>,
    pub core_token: Option<String>,
    /// The join page in the provider's role, for a webview without WebRTC: opened in the
    /// system browser (the token is in the fragment, which no server sees).
    pub join_url: String,
}

impl std::fmt::Debug for JoinInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JoinInfo").field("room_sid", &self.room_sid).field("token", &"[redacted]").finish()
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
    let token = tokens::preflight_token(&session)?;
    Ok(PreflightToken { token: token.jwt.expose().clone(), expires_at: token.expires_at })
}

/// A room as the audit log names it: Twilio's `RM…` SID, or the Janus room's number glued
/// to a letter (the log refuses a bare run of digits as a possible phone number).
fn room_label(sid: &str) -> String {
    if sid.starts_with("RM") { format!("room {sid}") } else { format!("Janus room r{sid}") }
}

/// A random room name: unique, and nothing in it says who the visit is for.
fn new_room_name() -> Result<String, AppError> {
    let bytes: [u8; 12] = tokens::random_bytes("room name")?;
    Ok(format!("vd-{}", hex::encode(bytes)))
}

async fn create_room(session: &Session, client: &TwilioClient, name: &str) -> Result<String, AppError> {
    let clinic = session.workspace.clinic();
    let created = client
        .rooms()
        .create()
        .unique_name(name)
        .room_type(RoomType::Group)
        .max_participants(clinic.max_participants)
        .video_codecs(&[VideoCodec::Vp8])
        .empty_room_timeout(clinic.empty_room_timeout_minutes)
        .unused_room_timeout(clinic.unused_room_timeout_minutes)
        .record_participants_on_connect(clinic.record_participants)
        .send()
        .await;
    match created {
        Ok(room) => Ok(room.sid),
        // Created meanwhile (another window, or an earlier attempt that timed out): use it.
        Err(error) if error.is_room_exists_conflict() => Ok(client.rooms().fetch(name).await?.sid),
        Err(error) => Err(error.into()),
    }
}

/// The visit's room, in progress: the one it has, or a new one under the same name once
/// that one ended. Saves the room on the visit.
pub(crate) async fn ensure_room(
    ctx: &impl AppContext,
    session: &Session,
    video: &VideoRooms,
    visit: &Visit,
) -> Result<RoomRef, AppError> {
    let name = match &visit.room {
        Some(room) => room.unique_name.clone(),
        None => new_room_name()?,
    };
    let (room, created) = match video {
        VideoRooms::Twilio(client) => ensure_twilio_room(session, client, visit, name).await?,
        VideoRooms::Janus(janus) => janus.ensure_room(&session.workspace, visit, name).await?,
    };
    let sid = room.sid.clone().unwrap_or_default();
    let visit_id = visit.id.clone();
    let actor = session.workspace.actor();
    let saved = room.clone();
    with_store(ctx, move |store| {
        store.set_visit_room(&visit_id, Some(saved))?;
        if created {
            store.append_audit(visits::audit(actor, AuditAction::RoomCreated, &visit_id, room_label(&sid)))?;
        }
        Ok(())
    })
    .await?;
    if created {
        info!(visit = %visit.id, backend = ?video.kind(), "room created");
    }
    Ok(room)
}

async fn ensure_twilio_room(
    session: &Session,
    client: &TwilioClient,
    visit: &Visit,
    name: String,
) -> Result<(RoomRef, bool), AppError> {
    let existing = match &visit.room {
        Some(_) => match client.rooms().fetch(&name).await {
            Ok(room) => Some(room),
            Err(error) if error.http_status() == Some(404) => None,
            Err(error) => return Err(error.into()),
        },
        None => None,
    };
    let (sid, created) = match existing {
        Some(room) if room.status == Some(RoomStatus::InProgress) => (room.sid, false),
        _ => (create_room(session, client, &name).await?, true),
    };
    Ok((RoomRef { unique_name: name, sid: Some(sid) }, created))
}

/// Ensures the room and mints the provider's token for it; the visit is then in progress.
pub async fn start_visit(ctx: &impl AppContext, visit_id: String) -> Result<JoinInfo, AppError> {
    let session = Session::load(ctx).await?;
    let visit = visits::visit(ctx, visit_id.clone()).await?;
    require_status(&visit, OPEN, "join the visit")?;
    let video = VideoRooms::load(ctx, &session).await?;
    let room = ensure_room(ctx, &session, &video, &visit).await?;
    let profile = &session.workspace.profile;
    let ttl = session.workspace.clinic().provider_token_ttl_minutes;
    let credential = video.credential(&session, &room, profile.identity.clone(), ttl)?;
    let language = session.workspace.clinic().sms_language;
    let join_url = video::join_link(&profile.join_page_url, &credential, language, &profile.identity);
    if visit.status != VisitStatus::InVisit {
        with_store(ctx, move |store| store.set_visit_status(&visit_id, VisitStatus::InVisit)).await?;
    }
    Ok(JoinInfo {
        visit_id: visit.id,
        backend: video.kind(),
        room_name: room.unique_name,
        room_sid: room.sid.unwrap_or_default(),
        identity: credential.identity,
        token: credential.token.expose().clone(),
        expires_at: credential.expires_at,
        server: credential.janus.as_ref().map(|janus| janus.server.clone()),
        core_token: credential.janus.as_ref().map(|janus| janus.core_token.expose().clone()),
        join_url,
    })
}

/// Completes the visit's room (everyone is disconnected) and marks the visit completed.
/// A room Twilio already completed, or never created, is not an error.
pub async fn end_visit(ctx: &impl AppContext, visit_id: String) -> Result<Visit, AppError> {
    let session = Session::load(ctx).await?;
    let visit = visits::visit(ctx, visit_id.clone()).await?;
    require_status(&visit, OPEN, "end the visit")?;
    let room_sid = visit.room.as_ref().and_then(|room| room.sid.clone());
    let video = VideoRooms::load(ctx, &session).await?;
    if let (Some(room), VideoRooms::Janus(janus)) = (&visit.room, &video) {
        janus.end_room(room).await?;
    }
    if let (Some(sid), Some(client)) = (&room_sid, video.twilio()) {
        match client.rooms().complete(sid).await {
            Ok(_) => {}
            Err(error) if error.http_status() == Some(404) => {}
            // Twilio refuses to complete a room that is already completed (code 53112-ish);
            // check the room's status before giving up.
            Err(error) => match client.rooms().fetch(sid).await {
                Ok(room) if room.status != Some(RoomStatus::InProgress) => {}
                _ => return Err(error.into()),
            },
        }
    }
    let actor = session.workspace.actor();
    with_store(ctx, move |store| {
        let visit = store.set_visit_status(&visit_id, VisitStatus::Completed)?;
        let detail = room_sid.map_or_else(|| "no room".to_string(), |sid| room_label(&sid));
        store.append_audit(visits::audit(actor, AuditAction::RoomEnded, &visit_id, detail))?;
        Ok(visit)
    })
    .await
}

/// Disconnects one participant (by identity or participant SID) from the visit's room.
pub async fn remove_participant(ctx: &impl AppContext, visit_id: String, participant: String) -> Result<(), AppError> {
    let participant = participant.trim().to_string();
    if participant.is_empty() {
        return Err(AppError::new(ErrorCode::InvalidInput, "Say which participant to remove."));
    }
    let session = Session::load(ctx).await?;
    let visit = visits::visit(ctx, visit_id.clone()).await?;
    require_status(&visit, OPEN, "remove a participant")?;
    let Some(room) = visit.room.clone().filter(|room| room.sid.is_some()) else {
        return Err(AppError::new(ErrorCode::VisitStateConflict, "This visit has no room yet, so nobody is in it."));
    };
    let room_sid = room.sid.clone().unwrap_or_default();
    match VideoRooms::load(ctx, &session).await? {
        VideoRooms::Twilio(client) => {
            client.participants(&room_sid).disconnect(&participant).await?;
        }
        VideoRooms::Janus(janus) => janus.kick(&room, &participant).await?,
    }
    let actor = session.workspace.actor();
    with_store(ctx, move |store| {
        let detail = format!("participant {participant} from {}", room_label(&room_sid));
        store.append_audit(visits::audit(actor, AuditAction::ParticipantRemoved, &visit_id, detail))
    })
    .await?;
    Ok(())
}

/// Starts the visit and opens the call in the system browser, through the join page in the
/// provider's role (for a webview without WebRTC). `open` hands the address to the OS.
pub async fn open_visit_in_browser(
    ctx: &impl AppContext,
    visit_id: String,
    open: impl FnOnce(&str) -> Result<(), String>,
) -> Result<(), AppError> {
    let join = start_visit(ctx, visit_id).await?;
    open(&join.join_url).map_err(|detail| {
        AppError::new(
            ErrorCode::BrowserUnavailable,
            format!("VisitDesk could not open your web browser ({detail}). Set a default browser, then try again."),
        )
    })
}
