// The one place that picks a call's video backend, for join links and for the console's own
// calls, and loads it only then (twilio-video or janus-gateway).

import type { JoinInfo } from "../generated/bindings";
import { type VideoBackend, VideoSessionError } from "./session";

/** Where a call goes. A join link (`JoinLink`) is one; `callTargetOf` reads one from the core's `JoinInfo`. */
export type CallTarget =
  | { backend: "twilio" }
  | { backend: "janus"; server: string; room: string; coreToken: string; identity: string };

export type ChooseBackend = (target: CallTarget) => Promise<VideoBackend>;

export const chooseBackend: ChooseBackend = async (target) => {
  if (target.backend === "twilio") {
    const { twilioBackend } = await import("./twilio");
    return twilioBackend();
  }
  const { janusBackend } = await import("./janus");
  return janusBackend({ server: target.server, room: target.room, coreToken: target.coreToken, identity: target.identity });
};

/** The provider's call from `startVisit`: on Janus, `room_sid` is the VideoRoom id. */
export function callTargetOf(info: JoinInfo): CallTarget {
  if (info.backend === "twilio") return { backend: "twilio" };
  if (!info.server || !info.core_token) {
    throw new VideoSessionError({ kind: "other", code: null, message: "VisitDesk did not get the Janus server's address for this call." });
  }
  return { backend: "janus", server: info.server, room: info.room_sid, coreToken: info.core_token, identity: info.identity };
}
