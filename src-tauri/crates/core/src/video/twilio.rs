//! Twilio Programmable Video behind the seam: a group room per visit, access tokens scoped
//! to the room's SID, the monitor's queries over the Video REST API (the connected
//! Participants of a Room, and the tracks one of them publishes), and admission through a
//! Participant's subscribe rules (Track Subscriptions API).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tracing::warn;
use visitdesk_secrets::Sensitive;
use visitdesk_store::{RoomRef, VideoBackendKind};
use visitdesk_twilio::{
    ApiKeyAuth, RetryPolicy, TwilioClient, TwilioError,
    access_token::{AccessToken, AccessTokenError},
    participants::ParticipantStatus,
    published_tracks::{PublishedTrack, TrackKind},
    rooms::{RoomStatus, RoomType, VideoCodec},
    subscribe_rules::SubscribeRule,
};

use super::{
    BackendError, CallTarget, ClientOptions, ConnectedParticipant, DeviceReadiness, Holder, JoinCredential, intake_key,
};
use crate::{AppContext, AppError, ErrorCode, account::session::Session, clinic::settings::ClinicSettings, random};

/// More than a room can hold (Twilio's group rooms take at most 50), so one page is all.
const PAGE_SIZE: u32 = 50;
const PREFLIGHT_TTL_MINUTES: u32 = 10;

/// The clinic's Twilio account, with what minting tokens needs.
pub(crate) struct TwilioVideo {
    client: TwilioClient,
    account_sid: String,
    api_key_sid: String,
    secret: Sensitive<String>,
}

impl TwilioVideo {
    pub fn new(ctx: &impl AppContext, session: &Session, options: ClientOptions) -> Result<Self, AppError> {
        let mut builder = TwilioClient::builder(ApiKeyAuth {
            account_sid: session.account.account_sid.clone(),
            api_key_sid: session.account.api_key_sid.clone(),
            api_key_secret: session.secret.clone(),
        })
        .base_urls(ctx.twilio_base_urls())
        .timeout(options.timeout);
        if !options.retries {
            // The monitor counts every request against its budget and backs off itself.
            builder = builder.retry_policy(RetryPolicy::no_retries());
        }
        Ok(Self {
            client: builder.build()?,
            account_sid: session.account.account_sid.clone(),
            api_key_sid: session.account.api_key_sid.clone(),
            secret: session.secret.clone(),
        })
    }

    /// The visit's group room, in progress: the one it has, or a new one under the same
    /// name once that one completed. `(room, created)`.
    pub async fn ensure_room(
        &self,
        clinic: &ClinicSettings,
        existing: Option<&RoomRef>,
        name: String,
    ) -> Result<(RoomRef, bool), AppError> {
        let existing = match existing {
            Some(_) => match self.client.rooms().fetch(&name).await {
                Ok(room) => Some(room),
                Err(error) if error.http_status() == Some(404) => None,
                Err(error) => return Err(error.into()),
            },
            None => None,
        };
        let (sid, created) = match existing {
            Some(room) if room.status == Some(RoomStatus::InProgress) => (room.sid, false),
            _ => (self.create_room(clinic, &name).await?, true),
        };
        Ok((RoomRef { service: VideoBackendKind::Twilio, unique_name: name, sid: Some(sid) }, created))
    }

    async fn create_room(&self, clinic: &ClinicSettings, name: &str) -> Result<String, AppError> {
        let created = self
            .client
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
            Err(error) if error.is_room_exists_conflict() => Ok(self.client.rooms().fetch(name).await?.sid),
            Err(error) => Err(error.into()),
        }
    }

    /// Completes the room; one Twilio already completed, or never had, is not an error.
    pub async fn end_room(&self, room: &RoomRef) -> Result<(), AppError> {
        let Some(sid) = &room.sid else { return Ok(()) };
        match self.client.rooms().complete(sid).await {
            Ok(_) => Ok(()),
            Err(error) if error.http_status() == Some(404) => Ok(()),
            // Twilio refuses to complete a room that is already completed: check its status
            // before giving up.
            Err(error) => match self.client.rooms().fetch(sid).await {
                Ok(room) if room.status != Some(RoomStatus::InProgress) => Ok(()),
                _ => Err(error.into()),
            },
        }
    }

    /// Disconnects one participant, by identity or participant SID.
    pub async fn remove(&self, room: &RoomRef, participant: &str) -> Result<String, AppError> {
        // The Participant SID the clinician's call saw; Twilio also takes an identity, which
        // names whoever holds it now.
        require_participant_sid(participant, "remove")?;
        let room_sid = room.sid.as_deref().unwrap_or_default();
        let removed = self.client.participants(room_sid).disconnect(participant).await?;
        Ok(removed.identity.unwrap_or_else(|| participant.to_string()))
    }

    /// Sets the participant's subscribe rules: every track once `admitted`, none while waiting.
    /// They replace the rules it had, so repeating them changes nothing (the client retries).
    /// A participant Twilio no longer has gives Twilio's 404, as [`Self::remove`] does.
    pub async fn set_admission(&self, room: &RoomRef, participant: &str, admitted: bool) -> Result<(), AppError> {
        require_participant_sid(participant, "admit")?;
        let room_sid = room.sid.as_deref().unwrap_or_default();
        let rule = if admitted { SubscribeRule::include_all() } else { SubscribeRule::exclude_all() };
        self.client.subscribe_rules(room_sid, participant).update().rule(rule).send().await?;
        Ok(())
    }

    /// An access token for `identity`, scoped to the room's SID; for the clinician and the
    /// patient, the visit's intake key too, keyed with the API Key Secret over the room's SID.
    pub fn credential(
        &self,
        room: &RoomRef,
        holder: Holder,
        identity: String,
        ttl_minutes: u32,
    ) -> Result<JoinCredential, AppError> {
        let room_sid = room.sid.clone().unwrap_or_default();
        let (token, expires_at) = self.mint(&identity, &room_sid, ttl_minutes)?;
        let intake_key = holder.reads_intake().then(|| intake_key(&self.secret, &room_sid));
        Ok(JoinCredential { identity, token, expires_at, target: CallTarget::Twilio { room_sid }, intake_key })
    }

    fn mint(&self, identity: &str, room: &str, ttl_minutes: u32) -> Result<(Sensitive<String>, i64), AppError> {
        let ttl = Duration::from_secs(u64::from(ttl_minutes) * 60);
        let issued_at = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let jwt = AccessToken::video(&self.account_sid, &self.api_key_sid, identity)
            .room(room)
            .ttl(ttl)
            .issued_at(issued_at)
            .to_jwt(&self.secret)
            .map_err(token_error)?;
        Ok((jwt, (issued_at + ttl.as_secs()) as i64))
    }

    /// A short-lived token for Twilio's network preflight test: its own identity and a room
    /// name used for nothing else, so the test never meets a visit.
    pub fn preflight_token(&self, provider_identity: &str) -> Result<(Sensitive<String>, i64), AppError> {
        let room: [u8; 8] = random::random_bytes("room name")?;
        let identity = format!("{provider_identity}-preflight");
        self.mint(&identity, &format!("preflight-{}", hex::encode(room)), PREFLIGHT_TTL_MINUTES)
    }

    /// Everyone connected to the room now; a room Twilio no longer knows has nobody.
    pub async fn participants(&self, room_sid: &str) -> Result<Vec<ConnectedParticipant>, BackendError> {
        let page = match self
            .client
            .participants(room_sid)
            .list()
            .status(ParticipantStatus::Connected)
            .page_size(PAGE_SIZE)
            .send()
            .await
        {
            Ok(page) => page,
            Err(error) if error.http_status() == Some(404) => return Ok(Vec::new()),
            Err(error) => return Err(backend_error(error)),
        };
        Ok(page
            .participants
            .into_iter()
            .filter(|participant| participant.status.is_none_or(|status| status == ParticipantStatus::Connected))
            .filter_map(|participant| {
                Some(ConnectedParticipant {
                    identity: participant.identity?,
                    participant_sid: participant.sid,
                    since_unix: participant.start_time.as_deref().and_then(parse_utc),
                    devices: None,
                    admits: Vec::new(),
                })
            })
            .collect())
    }

    /// Camera and microphone of one participant, from the tracks it publishes.
    pub async fn devices(&self, room_sid: &str, participant_sid: &str) -> Result<DeviceReadiness, BackendError> {
        match self.client.published_tracks(room_sid, participant_sid).list().page_size(PAGE_SIZE).send().await {
            Ok(page) => Ok(readiness(&page.published_tracks)),
            // Gone between the two requests: nothing to say about their devices.
            Err(error) if error.http_status() == Some(404) => Ok(DeviceReadiness::default()),
            Err(error) => Err(backend_error(error)),
        }
    }
}

fn token_error(error: AccessTokenError) -> AppError {
    AppError::new(ErrorCode::InvalidInput, format!("VisitDesk cannot make this access token: {error}"))
}

fn backend_error(error: TwilioError) -> BackendError {
    if error.is_authentication_failure() {
        return BackendError::Credentials;
    }
    match &error {
        TwilioError::Api { status: 429, retry_after, .. } => BackendError::RateLimited { retry_after: *retry_after },
        TwilioError::Api { status, .. } | TwilioError::UnexpectedResponse { status, .. } if *status >= 500 => {
            BackendError::Server { status: *status }
        }
        TwilioError::Timeout { .. } => BackendError::Timeout,
        TwilioError::Unreachable { .. } => BackendError::Unreachable,
        TwilioError::Api { status, .. } | TwilioError::UnexpectedResponse { status, .. } => {
            warn!(status, code = ?error.twilio_code(), "unexpected Twilio answer while watching a room");
            BackendError::Unexpected { detail: format!("HTTP {status}") }
        }
    }
}

/// Camera and microphone from the published tracks: on when a track of that kind is
/// enabled, off when every such track is disabled or none is published.
pub(crate) fn readiness(tracks: &[PublishedTrack]) -> DeviceReadiness {
    let state = |kind: TrackKind| {
        let mut of_kind = tracks.iter().filter(|track| track.kind == Some(kind)).peekable();
        if of_kind.peek().is_none() {
            return Some(false);
        }
        let mut unknown = false;
        for track in of_kind {
            match track.enabled {
                Some(true) => return Some(true),
                Some(false) => {}
                None => unknown = true,
            }
        }
        if unknown { None } else { Some(false) }
    };
    DeviceReadiness { camera_on: state(TrackKind::Video), microphone_on: state(TrackKind::Audio) }
}

/// Unix seconds from Twilio's ISO 8601 UTC times (`2026-04-14T09:00:00Z`, also with
/// fractional seconds or `+00:00`).
pub(crate) fn parse_utc(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, time) = text.split_once('T')?;
    let time = time.strip_suffix('Z').or_else(|| time.strip_suffix("+00:00"))?;
    let mut date_parts = date.splitn(3, '-');
    let year: i64 = date_parts.next()?.parse().ok()?;
    let month: i64 = date_parts.next()?.parse().ok()?;
    let day: i64 = date_parts.next()?.parse().ok()?;
    let time = time.split('.').next()?;
    let mut time_parts = time.splitn(3, ':');
    let hour: i64 = time_parts.next()?.parse().ok()?;
    let minute: i64 = time_parts.next()?.parse().ok()?;
    let second: i64 = time_parts.next()?.parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn is_participant_sid(value: &str) -> bool {
    value.len() == 34 && value.starts_with("PA") && value[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// Refuses anything but a Participant SID, saying to `verb` someone from the call's own list.
fn require_participant_sid(participant: &str, verb: &str) -> Result<(), AppError> {
    if is_participant_sid(participant) {
        return Ok(());
    }
    Err(AppError::new(
        ErrorCode::InvalidInput,
        format!("“{participant}” is not a Twilio Participant SID (PA…): {verb} someone from the call's own list."),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(kind: TrackKind, enabled: Option<bool>) -> PublishedTrack {
        PublishedTrack {
            sid: "MT1".into(),
            participant_sid: None,
            room_sid: None,
            name: None,
            kind: Some(kind),
            enabled,
            date_created: None,
        }
    }

    const ROOM_SID: &str = "RM0123456789abcdef0123456789abcdef";

    fn twilio(secret: &str) -> TwilioVideo {
        let secret = Sensitive::new(secret.to_string());
        let auth = ApiKeyAuth {
            account_sid: "AC0123456789abcdef0123456789abcdef".into(),
            api_key_sid: "SK0123456789abcdef0123456789abcdef".into(),
            api_key_secret: secret.clone(),
        };
        TwilioVideo {
            client: TwilioClient::builder(auth).build().unwrap(),
            account_sid: "AC0123456789abcdef0123456789abcdef".into(),
            api_key_sid: "SK0123456789abcdef0123456789abcdef".into(),
            secret,
        }
    }

    fn room(sid: &str) -> RoomRef {
        RoomRef { service: VideoBackendKind::Twilio, unique_name: "vd-x".into(), sid: Some(sid.into()) }
    }

    use super::super::known_intake_key;

    #[test]
    fn the_clinician_and_the_patient_get_the_rooms_intake_key_keyed_with_the_api_key_secret() {
        use visitdesk_store::GuestRole;
        let video = twilio("Zq8vN2mK5xR7tY1wB4cD6fG9hJ3kL0pA");
        let key = |video: &TwilioVideo, holder: Holder, sid: &str| {
            let credential = video.credential(&room(sid), holder, "someone".into(), 60).unwrap();
            credential.intake_key.map(|key| key.expose().clone())
        };
        let clinician = key(&video, Holder::Clinician, ROOM_SID).expect("the clinician's");
        assert_eq!(clinician, known_intake_key("Zq8vN2mK5xR7tY1wB4cD6fG9hJ3kL0pA", ROOM_SID));
        // HMAC-SHA256 over "visitdesk intake key v1 RM0123456789abcdef0123456789abcdef".
        assert_eq!(clinician, "acuXcjt6RgRqiw7_MkLsFtJWd4MxEojnr8tkdDOLMnc");
        assert_eq!(key(&video, Holder::from(GuestRole::Patient), ROOM_SID).as_deref(), Some(clinician.as_str()));
        for role in [GuestRole::Interpreter, GuestRole::Family, GuestRole::Caregiver] {
            assert_eq!(key(&video, Holder::from(role), ROOM_SID), None, "{role:?}");
        }
        let other_room = "RMffffffffffffffffffffffffffffffff";
        assert_eq!(
            key(&video, Holder::Patient, other_room).unwrap(),
            known_intake_key(video.secret.expose(), other_room)
        );
        assert_ne!(key(&video, Holder::Patient, other_room).unwrap(), clinician);
        assert_ne!(key(&twilio("another-api-key-secret"), Holder::Clinician, ROOM_SID).unwrap(), clinician);
    }

    #[test]
    fn twilio_times_read_as_unix_seconds() {
        assert_eq!(parse_utc("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_utc("2026-11-22T15:30:00Z"), Some(1_795_361_400));
        assert_eq!(parse_utc("2026-11-22T15:30:00.250Z"), Some(1_795_361_400));
        assert_eq!(parse_utc("2000-02-29T12:00:00+00:00"), Some(951_825_600));
        assert_eq!(parse_utc("2026-11-22 15:30:00"), None);
        assert_eq!(parse_utc("2026-13-22T15:30:00Z"), None);
        assert_eq!(parse_utc("2026-11-22T15:30:00+02:00"), None, "only UTC, as Twilio sends");
    }

    #[test]
    fn devices_follow_enabled_tracks() {
        use TrackKind::*;
        let none = readiness(&[]);
        assert_eq!((none.camera_on, none.microphone_on), (Some(false), Some(false)));
        let muted_camera = readiness(&[track(Video, Some(false)), track(Audio, Some(true)), track(Data, Some(true))]);
        assert_eq!((muted_camera.camera_on, muted_camera.microphone_on), (Some(false), Some(true)));
        let two_cameras = readiness(&[track(Video, Some(false)), track(Video, Some(true))]);
        assert_eq!(two_cameras.camera_on, Some(true));
        let unknown = readiness(&[track(Audio, None)]);
        assert_eq!(unknown.microphone_on, None);
    }

    /// Twilio's client at `base` (Video and Api), each request sent once.
    fn twilio_at(base: &str) -> TwilioVideo {
        let mut video = twilio("Zq8vN2mK5xR7tY1wB4cD6fG9hJ3kL0pA");
        let base = url::Url::parse(base).unwrap();
        let auth = ApiKeyAuth {
            account_sid: video.account_sid.clone(),
            api_key_sid: video.api_key_sid.clone(),
            api_key_secret: video.secret.clone(),
        };
        video.client = TwilioClient::builder(auth)
            .base_urls(visitdesk_twilio::BaseUrls { video: base.clone(), api: base })
            .retry_policy(RetryPolicy::no_retries())
            .build()
            .unwrap();
        video
    }

    const PATIENT_SID: &str = "PA0123456789abcdef0123456789abcdef";

    fn rules_answer(rules: serde_json::Value) -> wiremock::ResponseTemplate {
        wiremock::ResponseTemplate::new(202).set_body_json(serde_json::json!({
            "participant_sid": PATIENT_SID, "room_sid": ROOM_SID, "rules": rules,
            "date_created": null, "date_updated": null
        }))
    }

    fn not_found() -> wiremock::ResponseTemplate {
        wiremock::ResponseTemplate::new(404).set_body_json(serde_json::json!({
            "code": 20404, "message": "The requested resource /v1/Rooms/RM…/Participants/PA… was not found",
            "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404
        }))
    }

    #[tokio::test]
    async fn a_waiting_patient_is_excluded_from_every_track_by_twilio() {
        use wiremock::{
            Mock, MockServer,
            matchers::{body_string, header, method, path},
        };
        let server = MockServer::start().await;
        let rules_path = format!("/v1/Rooms/{ROOM_SID}/Participants/{PATIENT_SID}/SubscribeRules");
        Mock::given(method("POST"))
            .and(path(rules_path.as_str()))
            .and(header("content-type", "application/x-www-form-urlencoded"))
            .and(body_string("Rules=%5B%7B%22type%22%3A%22exclude%22%2C%22all%22%3Atrue%7D%5D"))
            .respond_with(rules_answer(serde_json::json!([{"type": "exclude", "all": true}])))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(rules_path.as_str()))
            .and(body_string("Rules=%5B%7B%22type%22%3A%22include%22%2C%22all%22%3Atrue%7D%5D"))
            .respond_with(rules_answer(serde_json::json!([{"type": "include", "all": true}])))
            .expect(1)
            .mount(&server)
            .await;

        let video = twilio_at(&server.uri());
        assert_eq!(video.set_admission(&room(ROOM_SID), PATIENT_SID, false).await, Ok(()));
        assert_eq!(video.set_admission(&room(ROOM_SID), PATIENT_SID, true).await, Ok(()));
        let sent: Vec<Vec<(String, String)>> = server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .map(|request| url::form_urlencoded::parse(&request.body).into_owned().collect())
            .collect();
        let rules = |json: &str| vec![("Rules".to_string(), json.to_string())];
        assert_eq!(sent, [rules(r#"[{"type":"exclude","all":true}]"#), rules(r#"[{"type":"include","all":true}]"#)]);
    }

    #[tokio::test]
    async fn admitting_someone_twilio_no_longer_has_fails_as_removing_them_does() {
        use wiremock::{Mock, MockServer, matchers::any};
        let server = MockServer::start().await;
        Mock::given(any()).respond_with(not_found()).mount(&server).await;
        let video = twilio_at(&server.uri());

        let admission = video.set_admission(&room(ROOM_SID), PATIENT_SID, false).await.unwrap_err();
        let removal = video.remove(&room(ROOM_SID), PATIENT_SID).await.unwrap_err();
        assert_eq!(admission.code, ErrorCode::ServiceError);
        let service = admission.service.as_ref().expect("Twilio's own error");
        assert_eq!((service.status, service.code), (404, Some(20404)));
        assert_eq!(service.more_info.as_deref(), Some("https://www.twilio.com/docs/errors/20404"));
        assert_eq!((admission.code, &admission.service), (removal.code, &removal.service), "as remove reports it");
        assert_eq!(server.received_requests().await.unwrap().len(), 2, "one request each");
    }

    #[tokio::test]
    async fn admission_takes_a_participant_sid_only() {
        use wiremock::MockServer;
        let server = MockServer::start().await;
        let video = twilio_at(&server.uri());
        for participant in ["patient-7", "PA0123", "", "RM0123456789abcdef0123456789abcdef"] {
            let error = video.set_admission(&room(ROOM_SID), participant, true).await.unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidInput, "{participant:?}");
        }
        assert!(server.received_requests().await.unwrap().is_empty(), "nothing sent");
    }

    #[tokio::test]
    async fn the_scripted_twilio_keeps_the_rules_set_and_refuses_someone_not_connected() {
        use visitdesk_twilio_scripted::{Asked, ScriptedTwilio};
        let (server, script) = ScriptedTwilio::serve().await;
        let patient = script.join(ROOM_SID, "patient-7");
        let video = twilio_at(&server.uri());

        assert_eq!(video.set_admission(&room(ROOM_SID), &patient, false).await, Ok(()));
        assert_eq!(
            script.subscribe_rules(ROOM_SID, &patient),
            Some(serde_json::json!([{"type": "exclude", "all": true}]))
        );
        video.set_admission(&room(ROOM_SID), &patient, true).await.unwrap();
        assert_eq!(
            script.subscribe_rules(ROOM_SID, &patient),
            Some(serde_json::json!([{"type": "include", "all": true}]))
        );

        script.leave(ROOM_SID, "patient-7");
        let gone = video.set_admission(&room(ROOM_SID), &patient, false).await.unwrap_err();
        assert_eq!(gone.service.map(|service| (service.status, service.code)), Some((404, Some(20404))));
        let asked: Vec<_> = script.hits_to(ROOM_SID).iter().map(|hit| (hit.asked, hit.status)).collect();
        assert_eq!(asked, [(Asked::SubscribeRules, 200), (Asked::SubscribeRules, 200), (Asked::SubscribeRules, 404)]);
    }

    #[test]
    fn errors_map_to_delay_reasons() {
        use visitdesk_twilio::TwilioApiError;
        let api = |status: u16, code: Option<u32>, retry_after: Option<Duration>| TwilioError::Api {
            status,
            error: TwilioApiError { code, message: "m".into(), more_info: None, status: Some(status) },
            retry_after,
        };
        assert_eq!(
            backend_error(api(429, Some(20429), Some(Duration::from_secs(3)))),
            BackendError::RateLimited { retry_after: Some(Duration::from_secs(3)) }
        );
        assert_eq!(backend_error(api(503, None, None)), BackendError::Server { status: 503 });
        assert_eq!(backend_error(api(401, Some(20003), None)), BackendError::Credentials);
        assert_eq!(
            backend_error(TwilioError::Timeout {
                host: "h".into(),
                after: Duration::from_secs(1),
                connection_closed: None
            }),
            BackendError::Timeout
        );
        assert_eq!(
            backend_error(TwilioError::Unreachable { host: "h".into(), detail: "refused".into() }),
            BackendError::Unreachable
        );
        assert_eq!(
            backend_error(TwilioError::UnexpectedResponse { host: "h".into(), status: 502, detail: "proxy".into() }),
            BackendError::Server { status: 502 }
        );
        assert!(matches!(backend_error(api(400, Some(20001), None)), BackendError::Unexpected { .. }));
    }
}
