//! The one seam between VisitDesk and a video service. [`ClinicVideo`] is the clinic's
//! service as its settings say (Twilio by default, or its own Janus server), and this file is
//! the only place that tells them apart: every operation below dispatches to `twilio.rs` or
//! `janus.rs`. Everything that crosses the seam is neutral: a [`RoomRef`], a
//! [`JoinCredential`] with a tagged [`CallTarget`], [`ConnectedParticipant`]s, and either an
//! [`AppError`] or, for the monitor's queries, a [`BackendError`].
//!
//! A new service is a new module here, a variant of [`ClinicVideo`] and [`CallTarget`], its
//! settings in `clinic::settings::VideoService`, and its adapter in `ui/src/video/`.

mod janus;
mod janus_proof;
mod twilio;

use std::time::Duration;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use sha2::Sha256;
use ts_rs::TS;
use visitdesk_secrets::Sensitive;
pub use visitdesk_store::VideoBackendKind;
use visitdesk_store::{GuestRole, RoomRef, Visit};

pub use self::janus::{JanusSecretsForm, janus_join_page_key, save_janus_secrets};
use self::{janus::JanusVideo, twilio::TwilioVideo};
pub use crate::account::keychain::{KEYCHAIN_ACCOUNT_JANUS_ADMIN_KEY, KEYCHAIN_ACCOUNT_JANUS_TOKEN_SECRET};
use crate::{
    AppContext, AppError, ErrorCode,
    account::session::{Session, Workspace},
    clinic::settings::{AdmissionMode, SmsLanguage, VideoService},
};

/// Where a call connects, per service: what the UI's adapter for that service needs
/// besides the identity and token.
#[derive(Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "service", rename_all = "snake_case")]
pub enum CallTarget {
    Twilio {
        room_sid: String,
    },
    Janus {
        /// The address browsers connect to.
        server: String,
        #[ts(type = "number")]
        room_id: u64,
        /// The Janus session token (the room token is the credential's own).
        core_token: String,
        /// The clinician's participant id in this room (the clinician's credential only).
        #[ts(type = "number | null")]
        participant_id: Option<u64>,
        /// The clinician's proof, `<expires>.<signature>`, which join pages check with the
        /// clinic's join page key (the clinician's credential only).
        proof: Option<String>,
        /// How the clinician's call lets waiting patients in (the clinician's credential
        /// only): on Janus their call tells the room whom it admits.
        admission: Option<AdmissionMode>,
    },
}

impl std::fmt::Debug for CallTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Twilio { room_sid } => f.debug_struct("Twilio").field("room_sid", room_sid).finish(),
            Self::Janus { server, room_id, participant_id, proof, admission, .. } => f
                .debug_struct("Janus")
                .field("server", server)
                .field("room_id", room_id)
                .field("core_token", &"[redacted]")
                .field("participant_id", participant_id)
                .field("proof", &proof.as_ref().map(|_| "[redacted]"))
                .field("admission", admission)
                .finish(),
        }
    }
}

impl CallTarget {
    pub fn kind(&self) -> VideoBackendKind {
        match self {
            Self::Twilio { .. } => VideoBackendKind::Twilio,
            Self::Janus { .. } => VideoBackendKind::Janus,
        }
    }

    /// What the join link adds for this service (`ui/src/join/link.ts` reads it).
    fn link_params(&self, identity: &str) -> Vec<(&'static str, String)> {
        match self {
            Self::Twilio { .. } => Vec::new(),
            Self::Janus { server, room_id, core_token, participant_id, proof, admission } => {
                let mut params = vec![
                    ("b", "janus".into()),
                    ("s", server.clone()),
                    ("r", room_id.to_string()),
                    ("i", identity.to_string()),
                    ("c", core_token.clone()),
                ];
                params.extend(participant_id.map(|id| ("j", id.to_string())));
                params.extend(proof.clone().map(|proof| ("v", proof)));
                params.extend(admission.map(|mode| ("a", mode.as_str().to_string())));
                params
            }
        }
    }
}

/// Whose credential it is. On Janus the clinician's carries a proof that join pages check,
/// as any display name can be sent there; Twilio vouches for identities itself. The
/// clinician's and the patient's also carry the visit's intake key ([`intake_key`]); other
/// guests' (interpreter, family, caregiver) never do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Holder {
    Clinician,
    Patient,
    /// Anyone else the clinician invites.
    Guest,
}

impl Holder {
    /// Whether this holder's link carries the intake key (`k`).
    pub fn reads_intake(self) -> bool {
        match self {
            Self::Clinician | Self::Patient => true,
            Self::Guest => false,
        }
    }
}

impl From<GuestRole> for Holder {
    fn from(role: GuestRole) -> Self {
        match role {
            GuestRole::Patient => Self::Patient,
            GuestRole::Interpreter | GuestRole::Family | GuestRole::Caregiver => Self::Guest,
        }
    }
}

/// How one person joins a room.
pub(crate) struct JoinCredential {
    pub identity: String,
    pub token: Sensitive<String>,
    pub expires_at: i64,
    pub target: CallTarget,
    /// The visit's intake key, for the clinician's and the patient's credentials only.
    pub intake_key: Option<Sensitive<String>>,
}

impl std::fmt::Debug for JoinCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JoinCredential")
            .field("identity", &self.identity)
            .field("token", &self.token)
            .field("expires_at", &self.expires_at)
            .field("target", &self.target)
            .field("intake_key", &self.intake_key)
            .finish()
    }
}

/// The visit's intake key, with which the join page seals the patient's intake answers
/// (AES-256-GCM) on the call's data channel, which everyone in the room receives: the 32 bytes
/// of HMAC-SHA256 keyed with the service's secret (Janus's `token_auth_secret`, Twilio's API
/// Key Secret) over `visitdesk intake key v1 {room}` (the Janus room id in decimal, or the
/// Twilio room's SID), base64url without padding. Derived, so nothing more is stored.
pub(crate) fn intake_key(service_secret: &Sensitive<String>, room: &str) -> Sensitive<String> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(service_secret.expose().as_bytes()).expect("HMAC takes any key length");
    mac.update(format!("visitdesk intake key v1 {room}").as_bytes());
    let digest = zeroize::Zeroizing::new(<[u8; 32]>::from(mac.finalize().into_bytes()));
    Sensitive::new(URL_SAFE_NO_PAD.encode(digest.as_slice()))
}

/// Someone connected to a room now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectedParticipant {
    pub identity: String,
    /// The service's id for this connection (a new one after each reconnect).
    pub participant_sid: String,
    /// When this connection started, when the service says.
    pub since_unix: Option<i64>,
    /// Device readiness, when the service gives it with the participant list (the monitor
    /// then asks no separate [`ClinicVideo::devices`]).
    pub devices: Option<DeviceReadiness>,
    /// The patient connections (participant ids) this participant's call lets in: on Janus
    /// the verified clinician's display lists them; empty for everyone else, and on Twilio.
    pub admits: Vec<String>,
}

/// What the patient's client publishes: `None` until checked (or when it publishes
/// nothing of that kind the service can see).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
pub struct DeviceReadiness {
    pub camera_on: Option<bool>,
    pub microphone_on: Option<bool>,
}

/// Whether the service itself keeps a waiting patient's client from receiving media: on
/// Twilio the participant's subscribe rules exclude every track until they are admitted,
/// whatever their client asks for. Janus's VideoRoom has no per-subscriber control: only the
/// join page, which subscribes to nothing while the patient waits, holds them there.
pub fn holds_waiting_patients(service: VideoBackendKind) -> bool {
    service == VideoBackendKind::Twilio
}

/// Why a query to the service failed, as far as retrying is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendError {
    /// Too many requests; `retry_after` is what the service asked for.
    RateLimited {
        retry_after: Option<Duration>,
    },
    /// The service failed (5xx).
    Server {
        status: u16,
    },
    Timeout,
    Unreachable,
    /// Credentials missing or rejected.
    Credentials,
    /// Anything else; `detail` holds no PHI.
    Unexpected {
        detail: String,
    },
}

/// How the service's client behaves.
#[derive(Debug, Clone, Copy)]
pub struct ClientOptions {
    /// One request, connection included.
    pub timeout: Duration,
    /// Retry idempotent requests with backoff (off for the monitor, which has its own).
    pub retries: bool,
}

/// The clinic's video service, loaded from the settings and the keychain.
pub(crate) enum ClinicVideo {
    Twilio(TwilioVideo),
    Janus(JanusVideo),
}

impl ClinicVideo {
    /// The service the settings name, for actions that hold a full session.
    pub async fn load(ctx: &impl AppContext, session: &Session) -> Result<Self, AppError> {
        let options = ClientOptions { timeout: ctx.request_timeout(), retries: true };
        Self::load_with(ctx, &session.workspace, Some(session), options).await
    }

    /// The service for the monitor: no retries, its own timeout, and Twilio credentials
    /// read only when the clinic is on Twilio.
    pub async fn load_for_monitor(ctx: &impl AppContext, timeout: Duration) -> Result<Self, AppError> {
        let workspace = Workspace::load(ctx)?;
        let options = ClientOptions { timeout, retries: false };
        Self::load_with(ctx, &workspace, None, options).await
    }

    async fn load_with(
        ctx: &impl AppContext,
        workspace: &Workspace,
        session: Option<&Session>,
        options: ClientOptions,
    ) -> Result<Self, AppError> {
        match &workspace.clinic().video {
            VideoService::Janus { api_url, browser_url } => {
                let admission = workspace.clinic().admission;
                Ok(Self::Janus(JanusVideo::load(ctx, api_url, browser_url, admission, options).await?))
            }
            VideoService::Twilio => {
                let loaded;
                let session = match session {
                    Some(session) => session,
                    None => {
                        loaded = Session::load(ctx).await?;
                        &loaded
                    }
                };
                Ok(Self::Twilio(TwilioVideo::new(ctx, session, options)?))
            }
        }
    }

    pub fn kind(&self) -> VideoBackendKind {
        match self {
            Self::Twilio(_) => VideoBackendKind::Twilio,
            Self::Janus(_) => VideoBackendKind::Janus,
        }
    }

    /// The visit's room, in progress: the one it has while it lasts, else a new one under
    /// `name`. A room another service made is left behind. `(room, created)`.
    pub async fn ensure_room(
        &self,
        workspace: &Workspace,
        visit: &Visit,
        name: String,
    ) -> Result<(RoomRef, bool), AppError> {
        let existing = visit.room.as_ref().filter(|room| room.service == self.kind());
        match self {
            Self::Twilio(twilio) => twilio.ensure_room(workspace.clinic(), existing, name).await,
            Self::Janus(janus) => janus.ensure_room(workspace.clinic(), existing, name).await,
        }
    }

    /// Ends the room, disconnecting everyone; a room already ended is not an error.
    pub async fn end_room(&self, room: &RoomRef) -> Result<(), AppError> {
        match self.ours(room)? {
            Self::Twilio(twilio) => twilio.end_room(room).await,
            Self::Janus(janus) => janus.end_room(room).await,
        }
    }

    /// Removes one connection, by the service's id for it (Twilio's Participant SID, Janus's
    /// participant id), never by name; returns the identity it had.
    pub async fn remove(&self, room: &RoomRef, participant: &str) -> Result<String, AppError> {
        match self.ours(room)? {
            Self::Twilio(twilio) => twilio.remove(room, participant).await,
            Self::Janus(janus) => janus.remove(room, participant).await,
        }
    }

    /// Lets `participant` (the service's id for the connection: Twilio's PA… SID) receive the
    /// others' media (`admitted`), or receive nothing (waiting). Twilio: the participant's
    /// subscribe rules, one request, harmless to repeat. Janus: nothing to ask (see
    /// [`holds_waiting_patients`]).
    pub async fn set_admission(&self, room: &RoomRef, participant: &str, admitted: bool) -> Result<(), AppError> {
        match self.ours(room)? {
            Self::Twilio(twilio) => twilio.set_admission(room, participant, admitted).await,
            Self::Janus(_) => Ok(()),
        }
    }

    /// A credential for `identity`, the `holder`'s, in the room, valid for `ttl_minutes`.
    pub fn credential(
        &self,
        room: &RoomRef,
        holder: Holder,
        identity: String,
        ttl_minutes: u32,
    ) -> Result<JoinCredential, AppError> {
        match self.ours(room)? {
            Self::Twilio(twilio) => twilio.credential(room, holder, identity, ttl_minutes),
            Self::Janus(janus) => janus.credential(room, holder, identity, ttl_minutes),
        }
    }

    /// This service, when `room` is one of its own.
    fn ours(&self, room: &RoomRef) -> Result<&Self, AppError> {
        if room.service == self.kind() {
            return Ok(self);
        }
        Err(AppError::new(
            ErrorCode::VisitStateConflict,
            "This visit's room was made on another video service; start it again.",
        ))
    }

    /// Everyone connected to the room now; an unknown or ended room has nobody. One request.
    pub async fn participants(&self, room_sid: &str) -> Result<Vec<ConnectedParticipant>, BackendError> {
        match self {
            Self::Twilio(twilio) => twilio.participants(room_sid).await,
            Self::Janus(janus) => janus.participants(room_sid).await,
        }
    }

    /// Camera and microphone of one participant, where the service can tell. One request
    /// on Twilio; Janus cannot tell, so it asks nothing.
    pub async fn devices(&self, room_sid: &str, participant_sid: &str) -> Result<DeviceReadiness, BackendError> {
        match self {
            Self::Twilio(twilio) => twilio.devices(room_sid, participant_sid).await,
            Self::Janus(_) => Ok(DeviceReadiness::default()),
        }
    }
}

/// A room as the audit log names it: Twilio's `RM…` SID, or the Janus room's number glued to
/// a letter (the log refuses a bare run of digits as a possible phone number).
pub(crate) fn room_label(room: &RoomRef) -> String {
    let sid = room.sid.as_deref().unwrap_or_default();
    match room.service {
        VideoBackendKind::Twilio => format!("room {sid}"),
        VideoBackendKind::Janus => format!("Janus room r{sid}"),
    }
}

/// A Twilio preflight token for the provider's network test, whatever service the visits
/// use: `(token, expires_at)`.
pub(crate) fn preflight_token(ctx: &impl AppContext, session: &Session) -> Result<(Sensitive<String>, i64), AppError> {
    let options = ClientOptions { timeout: ctx.request_timeout(), retries: true };
    TwilioVideo::new(ctx, session, options)?.preflight_token(&session.workspace.profile.identity)
}

/// The clinic's join page with what it needs in the fragment, which browsers never send to
/// a server: `t`, the join token; `l`, the page's language; `p`, the clinician's identity in
/// calls (whom the waiting room waits for); then what the service adds
/// ([`CallTarget::link_params`]: on Janus, for the clinician, `j` and `v`, the participant id
/// and the proof); last, for the clinician and the patient only, `k`, the visit's
/// [`intake_key`]. `ui/src/join/link.ts` reads it.
pub(crate) fn join_link(
    join_page_url: &str,
    credential: &JoinCredential,
    language: SmsLanguage,
    provider_identity: &str,
) -> String {
    let base = join_page_url.split('#').next().unwrap_or_default();
    let mut fragment = url::form_urlencoded::Serializer::new(String::new());
    fragment.append_pair("t", credential.token.expose());
    fragment.append_pair("l", language.code());
    fragment.append_pair("p", provider_identity);
    for (key, value) in credential.target.link_params(&credential.identity) {
        fragment.append_pair(key, &value);
    }
    if let Some(intake_key) = &credential.intake_key {
        fragment.append_pair("k", intake_key.expose());
    }
    format!("{base}#{}", fragment.finish())
}

/// HMAC-SHA256 keyed with `secret` over `visitdesk intake key v1 {room}`, base64url without
/// padding: the intake key, computed for the services' tests apart from the core's helper.
#[cfg(test)]
fn known_intake_key(secret: &str, room: &str) -> String {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("visitdesk intake key v1 {room}").as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credential(target: CallTarget) -> JoinCredential {
        JoinCredential {
            identity: "patient-abc".into(),
            token: Sensitive::new("abc.def.ghi".into()),
            expires_at: 0,
            target,
            intake_key: None,
        }
    }

    #[test]
    fn twilio_links_carry_the_token_language_and_clinician() {
        let twilio = CallTarget::Twilio { room_sid: "RM0123456789abcdef0123456789abcdef".into() };
        assert_eq!(
            join_link("https://c.example/join#old", &credential(twilio), SmsLanguage::Es, "Dr Ana&Co"),
            "https://c.example/join#t=abc.def.ghi&l=es&p=Dr+Ana%26Co"
        );
    }

    #[test]
    fn janus_links_also_carry_the_server_room_identity_and_session_token() {
        let janus = CallTarget::Janus {
            core_token: "1795361400,janus,janus.plugin.videoroom:c2ln=".into(),
            server: "wss://video.clinic.example/janus".into(),
            room_id: 42,
            participant_id: None,
            proof: None,
            admission: None,
        };
        let link = join_link("https://c.example/join", &credential(janus), SmsLanguage::En, "dr-ana");
        assert_eq!(
            link,
            "https://c.example/join#t=abc.def.ghi&l=en&p=dr-ana&b=janus&s=wss%3A%2F%2Fvideo.clinic.example%2Fjanus&r=42&i=patient-abc&c=1795361400%2Cjanus%2Cjanus.plugin.videoroom%3Ac2ln%3D"
        );
    }

    #[test]
    fn the_clinicians_janus_link_adds_the_participant_id_and_proof_after_the_session_token() {
        let janus = CallTarget::Janus {
            core_token: "1795361400,janus,janus.plugin.videoroom:c2ln=".into(),
            server: "wss://v".into(),
            room_id: 42,
            participant_id: Some(9007199254740991),
            proof: Some("1795361400.c2lnbmF0dXJl".into()),
            admission: Some(AdmissionMode::Explicit),
        };
        let link = join_link("https://c.example/join", &credential(janus), SmsLanguage::En, "dr-ana");
        assert!(
            link.ends_with(
                "&c=1795361400%2Cjanus%2Cjanus.plugin.videoroom%3Ac2ln%3D&j=9007199254740991&v=1795361400.c2lnbmF0dXJl&a=explicit"
            ),
            "{link}"
        );
    }

    #[test]
    fn the_intake_key_is_hmac_sha256_of_the_room_keyed_with_the_services_secret() {
        let secret = Sensitive::new("s3cret".to_string());
        // HMAC-SHA256("s3cret", "visitdesk intake key v1 42"), base64url without padding.
        assert_eq!(intake_key(&secret, "42").expose(), "zVA4pmOGElu3bJBH4uExUtkHrJeHJIZSlLJklMwKQUg");
        let key = intake_key(&secret, "42");
        assert_eq!(URL_SAFE_NO_PAD.decode(key.expose()).unwrap().len(), 32);
        assert_eq!(key.expose().len(), 43, "what the join page's importIntakeKey takes");
        assert_eq!(intake_key(&secret, "42"), key, "derived, so the same every time");
        assert_ne!(intake_key(&secret, "43"), key, "per room");
        assert_ne!(intake_key(&Sensitive::new("other".to_string()), "42"), key, "per secret");
    }

    #[test]
    fn only_the_clinician_and_the_patient_hold_the_intake_key() {
        assert!(Holder::Clinician.reads_intake() && Holder::Patient.reads_intake());
        assert!(!Holder::Guest.reads_intake());
        for &role in GuestRole::ALL {
            assert_eq!(Holder::from(role).reads_intake(), role == GuestRole::Patient, "{role:?}");
        }
    }

    #[test]
    fn the_intake_key_comes_last_in_the_link_and_only_when_the_credential_has_it() {
        let twilio = CallTarget::Twilio { room_sid: "RM0123456789abcdef0123456789abcdef".into() };
        let mut with_key = credential(twilio);
        let key = intake_key(&Sensitive::new("s3cret".to_string()), "RM0123456789abcdef0123456789abcdef");
        with_key.intake_key = Some(key.clone());
        let link = join_link("https://c.example/join", &with_key, SmsLanguage::En, "dr-ana");
        assert_eq!(link, format!("https://c.example/join#t=abc.def.ghi&l=en&p=dr-ana&k={}", key.expose()));

        let janus = CallTarget::Janus {
            core_token: "c".into(),
            server: "wss://v".into(),
            room_id: 42,
            participant_id: Some(9),
            proof: Some("1.c2ln".into()),
            admission: None,
        };
        let mut with_key = credential(janus);
        with_key.intake_key = Some(key.clone());
        let link = join_link("https://c.example/join", &with_key, SmsLanguage::En, "dr-ana");
        assert!(link.ends_with(&format!("&j=9&v=1.c2ln&k={}", key.expose())), "{link}");
        with_key.intake_key = None;
        let link = join_link("https://c.example/join", &with_key, SmsLanguage::En, "dr-ana");
        assert!(!link.contains("k="), "{link}");
    }

    #[test]
    fn join_credentials_keep_the_token_and_intake_key_out_of_debug_output() {
        let mut held = credential(CallTarget::Twilio { room_sid: "RM0123456789abcdef0123456789abcdef".into() });
        let key = intake_key(&Sensitive::new("s3cret".to_string()), "RM0123456789abcdef0123456789abcdef");
        held.intake_key = Some(key.clone());
        let shown = format!("{held:?} {held:#?}");
        assert!(!shown.contains(key.expose().as_str()) && !shown.contains("abc.def.ghi"), "{shown}");
        assert!(shown.contains("intake_key: Some(Sensitive(<redacted>))"), "{shown}");
    }

    #[test]
    fn call_targets_keep_the_session_token_and_proof_out_of_debug_output() {
        let janus = CallTarget::Janus {
            core_token: "secret-token".into(),
            server: "wss://v".into(),
            room_id: 7,
            participant_id: Some(11),
            proof: Some("1900000000.secret-proof".into()),
            admission: Some(AdmissionMode::OnJoin),
        };
        let shown = format!("{janus:?}");
        assert!(!shown.contains("secret-token") && !shown.contains("secret-proof"), "{shown}");
        assert!(
            shown.contains("core_token: \"[redacted]\"") && shown.contains("proof: Some(\"[redacted]\")"),
            "{shown}"
        );
        assert_eq!(janus.kind(), VideoBackendKind::Janus);
    }
}
