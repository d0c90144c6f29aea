// What Janus's and VideoRoom's errors, and the browser's, mean for a call (`EndReason`).

import { messageOf } from "../adapter";
import { type EndKind, type EndReason, mediaErrorKind } from "../session";
import { janusTokenExpiry } from "./token";

/** VideoRoom's and Janus's error codes the adapter tells apart. */
export const JANUS_CODES = {
  unauthorized: 403,
  unauthorizedPlugin: 405,
  sessionNotFound: 458,
  noSuchRoom: 426,
  noSuchFeed: 428,
  publishersFull: 432,
  roomUnauthorized: 433,
  idInUse: 436,
} as const;

function tokenKind(token: string, now: number): EndKind {
  const expiry = janusTokenExpiry(token);
  return expiry !== null && expiry < now ? "token_expired" : "token_invalid";
}

/** A VideoRoom error event (`error_code`, `error`) as an `EndReason`; `roomToken` picks expired vs invalid. */
export function videoRoomProblem(code: number, message: string | null, roomToken: string, now: number): EndReason {
  switch (code) {
    case JANUS_CODES.roomUnauthorized:
      return { kind: tokenKind(roomToken, now), code, message };
    case JANUS_CODES.noSuchRoom:
      return { kind: "room_completed", code, message };
    case JANUS_CODES.publishersFull:
      return { kind: "room_full", code, message };
    // Our participant id (the clinician's, from the core) is taken: this visit is open elsewhere.
    case JANUS_CODES.idInUse:
      return { kind: "duplicate_identity", code, message };
    default:
      return { kind: "other", code, message };
  }
}

/**
 * A janus.js error text as an `EndReason`. janus.js reports core errors as text: "Ooops: 405 …"
 * for attach, "403 …" for messages, only the reason for session creation ("Unauthorized request
 * (wrong or missing secret/token)"), and transport failures as "… Is the server down?" or
 * "Lost connection to the server".
 */
export function janusProblem(error: string, coreToken: string, now: number): EndReason {
  const codeMatch = /(?:^|Ooops: )(\d{3}) /.exec(error);
  const code = codeMatch ? Number(codeMatch[1]) : /unauthorized request/i.test(error) ? JANUS_CODES.unauthorized : null;
  if (code === JANUS_CODES.unauthorized || code === JANUS_CODES.unauthorizedPlugin) {
    return { kind: tokenKind(coreToken, now), code, message: error };
  }
  if (code === JANUS_CODES.sessionNotFound || /server down|network error|lost connection|timed out|websocket/i.test(error)) {
    return { kind: "network", code, message: error };
  }
  return { kind: "other", code, message: error };
}

/** A getUserMedia failure: by its name, else `media_unavailable`. */
export function mediaProblem(error: unknown): EndReason {
  return { kind: mediaErrorKind(error) ?? "media_unavailable", code: null, message: messageOf(error) };
}

export function errorText(error: unknown): string {
  if (typeof error === "string") return error;
  if (error instanceof Error) return error.message;
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === "string" ? message : String(error);
}
