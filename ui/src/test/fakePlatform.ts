import { vi } from "vitest";

import type { AppState, ClinicSettings, FieldError, PolicySetting, PolicyView, SetupForm } from "../generated/bindings";
import { NO_POLICY } from "../lib/policy";
import type { Platform } from "../platform";

export const READY: Extract<AppState, { kind: "ready" }> = {
  kind: "ready",
  profile: { display_name: "Dr. Ana Ruiz", identity: "dr-ana-ruiz", join_page_url: "https://visit.example.org/join" },
  account: { account_sid: "AC0123456789abcdef0123456789abcdef", api_key_sid: "SK0123456789abcdef0123456789abcdef" },
};

/** Clinic settings as the core might load them: a Messaging Service, Twilio video. */
export const CLINIC: ClinicSettings = {
  default_region: "US",
  messaging_service_sid: "MG0123456789abcdef0123456789abcdef",
  sms_from: null,
  caller_id: "+14155550100",
  sms_language: "es",
  sms_texts_en: { patient_invite: "Join {link}", guest_invite: null, running_late: null },
  sms_texts_es: { patient_invite: null, guest_invite: null, running_late: "Llegamos {minutes} min tarde" },
  max_participants: 4,
  record_participants: false,
  guest_token_ttl_minutes: 240,
  provider_token_ttl_minutes: 120,
  empty_room_timeout_minutes: 10,
  unused_room_timeout_minutes: 60,
  video: { kind: "twilio" },
  admission: "on_join",
  updates: { check: true, feed_url: null, channel: "stable" },
};

/** Stands in for the join page key the core derives (a P-256 point, base64url). */
export const JOIN_PAGE_KEY = "BEXAMPLEjoinPageKey0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-0123456789ab";

/** Stands in for the visit's intake key the core derives (32 bytes, base64url without padding). */
export const INTAKE_KEY = "zVA4pmOGElu3bJBH4uExUtkHrJeHJIZSlLJklMwKQUg";

/** A policy from "Example Hospital IT" that manages `settings`, each `[setting, locked, overrides_yours]`. */
export function policyOf(settings: [PolicySetting, boolean, boolean?][], over: Partial<PolicyView> = {}): PolicyView {
  return {
    source: "/etc/visitdesk/policy.json",
    managed_by: "Example Hospital IT",
    problem: null,
    settings: settings.map(([setting, locked, overrides_yours = false]) => ({ setting, locked, overrides_yours })),
    allowed_invite_methods: ["sms", "phone_dial_in", "copy_link"],
    ...over,
  };
}

/** Stands in for the core's validation: one rule per field is enough to drive the screen. */
export function fakeFieldErrors(form: SetupForm): FieldError[] {
  const errors: FieldError[] = [];
  if (!/^AC[0-9a-f]{32}$/i.test(form.account_sid.trim()))
    errors.push({ field: "account_sid", message: "The Account SID is AC followed by 32 hexadecimal characters." });
  if (!/^SK[0-9a-f]{32}$/i.test(form.api_key_sid.trim()))
    errors.push({ field: "api_key_sid", message: "The API Key SID is SK followed by 32 hexadecimal characters." });
  if (form.api_key_secret.length !== 32) errors.push({ field: "api_key_secret", message: "An API Key Secret is 32 letters and digits." });
  if (!form.display_name.trim()) errors.push({ field: "display_name", message: "Enter your name." });
  if (!form.identity.trim()) errors.push({ field: "identity", message: "Enter an identity." });
  if (!form.join_page_url.startsWith("https://")) errors.push({ field: "join_page_url", message: "The join page must start with https://." });
  return errors;
}

/** A platform call no screen under test should make; fails loudly if one does. */
function notFaked(name: string) {
  return vi.fn(async (): Promise<never> => {
    throw { code: "internal", message: `${name} is not faked in this test`, fields: [], service: null };
  });
}

export function fakePlatform(overrides: Partial<Platform> = {}): Platform {
  return {
    clinicSettings: notFaked("clinicSettings"),
    saveClinicSettings: notFaked("saveClinicSettings"),
    saveJanusSecrets: notFaked("saveJanusSecrets"),
    janusJoinPageKey: vi.fn(async () => JOIN_PAGE_KEY),
    openVisitInBrowser: notFaked("openVisitInBrowser"),
    listVisits: vi.fn(async () => []),
    createVisit: notFaked("createVisit"),
    editVisit: notFaked("editVisit"),
    cancelVisit: notFaked("cancelVisit"),
    markNoShow: notFaked("markNoShow"),
    startVisit: notFaked("startVisit"),
    preflightToken: vi.fn(async () => ({ token: "header.claims.signature", expires_at: 0 })),
    endVisit: notFaked("endVisit"),
    removeParticipant: notFaked("removeParticipant"),
    inviteGuest: notFaked("inviteGuest"),
    sendRunningLate: notFaked("sendRunningLate"),
    visitInvites: notFaked("visitInvites"),
    smsDelivery: notFaked("smsDelivery"),
    auditLog: notFaked("auditLog"),
    verifyAuditLog: notFaked("verifyAuditLog"),
    waitingRoom: vi.fn(async () => []),
    decideAdmission: notFaked("decideAdmission"),
    onWaitingRoomEvent: vi.fn(async () => () => {}),
    onFocusVisit: vi.fn(async () => () => {}),
    managedPolicy: vi.fn(async () => structuredClone(NO_POLICY)),
    checkForUpdate: notFaked("checkForUpdate"),
    installUpdate: notFaked("installUpdate"),
    appState: vi.fn(async () => READY),
    checkSetupForm: vi.fn(async (form: SetupForm) => fakeFieldErrors(form)),
    testConnection: vi.fn(async () => ({ rooms_listed: 0 })),
    testSavedConnection: vi.fn(async () => ({ rooms_listed: 1 })),
    saveSetup: vi.fn(async () => ({ state: READY, warning: null })),
    signOut: vi.fn(async (): Promise<AppState> => ({
      kind: "needs_setup",
      prefill: { account_sid: "", api_key_sid: "", display_name: "Dr. Ana Ruiz", identity: "dr-ana-ruiz", join_page_url: "https://visit.example.org/join", api_key_secret_in_keychain: false },
      notice: null,
    })),
    ...overrides,
  };
}

export const GOOD_VALUES = {
  account_sid: "AC0123456789abcdef0123456789abcdef",
  api_key_sid: "SK0123456789abcdef0123456789abcdef",
  api_key_secret: "abcdefghijklmnopqrstuvwxyz012345",
  display_name: "Dr. Ana Ruiz",
  join_page_url: "https://visit.example.org/join",
} as const;
