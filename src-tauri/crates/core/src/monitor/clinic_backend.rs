//! The monitor's backend for the clinic's current video service: Twilio or Janus, as the
//! settings say at each request (a change of service takes effect without a restart).

use std::{sync::Arc, time::Duration};

use super::{
    backend::{BackendError, ConnectedParticipant, WaitingRoomBackend},
    events::DeviceReadiness,
    janus_backend::JanusBackend,
    twilio_backend::TwilioBackend,
};
use crate::{AppContext, settings::VideoService};

pub struct ClinicBackend<C> {
    ctx: Arc<C>,
    twilio: TwilioBackend<C>,
    janus: JanusBackend<C>,
}

impl<C: AppContext + 'static> ClinicBackend<C> {
    pub fn new(ctx: Arc<C>, request_timeout: Duration) -> Self {
        Self {
            twilio: TwilioBackend::new(ctx.clone(), request_timeout),
            janus: JanusBackend::new(ctx.clone(), request_timeout),
            ctx,
        }
    }

    fn on_janus(&self) -> Result<bool, BackendError> {
        let settings =
            self.ctx.settings().load().map_err(|error| BackendError::Unexpected {
                detail: format!("the settings could not be read: {error}"),
            })?;
        Ok(settings.is_some_and(|settings| matches!(settings.clinic.video, VideoService::Janus { .. })))
    }
}

impl<C: AppContext + 'static> WaitingRoomBackend for ClinicBackend<C> {
    async fn participants(&self, room_sid: &str) -> Result<Vec<ConnectedParticipant>, BackendError> {
        if self.on_janus()? {
            self.janus.participants(room_sid).await
        } else {
            self.twilio.participants(room_sid).await
        }
    }

    async fn devices(&self, room_sid: &str, participant_sid: &str) -> Result<DeviceReadiness, BackendError> {
        if self.on_janus()? {
            self.janus.devices(room_sid, participant_sid).await
        } else {
            self.twilio.devices(room_sid, participant_sid).await
        }
    }

    fn reset(&self) {
        self.twilio.reset();
        self.janus.reset();
    }
}
