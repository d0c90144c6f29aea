//! IT's managed policy through the core: each setting locked and unlocked, a missing and a
//! malformed file, and a policy that contradicts what the provider saved.

mod common;

use std::{path::Path, sync::Arc};

use common::{MemoryKeychain, TestContext, good_form, invite_request, unreachable_url};
use visitdesk_core::{
    ErrorCode,
    account::setup::{AppState, app_state, save_setup},
    clinic::policy::{PolicySetting, PolicyState},
    clinic::settings::{AdmissionMode, ClinicSettings, SettingsStore, StoredSettings, VideoService},
    clinic::updates::{UpdateChannel, release_file_url},
    clinic::{clinic_settings, save_clinic_settings},
};
use visitdesk_store::{GuestRole, InviteMethod};

const SERVICE_SID: &str = "MG0123456789abcdef0123456789abcdef";
const JANUS: &str = r#"{"kind": "janus", "api_url": "https://video.hospital.example/janus", "browser_url": "wss://video.hospital.example/janus-ws"}"#;

fn write_policy(dir: &Path, text: &str) -> PolicyState {
    let path = dir.join("policy.json");
    std::fs::write(&path, text).unwrap();
    PolicyState::read(&path)
}

/// A provider who finished setup (offline: Twilio unreachable, saved with a warning).
async fn set_up(policy: PolicyState) -> TestContext {
    let mut ctx = TestContext::new(Arc::new(MemoryKeychain::default()), &unreachable_url());
    ctx.policy = policy;
    save_setup(&ctx, good_form()).await.expect("setup saved");
    ctx
}

fn policy_with(dir: &Path, entry: &str) -> PolicyState {
    write_policy(dir, &format!(r#"{{"managed_by": "Example Hospital IT", {entry}}}"#))
}

/// One managed setting: the value the policy gives, and a change a provider might try.
struct Case {
    setting: PolicySetting,
    entry: String,
    policy_holds: fn(&ClinicSettings) -> bool,
    change: fn(&mut ClinicSettings),
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            setting: PolicySetting::Video,
            entry: format!(r#""video": {{"value": {JANUS}, "locked": LOCK}}"#),
            policy_holds: |c| matches!(&c.video, VideoService::Janus { api_url, .. } if api_url.contains("hospital")),
            change: |c| c.video = VideoService::Twilio,
        },
        Case {
            setting: PolicySetting::RecordingAllowed,
            entry: r#""recording_allowed": {"value": false, "locked": LOCK}"#.into(),
            policy_holds: |c| !c.record_participants,
            change: |c| c.record_participants = true,
        },
        Case {
            setting: PolicySetting::SmsSender,
            entry: format!(r#""sms_sender": {{"value": "{SERVICE_SID}", "locked": LOCK}}"#),
            policy_holds: |c| c.messaging_service_sid.as_deref() == Some(SERVICE_SID) && c.sms_from.is_none(),
            change: |c| (c.messaging_service_sid, c.sms_from) = (None, Some("+15005550006".into())),
        },
        Case {
            setting: PolicySetting::UpdateUrl,
            entry: r#""update_url": {"value": "https://it.hospital.example/visitdesk", "locked": LOCK}"#.into(),
            policy_holds: |c| {
                c.updates.check && c.updates.feed_url.as_deref() == Some("https://it.hospital.example/visitdesk")
            },
            change: |c| c.updates.feed_url = None,
        },
        Case {
            setting: PolicySetting::UpdateChannel,
            entry: r#""update_channel": {"value": "beta", "locked": LOCK}"#.into(),
            policy_holds: |c| c.updates.channel == UpdateChannel::Beta,
            change: |c| c.updates.channel = UpdateChannel::Stable,
        },
        Case {
            setting: PolicySetting::Admission,
            entry: r#""admission": {"value": "explicit", "locked": LOCK}"#.into(),
            policy_holds: |c| c.admission == AdmissionMode::Explicit,
            change: |c| c.admission = AdmissionMode::OnJoin,
        },
    ]
}

#[tokio::test]
async fn each_locked_setting_reads_as_the_policy_says_and_cannot_be_changed() {
    for case in cases() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = set_up(policy_with(dir.path(), &case.entry.replace("LOCK", "true"))).await;
        let clinic = clinic_settings(&ctx).await.unwrap();
        assert!((case.policy_holds)(&clinic), "{:?}: {clinic:?}", case.setting);

        let mut changed = clinic.clone();
        (case.change)(&mut changed);
        let error = save_clinic_settings(&ctx, changed).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::SettingLocked, "{:?}: {}", case.setting, error.message);
        assert!(error.message.contains("managed by Example Hospital IT"), "{}", error.message);
        assert!(error.message.ends_with("Nothing was saved."), "{}", error.message);

        // Settings the policy does not manage stay the provider's.
        let mut other = clinic.clone();
        other.default_region = "GB".into();
        assert_eq!(save_clinic_settings(&ctx, other).await.unwrap().default_region, "GB");
        let view = ctx.policy.view(ctx.settings.load().unwrap().as_ref());
        let managed: Vec<_> = view.settings.iter().map(|m| (m.setting, m.locked)).collect();
        assert_eq!(managed, [(case.setting, true)]);
        assert_eq!(view.managed_by.as_deref(), Some("Example Hospital IT"));
    }
}

#[tokio::test]
async fn each_unlocked_setting_is_the_first_value_and_then_the_providers() {
    for case in cases() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = set_up(policy_with(dir.path(), &case.entry.replace("LOCK", "false"))).await;
        let clinic = clinic_settings(&ctx).await.unwrap();
        assert!((case.policy_holds)(&clinic), "{:?} starts as the policy says: {clinic:?}", case.setting);

        let mut changed = clinic.clone();
        (case.change)(&mut changed);
        let saved = save_clinic_settings(&ctx, changed).await.unwrap_or_else(|e| panic!("{:?}: {e:?}", case.setting));
        assert!(!(case.policy_holds)(&saved), "{:?}: the provider's change stands", case.setting);
        assert!(!(case.policy_holds)(&clinic_settings(&ctx).await.unwrap()), "{:?}: and is read back", case.setting);
        let view = ctx.policy.view(ctx.settings.load().unwrap().as_ref());
        assert!(view.settings.iter().all(|m| !m.locked && !m.overrides_yours), "{:?}", view.settings);
    }
}

#[tokio::test]
async fn the_join_page_address_locked_and_unlocked() {
    let hospital = "https://visit.hospital.example/join";
    for locked in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let policy =
            policy_with(dir.path(), &format!(r#""join_page_url": {{"value": "{hospital}", "locked": {locked}}}"#));
        let mut ctx = TestContext::new(Arc::new(MemoryKeychain::default()), &unreachable_url());
        ctx.policy = policy;
        // The first-run form starts with IT's address.
        let AppState::NeedsSetup { prefill, .. } = app_state(&ctx).await else { panic!("first run") };
        assert_eq!(prefill.join_page_url, hospital);

        let typed_own = good_form(); // https://visit.example-clinic.org/join
        let outcome = save_setup(&ctx, typed_own).await;
        if locked {
            let error = outcome.unwrap_err();
            assert_eq!(error.code, ErrorCode::SettingLocked, "{}", error.message);
            assert!(error.message.starts_with("The join page address is managed by"), "{}", error.message);
            assert!(ctx.settings.load().unwrap().is_none(), "nothing saved");
            let mut form = good_form();
            form.join_page_url = hospital.into();
            save_setup(&ctx, form).await.expect("IT's address is accepted");
        } else {
            outcome.expect("an unlocked address is the provider's to change");
        }
        let saved = ctx.settings.load().unwrap().unwrap().profile.unwrap().join_page_url;
        assert_eq!(saved, if locked { hospital } else { "https://visit.example-clinic.org/join" });
    }
}

#[tokio::test]
async fn invite_methods_locked_refuse_the_others_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = set_up(policy_with(dir.path(), r#""invite_methods": {"value": ["copy_link"], "locked": true}"#)).await;
    for method in [InviteMethod::Sms, InviteMethod::PhoneDialIn] {
        let request = invite_request("no-such-visit", GuestRole::Interpreter, method, Some("+15005550006"));
        let error = visitdesk_core::visits::invites::invite(&ctx, request).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::InviteMethodNotAllowed, "{method:?}: {}", error.message);
        assert!(error.message.contains("turned off by Example Hospital IT"), "{}", error.message);
    }
    // A copied link passes the policy (and fails later, on the unknown visit).
    let request = invite_request("no-such-visit", GuestRole::Interpreter, InviteMethod::CopyLink, None);
    let error = visitdesk_core::visits::invites::invite(&ctx, request).await.unwrap_err();
    assert_ne!(error.code, ErrorCode::InviteMethodNotAllowed);
    assert_eq!(ctx.policy.view(None).allowed_invite_methods, [InviteMethod::CopyLink]);

    // Unlocked, the list is only a suggestion: every method stays available.
    let open = policy_with(dir.path(), r#""invite_methods": {"value": ["copy_link"], "locked": false}"#);
    assert_eq!(open.view(None).allowed_invite_methods, InviteMethod::ALL);
}

#[tokio::test]
async fn a_missing_policy_file_manages_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let policy = PolicyState::read(&dir.path().join("policy.json"));
    assert_eq!(policy, PolicyState::Absent);
    let ctx = set_up(policy).await;
    let mut clinic = clinic_settings(&ctx).await.unwrap();
    clinic.record_participants = true;
    clinic.video = serde_json::from_str(JANUS).unwrap();
    let saved = save_clinic_settings(&ctx, clinic).await.unwrap();
    assert!(saved.record_participants);
    let view = ctx.policy.view(None);
    assert!(view.source.is_none() && view.problem.is_none() && view.settings.is_empty() && view.managed_by.is_none());
}

#[tokio::test]
async fn a_malformed_policy_is_reported_and_locks_everything_at_safe_values() {
    let dir = tempfile::tempdir().unwrap();
    // The provider had recording on and a Janus server before IT's file broke.
    let before = set_up(PolicyState::Absent).await;
    let mut clinic = clinic_settings(&before).await.unwrap();
    clinic.record_participants = true;
    clinic.video = serde_json::from_str(JANUS).unwrap();
    save_clinic_settings(&before, clinic).await.unwrap();

    let policy = write_policy(
        dir.path(),
        "{\n  \"recording_allowed\": { \"value\": false, \"locked\": true }\n  \"video\": {}\n}",
    );
    let PolicyState::Unreadable { problem, .. } = &policy else { panic!("{policy:?}") };
    assert!(problem.starts_with("line 3, column 3: expected `,` or `}`"), "{problem}");
    let ctx = TestContext { policy, ..before };

    let view = ctx.policy.view(ctx.settings.load().unwrap().as_ref());
    let reported = view.problem.unwrap();
    assert!(reported.contains(&dir.path().join("policy.json").display().to_string()), "{reported}");
    assert!(reported.contains("line 3, column 3"), "{reported}");
    assert_eq!(view.settings.len(), PolicySetting::ALL.len());
    assert!(view.settings.iter().all(|m| m.locked));
    assert!(view.settings.iter().any(|m| m.setting == PolicySetting::RecordingAllowed && m.overrides_yours));

    let clinic = clinic_settings(&ctx).await.unwrap();
    assert!(!clinic.record_participants, "recording off while the policy is unreadable");
    assert!(!clinic.updates.check, "update checks off while the policy is unreadable");
    assert_eq!(clinic.admission, AdmissionMode::Explicit, "only the clinician's Admit lets a patient in meanwhile");
    assert_eq!(release_file_url(&clinic.updates).unwrap(), None);
    assert!(matches!(clinic.video, VideoService::Janus { .. }), "the saved server stays, locked");

    let mut changed = clinic.clone();
    changed.video = VideoService::Twilio;
    let error = save_clinic_settings(&ctx, changed).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::SettingLocked);
    assert!(error.message.contains("managed by your IT department"), "{}", error.message);
    let sms = invite_request("v", GuestRole::Family, InviteMethod::Sms, Some("+15005550006"));
    assert_eq!(
        visitdesk_core::visits::invites::invite(&ctx, sms).await.unwrap_err().code,
        ErrorCode::InviteMethodNotAllowed
    );

    // Unknown names and unreadable files are problems too, never a silently ignored lock.
    let misspelt = write_policy(dir.path(), r#"{"recording_alowed": {"value": false, "locked": true}}"#);
    assert!(
        matches!(&misspelt, PolicyState::Unreadable { problem, .. } if problem.contains("unknown field `recording_alowed`"))
    );
}

#[tokio::test]
async fn a_policy_that_contradicts_the_provider_wins_says_so_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let before = set_up(PolicyState::Absent).await;
    let mut clinic = clinic_settings(&before).await.unwrap();
    clinic.record_participants = true;
    clinic.sms_from = Some("+15005550006".into());
    save_clinic_settings(&before, clinic).await.unwrap();

    let policy = write_policy(
        dir.path(),
        &format!(
            r#"{{"managed_by": "Example Hospital IT",
                "recording_allowed": {{"value": false, "locked": true}},
                "sms_sender": {{"value": "{SERVICE_SID}", "locked": true}},
                "update_channel": {{"value": "stable", "locked": true}}}}"#
        ),
    );
    let ctx = TestContext { policy, ..before };
    let clinic = clinic_settings(&ctx).await.unwrap();
    assert!(!clinic.record_participants);
    assert_eq!(clinic.messaging_service_sid.as_deref(), Some(SERVICE_SID));
    assert_eq!(clinic.sms_from, None);

    let view = ctx.policy.view(ctx.settings.load().unwrap().as_ref());
    let overrides: Vec<_> = view.settings.iter().filter(|m| m.overrides_yours).map(|m| m.setting).collect();
    assert_eq!(overrides, [PolicySetting::RecordingAllowed, PolicySetting::SmsSender], "channel agreed: no override");

    // Saving something else keeps the provider's own values under the locks...
    let mut other = clinic.clone();
    other.default_region = "MX".into();
    assert!(!save_clinic_settings(&ctx, other).await.unwrap().record_participants);
    // ...so without the policy they are back.
    let saved = ctx.settings.load().unwrap().unwrap();
    assert!(saved.clinic.record_participants);
    assert_eq!(saved.clinic.sms_from.as_deref(), Some("+15005550006"));
    let StoredSettings { clinic: own, .. } = saved;
    let without = TestContext { policy: PolicyState::Absent, ..ctx };
    assert_eq!(clinic_settings(&without).await.unwrap(), own);
}

#[test]
fn the_readme_example_policy_is_valid_and_locks_what_it_says() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/policy.example.json");
    let policy = PolicyState::read(&path);
    let PolicyState::Active { .. } = &policy else { panic!("{policy:?}") };
    let locked: Vec<_> = PolicySetting::ALL.into_iter().filter(|s| policy.is_locked(*s)).collect();
    assert_eq!(locked.len(), 6, "all but the SMS sender: {locked:?}");
    assert!(!policy.is_locked(PolicySetting::SmsSender));
    assert_eq!(policy.view(None).allowed_invite_methods, [InviteMethod::Sms, InviteMethod::CopyLink]);
}

#[tokio::test]
async fn recording_allowed_leaves_the_choice_to_the_provider() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = set_up(policy_with(dir.path(), r#""recording_allowed": {"value": true, "locked": true}"#)).await;
    assert!(!ctx.policy.is_locked(PolicySetting::RecordingAllowed));
    let mut clinic = clinic_settings(&ctx).await.unwrap();
    clinic.record_participants = true;
    assert!(save_clinic_settings(&ctx, clinic).await.unwrap().record_participants);
}

/// The refusal message of a policy VisitDesk does not trust, or a panic naming what it got.
fn distrust(policy: &PolicyState) -> &str {
    match policy {
        PolicyState::Unreadable { problem, .. } if problem.contains("does not trust this policy") => problem,
        other => panic!("expected an untrusted policy, got {other:?}"),
    }
}

#[cfg(unix)]
#[test]
fn a_policy_any_user_can_change_is_not_trusted() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.json");
    std::fs::write(&path, r#"{"managed_by": "Example Hospital IT"}"#).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
    let refused = PolicyState::load(&path);
    let problem = distrust(&refused);
    assert!(problem.contains("sudo chown root:root"), "{problem}");
    assert!(refused.is_locked(PolicySetting::JoinPageUrl), "an untrusted policy locks everything at safe values");
    assert_eq!(PolicyState::load(&dir.path().join("missing.json")), PolicyState::Absent);
}

/// As root (CI): a real policy under a root-owned folder is trusted; the same file owned by
/// another user, a folder others can write, or a symlink into such a folder is refused.
#[cfg(unix)]
#[test]
fn only_a_policy_only_root_can_change_is_trusted() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    if effective_uid() != 0 {
        eprintln!("skipped: needs root to make root-owned policy files (CI runs as root)");
        return;
    }
    let folder = std::path::PathBuf::from(format!("/run/visitdesk-policy-test-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = folder.join("policy.json");
    std::fs::write(&path, r#"{"managed_by": "Example Hospital IT"}"#).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let result = std::panic::catch_unwind(|| {
        assert!(
            matches!(PolicyState::load(&path), PolicyState::Active { .. }),
            "a root-owned 0644 file in a 0755 folder"
        );

        std::os::unix::fs::chown(&path, Some(65534), None).unwrap();
        assert!(distrust(&PolicyState::load(&path)).contains("is owned by a user other than root"));
        std::os::unix::fs::chown(&path, Some(0), None).unwrap();

        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(distrust(&PolicyState::load(&path)).starts_with(&folder.display().to_string()));
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();

        let elsewhere = tempfile::tempdir().unwrap();
        let planted = elsewhere.path().join("policy.json");
        std::fs::write(&planted, r#"{"managed_by": "Someone"}"#).unwrap();
        let link = folder.join("linked.json");
        symlink(&planted, &link).unwrap();
        let problem = distrust(&PolicyState::load(&link)).to_string();
        assert!(!problem.starts_with(&folder.display().to_string()), "the link's target folder is named: {problem}");
    });
    std::fs::remove_dir_all(&folder).unwrap();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

#[cfg(unix)]
fn effective_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    // The owner of a file this process just made is its effective user.
    let probe = tempfile::NamedTempFile::new().unwrap();
    std::fs::metadata(probe.path()).unwrap().uid()
}
