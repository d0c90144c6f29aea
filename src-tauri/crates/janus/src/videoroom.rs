//! VideoRoom's synchronous requests: `create`, `exists`, `listparticipants`, `kick`,
//! `destroy`. Rooms are created private, with signed join tokens, VP8 + Opus, join and
//! talking notifications, not saved to Janus's configuration, and a random room `secret` that
//! `kick` and `destroy` need (Janus does not accept the `admin_key` for those).

use serde::Deserialize;
use serde_json::{Map, Value, json};
use visitdesk_secrets::Sensitive;

use crate::{JanusClient, JanusError, client::random_text};

/// Largest room or participant id: the webview's janus.js holds ids as JavaScript
/// numbers, exact only up to 2^53 - 1. Janus's own random ids stay below it.
pub const MAX_ID: u64 = (1 << 53) - 1;

/// A room just created. Store `secret`: `kick` and `destroy` need it.
#[derive(Debug, Clone)]
pub struct CreatedRoom {
    pub room_id: u64,
    pub secret: Sensitive<String>,
}

/// One entry of `listparticipants`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Participant {
    pub id: u64,
    #[serde(default)]
    pub display: Option<String>,
    /// Sending media now (not merely joined).
    #[serde(default)]
    pub publisher: bool,
    /// Only for publishers whose audio carries levels.
    #[serde(default)]
    pub talking: Option<bool>,
}

#[derive(Debug)]
pub struct VideoRoomHandler<'c> {
    client: &'c JanusClient,
}

#[derive(Deserialize)]
struct Created {
    room: u64,
}

#[derive(Deserialize)]
struct Exists {
    exists: bool,
}

#[derive(Deserialize)]
struct Participants {
    participants: Vec<Participant>,
}

#[derive(Deserialize)]
struct Done {}

impl<'c> VideoRoomHandler<'c> {
    pub(crate) fn new(client: &'c JanusClient) -> Self {
        Self { client }
    }

    /// `create`. Sent once: on an error with [`JanusError::outcome_unknown`], check with
    /// [`exists`](Self::exists) before trying again.
    pub fn create(&self) -> CreateRoom<'c> {
        CreateRoom { client: self.client, room_id: None, description: None, publishers: None, secret: None }
    }

    /// `exists`.
    pub async fn exists(&self, room_id: u64) -> Result<bool, JanusError> {
        check_id("room", room_id)?;
        let answer: Exists = self
            .client
            .videoroom_request("videoroom.exists", json!({"request": "exists", "room": room_id}), "success")
            .await?;
        Ok(answer.exists)
    }

    /// `listparticipants`: everyone joined, publishing or not. No room secret needed.
    pub async fn list_participants(&self, room_id: u64) -> Result<Vec<Participant>, JanusError> {
        check_id("room", room_id)?;
        let body = json!({"request": "listparticipants", "room": room_id});
        let answer: Participants =
            self.client.videoroom_request("videoroom.listparticipants", body, "participants").await?;
        Ok(answer.participants)
    }

    /// `kick`: removes a participant and closes its media. Kicking someone already kicked
    /// succeeds; an unknown id is VideoRoom error 428.
    pub async fn kick(&self, room_id: u64, secret: &Sensitive<String>, participant_id: u64) -> Result<(), JanusError> {
        check_id("room", room_id)?;
        check_id("participant", participant_id)?;
        let body = json!({"request": "kick", "room": room_id, "secret": secret.expose(), "id": participant_id});
        let _: Done = self.client.videoroom_request("videoroom.kick", body, "success").await?;
        Ok(())
    }

    /// `destroy`: ends the room and disconnects everyone. A room that is already gone is
    /// VideoRoom error 426 ([`JanusError::is_no_such_room`]).
    pub async fn destroy(&self, room_id: u64, secret: &Sensitive<String>) -> Result<(), JanusError> {
        check_id("room", room_id)?;
        let body = json!({"request": "destroy", "room": room_id, "secret": secret.expose(), "permanent": false});
        let _: Done = self.client.videoroom_request("videoroom.destroy", body, "destroyed").await?;
        Ok(())
    }
}

/// `create`; every setting is optional.
#[derive(Debug)]
pub struct CreateRoom<'c> {
    client: &'c JanusClient,
    room_id: Option<u64>,
    description: Option<String>,
    publishers: Option<u32>,
    secret: Option<Sensitive<String>>,
}

impl CreateRoom<'_> {
    /// 1 to [`MAX_ID`]; Janus picks a free random id when not set. An id in use fails
    /// with [`JanusError::is_room_exists`] (VideoRoom 427).
    pub fn room_id(mut self, room_id: u64) -> Self {
        self.room_id = Some(room_id);
        self
    }

    /// Shown to participants in `joined`.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// How many may send media at once (Janus's default is 3).
    pub fn publishers(mut self, publishers: u32) -> Self {
        self.publishers = Some(publishers);
        self
    }

    /// The room `secret` (`kick`, `destroy`); a random one when not set.
    pub fn secret(mut self, secret: Sensitive<String>) -> Self {
        self.secret = Some(secret);
        self
    }

    pub async fn send(self) -> Result<CreatedRoom, JanusError> {
        let secret = match self.secret {
            Some(secret) if secret.expose().is_empty() => {
                return Err(JanusError::InvalidInput("A room secret cannot be empty.".into()));
            }
            Some(secret) => secret,
            None => Sensitive::new(random_text::<24>("room secret")?),
        };
        let mut body = Map::new();
        body.insert("request".into(), "create".into());
        if let Some(room_id) = self.room_id {
            check_id("room", room_id)?;
            body.insert("room".into(), room_id.into());
        }
        if let Some(description) = self.description {
            if description.chars().any(char::is_control) {
                return Err(JanusError::InvalidInput("The room description contains a control character.".into()));
            }
            body.insert("description".into(), description.into());
        }
        if let Some(publishers) = self.publishers {
            if publishers == 0 {
                return Err(JanusError::InvalidInput("A room must allow at least one publisher.".into()));
            }
            body.insert("publishers".into(), publishers.into());
        }
        for (key, value) in [
            ("videocodec", json!("vp8")),
            ("audiocodec", json!("opus")),
            ("notify_joining", json!(true)),
            // `talking` events, so calls of three or more can highlight who speaks.
            ("audiolevel_event", json!(true)),
            ("signed_tokens", json!(true)),
            ("is_private", json!(true)),
            ("permanent", json!(false)),
            ("secret", json!(secret.expose())),
        ] {
            body.insert(key.into(), value);
        }
        if let Some(admin_key) = self.client.admin_key() {
            body.insert("admin_key".into(), json!(admin_key.expose()));
        }
        let created: Created =
            self.client.videoroom_request("videoroom.create", Value::Object(body), "created").await?;
        Ok(CreatedRoom { room_id: created.room, secret })
    }
}

fn check_id(what: &str, id: u64) -> Result<(), JanusError> {
    if (1..=MAX_ID).contains(&id) {
        Ok(())
    } else {
        Err(JanusError::InvalidInput(format!("The {what} id {id} is outside 1 to {MAX_ID} (2^53 - 1).")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_must_be_exact_in_javascript() {
        assert!(check_id("room", 1).is_ok() && check_id("room", MAX_ID).is_ok());
        assert!(check_id("room", 0).is_err());
        let error = check_id("participant", MAX_ID + 1).unwrap_err();
        assert_eq!(
            error.to_string(),
            "The participant id 9007199254740992 is outside 1 to 9007199254740991 (2^53 - 1)."
        );
    }

    #[test]
    fn participants_decode_with_optional_fields() {
        let listed: Participants = serde_json::from_str(
            r#"{"videoroom":"participants","room":1,"participants":[
                {"id":4089628580765150,"display":"Dr X","publisher":false},
                {"id":2,"publisher":true,"talking":true}]}"#,
        )
        .unwrap();
        assert_eq!(
            listed.participants,
            vec![
                Participant {
                    id: 4_089_628_580_765_150,
                    display: Some("Dr X".into()),
                    publisher: false,
                    talking: None
                },
                Participant { id: 2, display: None, publisher: true, talking: Some(true) },
            ]
        );
    }
}
