//! Video v1 Rooms: `GET/POST /v1/Rooms`, `GET/POST /v1/Rooms/{Sid}`.

use reqwest::Method;
use serde::{Deserialize, Serialize};

pub use crate::PageMeta;
use crate::{
    TwilioClient, TwilioError,
    client::{Api, Params, Request},
    decode::{lenient, lenient_u32},
    retry::Idempotency,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoomStatus {
    InProgress,
    Completed,
    Failed,
}

impl RoomStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InProgress => "in-progress",
            Self::Completed => "completed",
            Self::Failed => "failed",
        }
    }
}

/// Use `Group`; Twilio deprecated the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoomType {
    Group,
    Go,
    PeerToPeer,
    GroupSmall,
}

impl RoomType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Group => "group",
            Self::Go => "go",
            Self::PeerToPeer => "peer-to-peer",
            Self::GroupSmall => "group-small",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VideoCodec {
    #[serde(rename = "VP8")]
    Vp8,
    #[serde(rename = "H264")]
    H264,
}

impl VideoCodec {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Vp8 => "VP8",
            Self::H264 => "H264",
        }
    }
}

/// A Room as Twilio describes it. Optional fields are `None` when absent, `null` or of a
/// kind this version does not know. Dates are ISO 8601 text.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Room {
    pub sid: String,
    #[serde(default, deserialize_with = "lenient")]
    pub account_sid: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub unique_name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub status: Option<RoomStatus>,
    #[serde(rename = "type", default, deserialize_with = "lenient")]
    pub room_type: Option<RoomType>,
    #[serde(default, deserialize_with = "lenient_u32")]
    pub max_participants: Option<u32>,
    #[serde(default, deserialize_with = "lenient")]
    pub video_codecs: Option<Vec<VideoCodec>>,
    /// Minutes.
    #[serde(default, deserialize_with = "lenient_u32")]
    pub empty_room_timeout: Option<u32>,
    /// Minutes.
    #[serde(default, deserialize_with = "lenient_u32")]
    pub unused_room_timeout: Option<u32>,
    #[serde(default, deserialize_with = "lenient")]
    pub record_participants_on_connect: Option<bool>,
    #[serde(default, deserialize_with = "lenient")]
    pub date_created: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub end_time: Option<String>,
    /// Seconds, once the Room has ended.
    #[serde(default, deserialize_with = "lenient_u32")]
    pub duration: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RoomPage {
    pub rooms: Vec<Room>,
    pub meta: PageMeta,
}

#[derive(Debug)]
pub struct RoomsHandler<'c> {
    client: &'c TwilioClient,
}

impl<'c> RoomsHandler<'c> {
    pub(crate) fn new(client: &'c TwilioClient) -> Self {
        Self { client }
    }

    /// `GET /v1/Rooms`.
    pub fn list(&self) -> ListRooms<'c> {
        ListRooms { client: self.client, status: None, unique_name: None, page_size: None }
    }

    /// `POST /v1/Rooms`. Never retried: a second try could open a second Room. A
    /// UniqueName already in progress fails with [`TwilioError::is_room_exists_conflict`].
    pub fn create(&self) -> CreateRoom<'c> {
        CreateRoom {
            client: self.client,
            unique_name: None,
            room_type: None,
            max_participants: None,
            video_codecs: Vec::new(),
            empty_room_timeout: None,
            unused_room_timeout: None,
            record_participants_on_connect: None,
        }
    }

    /// `GET /v1/Rooms/{Sid}`: by SID, or by UniqueName while the Room is in progress.
    pub async fn fetch(&self, sid_or_unique_name: &str) -> Result<Room, TwilioError> {
        self.client
            .execute(Request {
                operation: "rooms.fetch",
                api: Api::Video,
                method: Method::GET,
                path: room_path(sid_or_unique_name),
                query: Vec::new(),
                form: None,
                idempotency: Idempotency::Idempotent,
            })
            .await
    }

    /// `POST /v1/Rooms/{Sid}` with `Status=completed`: ends the Room and disconnects
    /// everyone. Repeating it changes nothing, so it is retried.
    pub async fn complete(&self, room_sid: &str) -> Result<Room, TwilioError> {
        self.client
            .execute(Request {
                operation: "rooms.complete",
                api: Api::Video,
                method: Method::POST,
                path: room_path(room_sid),
                query: Vec::new(),
                form: Some(vec![("Status", RoomStatus::Completed.as_str().to_string())]),
                idempotency: Idempotency::Idempotent,
            })
            .await
    }
}

fn room_path(sid: &str) -> Vec<String> {
    vec!["v1".into(), "Rooms".into(), sid.into()]
}

#[derive(Debug)]
pub struct ListRooms<'c> {
    client: &'c TwilioClient,
    status: Option<RoomStatus>,
    unique_name: Option<String>,
    page_size: Option<u32>,
}

impl ListRooms<'_> {
    pub fn status(mut self, status: RoomStatus) -> Self {
        self.status = Some(status);
        self
    }

    pub fn unique_name(mut self, unique_name: impl Into<String>) -> Self {
        self.unique_name = Some(unique_name.into());
        self
    }

    /// Twilio accepts 1 to 1000.
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size.clamp(1, 1000));
        self
    }

    pub async fn send(self) -> Result<RoomPage, TwilioError> {
        let mut query = Params::new();
        if let Some(status) = self.status {
            query.push(("Status", status.as_str().to_string()));
        }
        if let Some(unique_name) = self.unique_name {
            query.push(("UniqueName", unique_name));
        }
        if let Some(page_size) = self.page_size {
            query.push(("PageSize", page_size.to_string()));
        }
        self.client
            .execute(Request {
                operation: "rooms.list",
                api: Api::Video,
                method: Method::GET,
                path: vec!["v1".into(), "Rooms".into()],
                query,
                form: None,
                idempotency: Idempotency::Idempotent,
            })
            .await
    }
}

/// `POST /v1/Rooms`; every setting is optional (Twilio's account defaults apply).
#[derive(Debug)]
pub struct CreateRoom<'c> {
    client: &'c TwilioClient,
    unique_name: Option<String>,
    room_type: Option<RoomType>,
    max_participants: Option<u32>,
    video_codecs: Vec<VideoCodec>,
    empty_room_timeout: Option<u32>,
    unused_room_timeout: Option<u32>,
    record_participants_on_connect: Option<bool>,
}

impl CreateRoom<'_> {
    /// Unique among in-progress Rooms; usable in place of the SID while in progress.
    pub fn unique_name(mut self, unique_name: impl Into<String>) -> Self {
        self.unique_name = Some(unique_name.into());
        self
    }

    pub fn room_type(mut self, room_type: RoomType) -> Self {
        self.room_type = Some(room_type);
        self
    }

    /// Twilio allows at most 50.
    pub fn max_participants(mut self, max_participants: u32) -> Self {
        self.max_participants = Some(max_participants);
        self
    }

    /// Sent as one `VideoCodecs` key per codec.
    pub fn video_codecs(mut self, codecs: &[VideoCodec]) -> Self {
        self.video_codecs = codecs.to_vec();
        self
    }

    /// How long the Room stays open once everyone has left.
    pub fn empty_room_timeout(mut self, minutes: u32) -> Self {
        self.empty_room_timeout = Some(minutes);
        self
    }

    /// How long the Room stays open if nobody ever joins.
    pub fn unused_room_timeout(mut self, minutes: u32) -> Self {
        self.unused_room_timeout = Some(minutes);
        self
    }

    pub fn record_participants_on_connect(mut self, record: bool) -> Self {
        self.record_participants_on_connect = Some(record);
        self
    }

    pub async fn send(self) -> Result<Room, TwilioError> {
        let mut form = Params::new();
        if let Some(unique_name) = self.unique_name {
            form.push(("UniqueName", unique_name));
        }
        if let Some(room_type) = self.room_type {
            form.push(("Type", room_type.as_str().to_string()));
        }
        if let Some(max) = self.max_participants {
            form.push(("MaxParticipants", max.to_string()));
        }
        for codec in &self.video_codecs {
            form.push(("VideoCodecs", codec.as_str().to_string()));
        }
        if let Some(minutes) = self.empty_room_timeout {
            form.push(("EmptyRoomTimeout", minutes.to_string()));
        }
        if let Some(minutes) = self.unused_room_timeout {
            form.push(("UnusedRoomTimeout", minutes.to_string()));
        }
        if let Some(record) = self.record_participants_on_connect {
            form.push(("RecordParticipantsOnConnect", record.to_string()));
        }
        self.client
            .execute(Request {
                operation: "rooms.create",
                api: Api::Video,
                method: Method::POST,
                path: vec!["v1".into(), "Rooms".into()],
                query: Vec::new(),
                form: Some(form),
                idempotency: Idempotency::SendOnce,
            })
            .await
    }
}
