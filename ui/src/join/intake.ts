// The intake answers as they travel over the call's data channel, patient to provider, and
// the provider's receipt. Answers are PHI: they live in memory and in these messages only.

import { roleOf } from "../video/session";
import type { IntakeQuestion } from "./clinicConfig";

export type IntakeAnswer = { id: string; question: string; answer: string };

/** A patient's answers as the provider got them. */
export type ReceivedIntake = { identity: string; answers: IntakeAnswer[] };

const INTAKE = "visitdesk.intake";
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

/** The provider's side, on the join page and in the console: each patient's latest answers. */
export class IntakeInbox {
  readonly #intakes = new Map<string, ReceivedIntake>();

  get intakes(): ReceivedIntake[] {
    return [...this.#intakes.values()];
  }

  /** Keeps the answers a patient sent and returns the receipt to send back; null for any other text or sender. */
  receive(text: string, fromIdentity: string): string | null {
    if (roleOf(fromIdentity, null) !== "patient") return null;
    const answers = readIntakeMessage(text);
    if (!answers) return null;
    this.#intakes.set(fromIdentity, { identity: fromIdentity, answers });
    return intakeReceipt(fromIdentity);
  }
}
