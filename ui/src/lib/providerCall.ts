// The provider's call in the console window, free of Svelte: how many people it expects
// (which picks the blueprint's call settings) and what an ended call says.
import type { Invite } from "../generated/bindings";
import { type EndKind, type EndReason, VideoSessionError } from "../video/session";

/** Who the call expects, the provider included: the patient, plus each other role invited. */
export function expectedParticipants(invites: readonly Invite[]): number {
  const roles = new Set(invites.filter((i) => i.purpose === "join" && i.status !== "failed").map((i) => i.role));
  roles.add("patient");
  return roles.size + 1;
}

export type CallEnd = { text: string; canRejoin: boolean };

const ENDED: Record<Exclude<EndKind, "left">, string> = {
  room_completed: "The visit has ended: its video room was closed.",
  token_expired: "Your pass for this call expired. Rejoin to get a new one.",
  token_invalid: "The video service did not accept this call's pass. Rejoin to get a new one.",
  room_full: "The room is full: the clinic's limit of people in a call was reached.",
  duplicate_identity: "You joined this visit from another window or device, so the call here was closed.",
  network: "The connection was lost. Check this computer's network, then rejoin.",
  media_permission: "VisitDesk may not use the camera or microphone. Allow it in the system's privacy settings, then rejoin.",
  media_unavailable: "The camera or microphone could not start. Close other apps that use them, then rejoin.",
  other: "The call stopped unexpectedly.",
};

/** Plain words for why a call ended (`in-call`) or never started (`connecting`). */
export function callEndWords(reason: EndReason, when: "connecting" | "in-call"): CallEnd {
  const canRejoin = reason.kind !== "room_completed";
  if (reason.kind === "network" && when === "connecting") {
    return { text: "VisitDesk could not reach the call. Check this computer's network, then try again.", canRejoin };
  }
  if (reason.kind === "left") return { text: "You left the call.", canRejoin };
  const words = reason.kind === "other" && when === "connecting" ? "VisitDesk could not join the call." : ENDED[reason.kind];
  // Only for the unexpected: the backend's own words help whoever looks into it.
  return { text: reason.kind === "other" && reason.message ? `${words} (${reason.message})` : words, canRejoin };
}

/** A connect's rejection as an `EndReason`. */
export function endReasonOf(thrown: unknown): EndReason {
  if (thrown instanceof VideoSessionError) return { kind: thrown.kind, code: thrown.code, message: thrown.message };
  return { kind: "other", code: null, message: thrown instanceof Error ? thrown.message : null };
}
