//! Video v1 Rooms: `GET/POST /v1/Rooms`, `GET/POST /v1/Rooms/{Sid}`.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::{TwilioClient, TwilioError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoomStatus {
    InProgress,
    Completed,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Room {
    pub sid: String,
    pub account_sid: Option<String>,
    pub unique_name: Option<String>,
    pub status: Option<RoomStatus>,
    #[serde(rename = "type")]
    pub room_type: Option<String>,
    pub max_participants: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PageMeta {
    pub page: u32,
    pub page_size: u32,
    pub next_page_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RoomPage {
    pub rooms: Vec<Room>,
    pub meta: PageMeta,
}

pub struct RoomsHandler<'c> {
    client: &'c TwilioClient,
}

impl<'c> RoomsHandler<'c> {
    pub(crate) fn new(client: &'c TwilioClient) -> Self {
        Self { client }
    }

    pub fn list(&self) -> ListRooms<'c> {
        ListRooms { client: self.client, status: None, unique_name: None, page_size: None }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListRooms<'c> {
    #[serde(skip)]
    client: &'c TwilioClient,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<RoomStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unique_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
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
        let request = self.client.video_request(Method::GET, "/v1/Rooms").query(&self);
        self.client.send(self.client.video_host(), request).await
    }
}
