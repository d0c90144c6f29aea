// The hold (the patient's waiting room): joined, so the room sees us arrive, but nothing is
// captured, published or received until `release`; `hold` goes back to that. Nothing leaves the
// device while held: no getUserMedia, no publisher offer, no subscriber. This file sequences
// publishing.ts, subscriptions.ts and devices.ts for it.

import { VideoSessionError } from "../session";
import type { JanusCall } from "./call";
import type { Devices } from "./devices";
import { errorText } from "./problems";
import type { Publishing } from "./publishing";
import type { Reconnects } from "./reconnects";
import type { Subscriptions } from "./subscriptions";

type Parts = { publishing: Publishing; subscriptions: Subscriptions; devices: Devices; reconnects: Reconnects };

export class Holding {
  readonly #call: JanusCall;
  readonly #parts: Parts;
  #held: boolean;
  /** How many times `hold` ran: a release under way stops when it changes. */
  #holds = 0;
  #releasing: Promise<void> | null = null;

  constructor(call: JanusCall, parts: Parts, held: boolean) {
    this.#call = call;
    this.#parts = parts;
    this.#held = held;
  }

  get held(): boolean {
    return this.#held;
  }

  /** Captures, publishes, then receives; one release at a time; nothing when not held. */
  release(): Promise<void> {
    if (this.#call.phase !== "connected" || !this.#held) return Promise.resolve();
    if (!this.#releasing) {
      const releasing = this.#release().finally(() => {
        if (this.#releasing === releasing) this.#releasing = null;
      });
      this.#releasing = releasing;
    }
    return this.#releasing;
  }

  /** Unpublishes, stops the capture, receives nothing (each remote track unsubscribed); stays joined. */
  hold(): void {
    if (this.#call.phase !== "connected" || (this.#held && !this.#releasing)) return;
    const { publishing, subscriptions, reconnects } = this.#parts;
    this.#held = true;
    this.#holds += 1;
    this.#releasing = null;
    this.#call.local?.dropCapture();
    publishing.unpublish();
    subscriptions.stopReceiving();
    reconnects.forget("publisher");
    reconnects.forget("subscriber");
  }

  async #release(): Promise<void> {
    const call = this.#call;
    const { publishing, subscriptions, devices } = this.#parts;
    const holds = this.#holds;
    const heldAgain = () => this.#holds !== holds;
    // A refused or missing device rejects here (media_permission, media_unavailable): still held.
    const captured = await publishing.capture();
    if (heldAgain() || call.phase !== "connected") {
      publishing.discard(captured);
      if (call.phase !== "connected") throw call.endedError();
      return;
    }
    devices.prepare(captured);
    try {
      await publishing.publish(captured);
    } catch (error) {
      if (call.phase !== "connected") throw call.endedError();
      if (heldAgain()) return; // `hold` has undone it all
      publishing.unpublish(); // still held, nothing captured
      throw error instanceof VideoSessionError ? error : new VideoSessionError({ kind: "other", code: null, message: errorText(error) }, { cause: error });
    }
    if (call.phase !== "connected") throw call.endedError();
    if (heldAgain()) return;
    call.local?.useCapture(captured);
    this.#held = false;
    subscriptions.sync();
  }
}
