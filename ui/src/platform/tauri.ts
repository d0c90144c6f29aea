// The one module that talks to Tauri. Every command's adapter is built from the generated
// call map (src/generated/commands.ts), so names and argument names come from the core.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";

import type { VisitFocusRequest, WaitingRoomEvent } from "../generated/bindings";
import { COMMANDS, type Commands } from "../generated/commands";
import { WAITING_ROOM_EVENT, FOCUS_VISIT_EVENT } from "../generated/events";
import type { Platform } from "./index";
import { toAppError } from "./index";

async function call(command: string, args: Record<string, unknown>): Promise<unknown> {
  try {
    return await invoke(command, args);
  } catch (thrown) {
    throw toAppError(thrown);
  }
}

/** One adapter per command: positional arguments sent under the names the core declares. */
function commandAdapters(): Commands {
  const adapters: Record<string, (...values: unknown[]) => Promise<unknown>> = {};
  for (const [method, { name, args }] of Object.entries(COMMANDS)) {
    adapters[method] = (...values) => call(name, Object.fromEntries(args.map((arg, i) => [arg, values[i]])));
  }
  return adapters as unknown as Commands;
}

export const tauriPlatform: Platform = {
  ...commandAdapters(),
  onWaitingRoomEvent: (handler) => listen<WaitingRoomEvent>(WAITING_ROOM_EVENT, (event) => handler(event.payload)),
  onFocusVisit: (handler) => listen<VisitFocusRequest>(FOCUS_VISIT_EVENT, (event) => handler(event.payload)),
};
