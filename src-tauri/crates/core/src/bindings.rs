//! The TypeScript declarations of every type that crosses the IPC boundary, as one file
//! (`ui/src/generated/bindings.ts`). A test fails when the committed file is stale.

use ts_rs::{Config, TS};

use crate::{
    AppError, ErrorCode, FieldError, SetupField, TwilioErrorInfo,
    settings::{ProviderProfile, TwilioAccount},
    setup::{AppState, ConnectionCheck, SaveOutcome, SetupForm, SetupPrefill},
};

pub fn typescript() -> String {
    let cfg = Config::new();
    let declarations = [
        ErrorCode::decl(&cfg),
        SetupField::decl(&cfg),
        FieldError::decl(&cfg),
        TwilioErrorInfo::decl(&cfg),
        AppError::decl(&cfg),
        ProviderProfile::decl(&cfg),
        TwilioAccount::decl(&cfg),
        SetupForm::decl(&cfg),
        SetupPrefill::decl(&cfg),
        AppState::decl(&cfg),
        ConnectionCheck::decl(&cfg),
        SaveOutcome::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust core by `VISITDESK_UPDATE_BINDINGS=1 cargo test -p visitdesk-core --test bindings`.\n// Do not edit by hand.\n",
    );
    for declaration in declarations {
        out.push('\n');
        out.push_str("export ");
        out.push_str(&declaration);
        out.push('\n');
    }
    out
}
