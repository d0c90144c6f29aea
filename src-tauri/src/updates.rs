//! Signed updates through tauri-plugin-updater: the feed comes from the settings (and IT's
//! policy); the plugin refuses a file whose signature does not match the public key built
//! into the app, before anything is installed.

use std::{sync::Mutex, time::Duration};

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_updater::{Error as UpdaterError, Update, UpdaterExt};
use visitdesk_core::{
    AppContext, AppError, ErrorCode,
    clinic::updates::{UpdateCheck, UpdateFailure, UpdateInstalled, UpdateSource, update_source, updates_off},
};

const CHECK_TIMEOUT: Duration = Duration::from_secs(30);

/// The update a check found, kept for "Install".
#[derive(Default)]
pub struct PendingUpdate(Mutex<Option<Update>>);

fn current_version<R: Runtime>(app: &AppHandle<R>) -> String {
    app.package_info().version.to_string()
}

/// Asks the feed whether a newer VisitDesk exists.
pub async fn check<R: Runtime>(app: &AppHandle<R>, ctx: &impl AppContext) -> Result<UpdateCheck, AppError> {
    let current_version = current_version(app);
    let url = match update_source(ctx)? {
        UpdateSource::Off { managed } => return Ok(UpdateCheck::Off { current_version, managed }),
        UpdateSource::ReleaseFile(url) => url,
    };
    let updater = app
        .updater_builder()
        .endpoints(vec![url])
        .and_then(|builder| builder.timeout(CHECK_TIMEOUT).build())
        .map_err(|error| classify(error, Stage::Check).into_error(None))?;
    let found = updater.check().await.map_err(|error| classify(error, Stage::Check).into_error(None))?;
    let pending = app.state::<PendingUpdate>();
    let mut slot = pending.0.lock().expect("pending update lock");
    Ok(match found {
        None => {
            *slot = None;
            UpdateCheck::UpToDate { current_version }
        }
        Some(update) => {
            let check = UpdateCheck::Available {
                current_version,
                version: update.version.clone(),
                notes: update.body.clone(),
                published: update.date.map(|date| date.to_string()),
            };
            *slot = Some(update);
            check
        }
    })
}

/// The update the last check found, if any.
pub fn pending_update<R: Runtime>(app: &AppHandle<R>) -> Option<Update> {
    app.state::<PendingUpdate>().0.lock().expect("pending update lock").clone()
}

/// Downloads the update the last check found and verifies its signature; nothing is
/// written anywhere if it does not match.
pub async fn download_verified(update: &Update) -> Result<Vec<u8>, AppError> {
    update
        .download(|_, _| {}, || {})
        .await
        .map_err(|error| classify(error, Stage::Download).into_error(Some(&update.version)))
}

/// Downloads, verifies and installs the update the last check found. It takes effect when
/// VisitDesk restarts (on Windows the installer closes the app itself).
pub async fn install<R: Runtime>(app: &AppHandle<R>, ctx: &impl AppContext) -> Result<UpdateInstalled, AppError> {
    if let UpdateSource::Off { managed } = update_source(ctx)? {
        return Err(updates_off(managed.then(|| ctx.policy().managed_by()).as_deref()));
    }
    let Some(update) = pending_update(app) else {
        return Err(AppError::new(
            ErrorCode::NotFound,
            "Check for updates first; no update is waiting to be installed.",
        ));
    };
    let bytes = download_verified(&update).await?;
    let version = update.version.clone();
    tauri::async_runtime::spawn_blocking(move || update.install(bytes))
        .await
        .map_err(|join| AppError::new(ErrorCode::Internal, format!("The installer stopped: {join}")))?
        .map_err(|error| classify(error, Stage::Install).into_error(Some(&version)))?;
    tracing::info!(%version, "update verified and installed");
    Ok(UpdateInstalled { version })
}

#[derive(Clone, Copy)]
enum Stage {
    Check,
    Download,
    Install,
}

/// The updater's error as the provider needs to hear it.
fn classify(error: UpdaterError, stage: Stage) -> UpdateFailure {
    let detail = error.to_string();
    match error {
        UpdaterError::Minisign(_) | UpdaterError::Base64(_) | UpdaterError::SignatureUtf8(_) => {
            UpdateFailure::SignatureInvalid(detail)
        }
        UpdaterError::Reqwest(ref e) if e.is_decode() => UpdateFailure::FeedInvalid(detail),
        UpdaterError::Reqwest(_) | UpdaterError::Network(_) => UpdateFailure::Unreachable(detail),
        UpdaterError::ReleaseNotFound => {
            UpdateFailure::FeedInvalid("there is no release file at the update address".into())
        }
        UpdaterError::Serialization(_)
        | UpdaterError::Semver(_)
        | UpdaterError::UrlParse(_)
        | UpdaterError::TargetNotFound(_)
        | UpdaterError::TargetsNotFound(_)
        | UpdaterError::EmptyEndpoints => UpdateFailure::FeedInvalid(detail),
        _ => match stage {
            Stage::Check | Stage::Download => UpdateFailure::FeedInvalid(detail),
            Stage::Install => UpdateFailure::InstallFailed(detail),
        },
    }
}
