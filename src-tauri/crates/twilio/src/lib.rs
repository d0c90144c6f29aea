//! A typed client for the Twilio REST APIs VisitDesk uses, in the octocrab style: one
//! handler per resource, a builder per request, typed responses, and errors that carry
//! Twilio's own `code`, `message` and `more_info`. Timeouts and retries: [`RetryPolicy`].

pub mod access_token;
pub mod calls;
mod client;
mod decode;
mod error;
pub mod messages;
mod page;
pub mod participants;
pub mod published_tracks;
mod retry;
pub mod rooms;
pub mod subscribe_rules;

pub use client::{ApiKeyAuth, BaseUrls, TwilioClient, TwilioClientBuilder};
pub use decode::decode_body;
pub use error::{ROOM_EXISTS_CODE, TwilioApiError, TwilioError};
pub use page::PageMeta;
pub use retry::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, RetryPolicy};
