//! The saved credentials and settings one action works with.

use visitdesk_secrets::Sensitive;
use visitdesk_twilio::{ApiKeyAuth, TwilioClient};

use crate::{
    AppContext, AppError, ErrorCode, KEYCHAIN_ACCOUNT_API_KEY_SECRET,
    account::keychain::with_secrets,
    clinic::settings::{ClinicSettings, ProviderProfile, StoredSettings, TwilioAccount},
};

fn not_configured() -> AppError {
    AppError::new(ErrorCode::NotConfigured, "No Twilio credentials are saved yet. Complete the setup first.")
}

/// Settings plus the provider's profile; enough for actions that do not call Twilio.
pub(crate) struct Workspace {
    pub settings: StoredSettings,
    pub profile: ProviderProfile,
}

impl Workspace {
    pub fn load(ctx: &impl AppContext) -> Result<Self, AppError> {
        let settings = ctx.settings().load_or_default().map_err(AppError::settings)?;
        let profile = settings.profile.clone().ok_or_else(not_configured)?;
        Ok(Self { settings, profile })
    }

    pub fn clinic(&self) -> &ClinicSettings {
        &self.settings.clinic
    }

    /// Who the audit log names.
    pub fn actor(&self) -> String {
        self.profile.identity.clone()
    }
}

/// A workspace with the Twilio credentials, for actions that call Twilio or mint tokens.
pub(crate) struct Session {
    pub workspace: Workspace,
    pub account: TwilioAccount,
    pub secret: Sensitive<String>,
}

impl Session {
    pub async fn load(ctx: &impl AppContext) -> Result<Self, AppError> {
        let workspace = Workspace::load(ctx)?;
        let account = workspace.settings.twilio.clone().ok_or_else(not_configured)?;
        let secret =
            with_secrets(ctx, |store| store.read(KEYCHAIN_ACCOUNT_API_KEY_SECRET)).await?.ok_or_else(not_configured)?;
        Ok(Self { workspace, account, secret })
    }

    pub fn client(&self, ctx: &impl AppContext) -> Result<TwilioClient, AppError> {
        TwilioClient::builder(ApiKeyAuth {
            account_sid: self.account.account_sid.clone(),
            api_key_sid: self.account.api_key_sid.clone(),
            api_key_secret: self.secret.clone(),
        })
        .base_urls(ctx.twilio_base_urls())
        .timeout(ctx.request_timeout())
        .build()
        .map_err(AppError::from)
    }
}
