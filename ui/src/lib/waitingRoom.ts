// The waiting-room panel's logic, free of Svelte: folding the core's events into each
// visit's presence, and the words the panel shows. Never claims certainty while delayed.
import type { AdmissionDecision, DelayReason, GuestRole, VisitPresence, WaitingRoomEvent } from "../generated/bindings";
import { type Platform, toAppError } from "../platform";
import { ROLE_LABEL, timeOfDay } from "./visits";

export type Presences = Record<string, VisitPresence>;

export function fromSnapshot(snapshot: VisitPresence[]): Presences {
  return Object.fromEntries(snapshot.map((p) => [p.visit_id, p]));
}

function blank(visitId: string): VisitPresence {
  return {
    visit_id: visitId,
    scheduled_at: 0,
    state: { kind: "not_arrived" },
    patient_identity: null,
    provider_present: false,
    guests: [],
    devices: { camera_on: null, microphone_on: null },
    delayed: false,
    delay_reason: null,
    checked_at_unix: null,
    admission: null,
    admission_by_console: false,
  };
}

/** The presences after one event; a new object, so Svelte sees the change. */
export function applyEvent(presences: Presences, event: WaitingRoomEvent, nowUnix: number): Presences {
  if (event.kind === "monitoring_stopped") {
    const { [event.visit_id]: _stopped, ...rest } = presences;
    return rest;
  }
  const current = presences[event.visit_id] ?? blank(event.visit_id);
  const next: VisitPresence = { ...current };
  switch (event.kind) {
    case "patient_arrived":
      next.state = current.provider_present ? { kind: "in_visit", since_unix: event.since_unix } : { kind: "waiting", since_unix: event.since_unix };
      next.patient_identity = event.identity;
      break;
    case "patient_left":
      next.state = { kind: "left", since_unix: nowUnix };
      next.devices = { camera_on: null, microphone_on: null };
      next.admission = null;
      break;
    case "guests_changed":
      next.guests = event.guests;
      break;
    case "devices_changed":
      next.devices = { camera_on: event.camera_on, microphone_on: event.microphone_on };
      break;
    case "provider_joined":
      next.provider_present = true;
      if (current.state.kind === "waiting") next.state = { kind: "in_visit", since_unix: nowUnix };
      break;
    case "provider_left":
      next.provider_present = false;
      if (current.state.kind === "in_visit") next.state = { kind: "waiting", since_unix: nowUnix };
      break;
    case "status_delayed":
      next.delayed = true;
      next.delay_reason = event.reason;
      break;
    case "status_restored":
      next.delayed = false;
      next.delay_reason = null;
      next.checked_at_unix = nowUnix;
      break;
    case "admission_changed":
      next.admission = event.admission;
      break;
    case "visit_status_changed":
    case "removed_rejoined":
      return presences;
  }
  return { ...presences, [event.visit_id]: next };
}

/** Patients in the room and not let in: alone, or waiting for the clinician's Admit. */
export function waitingCount(presences: Presences): number {
  return Object.values(presences).filter(
    (p) => !p.delayed && (p.state.kind === "waiting" || (p.state.kind === "in_visit" && p.admission !== null && p.admission !== "admitted")),
  ).length;
}

/** "just arrived" in the first minute, then "waiting N min". */
function waitingFor(sinceUnix: number, nowUnix: number): string {
  const minutes = Math.max(0, Math.floor((nowUnix - sinceUnix) / 60));
  return minutes === 0 ? "just arrived" : `waiting ${minutes} min`;
}

const DELAY_TEXT: Record<DelayReason, string> = {
  rate_limited: "Twilio asked VisitDesk to slow down",
  server_error: "Twilio had a problem",
  timeout: "Twilio did not answer in time",
  unreachable: "Twilio cannot be reached",
  credentials: "Twilio refused the saved credentials",
  unexpected_answer: "Twilio's answer was unreadable",
};

export type PresenceView = { tone: "idle" | "waiting" | "active" | "left" | "delayed"; headline: string; detail: string | null };

/** What the panel says of one visit at `nowUnix`. */
export function describePresence(presence: VisitPresence, nowUnix: number): PresenceView {
  if (presence.delayed) {
    const why = presence.delay_reason ? DELAY_TEXT[presence.delay_reason] : "The last check failed";
    return { tone: "delayed", headline: "Status delayed, retrying", detail: `${why}. Last known: ${stateWords(presence, nowUnix)}.` };
  }
  if (presence.checked_at_unix === null && presence.state.kind === "not_arrived") {
    return { tone: "idle", headline: "Checking…", detail: null };
  }
  const state = presence.state;
  switch (state.kind) {
    case "waiting":
      return { tone: "waiting", headline: `Waiting since ${timeOfDay(state.since_unix)}`, detail: waitingFor(state.since_unix, nowUnix) };
    case "in_visit":
      if (presence.admission === "waiting") return { tone: "waiting", headline: "Waiting to be let in", detail: "you are in the call" };
      if (presence.admission === "sent_back") return { tone: "waiting", headline: "Sent back to the waiting room", detail: null };
      return { tone: "active", headline: "In visit", detail: null };
    case "left":
      return { tone: "left", headline: `Left at ${timeOfDay(state.since_unix)}`, detail: null };
    default:
      return { tone: "idle", headline: "Not yet arrived", detail: null };
  }
}

function stateWords(presence: VisitPresence, nowUnix: number): string {
  const state = presence.state;
  switch (state.kind) {
    case "waiting":
      return waitingFor(state.since_unix, nowUnix);
    case "in_visit":
      return "in visit";
    case "left":
      return "left";
    default:
      return "not yet arrived";
  }
}

/** The clinician's Admit or Send back for a visit, where the console can act on it; null elsewhere. */
export type AdmissionAction = { decision: AdmissionDecision; label: string; done: string };

export function admissionAction(presence: VisitPresence): AdmissionAction | null {
  if (!presence.admission_by_console || presence.admission === null || presence.delayed) return null;
  return presence.admission === "admitted"
    ? { decision: "send_back", label: "Send back to waiting room", done: "sent back to the waiting room" }
    : { decision: "admit", label: "Admit", done: "let in" };
}

/** What became of a pressed Admit or Send back, in words for a status region. */
export type AdmissionNote = { text: string; error: boolean };

/** Asks the core to act on `action`; the state itself follows in an `admission_changed` event. */
export async function decideAdmission(
  platform: Pick<Platform, "decideAdmission">,
  visitId: string,
  action: AdmissionAction,
  patientName: string | undefined,
): Promise<AdmissionNote> {
  try {
    await platform.decideAdmission(visitId, action.decision);
    return { text: `${patientName ?? "The patient"} is being ${action.done}.`, error: false };
  } catch (thrown) {
    return { text: toAppError(thrown).message, error: true };
  }
}

export function guestWords(presence: VisitPresence): string | null {
  if (presence.guests.length === 0) return null;
  return `Also here: ${presence.guests.map((g) => (g.role ? ROLE_LABEL[g.role] : g.identity)).join(", ")}`;
}

/** "Camera on · Microphone off", or null while the patient's client says nothing. */
export function deviceWords(presence: VisitPresence): string | null {
  const { camera_on, microphone_on } = presence.devices;
  const parts = [
    camera_on === null ? null : `Camera ${camera_on ? "on" : "off"}`,
    microphone_on === null ? null : `Microphone ${microphone_on ? "on" : "off"}`,
  ].filter((p): p is string => p !== null);
  return parts.length ? parts.join(" · ") : null;
}

/** Someone removed from a visit who came back with the same link, as the panel tells it. */
export type RejoinNotice = {
  /** One notice per visit and identity: a later attempt replaces the earlier one. */
  key: string;
  visitId: string;
  role: GuestRole | null;
  /** Removed again; `false` while the removal has not worked yet (the monitor keeps trying). */
  removed: boolean;
  atUnix: number;
};

/** The notice for a `removed_rejoined` event; `null` for any other event. */
export function rejoinNotice(event: WaitingRoomEvent, nowUnix: number): RejoinNotice | null {
  if (event.kind !== "removed_rejoined") return null;
  return { key: `${event.visit_id} ${event.identity}`, visitId: event.visit_id, role: event.role, removed: event.removed, atUnix: nowUnix };
}

/** The notices after a new one: it replaces the one for the same visit and identity, newest first. */
export function addRejoinNotice(notices: RejoinNotice[], notice: RejoinNotice): RejoinNotice[] {
  return [notice, ...notices.filter((n) => n.key !== notice.key)];
}

/** "Someone you removed (interpreter) tried to rejoin Ada López's visit and was removed again at 10:42." */
export function rejoinWords(notice: RejoinNotice, patientName: string | undefined): string {
  const who = notice.role ? `Someone you removed (${ROLE_LABEL[notice.role].toLowerCase()})` : "Someone you removed";
  const visit = patientName ? `${patientName}'s visit` : "a visit";
  const at = timeOfDay(notice.atUnix);
  return notice.removed
    ? `${who} tried to rejoin ${visit} and was removed again at ${at}.`
    : `${who} is trying to rejoin ${visit} (${at}). VisitDesk could not remove them yet and tries again within seconds.`;
}
