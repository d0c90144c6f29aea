use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// An enum stored as its snake_case name, the same text serde uses.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                Self::parse(value.as_str()?).ok_or_else(|| {
                    FromSqlError::Other(concat!("unknown ", stringify!($name), " value").into())
                })
            }
        }
    };
}

text_enum! {
    /// Where a visit is in its day. The store does not police transitions; the core does.
    VisitStatus {
        Scheduled => "scheduled",
        Invited => "invited",
        Waiting => "waiting",
        InVisit => "in_visit",
        Completed => "completed",
        Cancelled => "cancelled",
        NoShow => "no_show",
    }
}

text_enum! {
    GuestRole {
        Patient => "patient",
        Interpreter => "interpreter",
        Family => "family",
        Caregiver => "caregiver",
    }
}

text_enum! {
    InviteMethod {
        Sms => "sms",
        PhoneDialIn => "phone_dial_in",
        CopyLink => "copy_link",
    }
}

text_enum! {
    InvitePurpose {
        Join => "join",
        RunningLate => "running_late",
    }
}

text_enum! {
    /// `Pending` is written before the request goes out; `Unknown` means the request may
    /// or may not have reached Twilio (timeout, crash).
    InviteStatus {
        Pending => "pending",
        Sent => "sent",
        Failed => "failed",
        Unknown => "unknown",
    }
}

text_enum! {
    AuditAction {
        VisitCreated => "visit_created",
        VisitEdited => "visit_edited",
        VisitCancelled => "visit_cancelled",
        VisitNoShow => "visit_no_show",
        RoomCreated => "room_created",
        RoomEnded => "room_ended",
        ParticipantRemoved => "participant_removed",
        PatientAdmitted => "patient_admitted",
        PatientBackInWaitingRoom => "patient_back_in_waiting_room",
        PatientSentBack => "patient_sent_back",
        InviteSmsSent => "invite_sms_sent",
        InviteCallPlaced => "invite_call_placed",
        InviteLinkCopied => "invite_link_copied",
        RunningLateSmsSent => "running_late_sms_sent",
        InviteFailed => "invite_failed",
        InviteOutcomeUnknown => "invite_outcome_unknown",
    }
}

text_enum! {
    /// The video service a room lives on.
    VideoBackendKind {
        Twilio => "twilio",
        Janus => "janus",
    }
}

/// The video room of a visit, on the service that made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RoomRef {
    pub service: VideoBackendKind,
    pub unique_name: String,
    /// The service's id for the room: Twilio's `RM…` SID, or the Janus room number.
    pub sid: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Visit {
    /// 128 random bits as 32 lowercase hex characters.
    pub id: String,
    pub patient_display_name: String,
    /// E.164, validated by the core.
    pub patient_mobile: String,
    /// Unix seconds, UTC.
    #[ts(type = "number")]
    pub scheduled_at: i64,
    pub status: VisitStatus,
    pub room: Option<RoomRef>,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewVisit {
    pub patient_display_name: String,
    pub patient_mobile: String,
    pub scheduled_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitEdit {
    pub patient_display_name: String,
    pub patient_mobile: String,
    pub scheduled_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Invite {
    pub id: String,
    pub visit_id: String,
    pub role: GuestRole,
    pub method: InviteMethod,
    pub purpose: InvitePurpose,
    pub to_masked: Option<String>,
    pub to_e164: Option<String>,
    pub guest_identity: Option<String>,
    pub status: InviteStatus,
    pub twilio_sid: Option<String>,
    pub error_code: Option<u32>,
    pub error_message: Option<String>,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewInvite {
    pub visit_id: String,
    pub role: GuestRole,
    pub method: InviteMethod,
    pub purpose: InvitePurpose,
    pub to_e164: Option<String>,
    pub to_masked: Option<String>,
    pub guest_identity: Option<String>,
}

/// What became of an invite once the request to Twilio returned (or did not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteOutcome {
    pub status: InviteStatus,
    pub twilio_sid: Option<String>,
    pub error_code: Option<u32>,
    pub error_message: Option<String>,
}

/// Someone the provider removed from a visit's room: the identity the video service reported
/// for them (a role-prefixed random string, or on Janus the display name), and when it was
/// first removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedIdentity {
    pub visit_id: String,
    pub identity: String,
    /// Unix seconds.
    pub removed_at: i64,
}

/// One event for the audit log. `detail` is free text without PHI or secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub actor: String,
    pub action: AuditAction,
    pub visit_id: Option<String>,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditEntry {
    #[ts(type = "number")]
    pub seq: i64,
    /// Unix milliseconds, UTC.
    #[ts(type = "number")]
    pub at_ms: i64,
    pub actor: String,
    pub action: AuditAction,
    pub visit_id: Option<String>,
    pub detail: String,
    /// Hex SHA-256 of the previous entry; 64 zeros for the first.
    pub prev_hash: String,
    pub hash: String,
}

/// A verified audit chain: how many entries, and the hash of the last one (64 zeros when
/// empty). Keeping `head_hash` somewhere else lets a later check notice a truncated tail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditReport {
    #[ts(type = "number")]
    pub entries: u64,
    pub head_hash: String,
}

/// The audit log's head as last written: how many entries, and the newest one's hash. Kept
/// outside the database (the core keeps it in the keychain), it makes the removal of the
/// newest entries detectable, which the chain alone cannot show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditAnchor {
    pub entries: u64,
    pub head_hash: String,
}

impl AuditAnchor {
    /// `entries:head_hash`, as kept.
    pub fn to_text(&self) -> String {
        format!("{}:{}", self.entries, self.head_hash)
    }

    pub fn parse(text: &str) -> Option<Self> {
        let (entries, head_hash) = text.split_once(':')?;
        let valid = head_hash.len() == 64 && head_hash.bytes().all(|b| b.is_ascii_hexdigit());
        let entries = entries.parse().ok()?;
        valid.then(|| Self { entries, head_hash: head_hash.to_string() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde_name<T: Serialize>(value: T) -> String {
        serde_json::to_value(value).unwrap().as_str().unwrap().to_string()
    }

    #[test]
    fn stored_text_matches_serde() {
        for &status in VisitStatus::ALL {
            assert_eq!(serde_name(status), status.as_str());
            assert_eq!(VisitStatus::parse(status.as_str()), Some(status));
        }
        for &role in GuestRole::ALL {
            assert_eq!(serde_name(role), role.as_str());
        }
        for &method in InviteMethod::ALL {
            assert_eq!(serde_name(method), method.as_str());
        }
        for &purpose in InvitePurpose::ALL {
            assert_eq!(serde_name(purpose), purpose.as_str());
        }
        for &status in InviteStatus::ALL {
            assert_eq!(serde_name(status), status.as_str());
        }
        for &action in AuditAction::ALL {
            assert_eq!(serde_name(action), action.as_str());
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
        }
        assert_eq!(VisitStatus::parse("in-visit"), None);
    }

    #[test]
    fn typescript_uses_number_for_times() {
        let cfg = ts_rs::Config::new();
        let declarations = [
            Visit::decl(&cfg),
            VisitStatus::decl(&cfg),
            RoomRef::decl(&cfg),
            Invite::decl(&cfg),
            InviteStatus::decl(&cfg),
            InviteMethod::decl(&cfg),
            GuestRole::decl(&cfg),
            InvitePurpose::decl(&cfg),
            AuditEntry::decl(&cfg),
            AuditAction::decl(&cfg),
            VideoBackendKind::decl(&cfg),
        ];
        for declaration in &declarations {
            assert!(!declaration.contains("bigint"), "{declaration}");
        }
        assert!(declarations[0].contains("scheduled_at: number"), "{}", declarations[0]);
        assert!(declarations[3].contains("error_code: number | null"), "{}", declarations[3]);
        assert!(declarations[8].contains("seq: number") && declarations[8].contains("at_ms: number"));
        assert!(declarations[1].contains("\"in_visit\""), "{}", declarations[1]);
    }
}
