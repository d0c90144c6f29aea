//! The monitor's backend: the clinic's video service through the seam (`crate::video`),
//! loaded once and kept until the settings name another service or address, or until
//! [`WaitingRoomBackend::reset`] (new credentials, or credentials rejected).

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use super::backend::{BackendError, ConnectedParticipant, WaitingRoomBackend};
use crate::{
    AppContext, AppError, ErrorCode,
    clinic::settings::VideoService,
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

impl<C: AppContext + 'static> WaitingRoomBackend for ClinicBackend<C> {
    async fn participants(&self, room_sid: &str) -> Result<Vec<ConnectedParticipant>, BackendError> {
        self.video().await?.participants(room_sid).await
    }

    async fn devices(&self, room_sid: &str, participant_sid: &str) -> Result<DeviceReadiness, BackendError> {
        self.video().await?.devices(room_sid, participant_sid).await
    }

    fn reset(&self) {
        *self.loaded.lock().expect("video lock") = None;
    }
}
