//! The texts VisitDesk sends, in English and Spanish, or in the clinic's own words.

use crate::clinic::settings::{ClinicSettings, SmsLanguage, SmsTexts};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsKind {
    PatientInvite,
    GuestInvite,
    RunningLate,
}

impl SmsKind {
    /// The placeholder the text cannot do without.
    pub fn required_placeholder(self) -> &'static str {
        match self {
            Self::PatientInvite | Self::GuestInvite => "{link}",
            Self::RunningLate => "{minutes}",
        }
    }
}

fn built_in(kind: SmsKind, language: SmsLanguage) -> &'static str {
    match (language, kind) {
        (SmsLanguage::En, SmsKind::PatientInvite) => "Your video visit with {provider} is ready. Join here: {link}",
        (SmsLanguage::En, SmsKind::GuestInvite) => {
            "You are invited to join a video visit with {provider}. Join here: {link}"
        }
        (SmsLanguage::En, SmsKind::RunningLate) => {
            "Your provider is running about {minutes} minutes late. Thank you for your patience."
        }
        (SmsLanguage::Es, SmsKind::PatientInvite) => {
            "Su consulta por video con {provider} está lista. Entre aquí: {link}"
        }
        (SmsLanguage::Es, SmsKind::GuestInvite) => {
            "Le invitamos a unirse a una consulta por video con {provider}. Entre aquí: {link}"
        }
        (SmsLanguage::Es, SmsKind::RunningLate) => {
            "Su proveedor tiene un retraso de unos {minutes} minutos. Gracias por su paciencia."
        }
    }
}

fn custom(texts: &SmsTexts, kind: SmsKind) -> Option<&str> {
    match kind {
        SmsKind::PatientInvite => texts.patient_invite.as_deref(),
        SmsKind::GuestInvite => texts.guest_invite.as_deref(),
        SmsKind::RunningLate => texts.running_late.as_deref(),
    }
    .filter(|text| !text.trim().is_empty())
}

pub struct SmsValues<'a> {
    pub provider: &'a str,
    pub link: Option<&'a str>,
    pub minutes: Option<u32>,
}

/// The text for `kind` in `language`, with its placeholders filled.
pub fn render(clinic: &ClinicSettings, kind: SmsKind, language: SmsLanguage, values: &SmsValues) -> String {
    let texts = match language {
        SmsLanguage::En => &clinic.sms_texts_en,
        SmsLanguage::Es => &clinic.sms_texts_es,
    };
    let template = custom(texts, kind).unwrap_or_else(|| built_in(kind, language));
    template
        .replace("{provider}", values.provider)
        .replace("{minutes}", &values.minutes.map(|m| m.to_string()).unwrap_or_default())
        .replace("{link}", values.link.unwrap_or_default())
}

/// Checks a clinic's own text; `None` when it is fine.
pub fn check_custom(text: &str, kind: SmsKind) -> Option<String> {
    let placeholder = kind.required_placeholder();
    if text.trim().is_empty() {
        return None;
    }
    if !text.contains(placeholder) {
        return Some(format!("This text must contain {placeholder}, where VisitDesk puts the detail."));
    }
    if text.chars().count() > 600 {
        return Some("Keep texts under 600 characters; long texts cost more and may be split.".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_texts_fill_their_placeholders_in_both_languages() {
        let clinic = ClinicSettings::default();
        let values = SmsValues { provider: "Dr. Ruiz", link: Some("https://j.example/#t"), minutes: Some(15) };
        let en = render(&clinic, SmsKind::PatientInvite, SmsLanguage::En, &values);
        assert_eq!(en, "Your video visit with Dr. Ruiz is ready. Join here: https://j.example/#t");
        let es = render(&clinic, SmsKind::RunningLate, SmsLanguage::Es, &values);
        assert!(es.contains("unos 15 minutos"), "{es}");
    }

    #[test]
    fn a_clinics_own_text_wins_and_must_keep_its_placeholder() {
        let mut clinic = ClinicSettings::default();
        clinic.sms_texts_en.running_late = Some("Clinic A: {minutes} min delay.".into());
        let values = SmsValues { provider: "Dr. Ruiz", link: None, minutes: Some(5) };
        assert_eq!(render(&clinic, SmsKind::RunningLate, SmsLanguage::En, &values), "Clinic A: 5 min delay.");
        assert!(check_custom("Join now", SmsKind::PatientInvite).unwrap().contains("{link}"));
        assert_eq!(check_custom("Join: {link}", SmsKind::PatientInvite), None);
    }
}
