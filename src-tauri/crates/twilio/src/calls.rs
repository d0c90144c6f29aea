//! Api v2010 Calls (voice): `POST /2010-04-01/Accounts/{AccountSid}/Calls.json`.
//!
//! The number called and the TwiML (what is said) are health information: sent, never
//! kept in the response type, never logged, hidden from `Debug`.

use std::fmt;

use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::{
    TwilioClient, TwilioError,
    client::{Api, Request},
    decode::lenient,
    retry::Idempotency,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallStatus {
    Queued,
    Ringing,
    InProgress,
    Completed,
    Busy,
    Failed,
    NoAnswer,
    Canceled,
}

/// A Call, without who was called or what was said.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Call {
    pub sid: String,
    /// `None` for a status this version does not know.
    #[serde(default, deserialize_with = "lenient")]
    pub status: Option<CallStatus>,
}

#[derive(Debug)]
pub struct CallsHandler<'c> {
    client: &'c TwilioClient,
}

impl<'c> CallsHandler<'c> {
    pub(crate) fn new(client: &'c TwilioClient) -> Self {
        Self { client }
    }

    /// `POST …/Calls.json`: calls `to` from `from` (both E.164) and, once answered, runs
    /// `twiml` (for example `<Response><Say>…</Say></Response>`). Never retried: a failure
    /// with [`TwilioError::outcome_unknown`] may still have placed the call.
    pub fn create(&self, to: impl Into<String>, from: impl Into<String>, twiml: impl Into<String>) -> CreateCall<'c> {
        CreateCall { client: self.client, to: to.into(), from: from.into(), twiml: twiml.into(), status_callback: None }
    }
}

pub struct CreateCall<'c> {
    client: &'c TwilioClient,
    to: String,
    from: String,
    twiml: String,
    status_callback: Option<String>,
}

impl fmt::Debug for CreateCall<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateCall")
            .field("to", &"<redacted>")
            .field("from", &self.from)
            .field("twiml", &"<redacted>")
            .field("status_callback", &self.status_callback)
            .finish()
    }
}

impl CreateCall<'_> {
    /// Twilio posts the call's progress to this URL.
    pub fn status_callback(mut self, url: impl Into<String>) -> Self {
        self.status_callback = Some(url.into());
        self
    }

    pub async fn send(self) -> Result<Call, TwilioError> {
        let mut form = vec![("To", self.to), ("From", self.from), ("Twiml", self.twiml)];
        if let Some(url) = self.status_callback {
            form.push(("StatusCallback", url));
        }
        self.client
            .execute(Request {
                operation: "calls.create",
                api: Api::Account,
                method: Method::POST,
                path: vec!["Calls.json".into()],
                query: Vec::new(),
                form: Some(form),
                idempotency: Idempotency::SendOnce,
            })
            .await
    }
}
