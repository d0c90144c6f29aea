// The intake answers as they travel over the call's data channel, patient to provider, and
// the provider's receipt. Answers are PHI: they live in memory and in these messages only.
// The data channel reaches everyone in the room, so the answers travel sealed (AES-GCM) with the
// visit's intake key, which only the patient's and the clinician's links carry (`k`); the
// patient's identity is bound to it as additional data.

import { roleOf } from "../video/session";
import type { IntakeQuestion } from "./clinicConfig";

export type IntakeAnswer = { id: string; question: string; answer: string };

/** A patient's answers as the provider got them. */
export type ReceivedIntake = { identity: string; answers: IntakeAnswer[] };

const INTAKE = "visitdesk.intake";
const SEALED = "visitdesk.intake-sealed";
const RECEIVED = "visitdesk.intake-received";
export const MAX_ANSWER = 2000;
const MAX_QUESTION = 500;
const MAX_ANSWERS = 20;

/** The message carrying the answered questions, or null when nothing is answered. */
export function intakeMessage(questions: readonly IntakeQuestion[], answers: ReadonlyMap<string, string>): string | null {
  const answered = questions
    .map(({ id, question }) => ({ id, question, answer: (answers.get(id) ?? "").trim().slice(0, MAX_ANSWER) }))
    .filter((item) => item.answer !== "");
  return answered.length > 0 ? JSON.stringify({ type: INTAKE, answers: answered }) : null;
}

function parsed(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The answers in an intake message; null for any other text. */
export function readIntakeMessage(text: string): IntakeAnswer[] | null {
  const message = parsed(text);
  if (message?.type !== INTAKE || !Array.isArray(message.answers)) return null;
  const answers: IntakeAnswer[] = [];
  for (const item of message.answers.slice(0, MAX_ANSWERS)) {
    const { id, question, answer } = (item ?? {}) as Record<string, unknown>;
    if (typeof id !== "string" || typeof question !== "string" || typeof answer !== "string") continue;
    answers.push({ id: id.slice(0, 40), question: question.slice(0, MAX_QUESTION), answer: answer.slice(0, MAX_ANSWER) });
  }
  return answers;
}

/** The provider's receipt for the answers `identity` sent. */
export function intakeReceipt(identity: string): string {
  return JSON.stringify({ type: RECEIVED, for: identity });
}

/** Whose answers a receipt acknowledges; null for any other text. */
export function readIntakeReceipt(text: string): string | null {
  const message = parsed(text);
  return message?.type === RECEIVED && typeof message.for === "string" ? message.for : null;
}

/** The visit's intake key (`k`: 32 bytes, base64url) for AES-GCM, or null when it is not one. */
export async function importIntakeKey(text: string | null | undefined): Promise<CryptoKey | null> {
  if (!text || !/^[A-Za-z0-9_-]{43}$/.test(text)) return null;
  try {
    return await crypto.subtle.importKey("raw", fromBase64Url(text), { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
  } catch {
    return null;
  }
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** `message` sealed for the clinician: only who holds the intake key reads it, as `sender`'s. */
export async function sealIntake(key: CryptoKey, message: string, sender: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const additionalData = new TextEncoder().encode(sender);
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData }, key, new TextEncoder().encode(message));
  return JSON.stringify({ type: SEALED, iv: toBase64Url(iv), data: toBase64Url(new Uint8Array(sealed)) });
}

/** The text inside a sealed intake from `sender`; null when it is not one, or not sealed with `key` by them. */
export async function openIntake(key: CryptoKey, text: string, sender: string): Promise<string | null> {
  const message = parsed(text);
  if (message?.type !== SEALED || typeof message.iv !== "string" || typeof message.data !== "string") return null;
  try {
    const additionalData = new TextEncoder().encode(sender);
    const opened = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64Url(message.iv), additionalData }, key, fromBase64Url(message.data));
    return new TextDecoder().decode(opened);
  } catch {
    return null;
  }
}

/** The provider's side, on the join page and in the console: each patient's latest answers. */
export class IntakeInbox {
  readonly #intakes = new Map<string, ReceivedIntake>();
  readonly #key: Promise<CryptoKey | null>;

  /** `intakeKey`: the visit's, from the clinician's link or the core; without it nothing is read. */
  constructor(intakeKey: string | null | undefined) {
    this.#key = importIntakeKey(intakeKey);
  }

  get intakes(): ReceivedIntake[] {
    return [...this.#intakes.values()];
  }

  /**
   * Keeps the answers a patient sealed with the visit's key and resolves to the receipt to send
   * back; null for any other text or sender, and for answers sent in the clear.
   */
  async receive(text: string, fromIdentity: string): Promise<string | null> {
    if (roleOf(fromIdentity, null) !== "patient") return null;
    const key = await this.#key;
    const opened = key ? await openIntake(key, text, fromIdentity) : null;
    const answers = opened === null ? null : readIntakeMessage(opened);
    if (!answers) return null;
    this.#intakes.set(fromIdentity, { identity: fromIdentity, answers });
    return intakeReceipt(fromIdentity);
  }
}
