// What Twilio's errors, and getUserMedia's, mean for a call.

import type { TwilioError } from "twilio-video";

import { messageOf } from "../adapter";
import { type EndKind, type EndReason, mediaErrorKind } from "../session";

const KIND_BY_CODE: Record<number, EndKind> = {
  20104: "token_expired",
  53105: "room_full",
  53118: "room_completed",
  53205: "duplicate_identity",
  53000: "network",
  53001: "network",
  53002: "network",
  53405: "network",
  53407: "network",
};

/** A TwilioError (by code) or a getUserMedia error (by name) as an `EndReason`. */
export function problemOf(error: unknown): EndReason {
  const { code } = (error ?? {}) as { code?: unknown };
  const text = messageOf(error);
  const domKind = mediaErrorKind(error);
  if (domKind) return { kind: domKind, code: null, message: text };
  // Twilio's codes have five digits; a DOMException's legacy `code` is small and means nothing here.
  if (typeof code === "number" && code >= 10000) {
    const tokenProblem = code > 20100 && code < 20200 ? "token_invalid" : "other";
    return { kind: KIND_BY_CODE[code] ?? tokenProblem, code, message: text };
  }
  return { kind: "other", code: null, message: text ?? (error === undefined || error === null ? null : String(error)) };
}

/** Room's `disconnected`: no error means this side left. */
export function endReasonOf(error: TwilioError | null | undefined): EndReason {
  return error ? problemOf(error) : { kind: "left", code: null, message: null };
}
