//! The monitor's backend: the clinic's video service through the seam (`crate::video`),
//! loaded once and kept until the settings name another service or address, or until
//! [`WaitingRoomBackend::reset`] (new credentials, or credentials rejected).

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use visitdesk_store::{RoomRef, VideoBackendKind};

use super::backend::{BackendError, ConnectedParticipant, Removal, WaitingRoomBackend};
use crate::{
    AppContext, AppError, ErrorCode,
    clinic::settings::VideoService,
    error::{Service, ServiceErrorInfo},
    video::{ClinicVideo, DeviceReadiness},
};

pub struct ClinicBackend<C> {
    ctx: Arc<C>,
    request_timeout: Duration,
    loaded: Mutex<Option<(VideoService, Arc<ClinicVideo>)>>,
}

impl<C: AppContext + 'static> ClinicBackend<C> {
    /// `request_timeout` limits each request, connection included.
    pub fn new(ctx: Arc<C>, request_timeout: Duration) -> Self {
        Self { ctx, request_timeout, loaded: Mutex::new(None) }
    }

    /// The service the settings name now, loaded on first use and whenever they change.
    async fn video(&self) -> Result<Arc<ClinicVideo>, BackendError> {
        let settings =
            self.ctx.settings().load().map_err(|error| BackendError::Unexpected {
                detail: format!("the settings could not be read: {error}"),
            })?;
        let wanted = settings.map(|settings| settings.clinic.video).unwrap_or_default();
        if let Some((service, video)) = self.loaded.lock().expect("video lock").as_ref()
            && *service == wanted
        {
            return Ok(video.clone());
        }
        let video = Arc::new(
            ClinicVideo::load_for_monitor(self.ctx.as_ref(), self.request_timeout).await.map_err(settings_error)?,
        );
        *self.loaded.lock().expect("video lock") = Some((wanted, video.clone()));
        Ok(video)
    }
}

fn settings_error(error: AppError) -> BackendError {
    match error.code {
        ErrorCode::NotConfigured
        | ErrorCode::KeychainLocked
        | ErrorCode::KeychainUnavailable
        | ErrorCode::KeychainFailed => BackendError::Credentials,
        code => BackendError::Unexpected { detail: format!("the video service settings could not be used ({code:?})") },
    }
}

/// A failed removal, as the monitor retries it: a connection or room already gone is done
/// (Twilio's 404; Janus's "already left", no such room or no such participant); the rest
/// as the monitor's queries fail. Twilio's `Retry-After` does not come through `AppError`,
/// so a 429 here backs off by the monitor's own doubling.
fn removal_error(error: AppError) -> Result<Removal, BackendError> {
    let service = error.service.as_ref();
    let gone = match service {
        Some(ServiceErrorInfo { service: Service::Twilio, status, .. }) => *status == 404,
        Some(ServiceErrorInfo { service: Service::Janus, code, .. }) => {
            matches!(*code, Some(JANUS_NO_SUCH_ROOM | JANUS_NO_SUCH_FEED))
        }
        None => false,
    };
    if gone || error.code == ErrorCode::NotFound {
        return Ok(Removal::AlreadyGone);
    }
    let status = service.map_or(0, |service| service.status);
    Err(match error.code {
        ErrorCode::ServiceCredentialsRejected
        | ErrorCode::NotConfigured
        | ErrorCode::KeychainLocked
        | ErrorCode::KeychainUnavailable
        | ErrorCode::KeychainFailed => BackendError::Credentials,
        ErrorCode::ServiceUnreachable => BackendError::Unreachable,
        ErrorCode::ServiceTimeout => BackendError::Timeout,
        _ if status == 429 => BackendError::RateLimited { retry_after: None },
        _ if status >= 500 => BackendError::Server { status },
        code => BackendError::Unexpected { detail: format!("the removal failed ({code:?}, status {status})") },
    })
}

/// Janus VideoRoom's error codes for a room or a participant it does not have.
const JANUS_NO_SUCH_ROOM: u32 = 426;
const JANUS_NO_SUCH_FEED: u32 = 428;

impl<C: AppContext + 'static> WaitingRoomBackend for ClinicBackend<C> {
    async fn participants(&self, room_sid: &str) -> Result<Vec<ConnectedParticipant>, BackendError> {
        self.video().await?.participants(room_sid).await
    }

    async fn devices(&self, room_sid: &str, participant_sid: &str) -> Result<DeviceReadiness, BackendError> {
        self.video().await?.devices(room_sid, participant_sid).await
    }

    async fn remove(&self, room: &RoomRef, participant_sid: &str) -> Result<Removal, BackendError> {
        match self.video().await?.remove(room, participant_sid).await {
            Ok(_identity) => Ok(Removal::Removed),
            Err(error) => removal_error(error),
        }
    }

    /// A connection already gone needs nothing more; other failures as a removal's.
    async fn set_admission(&self, room: &RoomRef, participant_sid: &str, admitted: bool) -> Result<(), BackendError> {
        let set = self.video().await?.set_admission(room, participant_sid, admitted).await;
        set.or_else(|error| removal_error(error).map(|_| ()))
    }

    /// Janus lists the room's participants before it kicks one: two requests. Twilio: one.
    fn removal_requests(&self, room: &RoomRef) -> u32 {
        match room.service {
            VideoBackendKind::Twilio => 1,
            VideoBackendKind::Janus => 2,
        }
    }

    fn reset(&self) {
        *self.loaded.lock().expect("video lock") = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service_error(service: Service, status: u16, code: Option<u32>) -> AppError {
        AppError {
            service: Some(ServiceErrorInfo { service, status, code, message: "m".into(), more_info: None }),
            ..AppError::new(ErrorCode::ServiceError, "failed")
        }
    }

    #[test]
    fn a_connection_already_gone_is_a_removal_done() {
        assert_eq!(removal_error(service_error(Service::Twilio, 404, Some(20404))), Ok(Removal::AlreadyGone));
        assert_eq!(removal_error(service_error(Service::Janus, 0, Some(426))), Ok(Removal::AlreadyGone));
        assert_eq!(removal_error(service_error(Service::Janus, 0, Some(428))), Ok(Removal::AlreadyGone));
        assert_eq!(
            removal_error(AppError::new(ErrorCode::NotFound, "That participant has already left this visit.")),
            Ok(Removal::AlreadyGone)
        );
    }

    #[test]
    fn other_failures_are_retried_as_the_monitor_retries_its_queries() {
        assert_eq!(
            removal_error(service_error(Service::Twilio, 429, Some(20429))),
            Err(BackendError::RateLimited { retry_after: None })
        );
        assert_eq!(removal_error(service_error(Service::Twilio, 503, None)), Err(BackendError::Server { status: 503 }));
        assert_eq!(
            removal_error(AppError::new(ErrorCode::ServiceCredentialsRejected, "no")),
            Err(BackendError::Credentials)
        );
        assert_eq!(removal_error(AppError::new(ErrorCode::ServiceTimeout, "slow")), Err(BackendError::Timeout));
        assert_eq!(removal_error(AppError::new(ErrorCode::ServiceUnreachable, "down")), Err(BackendError::Unreachable));
        assert!(matches!(
            removal_error(service_error(Service::Janus, 0, Some(433))),
            Err(BackendError::Unexpected { .. })
        ));
        assert!(matches!(
            removal_error(service_error(Service::Twilio, 400, Some(20001))),
            Err(BackendError::Unexpected { .. })
        ));
    }
}
