//! First-run setup, credentials and sign-out: the functions behind the shell's commands.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tracing::{info, warn};
use ts_rs::TS;
use visitdesk_secrets::Sensitive;
use visitdesk_twilio::{ApiKeyAuth, RetryPolicy, TwilioClient};

use crate::account::keychain::with_secrets;
use crate::{
    AppContext, AppError, ErrorCode, FieldError, FormField, KEYCHAIN_ACCOUNT_API_KEY_SECRET,
    clinic::policy::PolicyState,
    clinic::settings::{ProviderProfile, StoredSettings, TwilioAccount},
    validate,
};
use crate::{Change, context::changing};

const CONNECTION_TEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The setup form as the webview sends it. The secret arrives once and is never sent back.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct SetupForm {
    pub account_sid: String,
    pub api_key_sid: String,
    #[ts(type = "string")]
    pub api_key_secret: Sensitive<String>,
    pub display_name: String,
    pub identity: String,
    pub join_page_url: String,
}

/// What the setup form starts with: everything but the secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct SetupPrefill {
    pub account_sid: String,
    pub api_key_sid: String,
    pub display_name: String,
    pub identity: String,
    pub join_page_url: String,
    /// IT put an API Key Secret in this user's keychain (`visitdesk keychain import`): the
    /// form may leave the secret blank to use it.
    pub api_key_secret_in_keychain: bool,
}

/// Which screen the app opens on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppState {
    /// First run, after sign-out, or when the keychain lost the secret (`notice` says so).
    NeedsSetup {
        prefill: SetupPrefill,
        notice: Option<String>,
    },
    Ready {
        profile: ProviderProfile,
        account: TwilioAccount,
    },
    /// The keychain cannot be used; nothing falls back to a file.
    KeychainProblem {
        error: AppError,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ConnectionCheck {
    /// Rooms Twilio listed (one is asked for): proof the credentials can read the account.
    pub rooms_listed: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SaveOutcome {
    pub state: AppState,
    /// Set when the credentials were saved without Twilio confirming them (offline).
    pub warning: Option<AppError>,
}

/// The setup form, checked: the provider's profile and the account's public half.
pub struct ValidSetup {
    pub profile: ProviderProfile,
    pub account: TwilioAccount,
}

pub fn validate_setup(form: &SetupForm) -> Result<ValidSetup, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut check = |field, result: Result<(), String>| {
        if let Err(message) = result {
            errors.push(FieldError { field, message });
        }
    };
    check(FormField::AccountSid, validate::sid(form.account_sid.trim(), "AC", "Account SID", "SK", "an API Key SID"));
    check(FormField::ApiKeySid, validate::sid(form.api_key_sid.trim(), "SK", "API Key SID", "AC", "your Account SID"));
    check(FormField::ApiKeySecret, validate::api_key_secret(form.api_key_secret.expose()));
    check(FormField::DisplayName, validate::display_name(form.display_name.trim()));
    check(FormField::Identity, validate::identity(form.identity.trim()));
    check(FormField::JoinPageUrl, validate::join_page_url(form.join_page_url.trim()));
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ValidSetup {
        profile: ProviderProfile {
            display_name: form.display_name.trim().to_string(),
            identity: form.identity.trim().to_string(),
            join_page_url: form.join_page_url.trim().to_string(),
        },
        account: TwilioAccount {
            account_sid: form.account_sid.trim().to_string(),
            api_key_sid: form.api_key_sid.trim().to_string(),
        },
    })
}

fn load_settings(ctx: &impl AppContext) -> Result<StoredSettings, AppError> {
    ctx.settings().load_or_default().map_err(AppError::settings)
}

fn prefill_from(settings: &StoredSettings, policy: &PolicyState, secret_in_keychain: bool) -> SetupPrefill {
    let (account_sid, api_key_sid) =
        settings.twilio.as_ref().map(|t| (t.account_sid.clone(), t.api_key_sid.clone())).unwrap_or_default();
    let profile = settings.profile.clone();
    SetupPrefill {
        account_sid,
        api_key_sid,
        display_name: profile.as_ref().map(|p| p.display_name.clone()).unwrap_or_default(),
        identity: profile.as_ref().map(|p| p.identity.clone()).unwrap_or_default(),
        join_page_url: profile
            .map(|p| p.join_page_url)
            .or_else(|| policy.join_page_url().map(String::from))
            .unwrap_or_default(),
        api_key_secret_in_keychain: secret_in_keychain,
    }
}

/// Decides the opening screen from the settings and the keychain.
pub async fn app_state(ctx: &impl AppContext) -> AppState {
    let settings = match ctx.settings().load() {
        Ok(settings) => settings.unwrap_or_default(),
        Err(error) => {
            warn!(%error, "settings unreadable; opening setup");
            return AppState::NeedsSetup {
                prefill: SetupPrefill::default(),
                notice: Some(format!(
                    "VisitDesk could not read its saved settings ({error}); please enter them again."
                )),
            };
        }
    };
    let secret = match with_secrets(ctx, |s| s.read(KEYCHAIN_ACCOUNT_API_KEY_SECRET)).await {
        Ok(secret) => secret,
        Err(error) => return AppState::KeychainProblem { error },
    };
    let secret_in_keychain = secret.is_some();
    match (settings.profile.clone(), settings.twilio.clone(), secret) {
        (Some(profile), Some(account), Some(_)) => AppState::Ready { profile, account },
        (_, Some(_), None) => AppState::NeedsSetup {
            prefill: prefill_from(&settings, ctx.policy(), false),
            notice: Some(
                "The API Key Secret is no longer in this computer's keychain. Enter it again to continue.".into(),
            ),
        },
        _ => AppState::NeedsSetup { prefill: prefill_from(&settings, ctx.policy(), secret_in_keychain), notice: None },
    }
}

/// Field-level messages for the form; empty when every field is valid.
pub fn check_setup_form(form: &SetupForm) -> Vec<crate::FieldError> {
    validate_setup(form).err().unwrap_or_default()
}

fn client_for(
    ctx: &impl AppContext,
    account: &TwilioAccount,
    secret: &Sensitive<String>,
) -> Result<TwilioClient, AppError> {
    TwilioClient::builder(ApiKeyAuth {
        account_sid: account.account_sid.clone(),
        api_key_sid: account.api_key_sid.clone(),
        api_key_secret: secret.clone(),
    })
    .base_urls(ctx.twilio_base_urls())
    .timeout(CONNECTION_TEST_TIMEOUT)
    // One attempt: the provider is waiting on the form for a yes or no.
    .retry_policy(RetryPolicy::no_retries())
    .build()
    .map_err(AppError::from)
}

async fn verify_with_twilio(
    ctx: &impl AppContext,
    account: &TwilioAccount,
    secret: &Sensitive<String>,
) -> Result<ConnectionCheck, AppError> {
    let page = client_for(ctx, account, secret)?.rooms().list().page_size(1).send().await?;
    Ok(ConnectionCheck { rooms_listed: page.rooms.len() as u32 })
}

/// A form whose secret was left blank takes the one IT put in the keychain, if any.
async fn with_provisioned_secret(ctx: &impl AppContext, mut form: SetupForm) -> Result<SetupForm, AppError> {
    if form.api_key_secret.expose().is_empty()
        && let Some(secret) = with_secrets(ctx, |s| s.read(KEYCHAIN_ACCOUNT_API_KEY_SECRET)).await?
    {
        form.api_key_secret = secret;
    }
    Ok(form)
}

/// One cheap authenticated GET (list rooms, one per page) with the form's credentials.
pub async fn test_connection(ctx: &impl AppContext, form: SetupForm) -> Result<ConnectionCheck, AppError> {
    let form = with_provisioned_secret(ctx, form).await?;
    let valid = validate_setup(&form).map_err(AppError::invalid)?;
    let result = verify_with_twilio(ctx, &valid.account, &form.api_key_secret).await;
    match &result {
        Ok(_) => info!(api_key_sid = %valid.account.api_key_sid, "Twilio accepted the credentials"),
        Err(error) => info!(code = ?error.code, "connection test failed"),
    }
    result
}

/// The same check with the saved credentials (Settings → Test connection).
pub async fn test_saved_connection(ctx: &impl AppContext) -> Result<ConnectionCheck, AppError> {
    let settings = load_settings(ctx)?;
    let not_configured =
        || AppError::new(ErrorCode::NotConfigured, "No Twilio credentials are saved yet. Complete the setup first.");
    let account = settings.twilio.ok_or_else(not_configured)?;
    let secret =
        with_secrets(ctx, |store| store.read(KEYCHAIN_ACCOUNT_API_KEY_SECRET)).await?.ok_or_else(not_configured)?;
    verify_with_twilio(ctx, &account, &secret).await
}

/// Checks the credentials with Twilio, then stores the secret in the keychain and the rest
/// in settings. Rejected credentials are not saved; unreachable Twilio saves with a warning.
pub async fn save_setup(ctx: &impl AppContext, form: SetupForm) -> Result<SaveOutcome, AppError> {
    changing(ctx, Change::Credentials, save_setup_now(ctx, form)).await
}

async fn save_setup_now(ctx: &impl AppContext, form: SetupForm) -> Result<SaveOutcome, AppError> {
    let form = with_provisioned_secret(ctx, form).await?;
    let ValidSetup { profile, account } = validate_setup(&form).map_err(AppError::invalid)?;
    let warning = match verify_with_twilio(ctx, &account, &form.api_key_secret).await {
        Ok(_) => None,
        Err(error) if error.code == ErrorCode::ServiceCredentialsRejected => return Err(error),
        Err(error) => Some(AppError {
            message: format!(
                "Saved without checking: {} Use “Test connection” in Settings once you are back online.",
                error.message
            ),
            ..error
        }),
    };
    store_credentials(ctx, &profile, &account, form.api_key_secret).await?;
    info!(api_key_sid = %account.api_key_sid, verified = warning.is_none(), "setup saved");
    Ok(SaveOutcome { state: AppState::Ready { profile, account }, warning })
}

/// Keychain first, then settings; if settings cannot be written, the keychain gets its
/// previous value back so the two never disagree.
async fn store_credentials(
    ctx: &impl AppContext,
    profile: &ProviderProfile,
    account: &TwilioAccount,
    secret: Sensitive<String>,
) -> Result<(), AppError> {
    let mut settings = load_settings(ctx)?;
    let mut changed = settings.clone();
    changed.profile = Some(profile.clone());
    ctx.policy().refuse_locked_changes(&settings, &changed)?;
    let previous = with_secrets(ctx, move |store| {
        let previous = store.read(KEYCHAIN_ACCOUNT_API_KEY_SECRET)?;
        store.write(KEYCHAIN_ACCOUNT_API_KEY_SECRET, &secret)?;
        Ok(previous)
    })
    .await?;
    settings.profile = Some(profile.clone());
    settings.twilio = Some(account.clone());
    if let Err(error) = ctx.settings().save(&settings) {
        let restored = with_secrets(ctx, move |store| match previous {
            Some(previous) => store.write(KEYCHAIN_ACCOUNT_API_KEY_SECRET, &previous),
            None => store.delete(KEYCHAIN_ACCOUNT_API_KEY_SECRET),
        })
        .await;
        if let Err(restore_error) = restored {
            warn!(code = ?restore_error.code, "could not restore the keychain after a failed settings write");
        }
        return Err(AppError::settings(error));
    }
    Ok(())
}

/// Removes the API Key Secret from the keychain and forgets the account; the profile stays
/// so the setup form opens prefilled.
pub async fn sign_out(ctx: &impl AppContext) -> Result<AppState, AppError> {
    changing(ctx, Change::Credentials, sign_out_now(ctx)).await
}

async fn sign_out_now(ctx: &impl AppContext) -> Result<AppState, AppError> {
    with_secrets(ctx, |store| store.delete(KEYCHAIN_ACCOUNT_API_KEY_SECRET)).await?;
    let mut settings = load_settings(ctx)?;
    settings.twilio = None;
    ctx.settings().save(&settings).map_err(AppError::settings)?;
    info!("signed out; the API Key Secret was removed from the keychain");
    Ok(AppState::NeedsSetup { prefill: prefill_from(&settings, ctx.policy(), false), notice: None })
}
