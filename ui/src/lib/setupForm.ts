// The setup form's logic, free of Svelte so it is tested directly. The rules themselves
// live in the Rust core (validate.rs); this module only shapes what the screen shows.
import type { AppError, FieldError, FormField, SetupForm, SetupPrefill } from "../generated/bindings";

/** The form fields of the setup screen. */
export type SetupField = keyof SetupForm & FormField;

export const FIELD_ORDER: readonly SetupField[] = [
  "account_sid",
  "api_key_sid",
  "api_key_secret",
  "display_name",
  "identity",
  "join_page_url",
];

export type FieldMessages = Partial<Record<FormField, string>>;

export function emptyForm(prefill?: SetupPrefill): SetupForm {
  return {
    account_sid: prefill?.account_sid ?? "",
    api_key_sid: prefill?.api_key_sid ?? "",
    api_key_secret: "",
    display_name: prefill?.display_name ?? "",
    identity: prefill?.identity ?? "",
    join_page_url: prefill?.join_page_url ?? "",
  };
}

/**
 * The core's messages, less the empty-secret one when IT put an API Key Secret in this
 * computer's keychain and the provider left the field blank to use it.
 */
export function withoutProvisionedSecret(errors: readonly FieldError[], form: SetupForm, secretInKeychain: boolean): FieldError[] {
  if (!secretInKeychain || form.api_key_secret !== "") return [...errors];
  return errors.filter((error) => error.field !== "api_key_secret");
}

export function messagesByField(errors: readonly FieldError[]): FieldMessages {
  const messages: FieldMessages = {};
  for (const error of errors) messages[error.field] ??= error.message;
  return messages;
}

/** Messages to show: only for fields the provider has left, or all after a submit. */
export function visibleMessages(all: FieldMessages, touched: ReadonlySet<FormField>, submitted: boolean): FieldMessages {
  if (submitted) return all;
  const shown: FieldMessages = {};
  for (const field of touched) if (all[field]) shown[field] = all[field];
  return shown;
}

export function firstInvalidField(messages: FieldMessages): FormField | undefined {
  return FIELD_ORDER.find((field) => messages[field] !== undefined);
}

/** "Dr. Ana Ruiz" → "dr-ana-ruiz": a readable Twilio identity, until the provider edits it. */
export function suggestIdentity(displayName: string): string {
  return displayName
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64);
}

export type Notice = { tone: "success" | "warning" | "error"; text: string; detail?: string };

/** What the screen says after "Test connection" or "Save", branching on the error code. */
export function noticeFor(error: AppError): Notice {
  switch (error.code) {
    case "invalid_input":
      return { tone: "error", text: `${error.message} Check the highlighted fields.` };
    case "service_credentials_rejected":
      return { tone: "error", text: error.message };
    case "service_unreachable":
    case "service_timeout":
      return { tone: "warning", text: error.message };
    case "service_error": {
      const detail = error.service?.more_info ? `More about this error: ${error.service.more_info}` : undefined;
      return { tone: "error", text: error.message, ...(detail ? { detail } : {}) };
    }
    default:
      return { tone: "error", text: error.message };
  }
}

export function isKeychainProblem(error: AppError): boolean {
  return error.code === "keychain_unavailable" || error.code === "keychain_locked" || error.code === "keychain_failed";
}
