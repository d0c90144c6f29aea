//! Video v1 Room Participants: `GET /v1/Rooms/{RoomSid}/Participants`,
//! `POST /v1/Rooms/{RoomSid}/Participants/{Sid}`.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::{
    PageMeta, TwilioClient, TwilioError,
    client::{Api, Params, Request},
    decode::{lenient, lenient_u32},
    retry::Idempotency,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ParticipantStatus {
    Connected,
    Disconnected,
    Reconnecting,
}

impl ParticipantStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connected => "connected",
            Self::Disconnected => "disconnected",
            Self::Reconnecting => "reconnecting",
        }
    }
}

/// One Participant. Dates are ISO 8601 text.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Participant {
    pub sid: String,
    #[serde(default, deserialize_with = "lenient")]
    pub room_sid: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub identity: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub status: Option<ParticipantStatus>,
    #[serde(default, deserialize_with = "lenient")]
    pub start_time: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub end_time: Option<String>,
    /// Seconds, once disconnected.
    #[serde(default, deserialize_with = "lenient_u32")]
    pub duration: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ParticipantPage {
    pub participants: Vec<Participant>,
    pub meta: PageMeta,
}

#[derive(Debug)]
pub struct ParticipantsHandler<'c> {
    client: &'c TwilioClient,
    room_sid: String,
}

impl<'c> ParticipantsHandler<'c> {
    pub(crate) fn new(client: &'c TwilioClient, room_sid: String) -> Self {
        Self { client, room_sid }
    }

    /// `GET /v1/Rooms/{RoomSid}/Participants`. Twilio lists connected Participants of an
    /// in-progress Room unless told otherwise.
    pub fn list(&self) -> ListParticipants<'c> {
        ListParticipants {
            client: self.client,
            room_sid: self.room_sid.clone(),
            status: None,
            identity: None,
            page_size: None,
        }
    }

    /// `POST /v1/Rooms/{RoomSid}/Participants/{Sid}` with `Status=disconnected`: removes
    /// the Participant (by SID or identity). Repeating it changes nothing, so it is retried.
    pub async fn disconnect(&self, participant_sid_or_identity: &str) -> Result<Participant, TwilioError> {
        self.client
            .execute(Request {
                operation: "participants.disconnect",
                api: Api::Video,
                method: Method::POST,
                path: vec![
                    "v1".into(),
                    "Rooms".into(),
                    self.room_sid.clone(),
                    "Participants".into(),
                    participant_sid_or_identity.into(),
                ],
                query: Vec::new(),
                form: Some(vec![("Status", ParticipantStatus::Disconnected.as_str().to_string())]),
                idempotency: Idempotency::Idempotent,
            })
            .await
    }
}

#[derive(Debug)]
pub struct ListParticipants<'c> {
    client: &'c TwilioClient,
    room_sid: String,
    status: Option<ParticipantStatus>,
    identity: Option<String>,
    page_size: Option<u32>,
}

impl ListParticipants<'_> {
    pub fn status(mut self, status: ParticipantStatus) -> Self {
        self.status = Some(status);
        self
    }

    pub fn identity(mut self, identity: impl Into<String>) -> Self {
        self.identity = Some(identity.into());
        self
    }

    /// Twilio accepts 1 to 1000.
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size.clamp(1, 1000));
        self
    }

    pub async fn send(self) -> Result<ParticipantPage, TwilioError> {
        let mut query = Params::new();
        if let Some(status) = self.status {
            query.push(("Status", status.as_str().to_string()));
        }
        if let Some(identity) = self.identity {
            query.push(("Identity", identity));
        }
        if let Some(page_size) = self.page_size {
            query.push(("PageSize", page_size.to_string()));
        }
        self.client
            .execute(Request {
                operation: "participants.list",
                api: Api::Video,
                method: Method::GET,
                path: vec!["v1".into(), "Rooms".into(), self.room_sid, "Participants".into()],
                query,
                form: None,
                idempotency: Idempotency::Idempotent,
            })
            .await
    }
}
