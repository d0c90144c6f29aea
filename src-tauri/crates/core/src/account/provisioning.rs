//! Pre-provisioning by IT: a secret imported into one user's keychain from standard input
//! (`visitdesk keychain import ENTRY < file`), never from an argument, which other users
//! of the computer can read in the process list.

use visitdesk_secrets::{SecretStore, Sensitive};

use crate::{
    KEYCHAIN_ACCOUNT_API_KEY_SECRET,
    account::keychain::{KEYCHAIN_ACCOUNT_JANUS_ADMIN_KEY, KEYCHAIN_ACCOUNT_JANUS_TOKEN_SECRET},
    validate,
};

/// The keychain entries IT may import, and what each holds.
pub const IMPORTABLE: [(&str, &str); 3] = [
    (KEYCHAIN_ACCOUNT_API_KEY_SECRET, "the Twilio API Key Secret"),
    (KEYCHAIN_ACCOUNT_JANUS_ADMIN_KEY, "the Janus VideoRoom admin key"),
    (KEYCHAIN_ACCOUNT_JANUS_TOKEN_SECRET, "the Janus token_auth_secret"),
];

/// Checks `input` (one line; a final line break is dropped) and writes it to `entry`.
/// Returns what was stored, for the confirmation.
pub fn import_secret(store: &dyn SecretStore, entry: &str, input: &str) -> Result<&'static str, String> {
    let Some(&(entry, what)) = IMPORTABLE.iter().find(|(name, _)| *name == entry) else {
        let names: Vec<&str> = IMPORTABLE.iter().map(|(name, _)| *name).collect();
        return Err(format!("“{entry}” is not a VisitDesk keychain entry; use one of: {}.", names.join(", ")));
    };
    let secret = input.strip_suffix('\n').map(|s| s.strip_suffix('\r').unwrap_or(s)).unwrap_or(input);
    if secret.contains('\n') {
        return Err(format!("Standard input has more than one line; give only {what}."));
    }
    if entry == KEYCHAIN_ACCOUNT_API_KEY_SECRET {
        validate::api_key_secret(secret)?;
    } else if secret.is_empty() {
        return Err(format!("Standard input is empty; pipe in {what}."));
    } else if secret.trim() != secret || secret.chars().any(char::is_control) {
        return Err(format!("{what} has spaces or invisible characters around or inside it."));
    }
    store
        .write(entry, &Sensitive::new(secret.to_string()))
        .map_err(|error| format!("The keychain refused {what}: {error}"))?;
    Ok(what)
}

#[cfg(test)]
mod tests {
    use visitdesk_secrets::MemoryKeychain;

    use super::*;

    #[test]
    fn a_secret_is_stored_without_its_line_break_and_bad_ones_are_refused() {
        let store = MemoryKeychain::default();
        let secret = "Zq8vN2mK5xR7tY1wB4cD6fG9hJ3kL0pA";
        assert_eq!(
            import_secret(&store, "twilio-api-key-secret", &format!("{secret}\r\n")),
            Ok("the Twilio API Key Secret")
        );
        assert_eq!(store.read("twilio-api-key-secret").unwrap().unwrap().expose(), secret);

        let short = import_secret(&store, "twilio-api-key-secret", "abc\n").unwrap_err();
        assert!(short.starts_with("An API Key Secret is 32 letters and digits; this one is 3"), "{short}");
        let two_lines = import_secret(&store, "janus-admin-key", "one\ntwo\n").unwrap_err();
        assert!(two_lines.contains("more than one line"), "{two_lines}");
        assert!(import_secret(&store, "janus-admin-key", "").unwrap_err().contains("empty"));
        let unknown = import_secret(&store, "twilio-password", "x").unwrap_err();
        assert!(
            unknown.contains("use one of: twilio-api-key-secret, janus-admin-key, janus-token-auth-secret"),
            "{unknown}"
        );
        assert_eq!(store.read("twilio-api-key-secret").unwrap().unwrap().expose(), secret, "kept after refusals");
        assert!(store.read("janus-admin-key").unwrap().is_none());
    }
}
