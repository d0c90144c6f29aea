//! Holding a waiting patient and letting them in, through the core's public API (the
//! monitor's [`ClinicBackend`]), sent to Prism serving Twilio's Video v1 spec: Prism answers
//! 422 when a request breaks the contract, which fails the step. The spec leaves `Rules`
//! untyped, so Prism takes any text there; a pass-through in front of Prism keeps what was
//! sent, and the test compares it with the spec's own example. `scripts/test` starts Prism.

mod common;

use std::{
    io::{Read, Write},
    net::{Shutdown, TcpListener, TcpStream},
    path::PathBuf,
    sync::{Arc, Mutex},
    time::Duration,
};

use common::{TestContext, keychain_after_setup, settings_after_setup};
use visitdesk_core::{
    AppContext,
    clinic::settings::ClinicSettings,
    monitor::{ClinicBackend, WaitingRoomBackend},
    video::VideoBackendKind,
};
use visitdesk_store::RoomRef;

const ROOM_SID: &str = "RM0123456789abcdef0123456789abcdef";
const PATIENT_SID: &str = "PA0123456789abcdef0123456789abcdef";

fn prism(variable: &str) -> String {
    std::env::var(variable).unwrap_or_else(|_| panic!("{variable} names a Prism server (scripts/test starts them)"))
}

/// A pass-through to `upstream` keeping every byte the client sent.
fn tap(upstream: &str) -> (String, Arc<Mutex<Vec<u8>>>) {
    let upstream = url::Url::parse(upstream).unwrap();
    let target = format!("{}:{}", upstream.host_str().unwrap(), upstream.port_or_known_default().unwrap());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let sent = Arc::new(Mutex::new(Vec::new()));
    let kept = sent.clone();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(&target) else { continue };
            let (mut client_in, mut server_out) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            let kept = kept.clone();
            std::thread::spawn(move || {
                let mut buffer = [0u8; 8192];
                while let Ok(read @ 1..) = client_in.read(&mut buffer) {
                    kept.lock().unwrap().extend_from_slice(&buffer[..read]);
                    if server_out.write_all(&buffer[..read]).is_err() {
                        break;
                    }
                }
                let _ = server_out.shutdown(Shutdown::Write);
            });
            std::thread::spawn(move || {
                let (mut server_in, mut client_out) = (server, client);
                let _ = std::io::copy(&mut server_in, &mut client_out);
                let _ = client_out.shutdown(Shutdown::Write);
            });
        }
    });
    (url, sent)
}

/// The `Rules` of each request sent so far, decoded from its form body.
fn rules_sent(sent: &Mutex<Vec<u8>>) -> Vec<serde_json::Value> {
    visitdesk_twilio_scripted::form_bodies(&sent.lock().unwrap())
        .into_iter()
        .flatten()
        .filter(|(key, _)| key == "Rules")
        .map(|(_, value)| serde_json::from_str(&value).unwrap_or_else(|_| panic!("Rules is not JSON: {value}")))
        .collect()
}

/// The spec's example `Rules` of the update (percent-encoded in the spec), decoded.
fn spec_example_rules() -> serde_json::Value {
    let dir = std::env::var_os("VISITDESK_TWILIO_OAI_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../../shared/twilio-oai"));
    let path = dir.join("twilio_video_v1.json");
    let spec: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display())),
    )
    .unwrap();
    let encoded = spec["paths"]["/v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/SubscribeRules"]["post"]
        ["requestBody"]["content"]["application/x-www-form-urlencoded"]["examples"]["updateFilters"]["value"]["Rules"]
        .as_str()
        .expect("the spec's example Rules")
        .to_string();
    let decoded: String =
        url::form_urlencoded::parse(format!("x={encoded}").as_bytes()).map(|(_, value)| value.into_owned()).collect();
    serde_json::from_str(&decoded).unwrap()
}

#[tokio::test]
#[ignore = "needs Prism serving Twilio's Video and Api specs; run through scripts/test"]
async fn holding_and_admitting_a_patient_satisfy_twilios_spec() {
    let (video, sent) = tap(&prism("VISITDESK_PRISM_VIDEO_URL"));
    let mut ctx = TestContext::with_apis(keychain_after_setup(), &video, &prism("VISITDESK_PRISM_API_URL"));
    ctx.timeout = Duration::from_secs(10);
    ctx.settings().save(&settings_after_setup(ClinicSettings::default())).unwrap();
    let backend = ClinicBackend::new(Arc::new(ctx), Duration::from_secs(10));
    let room =
        RoomRef { service: VideoBackendKind::Twilio, unique_name: "vd-3f9a1c".into(), sid: Some(ROOM_SID.into()) };

    // POST /v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/SubscribeRules, both ways.
    let waiting = backend.set_admission(&room, PATIENT_SID, false).await;
    assert_eq!(waiting, Ok(()), "waiting: Twilio's contract refused the request, or its answer");
    let admitted = backend.set_admission(&room, PATIENT_SID, true).await;
    assert_eq!(admitted, Ok(()), "admitted: Twilio's contract refused the request, or its answer");

    let rules = rules_sent(&sent);
    assert_eq!(rules.len(), 2, "one request each, both through Prism: {rules:?}");
    assert_eq!(rules[0], spec_example_rules(), "waiting: the spec's own example, exclude everything");
    assert_eq!(rules[1], serde_json::json!([{"type": "include", "all": true}]), "admitted: include everything");
}
