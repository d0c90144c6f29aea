// The one module that talks to Tauri. Every command's adapter is built from the generated
// call map (platform/commands.ts), so names and argument names come from the core.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";

import { type EventPayloads, FOCUS_VISIT_EVENT, WAITING_ROOM_EVENT } from "../generated/events";
import { commandAdapters } from "./commands";
import type { Platform } from "./index";
import { toAppError } from "./index";

async function call(command: string, args: Record<string, unknown>): Promise<unknown> {
  try {
    return await invoke(command, args);
  } catch (thrown) {
    throw toAppError(thrown);
  }
}

/** Calls `handler` with each payload of a shell event; resolves to a function that stops listening. */
function on<E extends keyof EventPayloads>(event: E, handler: (payload: EventPayloads[E]) => void): Promise<() => void> {
  return listen<EventPayloads[E]>(event, (emitted) => handler(emitted.payload));
}

export const tauriPlatform: Platform = {
  ...commandAdapters(call),
  onWaitingRoomEvent: (handler) => on(WAITING_ROOM_EVENT, handler),
  onFocusVisit: (handler) => on(FOCUS_VISIT_EVENT, handler),
};
