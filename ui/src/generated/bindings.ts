// Generated from the Rust core by `VISITDESK_UPDATE_BINDINGS=1 cargo test -p visitdesk-core --test bindings`.
// Do not edit by hand.

export type ErrorCode = "invalid_input" | "keychain_unavailable" | "keychain_locked" | "keychain_failed" | "twilio_credentials_rejected" | "twilio_unreachable" | "twilio_timeout" | "twilio_error" | "twilio_unexpected_response" | "settings_failed" | "not_configured" | "internal";

export type SetupField = "account_sid" | "api_key_sid" | "api_key_secret" | "display_name" | "identity" | "join_page_url";

export type FieldError = { field: SetupField, message: string, };

export type TwilioErrorInfo = { status: number, code: number | null, message: string, more_info: string | null, };

export type AppError = { code: ErrorCode, message: string, fields: Array<FieldError>, twilio: TwilioErrorInfo | null, };

export type ProviderProfile = { display_name: string, identity: string, join_page_url: string, };

export type TwilioAccount = { account_sid: string, api_key_sid: string, };

export type SetupForm = { account_sid: string, api_key_sid: string, api_key_secret: string, display_name: string, identity: string, join_page_url: string, };

export type SetupPrefill = { account_sid: string, api_key_sid: string, display_name: string, identity: string, join_page_url: string, };

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
