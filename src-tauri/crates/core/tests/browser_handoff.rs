//! The provider's call handed to the system browser without the token in any process's
//! arguments: the opener gets a `file://` page (0600, in a 0700 folder) that forwards to the
//! join link, and the page is removed afterwards. Real files in a scratch folder, a scripted
//! Twilio.
#![cfg(unix)]

mod common;

use std::{
    fs,
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    time::{Duration, SystemTime},
};

use common::{TestContext, fragment_param, keychain_after_setup, settings_after_setup};
use serde_json::json;
use visitdesk_core::{
    AppContext, ErrorCode,
    visits::{self, VisitForm, browser_handoff::BrowserHandoff, rooms},
};
use visitdesk_store::VisitStatus;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path, path_regex},
};

const ROOM_SID: &str = "RM0123456789abcdef0123456789abcdef";
const SHORT: Duration = Duration::from_millis(400);

/// Twilio with no room for the visit yet: one is created.
async fn twilio() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex("^/v1/Rooms/.+$"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({"code": 20404, "message": "Not found", "status": 404})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/Rooms"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "sid": ROOM_SID, "account_sid": "AC0123456789abcdef0123456789abcdef", "unique_name": "vd-room",
            "status": "in-progress", "type": "group", "max_participants": 4
        })))
        .mount(&server)
        .await;
    server
}

/// A configured app with one visit, and a hand-off folder (not yet made) in a scratch folder.
async fn visit_ready(twilio: &MockServer) -> (TestContext, String, tempfile::TempDir, PathBuf) {
    let ctx = TestContext::new(keychain_after_setup(), &twilio.uri());
    ctx.settings().save(&settings_after_setup(Default::default())).unwrap();
    let form = VisitForm {
        patient_display_name: "Ada Lovelace".into(),
        patient_mobile: "(415) 555-2671".into(),
        scheduled_at: 1_795_361_400,
    };
    let visit = visits::create_visit(&ctx, form).await.unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let folder = scratch.path().join("runtime").join("visitdesk");
    (ctx, visit.id, scratch, folder)
}

fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
}

fn files_in(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        fs::read_dir(folder).unwrap().map(|entry| entry.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    names
}

/// Where the page's script sends the browser: the JSON string literal in `location.replace(…)`.
fn forwarded_to(page: &str) -> String {
    let from = page.find("<script>").expect("the forwarding script") + "<script>".len();
    let to = page[from..].find("</script>").unwrap() + from;
    let literal = page[from..to].strip_prefix("location.replace(").and_then(|s| s.strip_suffix(");")).unwrap();
    serde_json::from_str(literal).expect("a string literal")
}

/// The page's plain link, unescaped.
fn linked_to(page: &str) -> String {
    let from = page.find("<a href=\"").expect("a plain link") + "<a href=\"".len();
    let to = page[from..].find('"').unwrap() + from;
    page[from..to]
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// What the opener saw while the hand-off happened.
#[derive(Default)]
struct Opened {
    url: String,
    path: PathBuf,
    file_mode: u32,
    folder_mode: u32,
    page: String,
}

fn look_at(url: &str) -> Opened {
    let path = url::Url::parse(url).unwrap().to_file_path().unwrap();
    Opened {
        url: url.to_string(),
        file_mode: mode(&path),
        folder_mode: mode(path.parent().unwrap()),
        page: fs::read_to_string(&path).unwrap(),
        path,
    }
}

#[tokio::test]
async fn the_browser_is_given_a_private_file_that_forwards_to_the_join_link() {
    let twilio = twilio().await;
    let (ctx, visit_id, _scratch, folder) = visit_ready(&twilio).await;
    let handoff = BrowserHandoff::new(&folder).with_lifetime(SHORT);
    let mut opened = Opened::default();
    rooms::open_visit_in_browser(&ctx, visit_id.clone(), &handoff, |url| {
        opened = look_at(url);
        Ok(())
    })
    .await
    .unwrap();

    // The page forwards to the join link in the provider's role, token in the fragment.
    let join_url = forwarded_to(&opened.page);
    assert!(join_url.starts_with("https://visit.example-clinic.org/join#t="), "{join_url}");
    assert_eq!(fragment_param(&join_url, "p"), "dr-ana-ruiz");
    let token = fragment_param(&join_url, "t");
    assert!(token.len() > 100 && token.starts_with("ey"), "a JWT: {token}");
    assert_eq!(linked_to(&opened.page), join_url, "the plain link goes to the same place");

    // What the opener (and so the launcher's and the browser's argv) got holds no token.
    assert!(opened.url.starts_with("file:///"), "{}", opened.url);
    assert!(!opened.url.contains('#'), "no fragment: {}", opened.url);
    assert!(!opened.url.contains(&token) && !opened.url.contains("t="), "{}", opened.url);
    assert!(!opened.url.contains("dr-ana-ruiz"), "{}", opened.url);
    assert_eq!(opened.path.parent().unwrap(), folder);

    // Only this user may read it.
    assert_eq!(opened.file_mode, 0o600);
    assert_eq!(opened.folder_mode, 0o700);
    assert_eq!(visits::visit(&ctx, visit_id).await.unwrap().status, VisitStatus::InVisit);

    // The browser has its time to read it, then it is gone.
    assert!(opened.path.exists(), "removed before the browser could read it");
    tokio::time::sleep(SHORT + Duration::from_millis(600)).await;
    assert!(!opened.path.exists(), "the hand-off file outlived its lifetime");
    assert!(files_in(&folder).is_empty(), "{:?}", files_in(&folder));
    assert_eq!(mode(&folder), 0o700);
}

#[tokio::test]
async fn a_browser_that_cannot_be_opened_is_reported_and_leaves_no_file() {
    let twilio = twilio().await;
    let (ctx, visit_id, _scratch, folder) = visit_ready(&twilio).await;
    let handoff = BrowserHandoff::new(&folder);
    let mut handed = PathBuf::new();
    let error = rooms::open_visit_in_browser(&ctx, visit_id, &handoff, |url| {
        handed = url::Url::parse(url).unwrap().to_file_path().unwrap();
        assert!(handed.exists());
        Err("xdg-open: not found".into())
    })
    .await
    .unwrap_err();
    assert_eq!(error.code, ErrorCode::BrowserUnavailable);
    assert!(error.message.contains("could not open your web browser (xdg-open: not found)"), "{}", error.message);
    assert!(!handed.exists(), "the file stayed after the browser failed");
    assert!(files_in(&folder).is_empty());
}

#[tokio::test]
async fn stale_files_of_an_earlier_run_are_removed_at_the_next_hand_off_and_at_start() {
    let twilio = twilio().await;
    let (ctx, visit_id, _scratch, folder) = visit_ready(&twilio).await;
    fs::create_dir_all(&folder).unwrap();
    let stale = |name: &str, age: Duration| {
        let path = folder.join(name);
        fs::write(&path, "<!DOCTYPE html>").unwrap();
        fs::File::options().write(true).open(&path).unwrap().set_modified(SystemTime::now() - age).unwrap();
    };
    let old = format!("visit-{}.html", "ab".repeat(16));
    let young = format!("visit-{}.html", "cd".repeat(16));
    stale(&old, Duration::from_secs(600));
    stale(&young, Duration::from_secs(5));
    stale("notes.html", Duration::from_secs(600));
    // A folder someone (an older build, a umask) left open is closed again.
    fs::set_permissions(&folder, fs::Permissions::from_mode(0o755)).unwrap();

    let handoff = BrowserHandoff::new(&folder).with_lifetime(Duration::from_secs(60));
    let mut handed = String::new();
    rooms::open_visit_in_browser(&ctx, visit_id, &handoff, |url| {
        handed = url.rsplit('/').next().unwrap().to_string();
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!(mode(&folder), 0o700);
    let mut expected = vec![handed.clone(), young.clone(), "notes.html".to_string()];
    expected.sort();
    assert_eq!(files_in(&folder), expected, "only the old hand-off file goes");

    // At start: the same sweep, by age, so another window's fresh file stays.
    stale(&handed, Duration::from_secs(61));
    assert_eq!(BrowserHandoff::new(&folder).with_lifetime(Duration::from_secs(60)).remove_stale(), 1);
    let mut left = vec![young, "notes.html".to_string()];
    left.sort();
    assert_eq!(files_in(&folder), left);
}

#[tokio::test]
async fn an_unusable_folder_is_reported_before_the_visit_starts() {
    let twilio = twilio().await;
    let (ctx, visit_id, scratch, _) = visit_ready(&twilio).await;
    let not_a_folder = scratch.path().join("file");
    fs::write(&not_a_folder, "").unwrap();
    let mut asked = false;
    let error = rooms::open_visit_in_browser(&ctx, visit_id.clone(), &BrowserHandoff::new(&not_a_folder), |_| {
        asked = true;
        Ok(())
    })
    .await
    .unwrap_err();
    assert_eq!(error.code, ErrorCode::BrowserUnavailable);
    assert!(error.message.contains("could not prepare the call for your web browser"), "{}", error.message);
    assert!(!asked);
    assert_ne!(visits::visit(&ctx, visit_id).await.unwrap().status, VisitStatus::InVisit);
    assert!(twilio.received_requests().await.unwrap().is_empty(), "no room was made");
}
