// Chat in the call: texts over the call's own data channel (`VideoSession.sendMessage`), beside
// the intake answers that travel there too. A message is PHI: it lives in this page's memory for
// the call only and is never logged. Who sent it is what the service says (the data channel's
// participant), never a name inside the message.

import type { ParticipantRole, RemoteParticipant, VideoSession } from "../video/session";

const CHAT_TYPE = "visitdesk-chat-v1";
/** Longer messages are cut here (a few screens of text). */
export const MAX_CHAT_MESSAGE = 4000;

export type ChatMessage = {
  id: number;
  /** Null: sent from here. */
  from: { identity: string; role: ParticipantRole } | null;
  text: string;
  /** When it was sent or arrived here, ms since the epoch. */
  at: number;
};

export type ChatSnapshot = { messages: readonly ChatMessage[]; unread: number; open: boolean; failed: boolean };

/** A chat message as it goes over the data channel. */
export function chatPayload(text: string): string {
  return JSON.stringify({ type: CHAT_TYPE, text });
}

/** The text of a chat message, or null for any other text (intake answers, receipts, garbage). */
export function readChatPayload(payload: string): string | null {
  try {
    const message = JSON.parse(payload) as { type?: unknown; text?: unknown };
    return message?.type === CHAT_TYPE && typeof message.text === "string" && message.text.trim() !== "" ? message.text.slice(0, MAX_CHAT_MESSAGE) : null;
  } catch {
    return null;
  }
}

export class ChatModel {
  readonly #session: VideoSession;
  readonly #roleOf: (participant: RemoteParticipant) => ParticipantRole;
  readonly #now: () => number;
  readonly #listeners = new Set<(snapshot: ChatSnapshot) => void>();
  readonly #unlisten: () => void;
  #messages: ChatMessage[] = [];
  #unread = 0;
  #open = false;
  #failed = false;
  #nextId = 1;

  constructor(session: VideoSession, roleOf: (participant: RemoteParticipant) => ParticipantRole = (p) => p.role, now = () => Date.now()) {
    this.#session = session;
    this.#roleOf = roleOf;
    this.#now = now;
    this.#unlisten = session.on("messageReceived", (payload, from) => {
      const text = readChatPayload(payload);
      if (text === null) return;
      this.#add({ identity: from.identity, role: this.#roleOf(from) }, text);
      if (!this.#open) this.#unread += 1;
      this.#publish();
    });
  }

  get snapshot(): ChatSnapshot {
    return { messages: this.#messages, unread: this.#unread, open: this.#open, failed: this.#failed };
  }

  subscribe(listener: (snapshot: ChatSnapshot) => void): () => void {
    this.#listeners.add(listener);
    listener(this.snapshot);
    return () => this.#listeners.delete(listener);
  }

  /** Opening the panel reads everything. */
  setOpen(open: boolean): void {
    this.#open = open;
    if (open) this.#unread = 0;
    this.#publish();
  }

  /** Sends `text` to everyone in the call; false when there was nothing to send or it could not go. */
  send(text: string): boolean {
    const trimmed = text.trim();
    if (trimmed === "") return false;
    const message = trimmed.slice(0, MAX_CHAT_MESSAGE);
    try {
      this.#session.sendMessage(chatPayload(message));
    } catch {
      // Not logged: the message is PHI.
      this.#failed = true;
      this.#publish();
      return false;
    }
    this.#failed = false;
    this.#add(null, message);
    this.#publish();
    return true;
  }

  dispose(): void {
    this.#unlisten();
    this.#listeners.clear();
  }

  #add(from: ChatMessage["from"], text: string): void {
    this.#messages = [...this.#messages, { id: this.#nextId++, from, text, at: this.#now() }];
  }

  #publish(): void {
    const snapshot = this.snapshot;
    for (const listener of [...this.#listeners]) listener(snapshot);
  }
}
