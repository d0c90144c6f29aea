// Generated from the shell's event names by `VISITDESK_UPDATE_BINDINGS=1 cargo test -p visitdesk --lib generated`.
// Do not edit by hand.

import type { WaitingRoomEvent, VisitFocusRequest } from "./bindings";

export const WAITING_ROOM_EVENT = "waiting-room";
export const FOCUS_VISIT_EVENT = "focus-visit";

/** Each event's payload. */
export interface EventPayloads {
  [WAITING_ROOM_EVENT]: WaitingRoomEvent;
  [FOCUS_VISIT_EVENT]: VisitFocusRequest;
}
