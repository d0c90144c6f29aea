// A test-only `Platform`: each command goes to the real core behind the console-over-http
// harness (src-tauri/examples/console_over_http.rs) on this page's own origin, and the shell's
// events come from its /events feed. Never part of the app.
import type { VisitFocusRequest, WaitingRoomEvent } from "../../src/generated/bindings";
import { FOCUS_VISIT_EVENT, WAITING_ROOM_EVENT } from "../../src/generated/events";
import { commandAdapters } from "../../src/platform/commands";
import { type Platform, toAppError } from "../../src/platform/index";

const EVENT_POLL_MS = 100;

async function call(command: string, args: Record<string, unknown>): Promise<unknown> {
  let answer: { ok?: unknown; error?: unknown };
  try {
    const response = await fetch(`/invoke/${command}`, { method: "POST", body: JSON.stringify(args) });
    answer = await response.json();
  } catch (thrown) {
    throw toAppError(thrown);
  }
  if ("error" in answer) throw toAppError(answer.error);
  return answer.ok;
}

type Emitted = { event: string; payload: unknown };
const handlers = new Map<string, Set<(payload: unknown) => void>>();
let seen = 0;

async function pollEvents(): Promise<void> {
  try {
    const emitted: Emitted[] = await (await fetch(`/events?from=${seen}`)).json();
    seen += emitted.length;
    for (const { event, payload } of emitted) for (const handler of handlers.get(event) ?? []) handler(payload);
  } finally {
    setTimeout(() => void pollEvents(), EVENT_POLL_MS);
  }
}
void pollEvents();

function on<T>(event: string, handler: (payload: T) => void): Promise<() => void> {
  const listeners = handlers.get(event) ?? new Set();
  handlers.set(event, listeners);
  const listener = handler as (payload: unknown) => void;
  listeners.add(listener);
  return Promise.resolve(() => listeners.delete(listener));
}

export const httpPlatform: Platform = {
  ...commandAdapters(call),
  onWaitingRoomEvent: (handler) => on<WaitingRoomEvent>(WAITING_ROOM_EVENT, handler),
  onFocusVisit: (handler) => on<VisitFocusRequest>(FOCUS_VISIT_EVENT, handler),
};
