// The UI's only view of the desktop. Screens receive a Platform; tests pass a fake one.
// Only ./tauri.ts imports @tauri-apps/*.
import type { AppError, VisitFocusRequest, WaitingRoomEvent } from "../generated/bindings";
import type { Commands } from "../generated/commands";

/**
 * Every core command (`Commands`, generated from src-tauri/src/command_list.rs, so a command
 * without an adapter fails the type check), plus the events the shell emits.
 */
export interface Platform extends Commands {
  /** Calls `handler` for each monitor event; resolves to a function that stops listening. */
  onWaitingRoomEvent(handler: (event: WaitingRoomEvent) => void): Promise<() => void>;
  /** Calls `handler` when the provider clicks an arrival notification; resolves to a function that stops listening. */
  onFocusVisit(handler: (request: VisitFocusRequest) => void): Promise<() => void>;
}

/** Every rejection from the platform is an AppError, whatever the core or IPC threw. */
export function toAppError(thrown: unknown): AppError {
  if (typeof thrown === "object" && thrown !== null && "code" in thrown && "message" in thrown) {
    const error = thrown as Partial<AppError>;
    return {
      code: error.code ?? "internal",
      message: String(error.message),
      fields: error.fields ?? [],
      service: error.service ?? null,
    };
  }
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return { code: "internal", message: `VisitDesk hit an internal error: ${message}`, fields: [], service: null };
}
