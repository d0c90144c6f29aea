//! VisitDesk's domain, with no Tauri dependency. The shell implements [`AppContext`]
//! and exposes each function of [`setup`] as a one-line command.

pub mod bindings;
mod context;
mod error;
pub mod settings;
pub mod setup;
pub mod validate;

pub use context::{AppContext, KEYCHAIN_ACCOUNT_API_KEY_SECRET};
pub use error::{AppError, ErrorCode, FieldError, SetupField, TwilioErrorInfo};
