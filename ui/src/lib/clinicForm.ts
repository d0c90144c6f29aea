// The clinic settings form's logic, free of Svelte. The rules live in the Rust core
// (clinic.rs); this module only turns settings into what the form edits and back.
import type { AdmissionMode, AppError, ClinicSettings, FormField, SmsLanguage, UpdateChannel } from "../generated/bindings";
import { type FieldMessages, type Notice, noticeFor } from "./setupForm";

export type SenderKind = "messaging_service" | "number";
export type VideoKind = ClinicSettings["video"]["kind"];

/** What the form edits. Numbers are null while their box is empty. */
export type ClinicDraft = {
  default_region: string;
  sender: SenderKind;
  messaging_service_sid: string;
  sms_from: string;
  caller_id: string;
  sms_language: SmsLanguage;
  video: VideoKind;
  video_api_url: string;
  video_browser_url: string;
  /** On Twilio: the clinician's joining lets the patient in, or only their Admit does. */
  admission: AdmissionMode;
  max_participants: number | null;
  guest_token_ttl_minutes: number | null;
  provider_token_ttl_minutes: number | null;
  record_participants: boolean;
  /** Off: VisitDesk never asks any server about updates. */
  update_check: boolean;
  /** Blank: VisitDesk's own feed. */
  update_feed_url: string;
  update_channel: UpdateChannel;
};

export type JanusSecrets = { admin_key: string; token_auth_secret: string };

type WholeNumberField = "max_participants" | "guest_token_ttl_minutes" | "provider_token_ttl_minutes";
const WHOLE_NUMBER_FIELDS: readonly WholeNumberField[] = ["max_participants", "guest_token_ttl_minutes", "provider_token_ttl_minutes"];

/**
 * The form's view of saved settings. `previous` keeps choices the settings cannot hold:
 * the sender kind while neither sender is set, and Janus addresses while Twilio is chosen.
 */
export function draftFromSettings(settings: ClinicSettings, previous?: ClinicDraft): ClinicDraft {
  const janus = settings.video.kind === "janus" ? settings.video : null;
  const sender: SenderKind = settings.messaging_service_sid
    ? "messaging_service"
    : settings.sms_from
      ? "number"
      : (previous?.sender ?? "messaging_service");
  return {
    default_region: settings.default_region,
    sender,
    messaging_service_sid: settings.messaging_service_sid ?? "",
    sms_from: settings.sms_from ?? "",
    caller_id: settings.caller_id ?? "",
    sms_language: settings.sms_language,
    video: settings.video.kind,
    video_api_url: janus?.api_url ?? previous?.video_api_url ?? "",
    video_browser_url: janus?.browser_url ?? previous?.video_browser_url ?? "",
    admission: settings.admission,
    max_participants: settings.max_participants,
    guest_token_ttl_minutes: settings.guest_token_ttl_minutes,
    provider_token_ttl_minutes: settings.provider_token_ttl_minutes,
    record_participants: settings.record_participants,
    update_check: settings.updates.check,
    update_feed_url: settings.updates.feed_url ?? "",
    update_channel: settings.updates.channel,
  };
}

const orNull = (value: string): string | null => (value.trim() === "" ? null : value);

/**
 * The whole ClinicSettings to save: `loaded` with the draft's edits. Only the chosen sender
 * is kept. Fails only on what cannot be sent at all (a number box left empty or fractional).
 */
export function settingsFromDraft(
  draft: ClinicDraft,
  loaded: ClinicSettings,
): { ok: true; settings: ClinicSettings } | { ok: false; messages: FieldMessages } {
  const messages: FieldMessages = {};
  for (const field of WHOLE_NUMBER_FIELDS) {
    const value = draft[field];
    if (value === null || !Number.isInteger(value) || value < 0) messages[field] = "Enter a whole number.";
  }
  if (Object.keys(messages).length > 0) return { ok: false, messages };
  return {
    ok: true,
    settings: {
      ...loaded,
      default_region: draft.default_region,
      messaging_service_sid: draft.sender === "messaging_service" ? orNull(draft.messaging_service_sid) : null,
      sms_from: draft.sender === "number" ? orNull(draft.sms_from) : null,
      caller_id: orNull(draft.caller_id),
      sms_language: draft.sms_language,
      video:
        draft.video === "janus"
          ? { kind: "janus", api_url: draft.video_api_url, browser_url: draft.video_browser_url }
          : { kind: "twilio" },
      admission: draft.admission,
      max_participants: draft.max_participants as number,
      guest_token_ttl_minutes: draft.guest_token_ttl_minutes as number,
      provider_token_ttl_minutes: draft.provider_token_ttl_minutes as number,
      record_participants: draft.record_participants,
      updates: { check: draft.update_check, feed_url: orNull(draft.update_feed_url), channel: draft.update_channel },
    },
  };
}

/** Whether the draft's update settings differ from the saved ones (a check uses the saved ones). */
export function updatesEdited(draft: ClinicDraft, saved: ClinicSettings): boolean {
  return (
    draft.update_check !== saved.updates.check ||
    orNull(draft.update_feed_url)?.trim() !== (saved.updates.feed_url ?? undefined) ||
    draft.update_channel !== saved.updates.channel
  );
}

/** Secrets go to the keychain only when Janus is chosen and one of them was typed. */
export function secretsToSave(draft: ClinicDraft, secrets: JanusSecrets): JanusSecrets | null {
  if (draft.video !== "janus") return null;
  return secrets.admin_key !== "" || secrets.token_auth_secret !== "" ? { ...secrets } : null;
}

/** The fields the form shows for this draft; messages for any other field go in the notice. */
export function visibleFields(draft: ClinicDraft): Set<FormField> {
  const shown = new Set<FormField>([
    "default_region",
    draft.sender === "messaging_service" ? "messaging_service_sid" : "sms_from",
    "caller_id",
    "max_participants",
    "guest_token_ttl_minutes",
    "provider_token_ttl_minutes",
    "update_feed_url",
  ]);
  if (draft.video === "janus") {
    for (const field of ["video_api_url", "video_browser_url", "janus_admin_key", "janus_token_secret"] as const) shown.add(field);
  }
  return shown;
}

export type SaveResult = {
  /** Null when the settings saved. */
  settingsError: AppError | null;
  /** Null when the secrets saved or were not sent. */
  secretsError: AppError | null;
  secretsSent: boolean;
};

/** What the form says after Save; `hidden` are field messages with no field on screen. */
export function saveNotice(result: SaveResult, hidden: readonly string[] = []): Notice {
  const { settingsError, secretsError, secretsSent } = result;
  const secretsOutcome = secretsError
    ? `The Janus secrets were not saved: ${secretsError.code === "invalid_input" ? "check the highlighted fields." : secretsError.message}`
    : secretsSent
      ? "The Janus secrets are saved in this computer's keychain."
      : "";
  const base: Notice = settingsError
    ? noticeFor(settingsError)
    : { tone: secretsError ? "error" : "success", text: "The clinic settings were saved." };
  const text = [base.text, secretsOutcome].filter(Boolean).join(" ");
  const detail = [base.detail, ...hidden].filter(Boolean).join(" ");
  return { ...base, text, ...(detail ? { detail } : {}) };
}
