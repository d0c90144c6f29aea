use std::fmt;

use serde::{Deserialize, Deserializer};
use zeroize::Zeroize;

/// A value that must never reach a log, a panic message, a file or the webview.
///
/// `Debug` and `Display` print a fixed placeholder, there is deliberately no `Serialize`
/// impl, and the value is wiped from memory on drop. Read it with [`Sensitive::expose`]
/// only at the point of use (the keychain call, the HTTP auth header).
///
/// Serializing one does not compile:
/// ```compile_fail
/// fn send_to_webview<T: serde::Serialize>(_: T) {}
/// send_to_webview(visitdesk_secrets::Sensitive::new(String::from("secret")));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T: Zeroize>(T);

pub const REDACTED: &str = "<redacted>";

impl<T: Zeroize> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T: Zeroize> Drop for Sensitive<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<T: Zeroize> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sensitive({REDACTED})")
    }
}

impl<T: Zeroize> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T: Zeroize> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

/// Accepting a secret from the webview (the setup form) is allowed; sending one back is not.
impl<'de, T: Zeroize + Deserialize<'de>> Deserialize<'de> for Sensitive<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "s3cretS3cretS3cretS3cretS3cret00";

    #[derive(Debug)]
    #[allow(dead_code)]
    struct Holder {
        api_key_sid: &'static str,
        secret: Sensitive<String>,
    }

    #[derive(Debug, thiserror::Error)]
    #[error("could not use {0}")]
    struct UsesSecret(Sensitive<String>);

    #[test]
    fn debug_and_display_never_show_the_value() {
        let secret = Sensitive::new(SECRET.to_string());
        assert_eq!(format!("{secret:?}"), "Sensitive(<redacted>)");
        assert_eq!(format!("{secret}"), "<redacted>");
        assert_eq!(format!("{secret:#?}"), "Sensitive(<redacted>)");
        assert_eq!(secret.expose(), SECRET);
    }

    #[test]
    fn nested_debug_and_errors_never_show_the_value() {
        let holder = Holder { api_key_sid: "SK00", secret: SECRET.to_string().into() };
        let shown = format!("{holder:?} {holder:#?}");
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(shown.contains("SK00"));

        let error = UsesSecret(SECRET.to_string().into());
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(shown.contains(REDACTED));
    }

    #[test]
    fn a_panic_message_never_shows_the_value() {
        let holder = Holder { api_key_sid: "SK00", secret: SECRET.to_string().into() };
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let payload =
            std::panic::catch_unwind(|| panic!("setup failed for {holder:?}")).expect_err("the closure panics");
        std::panic::set_hook(previous);
        let message = payload.downcast_ref::<String>().expect("a formatted panic message");
        assert!(message.contains("setup failed"), "{message}");
        assert!(!message.contains(SECRET), "{message}");
    }

    #[test]
    fn deserializes_from_a_plain_string() {
        #[derive(serde::Deserialize)]
        struct Form {
            secret: Sensitive<String>,
        }
        let form: Form = serde_json::from_str(&format!(r#"{{"secret":"{SECRET}"}}"#)).unwrap();
        assert_eq!(form.secret.expose(), SECRET);
    }
}
