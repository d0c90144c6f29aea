//! Phone number parsing and masking on arbitrary input: never a panic, and whatever is
//! accepted is E.164 that parses back to itself and masks to something undialable.

use proptest::prelude::*;
use visitdesk_core::phone::{self, PhoneUse};

fn check(input: &str, region: &str) {
    for usage in [PhoneUse::Sms, PhoneUse::Call] {
        match phone::normalize(input, region, usage) {
            Ok(number) => {
                let e164 = number.as_str();
                assert!(e164.starts_with('+') && e164[1..].chars().all(|c| c.is_ascii_digit()), "{e164}");
                assert!((8..=16).contains(&e164.len()), "{e164}");
                assert_eq!(
                    phone::normalize(e164, "US", PhoneUse::Call).unwrap().as_str(),
                    e164,
                    "E.164 is a fixed point"
                );
                let masked = number.masked();
                let shown = masked.chars().filter(char::is_ascii_digit).count();
                assert!(shown <= 5 && masked.ends_with(&e164[e164.len() - 2..]), "{masked} for {e164}");
            }
            Err(message) => assert!(!message.is_empty()),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_text_is_refused_or_normalised(input in any::<String>(), region in "[A-Z]{2}|[a-z]{0,3}") {
        check(&input, &region);
    }

    #[test]
    fn phone_shaped_text_is_refused_or_normalised(input in r"\+?[0-9 ().\-]{0,24}", region in "US|GB|MX|DE|IN|ZZ") {
        check(&input, &region);
    }

    #[test]
    fn masking_any_text_does_not_panic(input in any::<String>()) {
        let _ = phone::mask(&input);
    }
}

/// Found by the fuzzer: a number valid to the metadata but too short to be anyone's.
#[test]
fn numbers_the_fuzzer_found_stay_refused() {
    check("1640", "DE");
    assert!(phone::normalize("1640", "DE", PhoneUse::Call).is_err());
}
