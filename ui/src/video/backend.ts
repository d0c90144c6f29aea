// The one place that picks a call's video backend, for join links and for the console's own
// calls, and loads it only then (twilio-video or janus-gateway).

import type { CallTarget, JoinInfo } from "../generated/bindings";
import type { JoinLink } from "../join/link";
import type { VideoBackend } from "./session";

/** A call to make: where it connects (`CallTarget`, generated from the core), and who joins. */
export interface CallDestination {
  target: CallTarget;
  identity: string;
  /** The clinic's join page key (Janus): who proves to be the clinician with it is the provider. */
  clinicianKey?: string | null;
}

export type ChooseBackend = (call: CallDestination) => Promise<VideoBackend>;

export const chooseBackend: ChooseBackend = async ({ target, identity, clinicianKey }) => {
  switch (target.service) {
    case "twilio": {
      const { twilioBackend } = await import("./twilio");
      return twilioBackend();
    }
    case "janus": {
      const { janusBackend } = await import("./janus");
      return janusBackend({
        server: target.server,
        room: String(target.room_id),
        coreToken: target.core_token,
        identity,
        participantId: target.participant_id,
        proof: target.proof,
        admission: target.admission,
        clinicianKey: clinicianKey ?? null,
      });
    }
  }
};

/** The provider's call from `startVisit`. */
export function callOf(info: JoinInfo): CallDestination {
  return { target: info.target, identity: info.identity };
}

/** A join link's call, in the same shape as the core's. */
export function callOfLink(link: JoinLink): CallDestination {
  const target: CallTarget =
    link.backend === "janus"
      ? {
          service: "janus",
          server: link.server,
          room_id: Number(link.room),
          core_token: link.coreToken,
          participant_id: link.participantId,
          proof: link.proof,
          admission: link.admission,
        }
      : { service: "twilio", room_sid: link.room };
  return { target, identity: link.identity, clinicianKey: link.backend === "janus" ? link.clinicianKey : null };
}
