//! Video v1 Subscribe Rules of one Room Participant (Track Subscriptions):
//! `GET/POST /v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/SubscribeRules`. They decide,
//! on Twilio's side, which of the others' tracks the participant's client receives: with
//! `[{"type":"exclude","all":true}]` it receives nothing at all, whatever it asks for.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::{
    TwilioClient, TwilioError,
    client::{Api, Request},
    decode::lenient,
    published_tracks::TrackKind,
    retry::Idempotency,
};

/// Whether a rule subscribes the participant to the tracks it matches, or unsubscribes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleType {
    Include,
    Exclude,
}

impl RuleType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Include => "include",
            Self::Exclude => "exclude",
        }
    }
}

/// One rule: its type and the filters a track must all match. Sent as Twilio's JSON
/// (`{"type":"exclude","all":true}`), filters left out when `None`; Twilio answers with every
/// filter, `null` when unused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscribeRule {
    #[serde(rename = "type")]
    pub rule_type: RuleType,
    /// `true`: every track.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub all: Option<bool>,
    /// The tracks one participant publishes, by identity or Participant SID.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// One track, by name or Track SID.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub kind: Option<TrackKind>,
    /// The publisher's track priority (`low`, `standard`, `high`).
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
}

impl SubscribeRule {
    fn of(rule_type: RuleType) -> Self {
        Self { rule_type, all: None, publisher: None, track: None, kind: None, priority: None }
    }

    /// Every track: `{"type":"include","all":true}`.
    pub fn include_all() -> Self {
        Self { all: Some(true), ..Self::of(RuleType::Include) }
    }

    /// No track at all: `{"type":"exclude","all":true}`.
    pub fn exclude_all() -> Self {
        Self { all: Some(true), ..Self::of(RuleType::Exclude) }
    }

    /// The tracks `publisher` (an identity or a Participant SID) publishes.
    pub fn include_publisher(publisher: impl Into<String>) -> Self {
        Self { publisher: Some(publisher.into()), ..Self::of(RuleType::Include) }
    }

    /// None of the tracks `publisher` (an identity or a Participant SID) publishes.
    pub fn exclude_publisher(publisher: impl Into<String>) -> Self {
        Self { publisher: Some(publisher.into()), ..Self::of(RuleType::Exclude) }
    }
}

/// A Participant's Subscribe Rules as Twilio answers them. `rules` is `None` when Twilio sends
/// none, or a rule this version cannot read (an unknown type); dates are ISO 8601 text, `null`
/// until rules were set.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SubscribeRules {
    #[serde(default, deserialize_with = "lenient")]
    pub participant_sid: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub room_sid: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub rules: Option<Vec<SubscribeRule>>,
    #[serde(default, deserialize_with = "lenient")]
    pub date_created: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub date_updated: Option<String>,
}

#[derive(Debug)]
pub struct SubscribeRulesHandler<'c> {
    client: &'c TwilioClient,
    room_sid: String,
    participant_sid: String,
}

impl<'c> SubscribeRulesHandler<'c> {
    pub(crate) fn new(client: &'c TwilioClient, room_sid: String, participant_sid: String) -> Self {
        Self { client, room_sid, participant_sid }
    }

    fn path(&self) -> Vec<String> {
        vec![
            "v1".into(),
            "Rooms".into(),
            self.room_sid.clone(),
            "Participants".into(),
            self.participant_sid.clone(),
            "SubscribeRules".into(),
        ]
    }

    /// `GET …/Participants/{ParticipantSid}/SubscribeRules`: a read, retried under the
    /// client's [`crate::RetryPolicy`].
    pub async fn fetch(&self) -> Result<SubscribeRules, TwilioError> {
        self.client
            .execute(Request {
                operation: "subscribe_rules.fetch",
                api: Api::Video,
                method: Method::GET,
                path: self.path(),
                query: Vec::new(),
                form: None,
                idempotency: Idempotency::Idempotent,
            })
            .await
    }

    /// `POST …/Participants/{ParticipantSid}/SubscribeRules` with `Rules`, the JSON array of
    /// the rules added to the builder (in order; none sends `[]`). They replace the
    /// participant's rules, so repeating the request changes nothing: it is retried.
    pub fn update(&self) -> UpdateSubscribeRules<'c> {
        UpdateSubscribeRules { client: self.client, path: self.path(), rules: Vec::new() }
    }
}

#[derive(Debug)]
pub struct UpdateSubscribeRules<'c> {
    client: &'c TwilioClient,
    path: Vec<String>,
    rules: Vec<SubscribeRule>,
}

impl UpdateSubscribeRules<'_> {
    /// Adds one rule after those already added; Twilio applies them in order.
    pub fn rule(mut self, rule: SubscribeRule) -> Self {
        self.rules.push(rule);
        self
    }

    /// Adds these rules after those already added.
    pub fn rules(mut self, rules: impl IntoIterator<Item = SubscribeRule>) -> Self {
        self.rules.extend(rules);
        self
    }

    pub async fn send(self) -> Result<SubscribeRules, TwilioError> {
        self.client
            .execute(Request {
                operation: "subscribe_rules.update",
                api: Api::Video,
                method: Method::POST,
                path: self.path,
                query: Vec::new(),
                form: Some(vec![("Rules", rules_json(&self.rules))]),
                idempotency: Idempotency::Idempotent,
            })
            .await
    }
}

/// The `Rules` form field: the rules as one compact JSON array.
fn rules_json(rules: &[SubscribeRule]) -> String {
    serde_json::to_string(rules).expect("rules are strings, booleans and enums, which always serialize")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_sent_as_twilios_json_without_unused_filters() {
        assert_eq!(rules_json(&[SubscribeRule::exclude_all()]), r#"[{"type":"exclude","all":true}]"#);
        assert_eq!(rules_json(&[SubscribeRule::include_all()]), r#"[{"type":"include","all":true}]"#);
        assert_eq!(
            rules_json(&[
                SubscribeRule::exclude_all(),
                SubscribeRule::include_publisher("dr-ana-ruiz"),
                SubscribeRule { kind: Some(TrackKind::Audio), ..SubscribeRule::exclude_publisher("guest-1") },
            ]),
            r#"[{"type":"exclude","all":true},{"type":"include","publisher":"dr-ana-ruiz"},{"type":"exclude","publisher":"guest-1","kind":"audio"}]"#
        );
        assert_eq!(rules_json(&[]), "[]");
    }

    #[test]
    fn the_spec_example_decodes_with_its_null_filters() {
        // Twilio's example answer to the update (twilio_video_v1.json, `updateFilters`).
        let answer: SubscribeRules = serde_json::from_str(
            r#"{"participant_sid":"PAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","room_sid":"RMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "date_created":null,"date_updated":null,
                "rules":[{"type":"exclude","all":true,"publisher":null,"track":null,"kind":null,"priority":null}]}"#,
        )
        .unwrap();
        assert_eq!(answer.participant_sid.as_deref(), Some("PAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
        assert_eq!(answer.room_sid.as_deref(), Some("RMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
        assert_eq!(answer.rules, Some(vec![SubscribeRule::exclude_all()]));
        assert_eq!((answer.date_created, answer.date_updated), (None, None));
    }

    #[test]
    fn what_this_version_cannot_read_is_none_not_a_failure() {
        let answer: SubscribeRules = serde_json::from_str(
            r#"{"participant_sid":7,"rules":[{"type":"include","all":true},{"type":"mirror","all":true}],
                "date_updated":"2026-11-22T15:30:00Z"}"#,
        )
        .unwrap();
        assert_eq!((answer.participant_sid, answer.room_sid, answer.rules), (None, None, None));
        assert_eq!(answer.date_updated.as_deref(), Some("2026-11-22T15:30:00Z"));
        let filters: SubscribeRule =
            serde_json::from_str(r#"{"type":"include","all":"yes","kind":"screen","priority":"high"}"#).unwrap();
        assert_eq!((filters.all, filters.kind, filters.priority.as_deref()), (None, None, Some("high")));
    }
}
