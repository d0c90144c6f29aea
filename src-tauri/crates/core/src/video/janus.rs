//! [`WaitingRoomBackend`] over the clinic's Janus server: VideoRoom's `listparticipants`.
//! Janus lists who joined (the display name is the identity VisitDesk issued) but not what
//! they publish, so device readiness is not known here: the provider sees it in the call.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use tracing::warn;
use visitdesk_janus::{JanusClient, JanusError};

use super::{
    backend::{BackendError, ConnectedParticipant, WaitingRoomBackend},
    events::DeviceReadiness,
};
use crate::{AppContext, ErrorCode, session::Workspace, video::JanusRooms};

pub struct JanusBackend<C> {
    ctx: Arc<C>,
    request_timeout: Duration,
    client: Mutex<Option<JanusClient>>,
}

impl<C: AppContext + 'static> JanusBackend<C> {
    pub fn new(ctx: Arc<C>, request_timeout: Duration) -> Self {
        Self { ctx, request_timeout, client: Mutex::new(None) }
    }

    async fn client(&self) -> Result<JanusClient, BackendError> {
        if let Some(client) = self.client.lock().expect("client lock").clone() {
            return Ok(client);
        }
        let settings_error = |error: crate::AppError| match error.code {
            ErrorCode::NotConfigured | ErrorCode::KeychainLocked | ErrorCode::KeychainUnavailable => {
                BackendError::Credentials
            }
            code => BackendError::Unexpected { detail: format!("the Janus settings could not be used ({code:?})") },
        };
        let workspace = Workspace::load(self.ctx.as_ref()).map_err(settings_error)?;
        let janus = JanusRooms::load(self.ctx.as_ref(), &workspace, self.request_timeout)
            .await
            .map_err(settings_error)?
            .ok_or_else(|| BackendError::Unexpected { detail: "the clinic's video is not on Janus".into() })?;
        let client = janus.client().clone();
        *self.client.lock().expect("client lock") = Some(client.clone());
        Ok(client)
    }
}

impl<C: AppContext + 'static> WaitingRoomBackend for JanusBackend<C> {
    async fn participants(&self, room_sid: &str) -> Result<Vec<ConnectedParticipant>, BackendError> {
        let Ok(room_id) = room_sid.parse::<u64>() else {
            return Err(BackendError::Unexpected { detail: "the room was made on another video service".into() });
        };
        let client = self.client().await?;
        let everyone = match client.videoroom().list_participants(room_id).await {
            Ok(everyone) => everyone,
            // A room Janus no longer has holds nobody.
            Err(error) if error.is_no_such_room() => return Ok(Vec::new()),
            Err(error) => return Err(backend_error(error)),
        };
        Ok(everyone
            .into_iter()
            .map(|participant| ConnectedParticipant {
                identity: participant.display.unwrap_or_else(|| participant.id.to_string()),
                participant_sid: participant.id.to_string(),
                since_unix: None,
                devices: Some(DeviceReadiness::default()),
            })
            .collect())
    }

    async fn devices(&self, _room_sid: &str, _participant_sid: &str) -> Result<DeviceReadiness, BackendError> {
        Ok(DeviceReadiness::default())
    }

    fn reset(&self) {
        *self.client.lock().expect("client lock") = None;
    }
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
