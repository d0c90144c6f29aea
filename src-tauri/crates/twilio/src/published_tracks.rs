//! Video v1 Published Tracks of one Room Participant:
//! `GET /v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/PublishedTracks`. Only tracks
//! published right now are listed.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::{
    PageMeta, TwilioClient, TwilioError,
    client::{Api, Params, Request},
    decode::lenient,
    retry::Idempotency,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrackKind {
    Audio,
    Video,
    Data,
}

impl TrackKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Audio => "audio",
            Self::Video => "video",
            Self::Data => "data",
        }
    }
}

/// One track a Participant publishes. `enabled` is `false` while the participant has
/// muted it (camera or microphone off) without unpublishing it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PublishedTrack {
    pub sid: String,
    #[serde(default, deserialize_with = "lenient")]
    pub participant_sid: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub room_sid: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub kind: Option<TrackKind>,
    #[serde(default, deserialize_with = "lenient")]
    pub enabled: Option<bool>,
    #[serde(default, deserialize_with = "lenient")]
    pub date_created: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PublishedTrackPage {
    pub published_tracks: Vec<PublishedTrack>,
    pub meta: PageMeta,
}

#[derive(Debug)]
pub struct PublishedTracksHandler<'c> {
    client: &'c TwilioClient,
    room_sid: String,
    participant_sid: String,
}

impl<'c> PublishedTracksHandler<'c> {
    pub(crate) fn new(client: &'c TwilioClient, room_sid: String, participant_sid: String) -> Self {
        Self { client, room_sid, participant_sid }
    }

    /// `GET …/Participants/{ParticipantSid}/PublishedTracks`: a read, retried under the
    /// client's [`crate::RetryPolicy`].
    pub fn list(&self) -> ListPublishedTracks<'c> {
        ListPublishedTracks {
            client: self.client,
            room_sid: self.room_sid.clone(),
            participant_sid: self.participant_sid.clone(),
            page_size: None,
        }
    }
}

#[derive(Debug)]
pub struct ListPublishedTracks<'c> {
    client: &'c TwilioClient,
    room_sid: String,
    participant_sid: String,
    page_size: Option<u32>,
}

impl ListPublishedTracks<'_> {
    /// Twilio accepts 1 to 1000 (50 when absent).
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size.clamp(1, 1000));
        self
    }

    pub async fn send(self) -> Result<PublishedTrackPage, TwilioError> {
        let mut query = Params::new();
        if let Some(page_size) = self.page_size {
            query.push(("PageSize", page_size.to_string()));
        }
        self.client
            .execute(Request {
                operation: "published_tracks.list",
                api: Api::Video,
                method: Method::GET,
                path: vec![
                    "v1".into(),
                    "Rooms".into(),
                    self.room_sid,
                    "Participants".into(),
                    self.participant_sid,
                    "PublishedTracks".into(),
                ],
                query,
                form: None,
                idempotency: Idempotency::Idempotent,
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_track_of_an_unknown_kind_still_decodes() {
        let page: PublishedTrackPage = serde_json::from_str(
            r#"{"published_tracks":[
                {"sid":"MT1","name":"cam","kind":"video","enabled":false},
                {"sid":"MT2","kind":"screen","enabled":"yes"}
            ],"meta":{"page":0,"page_size":50,"next_page_url":null}}"#,
        )
        .unwrap();
        assert_eq!(page.published_tracks[0].kind, Some(TrackKind::Video));
        assert_eq!(page.published_tracks[0].enabled, Some(false));
        assert_eq!((page.published_tracks[1].kind, page.published_tracks[1].enabled), (None, None));
    }
}
