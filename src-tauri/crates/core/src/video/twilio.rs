//! [`WaitingRoomBackend`] over Twilio's Video REST API: the connected Participants of a
//! Room, and the tracks one of them publishes. The client sends each request once (no
//! retries inside it): the monitor counts every request against its budget and does its
//! own backoff.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use tracing::warn;
use visitdesk_twilio::{
    ApiKeyAuth, RetryPolicy, TwilioClient, TwilioError,
    participants::ParticipantStatus,
    published_tracks::{PublishedTrack, TrackKind},
};

use super::{
    backend::{BackendError, ConnectedParticipant, WaitingRoomBackend},
    events::DeviceReadiness,
};
use crate::{AppContext, ErrorCode, session::Session};

/// More than a room can hold (Twilio's group rooms take at most 50), so one page is all.
const PAGE_SIZE: u32 = 50;

pub struct TwilioBackend<C> {
    ctx: Arc<C>,
    request_timeout: Duration,
    client: Mutex<Option<TwilioClient>>,
}

impl<C: AppContext + 'static> TwilioBackend<C> {
    /// `request_timeout` limits each request, connection included.
    pub fn new(ctx: Arc<C>, request_timeout: Duration) -> Self {
        Self { ctx, request_timeout, client: Mutex::new(None) }
    }

    /// The client, built from the saved credentials on first use and after [`Self::reset`].
    async fn client(&self) -> Result<TwilioClient, BackendError> {
        if let Some(client) = self.client.lock().expect("client lock").clone() {
            return Ok(client);
        }
        let session = Session::load(self.ctx.as_ref()).await.map_err(|error| match error.code {
            ErrorCode::NotConfigured
            | ErrorCode::KeychainLocked
            | ErrorCode::KeychainUnavailable
            | ErrorCode::KeychainFailed => BackendError::Credentials,
            code => BackendError::Unexpected { detail: format!("the settings could not be read ({code:?})") },
        })?;
        let client = TwilioClient::builder(ApiKeyAuth {
            account_sid: session.account.account_sid.clone(),
            api_key_sid: session.account.api_key_sid.clone(),
            api_key_secret: session.secret.clone(),
        })
        .base_urls(self.ctx.twilio_base_urls())
        .timeout(self.request_timeout)
        .retry_policy(RetryPolicy::no_retries())
        .build()
        .map_err(backend_error)?;
        *self.client.lock().expect("client lock") = Some(client.clone());
        Ok(client)
    }
}

impl<C: AppContext + 'static> WaitingRoomBackend for TwilioBackend<C> {
    async fn participants(&self, room_sid: &str) -> Result<Vec<ConnectedParticipant>, BackendError> {
        let client = self.client().await?;
        let page = match client
            .participants(room_sid)
            .list()
            .status(ParticipantStatus::Connected)
            .page_size(PAGE_SIZE)
            .send()
            .await
        {
            Ok(page) => page,
            // A room Twilio no longer knows has nobody in it.
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
                })
            })
            .collect())
    }

    async fn devices(&self, room_sid: &str, participant_sid: &str) -> Result<DeviceReadiness, BackendError> {
        let client = self.client().await?;
        match client.published_tracks(room_sid, participant_sid).list().page_size(PAGE_SIZE).send().await {
            Ok(page) => Ok(readiness(&page.published_tracks)),
            // Gone between the two requests: nothing to say about their devices.
            Err(error) if error.http_status() == Some(404) => Ok(DeviceReadiness::default()),
            Err(error) => Err(backend_error(error)),
        }
    }

    fn reset(&self) {
        *self.client.lock().expect("client lock") = None;
    }
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
