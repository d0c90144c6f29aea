//! Phone numbers: parsed and normalised to E.164 with Google's libphonenumber metadata
//! (the `phonenumber` crate), masked wherever they are shown outside the visit.

use std::str::FromStr;

use phonenumber::{Mode, PhoneNumber, country};

/// A number in E.164 form (`+14155552671`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct E164(String);

impl E164 {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `+1*******71`: the country code and the last two digits, for the audit log and
    /// lists. Never enough to dial.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// What a number will be used for; SMS needs a number that can receive texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneUse {
    Sms,
    Call,
}

/// Masks any E.164 string (see [`E164::masked`]).
pub fn mask(e164: &str) -> String {
    let digits: Vec<char> = e164.chars().filter(char::is_ascii_digit).collect();
    let code_len = phonenumber::parse(None, e164).map(|n| n.code().value().to_string().len()).unwrap_or(1);
    let code_len = code_len.min(digits.len());
    let tail = digits.len().saturating_sub(2).max(code_len);
    let hidden = tail - code_len;
    let code: String = digits[..code_len].iter().collect();
    let last: String = digits[tail..].iter().collect();
    format!("+{code}{}{last}", "*".repeat(hidden))
}

/// The fewest digits, country code included, of a number VisitDesk texts or calls.
const MIN_DIGITS: usize = 7;

/// Parses what a person typed. `default_region` (ISO 3166 alpha-2, e.g. "US") applies
/// when the number has no `+country` prefix.
pub fn normalize(input: &str, default_region: &str, usage: PhoneUse) -> Result<E164, String> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err("Enter a phone number.".into());
    }
    if let Some(bad) = trimmed.chars().find(|c| !(c.is_ascii_digit() || " +-().\u{a0}/".contains(*c))) {
        return Err(format!(
            "A phone number has digits, spaces, dashes, brackets and an optional leading +; “{bad}” does not belong."
        ));
    }
    // A number with its own +country code is parsed without a default region: the
    // `phonenumber` crate otherwise strips that region's national prefix after the country
    // code (with US, +49 151… loses its 1), which would text someone else.
    let region = match trimmed.starts_with('+') {
        true => None,
        false => country::Id::from_str(&default_region.to_ascii_uppercase()).ok(),
    };
    let number = phonenumber::parse(region, trimmed).map_err(|error| describe_parse_error(&error, default_region))?;
    if !phonenumber::is_valid(&number) {
        return Err(invalid_message(&number, default_region, trimmed));
    }
    if usage == PhoneUse::Sms && number.number_type(&phonenumber::metadata::DATABASE) == phonenumber::Type::FixedLine {
        return Err("This looks like a landline, which cannot receive text messages. Enter a mobile number.".into());
    }
    let e164 = number.format().mode(Mode::E164).to_string();
    // The metadata takes some very short numbers for valid (German "1640" is +491640); nobody
    // texts or calls a patient at one, and a digit left out should be said, not dialled.
    if e164.len() - 1 < MIN_DIGITS {
        return Err("This number is too short; check that every digit is there.".into());
    }
    // The number must read back as itself, or a text could go to someone else.
    let reread = phonenumber::parse(None, &e164).map(|n| n.format().mode(Mode::E164).to_string());
    if reread.ok().as_deref() != Some(e164.as_str()) {
        return Err("VisitDesk cannot read this number unambiguously. Type it with + and the country code.".into());
    }
    Ok(E164(e164))
}

fn describe_parse_error(error: &phonenumber::ParseError, default_region: &str) -> String {
    use phonenumber::ParseError as P;
    match error {
        P::NoNumber => "No phone number found; enter the digits.".into(),
        P::InvalidCountryCode => format!(
            "The country code is not valid. Start with + and the country code (e.g. +44 …), or enter a {default_region} number without one."
        ),
        P::TooShortAfterIdd | P::TooShortNsn => "This number is too short; check that every digit is there.".into(),
        P::TooLong => "This number is too long; check for extra digits.".into(),
        _ => format!("This is not a phone number VisitDesk can read ({error})."),
    }
}

fn invalid_message(number: &PhoneNumber, default_region: &str, typed: &str) -> String {
    let digits = number.national().value().to_string().len();
    if !typed.starts_with('+') {
        return format!(
            "This is not a valid {} number ({digits} digits). Check the digits, or start with + and the country code for a number abroad.",
            default_region.to_ascii_uppercase()
        );
    }
    match number.country().id() {
        Some(region) => format!(
            "This is not a valid {} number ({digits} digits after the country code); check the digits.",
            region.as_ref()
        ),
        None => "No country uses this country code; check the digits after the +.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_spellings_normalise_to_e164() {
        for typed in ["(415) 555-2671", "415.555.2671", "+1 415 555 2671", "1-415-555-2671"] {
            assert_eq!(normalize(typed, "US", PhoneUse::Call).unwrap().as_str(), "+14155552671", "{typed}");
        }
        assert_eq!(normalize("07400 123456", "GB", PhoneUse::Sms).unwrap().as_str(), "+447400123456");
        assert_eq!(normalize("+52 55 1234 5678", "US", PhoneUse::Call).unwrap().as_str(), "+525512345678");
    }

    #[test]
    fn a_plus_number_keeps_every_digit_whatever_the_default_region() {
        for region in ["US", "GB", "MX", "DE"] {
            assert_eq!(normalize("+49 151 12345678", region, PhoneUse::Sms).unwrap().as_str(), "+4915112345678");
            assert_eq!(normalize("+1 415 555 2671", region, PhoneUse::Sms).unwrap().as_str(), "+14155552671");
        }
    }

    #[test]
    fn bad_numbers_say_what_is_wrong() {
        assert!(normalize("", "US", PhoneUse::Sms).unwrap_err().contains("Enter a phone number"));
        assert!(normalize("415-CALL-NOW", "US", PhoneUse::Sms).unwrap_err().contains("“C” does not belong"));
        assert!(normalize("555", "US", PhoneUse::Sms).unwrap_err().contains("not a valid US number"));
        assert!(normalize("+999 1234567", "US", PhoneUse::Sms).unwrap_err().contains("country code"));
        assert!(normalize("4155552671234567890", "US", PhoneUse::Sms).unwrap_err().contains("too long"));
        // Valid to the metadata, but only 7 digits with the country code's 49: a digit short, surely.
        assert!(normalize("1640", "DE", PhoneUse::Call).unwrap_err().contains("too short"));
    }

    #[test]
    fn landlines_are_refused_for_sms_only() {
        // A London landline.
        assert!(normalize("020 7946 0018", "GB", PhoneUse::Sms).unwrap_err().contains("landline"));
        assert!(normalize("020 7946 0018", "GB", PhoneUse::Call).is_ok());
    }

    #[test]
    fn masks_keep_the_country_code_and_two_digits() {
        assert_eq!(mask("+14155552671"), "+1********71");
        assert_eq!(mask("+447400123456"), "+44********56");
    }
}
