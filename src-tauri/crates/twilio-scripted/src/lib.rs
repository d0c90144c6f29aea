//! A scripted stand-in for Twilio's Video REST API, for the waiting-room monitor's tests
//! (`visitdesk-core`'s `tests/monitor.rs`) and benchmark (`core-bench waiting-room`): a
//! local server on which the caller moves people in and out of rooms, has tracks published
//! and muted, and queues 429s, 5xx and slow answers, while the server notes when each
//! request came in ([`Hit`]).
//!
//! It answers `POST /v1/Rooms` (a new room), `GET /v1/Rooms/{room}/Participants` (the
//! connected participants; the monitor must ask for `Status=connected`), `GET
//! /v1/Rooms/{room}/Participants/{participant}/PublishedTracks`, with Twilio's page shape, and
//! `POST /v1/Rooms/{room}/Participants/{participant}` with `Status=disconnected` (removes a
//! connected participant; 404 for one not connected), and `POST
//! /v1/Rooms/{room}/Participants/{participant}/SubscribeRules` (keeps the `Rules` of a
//! connected participant, which [`ScriptedTwilio::subscribe_rules`] reads back; 404 for one
//! not connected); anything else gets Twilio's 404.

use std::{
    collections::{HashMap, VecDeque},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate, matchers::any};

/// The account the scripted rooms and participants belong to.
pub const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
/// Every participant's `start_time` under [`StartTimes::Fixed`]: 2026-11-22 15:30 UTC.
pub const ARRIVED_AT_UNIX: i64 = 1_795_361_400;

/// An answer queued for a room's next request, before the script's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 429 with `Retry-After`.
    RateLimited { retry_after_seconds: u64 },
    /// This status, with Twilio's error body.
    Status(u16),
    /// An empty page, this late.
    Slow(Duration),
}

/// What a request asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    Participants,
    Tracks,
    /// A participant disconnected (removed).
    Disconnect,
    /// A participant's subscribe rules set.
    SubscribeRules,
}

/// One request about a room, noted as it came in.
#[derive(Debug, Clone)]
pub struct Hit {
    pub at: Instant,
    pub room_sid: String,
    pub asked: Asked,
    /// The status it was answered with.
    pub status: u16,
}

/// What the server says of rooms and participants it was not told about.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lookups {
    /// A room never created nor scripted is empty; a participant's tracks are those last
    /// published, connected or not (none when nothing was): tests name rooms by SID without
    /// creating them.
    #[default]
    Lenient,
    /// As Twilio does: 404 for a room neither created (`POST /v1/Rooms`) nor scripted, and
    /// for the tracks of a participant not connected.
    Strict,
}

/// The `start_time` the server gives participants.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StartTimes {
    /// [`ARRIVED_AT_UNIX`] for all, so tests can expect it.
    #[default]
    Fixed,
    /// The moment each one [joined](ScriptedTwilio::join).
    Joined,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    pub lookups: Lookups,
    pub start_times: StartTimes,
}

#[derive(Default)]
struct ScriptedRoom {
    /// Participant JSON, as Twilio lists connected participants.
    participants: Vec<Value>,
    /// Published tracks by participant SID.
    tracks: HashMap<String, Vec<Value>>,
    /// The last subscribe rules set, by participant SID, with when they were first set.
    subscribe_rules: HashMap<String, (Value, i64)>,
    /// Answers for the next requests to this room, before the script's.
    faults: VecDeque<Fault>,
}

#[derive(Default)]
struct Script {
    options: Options,
    /// Rooms by SID.
    rooms: Mutex<HashMap<String, ScriptedRoom>>,
    hits: Mutex<Vec<Hit>>,
    /// Numbers the room and participant SIDs the server makes.
    next_sid: AtomicU64,
}

/// The script, shared with the server it answers on (clones share it).
#[derive(Clone, Default)]
pub struct ScriptedTwilio(Arc<Script>);

impl ScriptedTwilio {
    /// A server with the default [`Options`] (lenient lookups, fixed start times).
    pub async fn serve() -> (MockServer, Self) {
        Self::serve_with(Options::default()).await
    }

    /// A server on loopback answering from a new script. It keeps no log of requests beyond
    /// the script's [`Hit`]s, so it can serve a long benchmark.
    pub async fn serve_with(options: Options) -> (MockServer, Self) {
        let server = MockServer::builder().disable_request_recording().start().await;
        let script = Self(Arc::new(Script { options, ..Script::default() }));
        Mock::given(any()).respond_with(script.clone()).mount(&server).await;
        (server, script)
    }

    fn sid(&self, prefix: &str) -> String {
        format!("{prefix}{:032x}", self.0.next_sid.fetch_add(1, Ordering::SeqCst) + 1)
    }

    fn rooms(&self) -> std::sync::MutexGuard<'_, HashMap<String, ScriptedRoom>> {
        self.0.rooms.lock().expect("the script's rooms")
    }

    /// Connects `identity` to the room, publishing nothing; returns its participant SID.
    pub fn join(&self, room_sid: &str, identity: &str) -> String {
        self.join_publishing(room_sid, identity, &[])
    }

    /// Connects `identity` to the room with these tracks (kind, enabled) already published,
    /// all at once; returns its participant SID.
    pub fn join_publishing(&self, room_sid: &str, identity: &str, tracks: &[(&str, bool)]) -> String {
        let sid = self.sid("PA");
        let since = match self.0.options.start_times {
            StartTimes::Fixed => ARRIVED_AT_UNIX,
            StartTimes::Joined => unix_now(),
        };
        let participant = json!({
            "sid": sid, "room_sid": room_sid, "account_sid": ACCOUNT_SID, "identity": identity,
            "status": "connected", "start_time": iso_utc(since), "end_time": null, "duration": null
        });
        let mut rooms = self.rooms();
        let room = rooms.entry(room_sid.to_string()).or_default();
        for (kind, enabled) in tracks {
            publish_in(room, room_sid, &sid, kind, *enabled);
        }
        room.participants.push(participant);
        sid
    }

    /// Disconnects `identity` from the room.
    pub fn leave(&self, room_sid: &str, identity: &str) {
        if let Some(room) = self.rooms().get_mut(room_sid) {
            room.participants.retain(|participant| participant["identity"] != identity);
        }
    }

    /// Publishes (or replaces) the participant's track of this kind.
    pub fn publish(&self, room_sid: &str, participant_sid: &str, kind: &str, enabled: bool) {
        publish_in(self.rooms().entry(room_sid.to_string()).or_default(), room_sid, participant_sid, kind, enabled);
    }

    /// Whether a participant with this identity is connected to the room now.
    pub fn is_connected(&self, room_sid: &str, identity: &str) -> bool {
        self.rooms()
            .get(room_sid)
            .is_some_and(|room| room.participants.iter().any(|participant| participant["identity"] == identity))
    }

    /// The `Rules` last set for the participant (`POST …/SubscribeRules`), as sent: e.g.
    /// `[{"type":"exclude","all":true}]`. `None` until set. They stay after it leaves.
    pub fn subscribe_rules(&self, room_sid: &str, participant_sid: &str) -> Option<Value> {
        self.rooms().get(room_sid)?.subscribe_rules.get(participant_sid).map(|(rules, _)| rules.clone())
    }

    /// Queues answers for the room's next requests, before the script's.
    pub fn fail_next(&self, room_sid: &str, faults: impl IntoIterator<Item = Fault>) {
        self.rooms().entry(room_sid.to_string()).or_default().faults.extend(faults);
    }

    /// Every request about a room so far, in the order they came in.
    pub fn hits(&self) -> Vec<Hit> {
        self.0.hits.lock().expect("the script's hits").clone()
    }

    pub fn hits_to(&self, room_sid: &str) -> Vec<Hit> {
        self.hits().into_iter().filter(|hit| hit.room_sid == room_sid).collect()
    }

    fn create_room(&self, request: &Request) -> ResponseTemplate {
        let name = url::form_urlencoded::parse(&request.body)
            .find(|(key, _)| key == "UniqueName")
            .map(|(_, value)| value.into_owned())
            .unwrap_or_default();
        let sid = self.sid("RM");
        self.rooms().entry(sid.clone()).or_default();
        ResponseTemplate::new(201).set_body_json(json!({
            "sid": sid, "account_sid": ACCOUNT_SID, "unique_name": name, "status": "in-progress",
            "type": "group", "max_participants": 4
        }))
    }
}

fn publish_in(room: &mut ScriptedRoom, room_sid: &str, participant_sid: &str, kind: &str, enabled: bool) {
    let tracks = room.tracks.entry(participant_sid.to_string()).or_default();
    tracks.retain(|track| track["kind"] != kind);
    let n = tracks.len();
    tracks.push(json!({
        "sid": format!("MT{n:032x}"), "participant_sid": participant_sid, "room_sid": room_sid,
        "name": format!("{kind}-track"), "kind": kind, "enabled": enabled
    }));
}

fn page(key: &str, items: Vec<Value>) -> Value {
    json!({ key: items, "meta": { "page": 0, "page_size": 50, "next_page_url": null } })
}

fn error(status: u16, code: u32, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"code": code, "message": message, "status": status}))
}

fn not_found() -> ResponseTemplate {
    error(404, 20404, "Not found")
}

impl Respond for ScriptedTwilio {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let segments: Vec<&str> = request.url.path().trim_start_matches('/').split('/').collect();
        let (room_sid, asked, participant) = match (request.method.as_str(), segments.as_slice()) {
            ("POST", ["v1", "Rooms"]) => return self.create_room(request),
            ("GET", ["v1", "Rooms", room, "Participants"]) => (room.to_string(), Asked::Participants, None),
            ("GET", ["v1", "Rooms", room, "Participants", participant, "PublishedTracks"]) => {
                (room.to_string(), Asked::Tracks, Some(participant.to_string()))
            }
            ("POST", ["v1", "Rooms", room, "Participants", participant, "SubscribeRules"]) => {
                (room.to_string(), Asked::SubscribeRules, Some(participant.to_string()))
            }
            ("POST", ["v1", "Rooms", room, "Participants", participant]) => {
                let form: HashMap<_, _> = url::form_urlencoded::parse(&request.body).into_owned().collect();
                assert_eq!(form.get("Status").map(String::as_str), Some("disconnected"), "only disconnecting");
                (room.to_string(), Asked::Disconnect, Some(participant.to_string()))
            }
            _ => return not_found(),
        };
        if asked == Asked::Participants {
            let query: HashMap<_, _> = request.url.query_pairs().into_owned().collect();
            assert_eq!(query.get("Status").map(String::as_str), Some("connected"), "only connected participants");
        }
        let strict = self.0.options.lookups == Lookups::Strict;
        let mut rooms = self.rooms();
        let (status, answer) = if strict && !rooms.contains_key(&room_sid) {
            (404, not_found())
        } else if asked == Asked::Disconnect {
            disconnect(rooms.entry(room_sid.clone()).or_default(), participant.as_deref().unwrap_or_default())
        } else if asked == Asked::SubscribeRules {
            let room = rooms.entry(room_sid.clone()).or_default();
            set_subscribe_rules(room, &room_sid, participant.as_deref().unwrap_or_default(), request)
        } else {
            answer(rooms.entry(room_sid.clone()).or_default(), participant.as_deref(), strict)
        };
        drop(rooms);
        self.0.hits.lock().expect("the script's hits").push(Hit { at: Instant::now(), room_sid, asked, status });
        answer
    }
}

/// The room's next answer: a queued fault, or its participants, or one's published tracks.
fn answer(room: &mut ScriptedRoom, participant: Option<&str>, strict: bool) -> (u16, ResponseTemplate) {
    match room.faults.pop_front() {
        Some(Fault::RateLimited { retry_after_seconds }) => (
            429,
            error(429, 20429, "Too Many Requests")
                .insert_header("Retry-After", retry_after_seconds.to_string().as_str()),
        ),
        Some(Fault::Status(status)) => (status, error(status, 20500, "Scripted failure")),
        Some(Fault::Slow(delay)) => {
            (200, ResponseTemplate::new(200).set_body_json(page("participants", Vec::new())).set_delay(delay))
        }
        None => match participant {
            None => (200, ResponseTemplate::new(200).set_body_json(page("participants", room.participants.clone()))),
            Some(participant) => {
                let connected = room.participants.iter().any(|listed| listed["sid"] == participant);
                if strict && !connected {
                    return (404, not_found());
                }
                let tracks = room.tracks.get(participant).cloned().unwrap_or_default();
                (200, ResponseTemplate::new(200).set_body_json(page("published_tracks", tracks)))
            }
        },
    }
}

/// Disconnects a participant, by SID or identity: its record with `status: disconnected`, or
/// 404 when none such is connected. A queued fault answers instead (a slow one disconnects,
/// then answers late).
fn disconnect(room: &mut ScriptedRoom, participant: &str) -> (u16, ResponseTemplate) {
    let delay = match change(room) {
        Change::After(delay) => delay,
        Change::Refused(status, answer) => return (status, answer),
    };
    let Some(index) =
        room.participants.iter().position(|listed| listed["sid"] == participant || listed["identity"] == participant)
    else {
        return (404, not_found());
    };
    let mut removed = room.participants.remove(index);
    removed["status"] = json!("disconnected");
    (200, ResponseTemplate::new(200).set_body_json(removed).set_delay(delay))
}

/// What a queued fault makes of a request that changes something.
enum Change {
    /// Make the change, and answer this late (a slow fault's delay, else none).
    After(Duration),
    /// Answer this instead, changing nothing.
    Refused(u16, ResponseTemplate),
}

fn change(room: &mut ScriptedRoom) -> Change {
    match room.faults.pop_front() {
        Some(Fault::RateLimited { retry_after_seconds }) => Change::Refused(
            429,
            error(429, 20429, "Too Many Requests")
                .insert_header("Retry-After", retry_after_seconds.to_string().as_str()),
        ),
        Some(Fault::Status(status)) => Change::Refused(status, error(status, 20500, "Scripted failure")),
        Some(Fault::Slow(delay)) => Change::After(delay),
        None => Change::After(Duration::ZERO),
    }
}

/// Keeps a connected participant's `Rules` (by participant SID, as Twilio's path names it)
/// and answers as Twilio does: the rules with every filter, `null` when unused, and the
/// dates. 404 when no such participant is connected; a queued fault answers instead (a slow
/// one sets the rules, then answers late).
fn set_subscribe_rules(
    room: &mut ScriptedRoom,
    room_sid: &str,
    participant: &str,
    request: &Request,
) -> (u16, ResponseTemplate) {
    let form: HashMap<_, _> = url::form_urlencoded::parse(&request.body).into_owned().collect();
    let rules: Value = serde_json::from_str(form.get("Rules").map_or("", String::as_str))
        .expect("Rules is the JSON text of an array of rules");
    let well_formed = rules
        .as_array()
        .is_some_and(|rules| rules.iter().all(|rule| matches!(rule["type"].as_str(), Some("include" | "exclude"))));
    assert!(well_formed, "Rules is an array of include or exclude rules: {rules}");
    let delay = match change(room) {
        Change::After(delay) => delay,
        Change::Refused(status, answer) => return (status, answer),
    };
    if !room.participants.iter().any(|listed| listed["sid"] == participant) {
        return (404, not_found());
    }
    let now = unix_now();
    let created = room.subscribe_rules.get(participant).map_or(now, |(_, created)| *created);
    room.subscribe_rules.insert(participant.to_string(), (rules.clone(), created));
    let filters = ["type", "all", "publisher", "track", "kind", "priority"];
    let answered: Vec<Value> = rules
        .as_array()
        .into_iter()
        .flatten()
        .map(|rule| filters.iter().map(|filter| (filter.to_string(), rule[*filter].clone())).collect())
        .collect();
    let body = json!({
        "participant_sid": participant, "room_sid": room_sid, "rules": answered,
        "date_created": iso_utc(created), "date_updated": iso_utc(now)
    });
    (200, ResponseTemplate::new(200).set_body_json(body).set_delay(delay))
}

fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("a clock after 1970").as_secs() as i64
}

/// `2026-11-22T15:30:00Z` from Unix seconds, as Twilio writes times.
/// The form bodies of HTTP/1.1 requests recorded back to back in one byte stream, in order
/// (empty for a request without a body). Each request must carry a `content-length`.
pub fn form_bodies(raw: &[u8]) -> Vec<Vec<(String, String)>> {
    let mut forms = Vec::new();
    let mut rest = raw;
    while let Some(end) = rest.windows(4).position(|window| window == b"\r\n\r\n") {
        let head = String::from_utf8_lossy(&rest[..end]).to_ascii_lowercase();
        let length = head
            .lines()
            .find_map(|line| line.strip_prefix("content-length:"))
            .map_or(0, |value| value.trim().parse::<usize>().expect("a numeric content-length"));
        let body_end = (end + 4 + length).min(rest.len());
        forms.push(url::form_urlencoded::parse(&rest[end + 4..body_end]).into_owned().collect());
        rest = &rest[body_end..];
    }
    forms
}

pub fn iso_utc(unix: i64) -> String {
    let (days, seconds) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
    // Days since 1970-01-01 to a proleptic Gregorian date, counting eras of 400 years from
    // 0000-03-01 so that the leap day ends each year.
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
    let year = era * 400 + year_of_era + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", seconds / 3600, seconds % 3600 / 60, seconds % 60)
}

#[cfg(test)]
mod tests {
    use wiremock::http::{HeaderMap, Method};

    use super::*;

    const ROOM: &str = "RM0123456789abcdef0123456789abcdef";

    fn post(path: &str, form: &[(&str, &str)]) -> Request {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        Request {
            url: url::Url::parse(&format!("http://127.0.0.1{path}")).unwrap(),
            method: Method::POST,
            headers: HeaderMap::new(),
            body: body.into_bytes(),
        }
    }

    fn rules_path(room: &str, participant: &str) -> String {
        format!("/v1/Rooms/{room}/Participants/{participant}/SubscribeRules")
    }

    fn last_status(script: &ScriptedTwilio) -> (Asked, u16) {
        let hit = script.hits().pop().expect("a hit");
        (hit.asked, hit.status)
    }

    #[test]
    fn subscribe_rules_are_kept_for_a_connected_participant() {
        let script = ScriptedTwilio::default();
        let patient = script.join(ROOM, "patient-1");
        assert_eq!(script.subscribe_rules(ROOM, &patient), None, "none until set");
        script.respond(&post(&rules_path(ROOM, &patient), &[("Rules", r#"[{"type":"exclude","all":true}]"#)]));
        assert_eq!(last_status(&script), (Asked::SubscribeRules, 200));
        assert_eq!(script.subscribe_rules(ROOM, &patient), Some(json!([{"type": "exclude", "all": true}])));
        script.respond(&post(&rules_path(ROOM, &patient), &[("Rules", r#"[{"type":"include","all":true}]"#)]));
        assert_eq!(script.subscribe_rules(ROOM, &patient), Some(json!([{"type": "include", "all": true}])), "the last");
        script.leave(ROOM, "patient-1");
        assert!(script.subscribe_rules(ROOM, &patient).is_some(), "kept after leaving");
    }

    #[test]
    fn subscribe_rules_for_an_unknown_room_or_participant_are_twilios_404() {
        let rules = [("Rules", r#"[{"type":"exclude","all":true}]"#)];
        for lookups in [Lookups::Lenient, Lookups::Strict] {
            let script = ScriptedTwilio(Arc::new(Script {
                options: Options { lookups, ..Options::default() },
                ..Script::default()
            }));
            let unknown = "RMffffffffffffffffffffffffffffffff";
            script.respond(&post(&rules_path(unknown, "PA00000000000000000000000000000001"), &rules));
            assert_eq!(last_status(&script), (Asked::SubscribeRules, 404), "{lookups:?}");
            let patient = script.join(ROOM, "patient-1");
            script.leave(ROOM, "patient-1");
            script.respond(&post(&rules_path(ROOM, &patient), &rules));
            assert_eq!(last_status(&script), (Asked::SubscribeRules, 404), "{lookups:?}: no longer connected");
            assert_eq!(script.subscribe_rules(ROOM, &patient), None);
        }
    }

    #[test]
    fn a_queued_fault_answers_a_subscribe_rules_request_instead() {
        let script = ScriptedTwilio::default();
        let patient = script.join(ROOM, "patient-1");
        script.fail_next(ROOM, [Fault::Status(503)]);
        script.respond(&post(&rules_path(ROOM, &patient), &[("Rules", r#"[{"type":"exclude","all":true}]"#)]));
        assert_eq!(last_status(&script), (Asked::SubscribeRules, 503));
        assert_eq!(script.subscribe_rules(ROOM, &patient), None, "not set");
    }

    #[test]
    #[should_panic(expected = "Rules is the JSON text")]
    fn rules_that_are_not_json_are_refused() {
        let script = ScriptedTwilio::default();
        let patient = script.join(ROOM, "patient-1");
        script.respond(&post(&rules_path(ROOM, &patient), &[("Rules", "[SubscribeRule { rule_type: Exclude }]")]));
    }

    #[test]
    fn times_are_written_as_twilio_does() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(ARRIVED_AT_UNIX), "2026-11-22T15:30:00Z");
        assert_eq!(iso_utc(951_825_600), "2000-02-29T12:00:00Z");
        assert_eq!(iso_utc(951_868_799), "2000-02-29T23:59:59Z");
    }
}
