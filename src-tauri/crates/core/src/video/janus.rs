//! The clinic's own Janus server (VideoRoom) behind the seam. Each visit's room is private,
//! with signed tokens; everyone gets a session token and a room token signed with the
//! `token_auth_secret`. The room's own secret, which Janus needs to end the room or remove
//! someone, is derived from the token secret and never stored. Janus lists who joined (the
//! display name is the identity VisitDesk issued, and after it the clinician's proof; see
//! `janus_proof.rs`) but not what they publish, so device readiness is not known here: the
//! provider sees it in the call.

use std::time::Duration;

use serde::Deserialize;
use tracing::warn;
use ts_rs::TS;
use url::Url;
use visitdesk_janus::{JanusClient, JanusError, videoroom::MAX_ID};
use visitdesk_secrets::Sensitive;
use visitdesk_store::{RoomRef, VideoBackendKind};

use super::{
    BackendError, CallTarget, ClientOptions, ConnectedParticipant, DeviceReadiness, Holder, JoinCredential, intake_key,
    janus_proof::{admits_in, clinician_participant_id, clinician_proof, derive, join_page_key, participant_identity},
};
use crate::{
    AppContext, AppError, ErrorCode, FieldError, FormField,
    account::keychain::{KEYCHAIN_ACCOUNT_JANUS_ADMIN_KEY, KEYCHAIN_ACCOUNT_JANUS_TOKEN_SECRET, with_secrets},
    clinic::settings::{AdmissionMode, ClinicSettings},
    random,
};
use crate::{Change, context::changing};

/// The Janus server's two secrets, as IT or the clinic's admin types them once.
#[derive(Deserialize, TS)]
pub struct JanusSecretsForm {
    #[ts(type = "string")]
    pub admin_key: Sensitive<String>,
    #[ts(type = "string")]
    pub token_auth_secret: Sensitive<String>,
}

/// Checks and saves the Janus secrets in the keychain; nothing else keeps them.
pub async fn save_janus_secrets(ctx: &impl AppContext, form: JanusSecretsForm) -> Result<(), AppError> {
    changing(ctx, Change::VideoService, save_janus_secrets_now(ctx, form)).await
}

async fn save_janus_secrets_now(ctx: &impl AppContext, form: JanusSecretsForm) -> Result<(), AppError> {
    let mut fields = Vec::new();
    for (field, secret, what) in [
        (FormField::JanusAdminKey, &form.admin_key, "The VideoRoom admin key"),
        (FormField::JanusTokenSecret, &form.token_auth_secret, "The token_auth_secret"),
    ] {
        let value = secret.expose();
        if value.trim().is_empty() {
            fields
                .push(FieldError { field, message: format!("{what} is empty; copy it from the Janus configuration.") });
        } else if value.trim() != value || value.chars().any(char::is_control) {
            fields.push(FieldError {
                field,
                message: format!("{what} has spaces or invisible characters around or inside it; paste it again."),
            });
        }
    }
    if !fields.is_empty() {
        return Err(AppError::invalid(fields));
    }
    with_secrets(ctx, move |store| {
        store.write(KEYCHAIN_ACCOUNT_JANUS_ADMIN_KEY, &form.admin_key)?;
        store.write(KEYCHAIN_ACCOUNT_JANUS_TOKEN_SECRET, &form.token_auth_secret)
    })
    .await
}

/// The clinic's join page key (see `janus_proof.rs`), for the join page's `visitdesk-join.json`:
/// derived from the saved token secret.
pub async fn janus_join_page_key(ctx: &impl AppContext) -> Result<String, AppError> {
    let token_secret = with_secrets(ctx, |store| store.read(KEYCHAIN_ACCOUNT_JANUS_TOKEN_SECRET)).await?;
    let token_secret = token_secret.ok_or_else(|| not_configured("token secret"))?;
    Ok(join_page_key(&token_secret))
}

fn not_configured(what: &str) -> AppError {
    AppError::new(
        ErrorCode::NotConfigured,
        format!("The Janus {what} is not saved on this computer. Enter it in Settings → Video service."),
    )
}

/// Janus's side of a visit: the client, the token secret and the address browsers use.
pub(crate) struct JanusVideo {
    client: JanusClient,
    token_secret: Sensitive<String>,
    browser_url: String,
    /// The clinic's, for the clinician's call, which lets patients in on Janus.
    admission: AdmissionMode,
}

impl JanusVideo {
    /// The clinic's Janus server from the settings (`api_url`, `browser_url`) and the keychain.
    pub async fn load(
        ctx: &impl AppContext,
        api_url: &str,
        browser_url: &str,
        admission: AdmissionMode,
        options: ClientOptions,
    ) -> Result<Self, AppError> {
        let (admin_key, token_secret) = with_secrets(ctx, |store| {
            Ok((store.read(KEYCHAIN_ACCOUNT_JANUS_ADMIN_KEY)?, store.read(KEYCHAIN_ACCOUNT_JANUS_TOKEN_SECRET)?))
        })
        .await?;
        let admin_key = admin_key.ok_or_else(|| not_configured("VideoRoom admin key"))?;
        let token_secret = token_secret.ok_or_else(|| not_configured("token secret"))?;
        let base = Url::parse(api_url).map_err(|error| {
            AppError::new(ErrorCode::InvalidInput, format!("The Janus address “{api_url}” is not valid: {error}"))
        })?;
        let client = JanusClient::builder(base)
            .timeout(options.timeout)
            .admin_key(admin_key)
            .token_auth_secret(token_secret.clone())
            .build()?;
        Ok(Self { client, token_secret, browser_url: browser_url.to_string(), admission })
    }

    /// The visit's room on Janus, reused while it exists, else made again: `(room, created)`.
    pub async fn ensure_room(
        &self,
        clinic: &ClinicSettings,
        existing: Option<&RoomRef>,
        name: String,
    ) -> Result<(RoomRef, bool), AppError> {
        let on_janus =
            |sid: String| RoomRef { service: VideoBackendKind::Janus, unique_name: name.clone(), sid: Some(sid) };
        if let Some(id) = existing.and_then(|room| room.sid.as_deref()).and_then(|sid| sid.parse().ok())
            && self.client.videoroom().exists(id).await?
        {
            return Ok((on_janus(id.to_string()), false));
        }
        // A random id, so the room secret can be derived from it rather than stored.
        for _ in 0..3 {
            let id = random_room_id()?;
            let created = self
                .client
                .videoroom()
                .create()
                .room_id(id)
                .description(name.clone())
                .publishers(clinic.max_participants)
                .secret(room_secret(&self.token_secret, id))
                .send()
                .await;
            match created {
                Ok(room) => return Ok((on_janus(room.room_id.to_string()), true)),
                Err(error) if error.is_room_exists() => continue,
                Err(error) => return Err(error.into()),
            }
        }
        Err(AppError::new(ErrorCode::Internal, "Janus had a room under each of three random ids; try again."))
    }

    /// Ends the room, disconnecting everyone; a room already gone is not an error.
    pub async fn end_room(&self, room: &RoomRef) -> Result<(), AppError> {
        let id = room_id(room)?;
        match self.client.videoroom().destroy(id, &room_secret(&self.token_secret, id)).await {
            Err(error) if !error.is_no_such_room() => Err(error.into()),
            _ => Ok(()),
        }
    }

    /// Removes whoever joined as `participant` (their identity, or Janus's participant id).
    pub async fn remove(&self, room: &RoomRef, participant: &str) -> Result<String, AppError> {
        let id = room_id(room)?;
        // Janus's participant id, as the clinician's call saw it: a display name anyone can take.
        let Ok(participant_id) = participant.parse::<u64>() else {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                format!("“{participant}” is not a Janus participant id: remove someone from the call's own list."),
            ));
        };
        let everyone = self.client.videoroom().list_participants(id).await?;
        let Some(found) = everyone.iter().find(|p| p.id == participant_id) else {
            return Err(AppError::new(ErrorCode::NotFound, "That participant has already left this visit."));
        };
        self.client.videoroom().kick(id, &room_secret(&self.token_secret, id), found.id).await?;
        // The identity without the clinician's proof after it (the audit log refuses its digits).
        let clinician = clinician_participant_id(&self.token_secret, id);
        Ok(participant_identity(found.display.as_deref(), found.id, clinician))
    }

    /// A room token and a session token for `identity`, valid for that one room until expiry;
    /// the clinician's also names their participant id and carries their proof. The clinician's
    /// and the patient's carry the visit's intake key, keyed with the token secret over the room id.
    pub fn credential(
        &self,
        room: &RoomRef,
        holder: Holder,
        identity: String,
        ttl_minutes: u32,
    ) -> Result<JoinCredential, AppError> {
        let room_id = room_id(room)?;
        let tokens = self.client.join_tokens(room_id, Duration::from_secs(u64::from(ttl_minutes) * 60))?;
        let (participant_id, proof, admission) = match holder {
            Holder::Clinician => {
                let id = clinician_participant_id(&self.token_secret, room_id);
                let proof = clinician_proof(&self.token_secret, room_id, id, &identity, tokens.expires_at);
                (Some(id), Some(proof), Some(self.admission))
            }
            Holder::Patient | Holder::Guest => (None, None, None),
        };
        let intake_key = holder.reads_intake().then(|| intake_key(&self.token_secret, &room_id.to_string()));
        Ok(JoinCredential {
            identity,
            token: tokens.room,
            expires_at: i64::try_from(tokens.expires_at).unwrap_or(i64::MAX),
            target: CallTarget::Janus {
                server: self.browser_url.clone(),
                room_id,
                core_token: tokens.core.expose().clone(),
                participant_id,
                proof,
                admission,
            },
            intake_key,
        })
    }

    /// Everyone in the room now (VideoRoom's `listparticipants`); a room Janus no longer
    /// has holds nobody. Someone who claims the clinician's identity under another participant
    /// id than the clinician's is listed as `unverified {identity}`.
    pub async fn participants(&self, room_sid: &str) -> Result<Vec<ConnectedParticipant>, BackendError> {
        let Ok(room_id) = room_sid.parse::<u64>() else {
            return Err(BackendError::Unexpected { detail: "the room was made on another video service".into() });
        };
        let everyone = match self.client.videoroom().list_participants(room_id).await {
            Ok(everyone) => everyone,
            Err(error) if error.is_no_such_room() => return Ok(Vec::new()),
            Err(error) => return Err(backend_error(error)),
        };
        let clinician = clinician_participant_id(&self.token_secret, room_id);
        Ok(everyone
            .into_iter()
            .map(|participant| ConnectedParticipant {
                identity: participant_identity(participant.display.as_deref(), participant.id, clinician),
                participant_sid: participant.id.to_string(),
                since_unix: None,
                devices: Some(DeviceReadiness::default()),
                // Only the clinician's own call can set the display under their id.
                admits: match participant.display.as_deref() {
                    Some(display) if participant.id == clinician => admits_in(display),
                    _ => Vec::new(),
                },
            })
            .collect())
    }
}

/// The Janus room id a visit's room reference holds.
fn room_id(room: &RoomRef) -> Result<u64, AppError> {
    room.sid.as_deref().and_then(|sid| sid.parse().ok()).ok_or_else(|| {
        AppError::new(
            ErrorCode::VisitStateConflict,
            "This visit's room was made on another video service; start it again.",
        )
    })
}

fn random_room_id() -> Result<u64, AppError> {
    let bytes: [u8; 8] = random::random_bytes("room id")?;
    Ok(u64::from_le_bytes(bytes) % MAX_ID + 1)
}

/// The room's `secret` (Janus needs it to end the room or remove someone), derived from the
/// token secret so it is never stored: HMAC-SHA256 over the room id.
pub(crate) fn room_secret(token_secret: &Sensitive<String>, room_id: u64) -> Sensitive<String> {
    Sensitive::new(hex::encode(&derive(token_secret, &format!("visitdesk room secret {room_id}"))[..16]))
}

fn backend_error(error: JanusError) -> BackendError {
    if error.is_unauthorized() {
        return BackendError::Credentials;
    }
    match &error {
        JanusError::Unreachable { .. } => BackendError::Unreachable,
        JanusError::Timeout { .. } => BackendError::Timeout,
        JanusError::Decode { status, .. } if *status >= 500 => BackendError::Server { status: *status },
        _ => {
            warn!(code = ?error.janus_code(), "unexpected Janus answer while watching a room");
            BackendError::Unexpected { detail: format!("Janus error {:?}", error.janus_code()) }
        }
    }
}

#[cfg(test)]
mod tests {
    use visitdesk_store::GuestRole;

    use super::*;
    use crate::{clinic::settings::SmsLanguage, video::join_link};

    #[test]
    fn room_secrets_differ_per_room_and_per_server_secret() {
        let secret = Sensitive::new("s3cret".to_string());
        let other = Sensitive::new("other".to_string());
        assert_eq!(room_secret(&secret, 7).expose(), room_secret(&secret, 7).expose());
        assert_ne!(room_secret(&secret, 7).expose(), room_secret(&secret, 8).expose());
        assert_ne!(room_secret(&secret, 7).expose(), room_secret(&other, 7).expose());
        assert_eq!(room_secret(&secret, 7).expose().len(), 32);
        // HMAC-SHA256("s3cret", "visitdesk room secret 7"), first 16 bytes: rooms made before
        // keep the secret they were made with.
        assert_eq!(room_secret(&secret, 7).expose(), &known_room_secret("s3cret", 7));
    }

    fn known_room_secret(key: &str, room_id: u64) -> String {
        use hmac::{Hmac, KeyInit, Mac};
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
        mac.update(format!("visitdesk room secret {room_id}").as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }

    fn janus(token_secret: &str) -> JanusVideo {
        let token_secret = Sensitive::new(token_secret.to_string());
        let client = JanusClient::builder(Url::parse("http://127.0.0.1:1/janus").unwrap())
            .token_auth_secret(token_secret.clone())
            .build()
            .unwrap();
        let admission = AdmissionMode::Explicit;
        JanusVideo { client, token_secret, browser_url: "wss://video.clinic.example/janus".into(), admission }
    }

    fn room(id: u64) -> RoomRef {
        RoomRef { service: VideoBackendKind::Janus, unique_name: "visit-x".into(), sid: Some(id.to_string()) }
    }

    #[tokio::test]
    async fn janus_holds_a_waiting_patient_on_the_page_alone_and_asks_the_server_nothing() {
        use crate::video::{ClinicVideo, holds_waiting_patients};
        // The client points at a closed port: any request would fail.
        let video = ClinicVideo::Janus(janus("s3cret"));
        for admitted in [false, true] {
            assert_eq!(video.set_admission(&room(42), "7", admitted).await, Ok(()));
        }
        assert!(!holds_waiting_patients(VideoBackendKind::Janus), "the join page alone holds the patient");
        let twilio_room =
            RoomRef { service: VideoBackendKind::Twilio, unique_name: "v".into(), sid: Some("RM1".into()) };
        let error = video.set_admission(&twilio_room, "PA1", false).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::VisitStateConflict, "a room another service made");
    }

    fn fragment(link: &str) -> Vec<(String, String)> {
        let (_, fragment) = link.split_once('#').unwrap();
        url::form_urlencoded::parse(fragment.as_bytes()).into_owned().collect()
    }

    #[test]
    fn only_the_clinicians_credential_names_an_id_and_carries_a_proof() {
        let video = janus("s3cret");
        let clinician = video.credential(&room(42), Holder::Clinician, "dr-ana".into(), 60).unwrap();
        let CallTarget::Janus { participant_id: Some(id), proof: Some(proof), admission: Some(mode), .. } =
            &clinician.target
        else {
            panic!("{:?}", clinician.target)
        };
        assert_eq!(*mode, AdmissionMode::Explicit, "the clinic's mode, for the clinician's call");
        assert_eq!(*id, clinician_participant_id(&video.token_secret, 42));
        let expires = u64::try_from(clinician.expires_at).unwrap();
        assert_eq!(proof, &clinician_proof(&video.token_secret, 42, *id, "dr-ana", expires));
        assert!(proof.starts_with(&format!("{expires}.")), "the room token's expiry: {proof}");
        let link = join_link("https://c.example/join", &clinician, SmsLanguage::En, "dr-ana");
        let params = fragment(&link);
        let keys: Vec<&str> = params.iter().map(|(key, _)| key.as_str()).collect();
        assert_eq!(keys, ["t", "l", "p", "b", "s", "r", "i", "c", "j", "v", "a", "k"]);
        assert!(params.contains(&("a".into(), "explicit".into())));
        assert!(params.contains(&("j".into(), id.to_string())) && params.contains(&("v".into(), proof.clone())));

        for (holder, identity, last) in
            [(Holder::Patient, "patient-abc", &["k"][..]), (Holder::Guest, "interpreter-abc", &[][..])]
        {
            let guest = video.credential(&room(42), holder, identity.into(), 60).unwrap();
            let CallTarget::Janus { participant_id: None, proof: None, admission: None, .. } = &guest.target else {
                panic!("{:?}", guest.target)
            };
            let link = join_link("https://c.example/join", &guest, SmsLanguage::En, "dr-ana");
            let keys: Vec<String> = fragment(&link).into_iter().map(|(key, _)| key).collect();
            assert_eq!(keys, [&["t", "l", "p", "b", "s", "r", "i", "c"][..], last].concat(), "{identity}");
        }
    }

    fn known_intake_key(token_secret: &str, room_id: u64) -> String {
        super::super::known_intake_key(token_secret, &room_id.to_string())
    }

    #[test]
    fn the_clinician_and_the_patient_share_the_rooms_intake_key_and_other_guests_get_none() {
        let video = janus("s3cret");
        let key_in = |holder: Holder, identity: &str, room_id: u64| {
            let credential = video.credential(&room(room_id), holder, identity.into(), 60).unwrap();
            let link = join_link("https://c.example/join", &credential, SmsLanguage::En, "dr-ana");
            let in_link = fragment(&link).into_iter().find(|(key, _)| key == "k").map(|(_, value)| value);
            assert_eq!(in_link.as_deref(), credential.intake_key.as_ref().map(|key| key.expose().as_str()), "{link}");
            in_link
        };
        let clinician = key_in(Holder::Clinician, "dr-ana", 42).expect("the clinician's link carries k");
        assert_eq!(clinician, known_intake_key("s3cret", 42));
        // HMAC-SHA256("s3cret", "visitdesk intake key v1 42"), base64url without padding.
        assert_eq!(clinician, "zVA4pmOGElu3bJBH4uExUtkHrJeHJIZSlLJklMwKQUg");
        assert_eq!(key_in(Holder::Patient, "patient-abc", 42).as_deref(), Some(clinician.as_str()));
        for role in [GuestRole::Interpreter, GuestRole::Family, GuestRole::Caregiver] {
            let identity = format!("{}-abc", role.as_str());
            assert_eq!(key_in(Holder::from(role), &identity, 42), None, "{identity}");
        }
        let other_room = key_in(Holder::Patient, "patient-abc", 43).unwrap();
        assert_eq!(other_room, known_intake_key("s3cret", 43));
        assert_ne!(other_room, clinician);
        let other_secret = janus("other").credential(&room(42), Holder::Clinician, "dr-ana".into(), 60).unwrap();
        assert_ne!(other_secret.intake_key.unwrap().expose(), &clinician);
    }
}
