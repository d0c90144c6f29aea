//! The clinic's video service behind one interface: a room per visit (ensured, ended), the
//! join credentials people need, and removing someone. Twilio's rooms by default; the
//! clinic's own Janus server (VideoRoom) when the settings say so.

use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use ts_rs::TS;
use url::Url;
use visitdesk_janus::{JanusClient, videoroom::MAX_ID};
use visitdesk_secrets::Sensitive;
use visitdesk_store::{RoomRef, Visit};
use visitdesk_twilio::TwilioClient;

use crate::{
    AppContext, AppError, ErrorCode, FieldError, FormField,
    session::{Session, Workspace},
    settings::{SmsLanguage, VideoService},
    setup::with_secrets,
    tokens, validate,
};

/// Keychain entries (under the app's service name) for a Janus server.
pub const KEYCHAIN_ACCOUNT_JANUS_ADMIN_KEY: &str = "janus-admin-key";
pub const KEYCHAIN_ACCOUNT_JANUS_TOKEN_SECRET: &str = "janus-token-auth-secret";

/// Which service a room or a join lives on, as the UI sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum VideoBackendKind {
    Twilio,
    Janus,
}

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

/// Checks a Janus address: `schemes` allowed, and `https`/`wss` unless the server is on this
/// computer (the join page and tokens must not cross a network in the clear).
pub(crate) fn check_server_url(value: &str, field: FormField, schemes: &[&str]) -> Option<FieldError> {
    let fail = |message: String| Some(FieldError { field, message });
    let Ok(url) = Url::parse(value.trim()) else {
        return fail(format!("“{value}” is not a web address, for example https://video.yourclinic.org/janus."));
    };
    if !schemes.contains(&url.scheme()) {
        return fail(format!("The address must start with {}.", schemes.join("://, ") + "://"));
    }
    if !validate::on_this_computer(&url) && matches!(url.scheme(), "http" | "ws") {
        return fail("Use https:// (or wss://): tokens must not cross the network unencrypted.".into());
    }
    None
}

/// Janus's side of a visit: the client, the token secret and the address browsers use.
pub(crate) struct JanusRooms {
    client: JanusClient,
    token_secret: Sensitive<String>,
    browser_url: String,
}

pub(crate) enum VideoRooms {
    Twilio(TwilioClient),
    Janus(JanusRooms),
}

fn janus_not_configured(what: &str) -> AppError {
    AppError::new(
        ErrorCode::NotConfigured,
        format!("The Janus {what} is not saved on this computer. Enter it in Settings → Video service."),
    )
}

/// How one person joins a room.
pub(crate) struct JoinCredential {
    pub identity: String,
    pub token: Sensitive<String>,
    pub expires_at: i64,
    /// Janus only: the session token and the address browsers connect to.
    pub janus: Option<JanusJoin>,
}

pub(crate) struct JanusJoin {
    pub core_token: Sensitive<String>,
    pub server: String,
    pub room_id: u64,
}

impl JanusRooms {
    /// The clinic's Janus server from the settings and the keychain; `None` on Twilio.
    pub async fn load(
        ctx: &impl AppContext,
        workspace: &Workspace,
        timeout: Duration,
    ) -> Result<Option<Self>, AppError> {
        let VideoService::Janus { api_url, browser_url } = workspace.clinic().video.clone() else { return Ok(None) };
        let (admin_key, token_secret) = with_secrets(ctx, |store| {
            Ok((store.read(KEYCHAIN_ACCOUNT_JANUS_ADMIN_KEY)?, store.read(KEYCHAIN_ACCOUNT_JANUS_TOKEN_SECRET)?))
        })
        .await?;
        let admin_key = admin_key.ok_or_else(|| janus_not_configured("VideoRoom admin key"))?;
        let token_secret = token_secret.ok_or_else(|| janus_not_configured("token secret"))?;
        let base = Url::parse(&api_url).map_err(|error| {
            AppError::new(ErrorCode::InvalidInput, format!("The Janus address “{api_url}” is not valid: {error}"))
        })?;
        let client = JanusClient::builder(base)
            .timeout(timeout)
            .admin_key(admin_key)
            .token_auth_secret(token_secret.clone())
            .build()?;
        Ok(Some(Self { client, token_secret, browser_url }))
    }

    pub fn client(&self) -> &JanusClient {
        &self.client
    }

    /// The visit's room on Janus, reused while it exists, else made again: `(room, created)`.
    pub async fn ensure_room(
        &self,
        workspace: &Workspace,
        visit: &Visit,
        name: String,
    ) -> Result<(RoomRef, bool), AppError> {
        if let Some(id) = visit.room.as_ref().and_then(|room| room.sid.as_deref()).and_then(|sid| sid.parse().ok())
            && self.client.videoroom().exists(id).await?
        {
            return Ok((RoomRef { unique_name: name, sid: Some(id.to_string()) }, false));
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
                .publishers(workspace.clinic().max_participants)
                .secret(room_secret(&self.token_secret, id))
                .send()
                .await;
            match created {
                Ok(room) => return Ok((RoomRef { unique_name: name, sid: Some(room.room_id.to_string()) }, true)),
                Err(error) if error.is_room_exists() => continue,
                Err(error) => return Err(error.into()),
            }
        }
        Err(AppError::new(ErrorCode::Internal, "Janus had a room under each of three random ids; try again."))
    }

    /// Ends the room, disconnecting everyone; a room already gone is not an error.
    pub async fn end_room(&self, room: &RoomRef) -> Result<(), AppError> {
        let id = janus_room_id(room)?;
        match self.client.videoroom().destroy(id, &room_secret(&self.token_secret, id)).await {
            Err(error) if !error.is_no_such_room() => Err(error.into()),
            _ => Ok(()),
        }
    }

    /// Removes whoever joined as `participant` (their identity, or Janus's participant id).
    pub async fn kick(&self, room: &RoomRef, participant: &str) -> Result<(), AppError> {
        let id = janus_room_id(room)?;
        let everyone = self.client.videoroom().list_participants(id).await?;
        let Some(found) =
            everyone.iter().find(|p| p.display.as_deref() == Some(participant) || p.id.to_string() == participant)
        else {
            return Err(AppError::new(
                ErrorCode::NotFound,
                format!("Nobody called “{participant}” is in this visit now."),
            ));
        };
        self.client.videoroom().kick(id, &room_secret(&self.token_secret, id), found.id).await?;
        Ok(())
    }
}

impl VideoRooms {
    pub async fn load(ctx: &impl AppContext, session: &Session) -> Result<Self, AppError> {
        match JanusRooms::load(ctx, &session.workspace, ctx.twilio_timeout()).await? {
            Some(janus) => Ok(Self::Janus(janus)),
            None => Ok(Self::Twilio(session.client(ctx)?)),
        }
    }

    pub fn kind(&self) -> VideoBackendKind {
        match self {
            Self::Twilio(_) => VideoBackendKind::Twilio,
            Self::Janus(_) => VideoBackendKind::Janus,
        }
    }

    /// The Twilio client when the video runs on Twilio; `None` on Janus.
    pub fn twilio(&self) -> Option<&TwilioClient> {
        match self {
            Self::Twilio(client) => Some(client),
            Self::Janus(_) => None,
        }
    }

    /// A credential for `identity` in the room, valid for `ttl_minutes`.
    pub fn credential(
        &self,
        session: &Session,
        room: &RoomRef,
        identity: String,
        ttl_minutes: u32,
    ) -> Result<JoinCredential, AppError> {
        let room_sid = room.sid.clone().unwrap_or_default();
        match self {
            Self::Twilio(_) => {
                let minted = tokens::mint(session, identity, &room_sid, ttl_minutes)?;
                Ok(JoinCredential {
                    identity: minted.identity,
                    token: minted.jwt,
                    expires_at: minted.expires_at,
                    janus: None,
                })
            }
            Self::Janus(janus) => {
                let room_id = janus_room_id(room)?;
                let tokens = janus.client.join_tokens(room_id, Duration::from_secs(u64::from(ttl_minutes) * 60))?;
                Ok(JoinCredential {
                    identity,
                    token: tokens.room,
                    expires_at: i64::try_from(tokens.expires_at).unwrap_or(i64::MAX),
                    janus: Some(JanusJoin { core_token: tokens.core, server: janus.browser_url.clone(), room_id }),
                })
            }
        }
    }
}

fn janus_room_id(room: &RoomRef) -> Result<u64, AppError> {
    room.sid.as_deref().and_then(|sid| sid.parse().ok()).ok_or_else(|| {
        AppError::new(
            ErrorCode::VisitStateConflict,
            "This visit's room was made on another video service; start it again.",
        )
    })
}

fn random_room_id() -> Result<u64, AppError> {
    let bytes: [u8; 8] = tokens::random_bytes("room id")?;
    Ok(u64::from_le_bytes(bytes) % MAX_ID + 1)
}

/// The room's `secret` (Janus needs it to end the room or remove someone), derived from the
/// token secret so it is never stored: HMAC-SHA256 over the room id.
pub(crate) fn room_secret(token_secret: &Sensitive<String>, room_id: u64) -> Sensitive<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(token_secret.expose().as_bytes()).expect("HMAC takes any key length");
    mac.update(format!("visitdesk room secret {room_id}").as_bytes());
    Sensitive::new(hex::encode(&mac.finalize().into_bytes()[..16]))
}

/// The clinic's join page with what it needs in the fragment, which browsers never send to
/// a server: `t`, the join token; `l`, the page's language; `p`, the clinician's identity in
/// calls (whom the waiting room waits for); on Janus also `b=janus`, `s` the server, `r` the
/// room, `i` the identity and `c` the session token. `ui/src/join/link.ts` reads it.
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
    if let Some(janus) = &credential.janus {
        fragment.append_pair("b", "janus");
        fragment.append_pair("s", &janus.server);
        fragment.append_pair("r", &janus.room_id.to_string());
        fragment.append_pair("i", &credential.identity);
        fragment.append_pair("c", janus.core_token.expose());
    }
    format!("{base}#{}", fragment.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credential(janus: Option<JanusJoin>) -> JoinCredential {
        JoinCredential {
            identity: "patient-abc".into(),
            token: Sensitive::new("abc.def.ghi".into()),
            expires_at: 0,
            janus,
        }
    }

    #[test]
    fn twilio_links_carry_the_token_language_and_clinician() {
        assert_eq!(
            join_link("https://c.example/join#old", &credential(None), SmsLanguage::Es, "Dr Ana&Co"),
            "https://c.example/join#t=abc.def.ghi&l=es&p=Dr+Ana%26Co"
        );
    }

    #[test]
    fn janus_links_also_carry_the_server_room_identity_and_session_token() {
        let janus = JanusJoin {
            core_token: Sensitive::new("1795361400,janus,janus.plugin.videoroom:c2ln=".into()),
            server: "wss://video.clinic.example/janus".into(),
            room_id: 42,
        };
        let link = join_link("https://c.example/join", &credential(Some(janus)), SmsLanguage::En, "dr-ana");
        assert_eq!(
            link,
            "https://c.example/join#t=abc.def.ghi&l=en&p=dr-ana&b=janus&s=wss%3A%2F%2Fvideo.clinic.example%2Fjanus&r=42&i=patient-abc&c=1795361400%2Cjanus%2Cjanus.plugin.videoroom%3Ac2ln%3D"
        );
    }

    #[test]
    fn room_secrets_differ_per_room_and_per_server_secret() {
        let secret = Sensitive::new("s3cret".to_string());
        let other = Sensitive::new("other".to_string());
        assert_eq!(room_secret(&secret, 7).expose(), room_secret(&secret, 7).expose());
        assert_ne!(room_secret(&secret, 7).expose(), room_secret(&secret, 8).expose());
        assert_ne!(room_secret(&secret, 7).expose(), room_secret(&other, 7).expose());
        assert_eq!(room_secret(&secret, 7).expose().len(), 32);
    }

    #[test]
    fn server_addresses_must_be_encrypted_unless_local() {
        let http = ["http", "https"];
        assert!(check_server_url("https://video.clinic.org/janus", FormField::VideoApiUrl, &http).is_none());
        assert!(check_server_url("http://127.0.0.1:8088/janus", FormField::VideoApiUrl, &http).is_none());
        let plain = check_server_url("http://video.clinic.org/janus", FormField::VideoApiUrl, &http).unwrap();
        assert!(plain.message.contains("unencrypted"), "{}", plain.message);
        let wrong = check_server_url("ftp://x/janus", FormField::VideoApiUrl, &http).unwrap();
        assert!(wrong.message.starts_with("The address must start with http://, https://"), "{}", wrong.message);
        assert!(
            check_server_url("video", FormField::VideoApiUrl, &http).unwrap().message.contains("not a web address")
        );
        let browser = ["ws", "wss", "http", "https"];
        assert!(check_server_url("wss://video.clinic.org/janus", FormField::VideoBrowserUrl, &browser).is_none());
    }
}
