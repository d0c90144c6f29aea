//! A typed client for the Janus WebRTC server's HTTP API and its VideoRoom plugin: a
//! builder per request, typed answers, and errors that carry Janus's own codes. The client
//! signs its own core tokens (`token_auth_secret`) and those participants need to join.

mod client;
mod decode;
mod error;
pub mod token;
pub mod videoroom;

pub use client::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, DEFAULT_TOKEN_TTL, JanusClient, JanusClientBuilder, JoinTokens,
    ServerInfo,
};
pub use error::{JanusError, codes};
pub use token::{TokenError, mint_core_token, mint_room_token};
