//! The clinic's configuration: its settings, IT's managed policy over them, the update feed,
//! and the texts it sends.

mod commands;
pub mod policy;
pub mod settings;
pub mod sms_text;
pub mod updates;

pub use commands::{audit_log, clinic_settings, managed_policy, save_clinic_settings, verify_audit_log};
