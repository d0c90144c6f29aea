//! VisitDesk's domain, with no Tauri dependency. The shell implements [`AppContext`] and
//! exposes each public async function as a one-line command.
//!
//! Domains, each a folder, lower ones never importing higher ones (a test checks):
//! `clinic` (settings, policy, updates) < `account` (setup, session, keychain) < `video`
//! (the one video-service seam) < `visits` (visits, invites, the visit's room) < `monitor`.
//! The files at the root are shared by all of them.

pub mod account;
pub mod bindings;
pub mod clinic;
mod context;
pub mod db;
mod error;
pub mod monitor;
pub mod phone;
mod random;
pub mod validate;
pub mod video;
pub mod visits;

pub use context::{AppContext, Change, KEYCHAIN_ACCOUNT_API_KEY_SECRET, VisitsDatabase};
pub use error::{AppError, ErrorCode, FieldError, FormField, Service, ServiceErrorInfo};
