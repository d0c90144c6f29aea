//! A typed client for the Twilio REST APIs VisitDesk uses, in the octocrab style: one
//! handler per resource, a builder per request, typed responses, and errors that carry
//! Twilio's own `code`, `message` and `more_info`.

mod client;
mod error;
pub mod rooms;

pub use client::{ApiKeyAuth, BaseUrls, TwilioClient, TwilioClientBuilder};
pub use error::{TwilioApiError, TwilioError};
