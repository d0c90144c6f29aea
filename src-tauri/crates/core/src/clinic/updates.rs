//! Where VisitDesk looks for updates, and what the provider is told about them. The shell
//! checks, downloads and verifies through tauri-plugin-updater, which refuses any file whose
//! signature does not match the public key built into the app.

use serde::Serialize;
use ts_rs::TS;
use url::Url;

pub use crate::clinic::settings::{UpdateChannel, UpdateSettings, VISITDESK_FEED};
use crate::{AppContext, AppError, ErrorCode, clinic::policy::PolicySetting, validate::feed_url_problem};

/// The address of the feed's release file, `{feed}/{channel}/latest.json`; `Ok(None)` when
/// update checks are off.
pub fn release_file_url(settings: &UpdateSettings) -> Result<Option<Url>, AppError> {
    if !settings.check {
        return Ok(None);
    }
    let feed = settings.feed_url.as_deref().unwrap_or(VISITDESK_FEED);
    if let Some(problem) = feed_url_problem(feed) {
        return Err(AppError::new(ErrorCode::UpdateFeedInvalid, problem));
    }
    let base = format!("{}/", feed.trim().trim_end_matches('/'));
    Url::parse(&base)
        .and_then(|base| base.join(&format!("{}/latest.json", settings.channel.as_str())))
        .map(Some)
        .map_err(|error| {
            AppError::new(ErrorCode::UpdateFeedInvalid, format!("The update address is not usable: {error}."))
        })
}

/// Where this computer's updates come from now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateSource {
    /// Checks are off; `managed` when IT's policy turned them off.
    Off {
        managed: bool,
    },
    ReleaseFile(Url),
}

/// Reads the settings (with the policy in force) and says where to look for updates.
pub fn update_source(ctx: &impl AppContext) -> Result<UpdateSource, AppError> {
    let settings = ctx.settings().load_or_default().map_err(AppError::settings)?;
    Ok(match release_file_url(&settings.clinic.updates)? {
        Some(url) => UpdateSource::ReleaseFile(url),
        None => UpdateSource::Off { managed: ctx.policy().is_locked(PolicySetting::UpdateUrl) },
    })
}

/// What a check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum UpdateCheck {
    /// Checks are off here; `managed` when IT's policy turned them off.
    Off {
        current_version: String,
        managed: bool,
    },
    UpToDate {
        current_version: String,
    },
    Available {
        current_version: String,
        version: String,
        notes: Option<String>,
        published: Option<String>,
    },
}

/// An update that was verified and installed; it takes effect when VisitDesk restarts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct UpdateInstalled {
    pub version: String,
}

/// Why an update went wrong, as the shell classifies the updater's errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateFailure {
    /// The feed or the file could not be fetched.
    Unreachable(String),
    /// The feed answered with something that is not a release file for this computer.
    FeedInvalid(String),
    /// The file's signature does not match VisitDesk's publisher key (or is not a signature).
    SignatureInvalid(String),
    InstallFailed(String),
}

impl UpdateFailure {
    /// The message for the provider; nothing was installed unless it says so.
    pub fn into_error(self, version: Option<&str>) -> AppError {
        let update = version.map_or_else(|| "The update".to_string(), |v| format!("The update to VisitDesk {v}"));
        match self {
            Self::Unreachable(detail) => AppError::new(
                ErrorCode::UpdateUnreachable,
                format!(
                    "VisitDesk could not reach its update server ({detail}). Nothing was changed; try again later."
                ),
            ),
            Self::FeedInvalid(detail) => AppError::new(
                ErrorCode::UpdateFeedInvalid,
                format!("The update server's answer is not a VisitDesk release ({detail}). Nothing was changed."),
            ),
            Self::SignatureInvalid(detail) => AppError::new(
                ErrorCode::UpdateSignatureInvalid,
                format!(
                    "{update} was refused: its signature does not match VisitDesk's publisher key, so the file was altered or signed by someone else ({detail}). Nothing was installed and this version keeps working. Please tell your IT department."
                ),
            ),
            Self::InstallFailed(detail) => AppError::new(
                ErrorCode::UpdateInstallFailed,
                format!("{update} was verified but could not be installed ({detail}). This version keeps working."),
            ),
        }
    }
}

/// Checks are off: the message when the provider asks anyway.
pub fn updates_off(managed_by: Option<&str>) -> AppError {
    let message = match managed_by {
        Some(who) => format!("Update checks are turned off by {who}. Updates reach this computer through them."),
        None => "Update checks are turned off in Settings → Clinic.".to_string(),
    };
    AppError::new(ErrorCode::UpdatesOff, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(feed: Option<&str>, channel: UpdateChannel) -> UpdateSettings {
        UpdateSettings { check: true, feed_url: feed.map(Into::into), channel }
    }

    #[test]
    fn the_release_file_is_under_the_feed_and_channel() {
        let own = release_file_url(&settings(None, UpdateChannel::Stable)).unwrap().unwrap();
        assert_eq!(own.as_str(), "https://updates.visitdesk.org/console/stable/latest.json");
        let hospital = release_file_url(&settings(Some("https://it.example.org/apps/visitdesk/"), UpdateChannel::Beta));
        assert_eq!(hospital.unwrap().unwrap().as_str(), "https://it.example.org/apps/visitdesk/beta/latest.json");
        let off = UpdateSettings { check: false, ..settings(None, UpdateChannel::Stable) };
        assert_eq!(release_file_url(&off).unwrap(), None);
    }

    #[test]
    fn feeds_must_be_https_without_query() {
        assert!(feed_url_problem("https://it.example.org/visitdesk").is_none());
        let plain = feed_url_problem("http://it.example.org/visitdesk").unwrap();
        assert!(plain.contains("must start with https://") && plain.contains("http://"), "{plain}");
        assert!(feed_url_problem("it.example.org").unwrap().contains("not a web address"));
        assert!(feed_url_problem("https://it.example.org/v?x=1").unwrap().contains("Remove the part"));
        let error = release_file_url(&settings(Some("ftp://x.org"), UpdateChannel::Stable)).unwrap_err();
        assert_eq!(error.code, ErrorCode::UpdateFeedInvalid);
    }

    #[test]
    fn a_refused_signature_says_nothing_was_installed() {
        let error = UpdateFailure::SignatureInvalid("Invalid signature".into()).into_error(Some("0.2.0"));
        assert_eq!(error.code, ErrorCode::UpdateSignatureInvalid);
        assert!(error.message.starts_with("The update to VisitDesk 0.2.0 was refused"), "{}", error.message);
        assert!(error.message.contains("Nothing was installed"), "{}", error.message);
        assert_eq!(updates_off(Some("Example Hospital IT")).code, ErrorCode::UpdatesOff);
    }
}
