//! The managed policy: settings IT sets for every user of a computer, each optionally
//! locked. A locked setting always reads as the policy says and cannot be changed; an
//! unlocked one is the starting value on first run. A policy file that cannot be read
//! locks every setting a policy may manage, at safe values, and says why.
//!
//! ```json
//! { "managed_by": "Example Hospital IT, ext. 4357",
//!   "join_page_url": { "value": "https://visit.example.org/join", "locked": true },
//!   "recording_allowed": { "value": false, "locked": true } }
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use visitdesk_store::InviteMethod;

use crate::{
    AppError, ErrorCode,
    clinic::settings::{AdmissionMode, UpdateChannel},
    clinic::settings::{SettingsError, SettingsStore, StoredSettings, VideoService},
    validate,
    validate::feed_url_problem,
};

/// Where IT puts the policy on this operating system.
pub fn system_policy_path() -> PathBuf {
    if cfg!(target_os = "windows") {
        let program_data = std::env::var_os("ProgramData").unwrap_or_else(|| r"C:\ProgramData".into());
        PathBuf::from(program_data).join("VisitDesk").join("policy.json")
    } else if cfg!(target_os = "macos") {
        PathBuf::from("/Library/Application Support/VisitDesk/policy.json")
    } else {
        PathBuf::from("/etc/visitdesk/policy.json")
    }
}

/// Every setting a policy can manage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PolicySetting {
    JoinPageUrl,
    Video,
    RecordingAllowed,
    InviteMethods,
    SmsSender,
    UpdateUrl,
    UpdateChannel,
    Admission,
}

impl PolicySetting {
    pub const ALL: [Self; 8] = [
        Self::JoinPageUrl,
        Self::Video,
        Self::RecordingAllowed,
        Self::InviteMethods,
        Self::SmsSender,
        Self::UpdateUrl,
        Self::UpdateChannel,
        Self::Admission,
    ];

    fn label(self) -> &'static str {
        match self {
            Self::JoinPageUrl => "The join page address",
            Self::Video => "The video service",
            Self::RecordingAllowed => "Recording",
            Self::InviteMethods => "The invite methods",
            Self::SmsSender => "The SMS sender",
            Self::UpdateUrl => "The update server",
            Self::UpdateChannel => "The update channel",
            Self::Admission => "How patients are let in",
        }
    }

    /// The part of the saved settings this setting governs.
    fn project(self, settings: &StoredSettings) -> serde_json::Value {
        let clinic = &settings.clinic;
        match self {
            Self::JoinPageUrl => serde_json::json!(settings.profile.as_ref().map(|p| &p.join_page_url)),
            Self::Video => serde_json::json!(clinic.video),
            Self::RecordingAllowed => serde_json::json!(clinic.record_participants),
            Self::InviteMethods => serde_json::Value::Null,
            Self::SmsSender => serde_json::json!([clinic.messaging_service_sid, clinic.sms_from]),
            Self::UpdateUrl => serde_json::json!([clinic.updates.check, clinic.updates.feed_url]),
            Self::UpdateChannel => serde_json::json!(clinic.updates.channel),
            Self::Admission => serde_json::json!(clinic.admission),
        }
    }

    /// Copies what this setting governs from `from` into `to`.
    fn copy(self, from: &StoredSettings, to: &mut StoredSettings) {
        let (source, target) = (&from.clinic, &mut to.clinic);
        match self {
            Self::JoinPageUrl => {
                if let (Some(source), Some(target)) = (&from.profile, to.profile.as_mut()) {
                    target.join_page_url = source.join_page_url.clone();
                }
            }
            Self::Video => target.video = source.video.clone(),
            Self::RecordingAllowed => target.record_participants = source.record_participants,
            Self::InviteMethods => {}
            Self::SmsSender => {
                target.messaging_service_sid = source.messaging_service_sid.clone();
                target.sms_from = source.sms_from.clone();
            }
            Self::UpdateUrl => {
                target.updates.check = source.updates.check;
                target.updates.feed_url = source.updates.feed_url.clone();
            }
            Self::UpdateChannel => target.updates.channel = source.updates.channel,
            Self::Admission => target.admission = source.admission,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry<T> {
    value: T,
    #[serde(default)]
    locked: bool,
}

/// The policy file, as IT writes it. Unknown names are refused: a misspelt lock must not
/// be ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagedPolicy {
    managed_by: Option<String>,
    join_page_url: Option<Entry<String>>,
    video: Option<Entry<VideoService>>,
    recording_allowed: Option<Entry<bool>>,
    invite_methods: Option<Entry<Vec<InviteMethod>>>,
    /// A Messaging Service SID (`MG…`) or a number in E.164.
    sms_sender: Option<Entry<String>>,
    /// The update feed; `null` turns update checks off.
    update_url: Option<Entry<Option<String>>>,
    update_channel: Option<Entry<UpdateChannel>>,
    /// `"on_join"` or `"explicit"` (the clinician presses Admit).
    admission: Option<Entry<AdmissionMode>>,
}

impl ManagedPolicy {
    /// Reads a policy's text; the error says where and what, in IT's terms.
    pub fn parse(text: &str) -> Result<Self, String> {
        let policy: Self = serde_json::from_str(text)
            .map_err(|error| format!("line {}, column {}: {}", error.line(), error.column(), plain_serde(&error)))?;
        policy.check()?;
        Ok(policy)
    }

    fn check(&self) -> Result<(), String> {
        if let Some(entry) = &self.join_page_url {
            validate::join_page_url(entry.value.trim()).map_err(|problem| format!("join_page_url: {problem}"))?;
        }
        if let Some(Entry { value: VideoService::Janus { api_url, browser_url }, .. }) = &self.video
            && let Some(problem) = validate::janus_api_url(api_url).or_else(|| validate::janus_browser_url(browser_url))
        {
            return Err(format!("video: {}", problem.message));
        }
        if let Some(entry) = &self.invite_methods
            && entry.value.is_empty()
        {
            return Err("invite_methods: list at least one of \"sms\", \"phone_dial_in\", \"copy_link\".".into());
        }
        if let Some(entry) = &self.sms_sender {
            let sender = entry.value.trim();
            let service = validate::is_messaging_service_sid(sender);
            let number = sender
                .strip_prefix('+')
                .is_some_and(|d| (8..=15).contains(&d.len()) && d.chars().all(|c| c.is_ascii_digit()));
            if !service && !number {
                return Err(format!(
                    "sms_sender: “{sender}” is neither a Messaging Service SID (MG and 32 hexadecimal characters) nor a number in international form (+ and 8 to 15 digits)."
                ));
            }
        }
        if let Some(Entry { value: Some(url), .. }) = &self.update_url
            && let Some(problem) = feed_url_problem(url)
        {
            return Err(format!("update_url: {problem}"));
        }
        Ok(())
    }

    fn locked(&self, setting: PolicySetting) -> Option<bool> {
        match setting {
            PolicySetting::JoinPageUrl => self.join_page_url.as_ref().map(|e| e.locked),
            PolicySetting::Video => self.video.as_ref().map(|e| e.locked),
            // Allowed is no constraint: the provider still chooses whether to record.
            PolicySetting::RecordingAllowed => self.recording_allowed.as_ref().map(|e| e.locked && !e.value),
            PolicySetting::InviteMethods => self.invite_methods.as_ref().map(|e| e.locked),
            PolicySetting::SmsSender => self.sms_sender.as_ref().map(|e| e.locked),
            PolicySetting::UpdateUrl => self.update_url.as_ref().map(|e| e.locked),
            PolicySetting::UpdateChannel => self.update_channel.as_ref().map(|e| e.locked),
            PolicySetting::Admission => self.admission.as_ref().map(|e| e.locked),
        }
    }

    /// Writes one setting's policy value into `settings`.
    fn apply(&self, setting: PolicySetting, settings: &mut StoredSettings) {
        let clinic = &mut settings.clinic;
        match setting {
            PolicySetting::JoinPageUrl => {
                if let (Some(entry), Some(profile)) = (&self.join_page_url, settings.profile.as_mut()) {
                    profile.join_page_url = entry.value.trim().to_string();
                }
            }
            PolicySetting::Video => {
                if let Some(entry) = &self.video {
                    clinic.video = entry.value.clone();
                }
            }
            PolicySetting::RecordingAllowed => {
                if self.recording_allowed.as_ref().is_some_and(|e| !e.value) {
                    clinic.record_participants = false;
                }
            }
            PolicySetting::InviteMethods => {}
            PolicySetting::SmsSender => {
                if let Some(entry) = &self.sms_sender {
                    let sender = entry.value.trim().to_string();
                    if sender.starts_with("MG") {
                        (clinic.messaging_service_sid, clinic.sms_from) = (Some(sender), None);
                    } else {
                        (clinic.messaging_service_sid, clinic.sms_from) = (None, Some(sender));
                    }
                }
            }
            PolicySetting::UpdateUrl => {
                if let Some(entry) = &self.update_url {
                    clinic.updates.check = entry.value.is_some();
                    clinic.updates.feed_url = entry.value.as_ref().map(|url| url.trim().to_string());
                }
            }
            PolicySetting::UpdateChannel => {
                if let Some(entry) = &self.update_channel {
                    clinic.updates.channel = entry.value;
                }
            }
            PolicySetting::Admission => {
                if let Some(entry) = &self.admission {
                    clinic.admission = entry.value;
                }
            }
        }
    }
}

/// serde's message without its own " at line L column C" tail (we say where first).
fn plain_serde(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// The policy this computer runs under.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PolicyState {
    /// No policy file: every setting is the provider's.
    #[default]
    Absent,
    Active {
        source: PathBuf,
        policy: ManagedPolicy,
    },
    /// The file is there but unusable: every managed setting is locked at a safe value.
    Unreadable {
        source: PathBuf,
        problem: String,
    },
}

pub static NO_POLICY: PolicyState = PolicyState::Absent;

impl PolicyState {
    /// The policy at `path`, trusted only if only an administrator could have written it (see
    /// [`administrator_only`]); a missing file is no policy.
    pub fn load(path: &Path) -> Self {
        match administrator_only(path) {
            Ok(()) => Self::read(path),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Self::Absent,
            Err(error) => Self::Unreadable { source: path.to_path_buf(), problem: error.to_string() },
        }
    }

    /// Reads and parses the policy at `path`, whoever wrote it (tests, and IT checking a file).
    pub fn read(path: &Path) -> Self {
        let source = path.to_path_buf();
        match std::fs::read_to_string(path) {
            Ok(text) => match ManagedPolicy::parse(&text) {
                Ok(policy) => Self::Active { source, policy },
                Err(problem) => Self::Unreadable { source, problem },
            },
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Self::Absent,
            Err(error) => Self::Unreadable { source, problem: format!("it could not be read: {error}") },
        }
    }

    /// Who manages the settings, for messages: the policy's `managed_by`, or "your IT department".
    pub fn managed_by(&self) -> String {
        match self {
            Self::Active { policy: ManagedPolicy { managed_by: Some(who), .. }, .. } if !who.trim().is_empty() => {
                who.trim().to_string()
            }
            _ => "your IT department".to_string(),
        }
    }

    /// Whether `setting` is locked (every setting is, while the policy file is unreadable).
    pub fn is_locked(&self, setting: PolicySetting) -> bool {
        match self {
            Self::Absent => false,
            Self::Active { policy, .. } => policy.locked(setting) == Some(true),
            Self::Unreadable { .. } => true,
        }
    }

    /// `settings` with every locked value in force.
    pub fn enforce(&self, settings: &mut StoredSettings) {
        match self {
            Self::Absent => {}
            Self::Active { policy, .. } => {
                for setting in PolicySetting::ALL.into_iter().filter(|s| policy.locked(*s) == Some(true)) {
                    policy.apply(setting, settings);
                }
            }
            // Safe values for what a lost lock could have guarded; the rest stays as saved.
            Self::Unreadable { .. } => {
                settings.clinic.record_participants = false;
                settings.clinic.updates.check = false;
                settings.clinic.admission = AdmissionMode::Explicit;
            }
        }
    }

    /// Every policy value, locked or not: the starting settings on a first run.
    pub fn seed(&self, settings: &mut StoredSettings) {
        if let Self::Active { policy, .. } = self {
            // The join page address is the setup form's, which starts with the policy's.
            let seeded = PolicySetting::ALL.into_iter().filter(|s| *s != PolicySetting::JoinPageUrl);
            for setting in seeded.filter(|s| policy.locked(*s).is_some()) {
                policy.apply(setting, settings);
            }
        }
        self.enforce(settings);
    }

    /// The join page address a first-run setup form starts with.
    pub fn join_page_url(&self) -> Option<&str> {
        match self {
            Self::Active { policy: ManagedPolicy { join_page_url: Some(entry), .. }, .. } => Some(entry.value.trim()),
            _ => None,
        }
    }

    /// Refuses a change from `before` to `after` that touches a locked setting.
    pub fn refuse_locked_changes(&self, before: &StoredSettings, after: &StoredSettings) -> Result<(), AppError> {
        let mut required = after.clone();
        match self {
            Self::Absent => return Ok(()),
            Self::Active { .. } => self.enforce(&mut required),
            Self::Unreadable { .. } => required = before.clone(),
        }
        // Never set before (the join page before the first setup): nothing to keep.
        let unset = |s: PolicySetting| matches!(self, Self::Unreadable { .. }) && s.project(before).is_null();
        let changed: Vec<&str> = PolicySetting::ALL
            .into_iter()
            .filter(|s| self.is_locked(*s) && !unset(*s) && s.project(after) != s.project(&required))
            .map(PolicySetting::label)
            .collect();
        if changed.is_empty() {
            return Ok(());
        }
        Err(AppError::new(
            ErrorCode::SettingLocked,
            format!(
                "{} {} managed by {} and cannot be changed here. Nothing was saved.",
                changed.join(", "),
                if changed.len() == 1 { "is" } else { "are" },
                self.managed_by()
            ),
        ))
    }

    /// Refuses an invite method the policy does not allow.
    pub fn allow_invite(&self, method: InviteMethod) -> Result<(), AppError> {
        if self.allowed_invite_methods().contains(&method) {
            return Ok(());
        }
        let how = match method {
            InviteMethod::Sms => "Sending text messages",
            InviteMethod::PhoneDialIn => "Inviting by phone call",
            InviteMethod::CopyLink => "Copying invite links",
        };
        Err(AppError::new(
            ErrorCode::InviteMethodNotAllowed,
            format!("{how} is turned off by {}. Nothing was sent; use another way to reach them.", self.managed_by()),
        ))
    }

    pub fn allowed_invite_methods(&self) -> Vec<InviteMethod> {
        match self {
            Self::Active { policy: ManagedPolicy { invite_methods: Some(entry), .. }, .. } if entry.locked => {
                entry.value.clone()
            }
            // A lost policy may have forbidden texts and calls; links send nothing anywhere.
            Self::Unreadable { .. } => vec![InviteMethod::CopyLink],
            _ => InviteMethod::ALL.to_vec(),
        }
    }

    /// What the UI shows: who manages what, which of the provider's own choices the policy
    /// overrides, and any problem with the file. `saved` is the settings as saved, before
    /// the policy.
    pub fn view(&self, saved: Option<&StoredSettings>) -> PolicyView {
        let (source, problem) = match self {
            Self::Absent => (None, None),
            Self::Active { source, .. } => (Some(source.display().to_string()), None),
            Self::Unreadable { source, problem } => (
                Some(source.display().to_string()),
                Some(format!(
                    "VisitDesk could not use the IT policy at {}: {problem}. Until it is fixed, every setting IT may manage is locked: recording and update checks are off and invites are by copied link only.",
                    source.display()
                )),
            ),
        };
        let managed = PolicySetting::ALL
            .into_iter()
            .filter(|s| {
                matches!(self, Self::Unreadable { .. })
                    || matches!(self, Self::Active { policy, .. } if policy.locked(*s).is_some())
            })
            .map(|setting| {
                let locked = self.is_locked(setting);
                let overrides_yours = locked
                    && saved.is_some_and(|saved| {
                        let mut enforced = saved.clone();
                        self.enforce(&mut enforced);
                        setting.project(saved) != setting.project(&enforced)
                    });
                ManagedSetting { setting, locked, overrides_yours }
            })
            .collect();
        PolicyView {
            source,
            managed_by: (!matches!(self, Self::Absent)).then(|| self.managed_by()),
            problem,
            settings: managed,
            allowed_invite_methods: self.allowed_invite_methods(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ManagedSetting {
    pub setting: PolicySetting,
    /// Locked: shown read-only. Unlocked: IT's starting value, the provider's to change.
    pub locked: bool,
    /// The policy replaces a value the provider had saved.
    pub overrides_yours: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PolicyView {
    /// The policy file, when there is one.
    pub source: Option<String>,
    pub managed_by: Option<String>,
    /// Why the policy file could not be used.
    pub problem: Option<String>,
    pub settings: Vec<ManagedSetting>,
    pub allowed_invite_methods: Vec<InviteMethod>,
}

/// The settings store as the core sees it: reads come back with the policy in force; saves
/// keep the provider's own values under a lock (so they return if the lock is lifted), and
/// the first save starts from the policy's values.
pub struct PolicySettings<'a> {
    pub(crate) saved: &'a dyn SettingsStore,
    pub(crate) policy: &'a PolicyState,
}

impl PolicySettings<'_> {
    pub fn load(&self) -> Result<Option<StoredSettings>, SettingsError> {
        Ok(self.saved.load()?.map(|mut settings| {
            self.policy.enforce(&mut settings);
            settings
        }))
    }

    /// The saved settings, or on first run the defaults with the policy's values.
    pub fn load_or_default(&self) -> Result<StoredSettings, SettingsError> {
        Ok(self.load()?.unwrap_or_else(|| {
            let mut settings = StoredSettings::default();
            self.policy.seed(&mut settings);
            settings
        }))
    }

    pub fn save(&self, settings: &StoredSettings) -> Result<(), SettingsError> {
        let mut settings = settings.clone();
        match self.saved.load()? {
            None => self.policy.seed(&mut settings),
            Some(own) => {
                for setting in PolicySetting::ALL.into_iter().filter(|s| self.policy.is_locked(*s)) {
                    setting.copy(&own, &mut settings);
                }
            }
        }
        self.saved.save(&settings)
    }
}

/// Whether only an administrator could have written the policy at `path`, the way sshd's
/// StrictModes judges `authorized_keys`: the file, wherever a symlink leads, and every folder
/// above it and above the link, are owned by root and writable by no one else (a group-writable
/// one only by the root group). Otherwise any user could lock or unlock the clinic's settings.
#[cfg(unix)]
pub fn administrator_only(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let real = std::fs::canonicalize(path)?;
    let mut checked: Vec<&Path> = real.ancestors().collect();
    checked.extend(path.parent().into_iter().flat_map(Path::ancestors).filter(|p| !p.as_os_str().is_empty()));
    for place in checked {
        let metadata = std::fs::metadata(place)?;
        let others_write = metadata.mode() & 0o002 != 0;
        let group_write = metadata.mode() & 0o020 != 0 && metadata.gid() != 0;
        if metadata.uid() != 0 || others_write || group_write {
            let how = if metadata.uid() != 0 {
                "is owned by a user other than root"
            } else {
                "can be changed by users other than root"
            };
            return Err(std::io::Error::other(format!(
                "{} {how}, so VisitDesk does not trust this policy (it would let any user change what IT locked). \
                 An administrator can fix it: sudo chown root:root {} && sudo chmod go-w {}",
                place.display(),
                place.display(),
                place.display()
            )));
        }
    }
    Ok(())
}

/// Where no Unix ownership exists, the folder's own access control (ProgramData) is relied on.
#[cfg(not(unix))]
pub fn administrator_only(path: &Path) -> std::io::Result<()> {
    std::fs::metadata(path).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_say_where_and_what() {
        let missing_comma = ManagedPolicy::parse("{\n \"managed_by\": \"IT\"\n \"video\": 1 }").unwrap_err();
        assert!(missing_comma.starts_with("line 3, column 2: expected `,` or `}`"), "{missing_comma}");
        let misspelt = ManagedPolicy::parse(r#"{"recording_alowed": {"value": false, "locked": true}}"#).unwrap_err();
        assert!(misspelt.contains("unknown field `recording_alowed`"), "{misspelt}");
        let wrong_type = ManagedPolicy::parse(r#"{"recording_allowed": {"value": "no"}}"#).unwrap_err();
        assert!(wrong_type.contains("expected a boolean"), "{wrong_type}");
        let bad_url = ManagedPolicy::parse(r#"{"join_page_url": {"value": "http://visit.example.org/join"}}"#);
        assert!(bad_url.unwrap_err().starts_with("join_page_url: The join page must start with https://"));
        let bad_sender = ManagedPolicy::parse(r#"{"sms_sender": {"value": "555-0100"}}"#).unwrap_err();
        assert!(bad_sender.starts_with("sms_sender: “555-0100” is neither"), "{bad_sender}");
        let no_methods = ManagedPolicy::parse(r#"{"invite_methods": {"value": []}}"#).unwrap_err();
        assert!(no_methods.starts_with("invite_methods: list at least one"), "{no_methods}");
        let plain_feed = ManagedPolicy::parse(r#"{"update_url": {"value": "http://it.example.org/v"}}"#).unwrap_err();
        assert!(plain_feed.starts_with("update_url: The update address must start with https://"), "{plain_feed}");
        assert_eq!(ManagedPolicy::parse("{}").unwrap(), ManagedPolicy::default());
    }
}
