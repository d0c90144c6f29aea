// The visits list's logic, free of Svelte: day ranges, labels, which actions a visit
// offers, and what an action's outcome says. The rules themselves live in the Rust core.
import type {
  AppError,
  SmsDelivery,
  GuestRole,
  Invite,
  InviteMethod,
  InviteRequest,
  InviteSent,
  Service,
  SmsLanguage,
  Visit,
  VisitForm,
  VisitStatus,
} from "../generated/bindings";

/** Local midnight of `day`, and of the next day, in unix seconds. */
export function dayRange(day: Date): { from: number; to: number } {
  const start = new Date(day.getFullYear(), day.getMonth(), day.getDate());
  const next = new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1);
  return { from: Math.floor(start.getTime() / 1000), to: Math.floor(next.getTime() / 1000) };
}

export function shiftDay(day: Date, days: number): Date {
  return new Date(day.getFullYear(), day.getMonth(), day.getDate() + days);
}

export function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

export function dayTitle(day: Date, today: Date = new Date()): string {
  const long = new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long" }).format(day);
  if (sameDay(day, today)) return `Today, ${long}`;
  if (sameDay(day, shiftDay(today, 1))) return `Tomorrow, ${long}`;
  if (sameDay(day, shiftDay(today, -1))) return `Yesterday, ${long}`;
  return long;
}

export function timeOfDay(unixSeconds: number): string {
  return new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" }).format(new Date(unixSeconds * 1000));
}

const two = (n: number) => String(n).padStart(2, "0");

/** `YYYY-MM-DD` and `HH:MM` for the form's date and time inputs, in local time. */
export function toInputs(unixSeconds: number): { date: string; time: string } {
  const d = new Date(unixSeconds * 1000);
  return {
    date: `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`,
    time: `${two(d.getHours())}:${two(d.getMinutes())}`,
  };
}

/** The local date and time inputs as unix seconds; NaN when either is empty or malformed. */
export function fromInputs(date: string, time: string): number {
  const dateParts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const timeParts = /^(\d{2}):(\d{2})$/.exec(time);
  if (!dateParts || !timeParts) return Number.NaN;
  const [, y, mo, d] = dateParts.map(Number);
  const [, h, mi] = timeParts.map(Number);
  return Math.floor(new Date(y!, mo! - 1, d!, h, mi).getTime() / 1000);
}

export type VisitDraft = { name: string; mobile: string; date: string; time: string };

export function draftFor(day: Date, visit?: Visit): VisitDraft {
  if (visit) return { name: visit.patient_display_name, mobile: visit.patient_mobile, ...toInputs(visit.scheduled_at) };
  const now = new Date();
  // The next half hour on the shown day.
  const base = sameDay(day, now) ? now : new Date(day.getFullYear(), day.getMonth(), day.getDate(), 9, 0);
  const rounded = Math.ceil(base.getTime() / 1_800_000) * 1_800_000;
  return { name: "", mobile: "", ...toInputs(rounded / 1000) };
}

export function formFromDraft(draft: VisitDraft): VisitForm {
  const scheduled = fromInputs(draft.date, draft.time);
  // An unreadable date reaches the core as 0, which it refuses with a field message.
  return { patient_display_name: draft.name, patient_mobile: draft.mobile, scheduled_at: Number.isNaN(scheduled) ? 0 : scheduled };
}

export const STATUS_LABEL: Record<VisitStatus, string> = {
  scheduled: "Scheduled",
  invited: "Invited",
  waiting: "Waiting",
  in_visit: "In visit",
  completed: "Completed",
  cancelled: "Cancelled",
  no_show: "No-show",
};

export type VisitAction = "join" | "invite_patient" | "invite_guest" | "running_late" | "end" | "edit" | "cancel" | "no_show";

/** What a visit offers in its status; the core refuses the rest with `visit_state_conflict`. */
export function actionsFor(status: VisitStatus): VisitAction[] {
  switch (status) {
    case "scheduled":
    case "invited":
    case "waiting":
      return ["join", "invite_patient", "invite_guest", "running_late", "edit", "cancel", "no_show"];
    case "in_visit":
      return ["join", "invite_guest", "end", "edit"];
    default:
      return [];
  }
}

export const ROLE_LABEL: Record<GuestRole, string> = {
  patient: "Patient",
  interpreter: "Interpreter",
  family: "Family member",
  caregiver: "Caregiver",
};

export const METHOD_LABEL: Record<InviteMethod, string> = {
  sms: "Text message",
  phone_dial_in: "Phone call (dial-in)",
  copy_link: "Copy link",
};

export type Outcome = {
  tone: "success" | "warning" | "error";
  text: string;
  /** The error code, so the screen can offer "Send anyway" for `resend_needs_confirmation`. */
  code?: AppError["code"];
  link?: string;
  /** For a texted invite: where the text stands, once Twilio says. */
  delivery?: string;
  /** The invite, so its delivery can be asked after. */
  inviteId?: string;
};

function who(invite: Invite): string {
  const role = ROLE_LABEL[invite.role].toLowerCase();
  return invite.to_masked ? `${role} (${invite.to_masked})` : role;
}

export function sentOutcome(sent: InviteSent): Outcome {
  const { invite } = sent;
  if (invite.method === "copy_link") {
    return { tone: "success", text: `Link for the ${ROLE_LABEL[invite.role].toLowerCase()} is ready to copy.`, ...(sent.link ? { link: sent.link } : {}) };
  }
  if (invite.purpose === "running_late") {
    return { tone: "success", text: `Running-late text sent to ${who(invite)}.`, inviteId: invite.id };
  }
  if (invite.method === "phone_dial_in") return { tone: "success", text: `Calling the ${who(invite)} into the room.` };
  return { tone: "success", text: `Invitation texted to the ${who(invite)}.`, inviteId: invite.id };
}

/** The service an error came from, as the provider knows it. */
const SERVICE_NAME: Record<Service, string> = {
  twilio: "Twilio",
  janus: "Janus",
};

/** An action's failure, branching on the core's code. */
export function failedOutcome(error: AppError): Outcome {
  switch (error.code) {
    case "invite_outcome_unknown":
      return { tone: "warning", code: error.code, text: `Unknown — check before resending. ${error.message}` };
    case "resend_needs_confirmation":
      return { tone: "warning", code: error.code, text: error.message };
    case "service_error": {
      const service = error.service;
      const text = service
        ? `${SERVICE_NAME[service.service]} error ${service.code ?? service.status}: ${service.message}`
        : error.message;
      return { tone: "error", code: error.code, text };
    }
    case "invalid_input":
      return { tone: "error", code: error.code, text: error.fields.map((f) => f.message).join(" ") || error.message };
    default:
      return { tone: "error", code: error.code, text: error.message };
  }
}

export const INVITE_STATUS_LABEL: Record<Invite["status"], string> = {
  pending: "Sending…",
  sent: "Sent",
  failed: "Failed",
  unknown: "Unknown — check before resending",
};

/** What the invite dialog asks the console to do. */
export type InviteChoice =
  | { kind: "invite"; role: GuestRole; method: InviteMethod; phone: string | null; language: SmsLanguage }
  | { kind: "running_late"; minutes: number; language: SmsLanguage };

/** The core's request for an invite the provider chose. */
export function inviteRequest(
  visitId: string,
  choice: Extract<InviteChoice, { kind: "invite" }>,
  confirmResend: boolean,
): InviteRequest {
  const { role, method, phone, language } = choice;
  return { visit_id: visitId, role, method, phone, language, confirm_resend: confirmResend };
}

/** When to ask Twilio again how a text is doing, after sending (ms). */
export const DELIVERY_CHECKS_MS = [2000, 5000, 10_000, 20_000] as const;

/** Where a text stands, in the provider's words; Twilio's own code for a failure. */
export function deliveryWords(delivery: SmsDelivery): string {
  const failure = delivery.error_code
    ? ` (Twilio error ${delivery.error_code}${delivery.error_message ? `: ${delivery.error_message}` : ""})`
    : "";
  switch (delivery.status) {
    case "delivered":
    case "read":
      return "Delivered to the phone.";
    case "undelivered":
    case "failed":
      return `Not delivered${failure}. Check the number, or send the link another way.`;
    case "sent":
      return "Handed to the mobile carrier; waiting for delivery.";
    case "queued":
    case "accepted":
    case "sending":
    case "scheduled":
      return "Waiting to be sent.";
    default:
      return "Delivery status not reported yet.";
  }
}
