//! Input rules shared by the setup form, the clinic settings and the managed policy, each
//! with a message that says what to fix.

use url::Url;
use visitdesk_store::GuestRole;

use crate::{FieldError, FormField};

/// Twilio Video refuses identities over 128 characters, double-byte ones counting twice
/// (Twilio error 53200).
pub const MAX_IDENTITY_UNITS: usize = 128;
pub const MAX_DISPLAY_NAME_CHARS: usize = 80;
const SECRET_LEN: usize = 32;

pub(crate) fn sid(
    value: &str,
    prefix: &str,
    name: &str,
    confused_prefix: &str,
    confused_name: &str,
) -> Result<(), String> {
    let shape = format!("{prefix} followed by 32 hexadecimal characters (0-9, a-f)");
    if value.is_empty() {
        return Err(format!("Enter the {name}: {shape}, from the Twilio Console."));
    }
    if value.starts_with(confused_prefix) {
        return Err(format!("This looks like {confused_name} ({confused_prefix}…). The {name} starts with {prefix}."));
    }
    let Some(rest) = value.strip_prefix(prefix) else {
        return Err(format!("The {name} starts with {prefix}: {shape}."));
    };
    if let Some(bad) = rest.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(format!("The {name} is {shape}; “{bad}” is not a hexadecimal character."));
    }
    let count = rest.chars().count();
    if count != 32 {
        return Err(format!("The {name} is {shape}; this one has {count} after {prefix}."));
    }
    Ok(())
}

/// Never echoes the value back.
pub(crate) fn api_key_secret(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err("Enter the API Key Secret. Twilio shows it once, when the API key is created.".into());
    }
    if value.trim() != value || value.chars().any(char::is_whitespace) {
        return Err("The API Key Secret contains spaces; paste it again without them.".into());
    }
    if value.chars().count() != SECRET_LEN || !value.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!(
            "An API Key Secret is {SECRET_LEN} letters and digits; this one is {} characters{}.",
            value.chars().count(),
            if value.chars().all(|c| c.is_ascii_alphanumeric()) { "" } else { " and has other symbols" }
        ));
    }
    Ok(())
}

pub(crate) fn display_name(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err("Enter your name as patients should see it, for example “Dr. Ana Ruiz”.".into());
    }
    if value.chars().count() > MAX_DISPLAY_NAME_CHARS {
        return Err(format!("Keep the display name to {MAX_DISPLAY_NAME_CHARS} characters."));
    }
    if value.chars().any(char::is_control) {
        return Err("The display name contains an invisible control character; retype it.".into());
    }
    Ok(())
}

/// Twilio's count: ASCII and Latin-1 characters count once, wider ones twice.
pub fn identity_units(value: &str) -> usize {
    value.chars().map(|c| if u32::from(c) <= 0xFF { 1 } else { 2 }).sum()
}

pub(crate) fn identity(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err("Enter an identity: the name Twilio uses for you in calls, for example “dr-ana-ruiz”.".into());
    }
    let units = identity_units(value);
    if units > MAX_IDENTITY_UNITS {
        return Err(format!(
            "Twilio allows identities of up to {MAX_IDENTITY_UNITS} characters (accented and non-Latin letters count as 2); this one counts {units}."
        ));
    }
    if value.chars().any(char::is_control) {
        return Err("The identity contains an invisible control character; retype it.".into());
    }
    // Guests' identities carry their role as prefix; the join page and the waiting room read
    // anyone else as the clinician.
    let lower = value.to_lowercase();
    if let Some(role) = GuestRole::ALL.iter().find(|role| lower.starts_with(&format!("{}-", role.as_str()))) {
        return Err(format!(
            "Identities starting with “{}-” are given to invited guests; choose another, for example “dr-ana-ruiz”.",
            role.as_str()
        ));
    }
    Ok(())
}

/// An address on this computer, where plain http crosses no network.
pub fn on_this_computer(url: &Url) -> bool {
    matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
}

/// A Twilio Messaging Service SID: `MG` and 32 hexadecimal characters.
pub(crate) fn is_messaging_service_sid(value: &str) -> bool {
    value.strip_prefix("MG").is_some_and(|hex| hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit()))
}

pub(crate) fn join_page_url(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err(
            "Enter the address of your clinic's patient join page, for example https://visit.yourclinic.org/join."
                .into(),
        );
    }
    let url = Url::parse(value)
        .map_err(|_| "This is not a web address. It should look like https://visit.yourclinic.org/join.".to_string())?;
    // A page on this computer (a clinic trying the page out, the tests) may be plain http.
    if url.scheme() != "https" && !(url.scheme() == "http" && on_this_computer(&url)) {
        return Err(format!(
            "The join page must start with https:// (this one starts with {}://), so invite links are encrypted.",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("The address has no host name; it should look like https://visit.yourclinic.org/join.".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("Remove the user name and password from the address.".into());
    }
    if url.fragment().is_some() {
        return Err("Remove the part from “#” on: VisitDesk puts each invite's access token there.".into());
    }
    Ok(())
}

/// Checks a Janus address: `schemes` allowed, and `https`/`wss` unless the server is on this
/// computer (the join page and tokens must not cross a network in the clear).
pub fn check_server_url(value: &str, field: FormField, schemes: &[&str]) -> Option<FieldError> {
    let fail = |message: String| Some(FieldError { field, message });
    let Ok(url) = Url::parse(value.trim()) else {
        return fail(format!("“{value}” is not a web address, for example https://video.yourclinic.org/janus."));
    };
    if !schemes.contains(&url.scheme()) {
        return fail(format!("The address must start with {}.", schemes.join("://, ") + "://"));
    }
    if !on_this_computer(&url) && matches!(url.scheme(), "http" | "ws") {
        return fail("Use https:// (or wss://): tokens must not cross the network unencrypted.".into());
    }
    None
}

/// The address the core reaches Janus's HTTP API at.
pub fn janus_api_url(value: &str) -> Option<FieldError> {
    check_server_url(value, FormField::VideoApiUrl, &["https", "http"])
}

/// The address browsers reach Janus at: its WebSocket transport only. janus.js's HTTP
/// transport puts the session token in long-poll addresses, which web servers and proxies log.
/// The join page connects only to the address in its clinic file, so the two must match.
pub fn janus_browser_url(value: &str) -> Option<FieldError> {
    let field = FormField::VideoBrowserUrl;
    if let Ok(url) = Url::parse(value.trim())
        && matches!(url.scheme(), "https" | "http")
    {
        return Some(FieldError {
            field,
            message: "Use Janus's WebSocket address (wss://…, for example wss://video.yourclinic.org/janus-ws): \
                      over https:// browsers would put the session token in addresses that servers log."
                .into(),
        });
    }
    if let Ok(url) = Url::parse(value.trim())
        && (url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() || url.password().is_some())
    {
        return Some(FieldError {
            field,
            message: "Remove the user name, “?” and “#” parts: the address alone.".into(),
        });
    }
    check_server_url(value, field, &["wss", "ws"])
}

/// Why a feed address cannot be used, or `None` when it can. Only https: the feed says
/// which file to install, and its answer is not itself signed.
pub fn feed_url_problem(value: &str) -> Option<String> {
    let Ok(url) = Url::parse(value.trim()) else {
        return Some(format!(
            "“{value}” is not a web address, for example https://updates.yourhospital.org/visitdesk."
        ));
    };
    // A feed on this computer (IT trying one out, the tests) may be plain http.
    if url.scheme() != "https" && !(url.scheme() == "http" && on_this_computer(&url)) {
        return Some(format!(
            "The update address must start with https:// (this one starts with {}://).",
            url.scheme()
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Some("Remove the part from “?” or “#” on: VisitDesk adds the channel and file name itself.".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use visitdesk_secrets::Sensitive;

    use super::*;
    use crate::account::setup::{SetupForm, validate_setup};

    pub const GOOD_SECRET: &str = "abcdefghijklmnopqrstuvwxyz012345";

    fn good_form() -> SetupForm {
        SetupForm {
            account_sid: "AC0123456789abcdef0123456789abcdef".into(),
            api_key_sid: "SK0123456789abcdef0123456789ABCDEF".into(),
            api_key_secret: Sensitive::new(GOOD_SECRET.into()),
            display_name: "Dr. Ana Ruiz".into(),
            identity: "dr-ana-ruiz".into(),
            join_page_url: "https://visit.example-clinic.org/join".into(),
        }
    }

    fn errors_for(form: &SetupForm) -> Vec<FieldError> {
        validate_setup(form).err().unwrap_or_default()
    }

    fn message_for(form: &SetupForm, field: FormField) -> String {
        let errors = errors_for(form);
        let found: Vec<_> = errors.iter().filter(|e| e.field == field).collect();
        assert_eq!(found.len(), 1, "expected one error on {field:?}, got {errors:?}");
        found[0].message.clone()
    }

    #[test]
    fn a_good_form_passes_and_is_trimmed() {
        let mut form = good_form();
        form.account_sid = format!("  {}\n", form.account_sid);
        form.join_page_url = format!(" {} ", form.join_page_url);
        let valid = validate_setup(&form).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(valid.account.account_sid, "AC0123456789abcdef0123456789abcdef");
        assert_eq!(valid.profile.join_page_url, "https://visit.example-clinic.org/join");
    }

    #[test]
    fn account_sid_rules() {
        let mut form = good_form();
        form.account_sid = String::new();
        assert!(message_for(&form, FormField::AccountSid).starts_with("Enter the Account SID"));
        form.account_sid = "SK0123456789abcdef0123456789abcdef".into();
        assert!(message_for(&form, FormField::AccountSid).contains("looks like an API Key SID"));
        form.account_sid = "AC0123456789abcdef0123456789abcde".into();
        assert!(message_for(&form, FormField::AccountSid).contains("this one has 31 after AC"));
        form.account_sid = "AC0123456789abcdef0123456789abcdeg".into();
        assert!(message_for(&form, FormField::AccountSid).contains("“g” is not a hexadecimal"));
        form.account_sid = "XX0123456789abcdef0123456789abcdef".into();
        assert!(message_for(&form, FormField::AccountSid).starts_with("The Account SID starts with AC"));
    }

    #[test]
    fn api_key_sid_rules() {
        let mut form = good_form();
        form.api_key_sid = "AC0123456789abcdef0123456789abcdef".into();
        assert!(message_for(&form, FormField::ApiKeySid).contains("looks like your Account SID"));
        form.api_key_sid = "SK0123".into();
        assert!(message_for(&form, FormField::ApiKeySid).contains("this one has 4 after SK"));
    }

    #[test]
    fn secret_rules_never_echo_the_value() {
        let mut form = good_form();
        form.api_key_secret = Sensitive::new(String::new());
        assert!(message_for(&form, FormField::ApiKeySecret).starts_with("Enter the API Key Secret"));
        form.api_key_secret = Sensitive::new("short-but-secret!".into());
        let message = message_for(&form, FormField::ApiKeySecret);
        assert!(message.contains("this one is 17 characters and has other symbols"), "{message}");
        assert!(!message.contains("short-but-secret"));
        form.api_key_secret = Sensitive::new(format!("{} ", &GOOD_SECRET[..31]));
        assert!(message_for(&form, FormField::ApiKeySecret).contains("contains spaces"));
    }

    #[test]
    fn identity_rules_follow_twilio_limits() {
        let mut form = good_form();
        form.identity = "   ".into();
        assert!(message_for(&form, FormField::Identity).starts_with("Enter an identity"));
        form.identity = "a".repeat(128);
        assert!(errors_for(&form).is_empty());
        form.identity = "a".repeat(129);
        assert!(message_for(&form, FormField::Identity).contains("this one counts 129"));
        form.identity = "医".repeat(64);
        assert!(errors_for(&form).is_empty(), "64 double-byte characters count 128");
        form.identity = "医".repeat(65);
        assert!(message_for(&form, FormField::Identity).contains("this one counts 130"));
        form.identity = "dr\u{7}ana".into();
        assert!(message_for(&form, FormField::Identity).contains("control character"));
        form.identity = "Patient-Ana".into();
        assert!(message_for(&form, FormField::Identity).contains("“patient-” are given to invited guests"));
        form.identity = "interpreter-lee".into();
        assert!(message_for(&form, FormField::Identity).contains("“interpreter-”"));
        form.identity = "patientcare-ana".into();
        assert!(errors_for(&form).is_empty());
    }

    #[test]
    fn display_name_rules() {
        let mut form = good_form();
        form.display_name = "".into();
        assert!(message_for(&form, FormField::DisplayName).starts_with("Enter your name"));
        form.display_name = "x".repeat(81);
        assert!(message_for(&form, FormField::DisplayName).contains("80 characters"));
        form.display_name = "<img src=x onerror=alert(1)>".into();
        assert!(errors_for(&form).is_empty(), "markup is text; the UI renders it as text");
    }

    #[test]
    fn join_page_url_rules() {
        let mut form = good_form();
        for (url, expected) in [
            ("", "Enter the address"),
            ("visit.example.org/join", "not a web address"),
            ("http://visit.example.org/join", "this one starts with http://"),
            ("http://127.0.0.2.example.org/join", "this one starts with http://"),
            ("ftp://visit.example.org/join", "this one starts with ftp://"),
            ("https://user:pw@visit.example.org/join", "user name and password"),
            ("https://visit.example.org/join#token", "VisitDesk puts each invite's access token there"),
        ] {
            form.join_page_url = url.into();
            let message = message_for(&form, FormField::JoinPageUrl);
            assert!(message.contains(expected), "{url:?}: {message}");
        }
        form.join_page_url = "https://visit.example.org/join?clinic=north".into();
        assert!(errors_for(&form).is_empty());
        form.join_page_url = "http://127.0.0.1:5174/join.html".into();
        assert!(errors_for(&form).is_empty(), "a page on this computer may be plain http");
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let form = SetupForm {
            account_sid: "".into(),
            api_key_sid: "".into(),
            api_key_secret: Sensitive::new(String::new()),
            display_name: "".into(),
            identity: "".into(),
            join_page_url: "".into(),
        };
        assert_eq!(errors_for(&form).len(), 6);
    }

    #[test]
    fn server_addresses_must_be_encrypted_unless_local() {
        let http = ["http", "https"];
        assert!(check_server_url("https://video.clinic.org/janus", FormField::VideoApiUrl, &http).is_none());
        assert!(check_server_url("http://127.0.0.1:8088/janus", FormField::VideoApiUrl, &http).is_none());
        let plain = check_server_url("http://video.clinic.org/janus", FormField::VideoApiUrl, &http).unwrap();
        assert!(plain.message.contains("unencrypted"), "{}", plain.message);
        let wrong = check_server_url("ftp://x/janus", FormField::VideoApiUrl, &http).unwrap();
        assert!(wrong.message.starts_with("The address must start with http://, https://"), "{}", wrong.message);
        assert!(
            check_server_url("video", FormField::VideoApiUrl, &http).unwrap().message.contains("not a web address")
        );
    }

    #[test]
    fn browsers_reach_janus_only_by_websocket() {
        assert!(janus_browser_url("wss://video.clinic.org/janus-ws").is_none());
        assert!(janus_browser_url("ws://127.0.0.1:8188").is_none());
        let https = janus_browser_url("https://video.clinic.org/janus").unwrap();
        assert!(https.message.contains("WebSocket address (wss://"), "{}", https.message);
        let plain = janus_browser_url("ws://video.clinic.org/janus-ws").unwrap();
        assert!(plain.message.contains("unencrypted"), "{}", plain.message);
        let query = janus_browser_url("wss://video.clinic.org/janus-ws?token=x").unwrap();
        assert!(query.message.contains("“?”"), "{}", query.message);
        assert!(janus_browser_url("wss://user:pw@video.clinic.org/janus-ws").is_some());
    }
}
