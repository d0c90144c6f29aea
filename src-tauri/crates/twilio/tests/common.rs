#![allow(dead_code)]

use std::time::Duration;

use url::Url;
use visitdesk_secrets::Sensitive;
use visitdesk_twilio::{ApiKeyAuth, BaseUrls, TwilioClient};

pub const KEY_SID: &str = "SK0123456789abcdef0123456789abcdef";
pub const KEY_SECRET: &str = "abcdefghijklmnopqrstuvwxyz012345";

pub fn client_for(video_base: &str, timeout: Duration) -> TwilioClient {
    TwilioClient::builder(ApiKeyAuth { api_key_sid: KEY_SID.into(), api_key_secret: Sensitive::new(KEY_SECRET.into()) })
        .base_urls(BaseUrls { video: Url::parse(video_base).unwrap() })
        .timeout(timeout)
        .build()
        .unwrap()
}
