//! VisitDesk's domain, with no Tauri dependency. The shell implements [`AppContext`]
//! and exposes each public async function as a one-line command.

pub mod bindings;
pub mod clinic;
mod context;
pub mod db;
mod error;
pub mod invites;
pub mod monitor;
pub mod phone;
pub mod policy;
pub mod provisioning;
pub mod rooms;
mod session;
pub mod settings;
pub mod setup;
pub mod sms_text;
mod tokens;
pub mod updates;
pub mod validate;
pub mod video;
pub mod visits;

pub use context::{AppContext, KEYCHAIN_ACCOUNT_API_KEY_SECRET};
pub use error::{AppError, ErrorCode, FieldError, FormField, TwilioErrorInfo};
