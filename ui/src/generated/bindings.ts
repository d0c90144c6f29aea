// Generated from the Rust core by `VISITDESK_UPDATE_BINDINGS=1 cargo test -p visitdesk-core --test bindings`.
// Do not edit by hand.

export type ErrorCode = "invalid_input" | "keychain_unavailable" | "keychain_locked" | "keychain_failed" | "service_credentials_rejected" | "service_unreachable" | "service_timeout" | "service_error" | "service_unexpected_response" | "settings_failed" | "browser_unavailable" | "not_configured" | "invite_outcome_unknown" | "resend_needs_confirmation" | "visit_state_conflict" | "not_found" | "visits_key_missing" | "visits_database_wrong_key" | "visits_database_newer" | "visits_database_failed" | "audit_tampered" | "setting_locked" | "invite_method_not_allowed" | "updates_off" | "update_unreachable" | "update_feed_invalid" | "update_signature_invalid" | "update_install_failed" | "internal";

export type FormField = "account_sid" | "api_key_sid" | "api_key_secret" | "display_name" | "identity" | "join_page_url" | "patient_display_name" | "patient_mobile" | "scheduled_at" | "phone" | "minutes" | "default_region" | "messaging_service_sid" | "sms_from" | "caller_id" | "sms_texts" | "max_participants" | "guest_token_ttl_minutes" | "provider_token_ttl_minutes" | "empty_room_timeout_minutes" | "unused_room_timeout_minutes" | "video_api_url" | "video_browser_url" | "janus_admin_key" | "janus_token_secret" | "update_feed_url";

export type FieldError = { field: FormField, message: string, };

export type Service = "twilio" | "janus";

export type ServiceErrorInfo = { service: Service, 
/**
 * The HTTP status of the answer; 0 when the error came without one (Janus's errors:
 * Janus sends them inside its JSON answer).
 */
status: number, 
/**
 * The service's own error code (Twilio's, or Janus's core or VideoRoom code).
 */
code: number | null, message: string, more_info: string | null, };

export type AppError = { code: ErrorCode, message: string, fields: Array<FieldError>, 
/**
 * The service's own error, when it gave one.
 */
service: ServiceErrorInfo | null, };

export type ProviderProfile = { display_name: string, identity: string, join_page_url: string, };

export type TwilioAccount = { account_sid: string, api_key_sid: string, };

export type SetupForm = { account_sid: string, api_key_sid: string, api_key_secret: string, display_name: string, identity: string, join_page_url: string, };

export type SetupPrefill = { account_sid: string, api_key_sid: string, display_name: string, identity: string, join_page_url: string, 
/**
 * IT put an API Key Secret in this user's keychain (`visitdesk keychain import`): the
 * form may leave the secret blank to use it.
 */
api_key_secret_in_keychain: boolean, };

export type AppState = { "kind": "needs_setup", prefill: SetupPrefill, notice: string | null, } | { "kind": "ready", profile: ProviderProfile, account: TwilioAccount, } | { "kind": "keychain_problem", error: AppError, };

export type ConnectionCheck = { 
/**
 * Rooms Twilio listed (one is asked for): proof the credentials can read the account.
 */
rooms_listed: number, };

export type SaveOutcome = { state: AppState, 
/**
 * Set when the credentials were saved without Twilio confirming them (offline).
 */
warning: AppError | null, };

export type SmsLanguage = "en" | "es";

export type SmsTexts = { patient_invite: string | null, guest_invite: string | null, running_late: string | null, };

export type VideoService = { "kind": "twilio" } | { "kind": "janus", 
/**
 * Where VisitDesk sends Janus HTTP API requests, e.g. `https://video.clinic.org/janus`.
 */
api_url: string, 
/**
 * What browsers connect to: the same address, or Janus's WebSocket (`wss://…`).
 */
browser_url: string, };

export type UpdateChannel = "stable" | "beta";

export type UpdateSettings = { 
/**
 * Off: VisitDesk never asks any server about updates.
 */
check: boolean, 
/**
 * The feed's address; `None` is VisitDesk's own ([`VISITDESK_FEED`]).
 */
feed_url: string | null, channel: UpdateChannel, };

export type AdmissionMode = "on_join" | "explicit";

export type ClinicSettings = { 
/**
 * Region for numbers typed without `+country` (ISO 3166 alpha-2).
 */
default_region: string, 
/**
 * SMS sender: a Messaging Service SID (`MG…`), else a Twilio number in E.164.
 */
messaging_service_sid: string | null, sms_from: string | null, 
/**
 * The Twilio number dial-in calls come from.
 */
caller_id: string | null, sms_language: SmsLanguage, sms_texts_en: SmsTexts, sms_texts_es: SmsTexts, 
/**
 * Patient, provider, interpreter and family by default.
 */
max_participants: number, record_participants: boolean, guest_token_ttl_minutes: number, provider_token_ttl_minutes: number, empty_room_timeout_minutes: number, unused_room_timeout_minutes: number, video: VideoService, admission: AdmissionMode, updates: UpdateSettings, };

export type VisitStatus = "scheduled" | "invited" | "waiting" | "in_visit" | "completed" | "cancelled" | "no_show";

export type RoomRef = { service: VideoBackendKind, unique_name: string, 
/**
 * The service's id for the room: Twilio's `RM…` SID, or the Janus room number.
 */
sid: string | null, };

export type Visit = { 
/**
 * 128 random bits as 32 lowercase hex characters.
 */
id: string, patient_display_name: string, 
/**
 * E.164, validated by the core.
 */
patient_mobile: string, 
/**
 * Unix seconds, UTC.
 */
scheduled_at: number, status: VisitStatus, room: RoomRef | null, created_at: number, updated_at: number, };

export type VisitForm = { patient_display_name: string, patient_mobile: string, 
/**
 * Unix seconds.
 */
scheduled_at: number, };

export type GuestRole = "patient" | "interpreter" | "family" | "caregiver";

export type InviteMethod = "sms" | "phone_dial_in" | "copy_link";

export type InvitePurpose = "join" | "running_late";

export type InviteStatus = "pending" | "sent" | "failed" | "unknown";

export type Invite = { id: string, visit_id: string, role: GuestRole, method: InviteMethod, purpose: InvitePurpose, to_masked: string | null, to_e164: string | null, guest_identity: string | null, status: InviteStatus, twilio_sid: string | null, error_code: number | null, error_message: string | null, created_at: number, updated_at: number, };

export type InviteRequest = { visit_id: string, role: GuestRole, method: InviteMethod, 
/**
 * Who to text or call; for the patient, empty means the visit's mobile number.
 */
phone: string | null, 
/**
 * The clinic's default when absent.
 */
language: SmsLanguage | null, 
/**
 * Send although an earlier attempt to the same person has an unknown outcome.
 */
confirm_resend: boolean, };

export type RunningLateRequest = { visit_id: string, minutes: number, language: SmsLanguage | null, confirm_resend: boolean, };

export type InviteSent = { invite: Invite, 
/**
 * The join link, for "copy link" only.
 */
link: string | null, };

export type SmsDelivery = { invite_id: string, 
/**
 * Twilio's status as Twilio spells it (`queued`, `sent`, `delivered`, `undelivered`,
 * `failed`, …); `None` for one this version does not know.
 */
status: string | null, 
/**
 * No further change is expected: stop asking.
 */
settled: boolean, error_code: number | null, error_message: string | null, };

export type VideoBackendKind = "twilio" | "janus";

export type JanusSecretsForm = { admin_key: string, token_auth_secret: string, };

export type CallTarget = { "service": "twilio", room_sid: string, } | { "service": "janus", 
/**
 * The address browsers connect to.
 */
server: string, room_id: number, 
/**
 * The Janus session token (the room token is the credential's own).
 */
core_token: string, 
/**
 * The clinician's participant id in this room (the clinician's credential only).
 */
participant_id: number | null, 
/**
 * The clinician's proof, `<expires>.<signature>`, which join pages check with the
 * clinic's join page key (the clinician's credential only).
 */
proof: string | null, 
/**
 * How the clinician's call lets waiting patients in (the clinician's credential
 * only): on Janus their call tells the room whom it admits.
 */
admission: AdmissionMode | null, };

export type JoinInfo = { visit_id: string, room_name: string, identity: string, 
/**
 * The provider's token, for the call in this window only.
 */
token: string, expires_at: number, 
/**
 * Which service, and where on it, the call connects.
 */
target: CallTarget, 
/**
 * The join page in the provider's role, for a webview without WebRTC: opened in the
 * system browser (the token is in the fragment, which no server sees).
 */
join_url: string, 
/**
 * The visit's intake key (the `k` of the clinician's and the patient's links), which opens
 * the patient's sealed intake answers in the call.
 */
intake_key: string, };

export type PreflightToken = { token: string, expires_at: number, };

export type AuditAction = "visit_created" | "visit_edited" | "visit_cancelled" | "visit_no_show" | "room_created" | "room_ended" | "participant_removed" | "patient_admitted" | "patient_back_in_waiting_room" | "patient_sent_back" | "invite_sms_sent" | "invite_call_placed" | "invite_link_copied" | "running_late_sms_sent" | "invite_failed" | "invite_outcome_unknown";

export type AuditEntry = { seq: number, 
/**
 * Unix milliseconds, UTC.
 */
at_ms: number, actor: string, action: AuditAction, visit_id: string | null, detail: string, 
/**
 * Hex SHA-256 of the previous entry; 64 zeros for the first.
 */
prev_hash: string, hash: string, };

export type AuditReport = { entries: number, head_hash: string, };

export type GuestPresence = { identity: string, 
/**
 * From the identity's prefix; empty for an identity VisitDesk did not issue.
 */
role: GuestRole | null, };

export type DeviceReadiness = { camera_on: boolean | null, microphone_on: boolean | null, };

export type DelayReason = "rate_limited" | "server_error" | "timeout" | "unreachable" | "credentials" | "unexpected_answer";

export type PatientState = { "kind": "not_arrived" } | { "kind": "waiting", since_unix: number, } | { "kind": "in_visit", since_unix: number, } | { "kind": "left", since_unix: number, };

export type AdmissionState = "waiting" | "admitted" | "sent_back";

export type AdmissionDecision = "admit" | "send_back";

export type VisitPresence = { visit_id: string, scheduled_at: number, state: PatientState, patient_identity: string | null, provider_present: boolean, guests: Array<GuestPresence>, devices: DeviceReadiness, 
/**
 * The last check failed: `state` is what was last known, not what is true now. Show
 * "status delayed, retrying" instead of claiming it.
 */
delayed: boolean, delay_reason: DelayReason | null, 
/**
 * The last successful check; `null` before the first (show "checking").
 */
checked_at_unix: number | null, 
/**
 * Where the patient is while in the room; `null` without them.
 */
admission: AdmissionState | null, 
/**
 * The console's Admit and Send back act: the service holds a waiting patient (Twilio).
 * On Janus the join page lets the patient in when the clinician joins.
 */
admission_by_console: boolean, };

export type WaitingRoomEvent = { "kind": "patient_arrived", visit_id: string, identity: string, since_unix: number, } | { "kind": "patient_left", visit_id: string, identity: string, } | { "kind": "guests_changed", visit_id: string, guests: Array<GuestPresence>, } | { "kind": "devices_changed", visit_id: string, camera_on: boolean | null, microphone_on: boolean | null, } | { "kind": "provider_joined", visit_id: string, } | { "kind": "provider_left", visit_id: string, } | { "kind": "status_delayed", visit_id: string, retry_in_seconds: number, reason: DelayReason, } | { "kind": "status_restored", visit_id: string, } | { "kind": "visit_status_changed", visit_id: string, status: VisitStatus, } | { "kind": "monitoring_stopped", visit_id: string, } | { "kind": "removed_rejoined", visit_id: string, identity: string, 
/**
 * From the identity's prefix; empty for an identity VisitDesk did not issue.
 */
role: GuestRole | null, removed: boolean, } | { "kind": "admission_changed", visit_id: string, admission: AdmissionState, };

export type VisitFocusRequest = { visit_id: string, };

export type PolicySetting = "join_page_url" | "video" | "recording_allowed" | "invite_methods" | "sms_sender" | "update_url" | "update_channel" | "admission";

export type ManagedSetting = { setting: PolicySetting, 
/**
 * Locked: shown read-only. Unlocked: IT's starting value, the provider's to change.
 */
locked: boolean, 
/**
 * The policy replaces a value the provider had saved.
 */
overrides_yours: boolean, };

export type PolicyView = { 
/**
 * The policy file, when there is one.
 */
source: string | null, managed_by: string | null, 
/**
 * Why the policy file could not be used.
 */
problem: string | null, settings: Array<ManagedSetting>, allowed_invite_methods: Array<InviteMethod>, };

export type UpdateCheck = { "status": "off", current_version: string, managed: boolean, } | { "status": "up_to_date", current_version: string, } | { "status": "available", current_version: string, version: string, notes: string | null, published: string | null, };

export type UpdateInstalled = { version: string, };
