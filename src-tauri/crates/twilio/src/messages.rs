//! Api v2010 Messages (SMS): `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`,
//! `GET …/Messages/{Sid}.json`.
//!
//! The recipient and the text are health information: they are sent, never kept in a
//! response type, never logged, and hidden from `Debug`.

use std::fmt;

use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::{
    TwilioClient, TwilioError,
    client::{Api, Params, Request},
    decode::{lenient, lenient_string, lenient_u32},
    retry::Idempotency,
};

/// Where a Message stands. `None` in [`Message::status`] means a status this version
/// does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    Queued,
    Sending,
    Sent,
    Failed,
    Delivered,
    Undelivered,
    Receiving,
    Received,
    Accepted,
    Scheduled,
    Read,
    PartiallyDelivered,
    Canceled,
}

impl MessageStatus {
    /// No further change is expected.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Delivered | Self::Undelivered | Self::Failed | Self::Read | Self::Received | Self::Canceled
        )
    }
}

/// A Message's delivery state, without its recipient or text. Dates are RFC 2822 text;
/// `price` and `num_segments` are text, as Twilio sends them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Message {
    pub sid: String,
    #[serde(default, deserialize_with = "lenient")]
    pub status: Option<MessageStatus>,
    /// Twilio's error code for a failed or undelivered Message (30003 "Unreachable
    /// destination handset", …).
    #[serde(default, deserialize_with = "lenient_u32")]
    pub error_code: Option<u32>,
    #[serde(default, deserialize_with = "lenient")]
    pub error_message: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub messaging_service_sid: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub num_segments: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub price: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub price_unit: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub date_created: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub date_sent: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub date_updated: Option<String>,
}

#[derive(Debug)]
pub struct MessagesHandler<'c> {
    client: &'c TwilioClient,
}

impl<'c> MessagesHandler<'c> {
    pub(crate) fn new(client: &'c TwilioClient) -> Self {
        Self { client }
    }

    /// `POST …/Messages.json`: texts `body` to `to` (E.164). Name the sender with
    /// [`CreateMessage::from`] or [`CreateMessage::messaging_service_sid`] (exactly one)
    /// before sending. Never retried: a failure with [`TwilioError::outcome_unknown`]
    /// may still have sent the text.
    ///
    /// Without a sender there is no `send`:
    /// ```compile_fail
    /// # async fn f(client: visitdesk_twilio::TwilioClient) {
    /// client.messages().create("+15558675310", "Your visit starts soon").send().await;
    /// # }
    /// ```
    /// and a second sender does not compile either:
    /// ```compile_fail
    /// # fn f(client: visitdesk_twilio::TwilioClient) {
    /// client.messages().create("+15558675310", "Hi").from("+15017122661").messaging_service_sid("MG0");
    /// # }
    /// ```
    pub fn create(&self, to: impl Into<String>, body: impl Into<String>) -> CreateMessage<'c, NoSender> {
        CreateMessage { client: self.client, to: to.into(), body: body.into(), sender: NoSender, status_callback: None }
    }

    /// `GET …/Messages/{Sid}.json`: the delivery status.
    pub async fn fetch(&self, message_sid: &str) -> Result<Message, TwilioError> {
        self.client
            .execute(Request {
                operation: "messages.fetch",
                api: Api::Account,
                method: Method::GET,
                path: vec!["Messages".into(), format!("{message_sid}.json")],
                query: Vec::new(),
                form: None,
                idempotency: Idempotency::Idempotent,
            })
            .await
    }
}

/// A [`CreateMessage`] whose sender is not named yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoSender;

/// Who a Message comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageSender {
    /// A Twilio phone number (E.164) or alphanumeric sender ID.
    From(String),
    /// A Messaging Service (`MG…`), which picks the number.
    MessagingService(String),
}

/// `POST …/Messages.json`. `S` is [`NoSender`] until the sender is named; only a
/// `CreateMessage<MessageSender>` can be sent.
pub struct CreateMessage<'c, S> {
    client: &'c TwilioClient,
    to: String,
    body: String,
    sender: S,
    status_callback: Option<String>,
}

impl<S: fmt::Debug> fmt::Debug for CreateMessage<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateMessage")
            .field("to", &"<redacted>")
            .field("body", &"<redacted>")
            .field("sender", &self.sender)
            .field("status_callback", &self.status_callback)
            .finish()
    }
}

impl<'c> CreateMessage<'c, NoSender> {
    /// Sends from this number or sender ID.
    pub fn from(self, from: impl Into<String>) -> CreateMessage<'c, MessageSender> {
        self.sender(MessageSender::From(from.into()))
    }

    /// Sends through this Messaging Service (`MG…`).
    pub fn messaging_service_sid(self, sid: impl Into<String>) -> CreateMessage<'c, MessageSender> {
        self.sender(MessageSender::MessagingService(sid.into()))
    }

    /// Either sender, as chosen at run time (from settings).
    pub fn sender(self, sender: MessageSender) -> CreateMessage<'c, MessageSender> {
        CreateMessage {
            client: self.client,
            to: self.to,
            body: self.body,
            sender,
            status_callback: self.status_callback,
        }
    }
}

impl<S> CreateMessage<'_, S> {
    /// Twilio posts each status change of the Message to this URL.
    pub fn status_callback(mut self, url: impl Into<String>) -> Self {
        self.status_callback = Some(url.into());
        self
    }
}

impl CreateMessage<'_, MessageSender> {
    pub async fn send(self) -> Result<Message, TwilioError> {
        let mut form: Params = vec![("To", self.to)];
        match self.sender {
            MessageSender::From(from) => form.push(("From", from)),
            MessageSender::MessagingService(sid) => form.push(("MessagingServiceSid", sid)),
        }
        form.push(("Body", self.body));
        if let Some(url) = self.status_callback {
            form.push(("StatusCallback", url));
        }
        self.client
            .execute(Request {
                operation: "messages.create",
                api: Api::Account,
                method: Method::POST,
                path: vec!["Messages.json".into()],
                query: Vec::new(),
                form: Some(form),
                idempotency: Idempotency::SendOnce,
            })
            .await
    }
}
