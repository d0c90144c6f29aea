// Connection trouble: a media connection that drops (ICE) or a Janus server that goes away
// (janus.js's long polls or WebSocket fail) is `reconnecting` until every one of them is back;
// a failed media connection, or a server away for too long, ends the call.

import type { EndReason } from "../session";
import type { JanusCall } from "./call";

const DEFAULT_RECONNECT_FOR_MS = 30_000;

export type HandleName = "publisher" | "subscriber";

export class Reconnects {
  readonly #call: JanusCall;
  readonly #lost: (reason: EndReason) => void;
  readonly #back: () => void;
  /** What is down now: `ice-publisher`, `ice-subscriber`, `signalling`. */
  readonly #reasons = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | null = null;

  /** `lost` and `back` tell the session's listeners (`reconnecting`, `reconnected`). */
  constructor(call: JanusCall, lost: (reason: EndReason) => void, back: () => void) {
    this.#call = call;
    this.#lost = lost;
    this.#back = back;
  }

  iceState(handle: HandleName, state: string): void {
    if (this.#call.phase !== "connected") return;
    if (state === "failed") {
      this.#call.end({ kind: "network", code: null, message: `The ${handle}'s media connection failed.` });
    } else if (state === "disconnected") {
      this.#troubleStarted(`ice-${handle}`, { kind: "network", code: null, message: "The media connection was interrupted." });
    } else if (state === "connected" || state === "completed") {
      this.#troubleEnded(`ice-${handle}`);
    }
  }

  /** janus.js lost the server (its long polls or WebSocket failed): claim the session again. */
  sessionLost(reason: EndReason): void {
    const call = this.#call;
    if (call.phase === "connecting") {
      call.end(reason);
      return;
    }
    if (call.phase !== "connected" || this.#reasons.has("signalling")) return;
    this.#troubleStarted("signalling", { ...reason, kind: reason.kind === "other" ? "network" : reason.kind });
    const giveUpAt = Date.now() + (call.config.reconnectForMs ?? DEFAULT_RECONNECT_FOR_MS);
    let delay = 500;
    const attempt = () => {
      this.#timer = null;
      if (call.phase !== "connected" || !call.core) return;
      call.core.reconnect({
        success: () => this.#troubleEnded("signalling"),
        error: (error) => {
          if (call.phase !== "connected") return;
          const problem = call.problem(error);
          if (Date.now() >= giveUpAt || problem.kind === "token_expired" || problem.kind === "token_invalid") {
            call.end(problem.kind === "other" ? { ...problem, kind: "network" } : problem);
            return;
          }
          delay = Math.min(delay * 2, 5_000);
          this.#timer = setTimeout(attempt, delay);
        },
      });
    };
    this.#timer = setTimeout(attempt, delay);
  }

  /** `handle`'s connection was closed on purpose (a hold): its trouble is over. */
  forget(handle: HandleName): void {
    this.#troubleEnded(`ice-${handle}`);
  }

  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
  }

  #troubleStarted(key: string, reason: EndReason): void {
    const first = this.#reasons.size === 0;
    this.#reasons.add(key);
    if (first && this.#call.phase === "connected") this.#lost(reason);
  }

  #troubleEnded(key: string): void {
    if (!this.#reasons.delete(key) || this.#reasons.size > 0 || this.#call.phase !== "connected") return;
    this.#back();
  }
}
