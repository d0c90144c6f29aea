import { describe, expect, it } from "vitest";

import type { Invite } from "../generated/bindings";
import { VideoSessionError } from "../video/session";
import { callEndWords, endReasonOf, expectedParticipants } from "./providerCall";

const invite = (role: Invite["role"], over: Partial<Invite> = {}): Invite => ({
  id: role, visit_id: "v1", role, method: "sms", purpose: "join", to_masked: null, to_e164: null, guest_identity: null,
  status: "sent", twilio_sid: null, error_code: null, error_message: null, created_at: 0, updated_at: 0, ...over,
});

describe("the provider's call", () => {
  it("expects the provider and the patient, plus each other role invited to join", () => {
    expect(expectedParticipants([])).toBe(2);
    expect(expectedParticipants([invite("patient"), invite("patient")])).toBe(2);
    expect(expectedParticipants([invite("patient"), invite("interpreter")])).toBe(3);
    expect(expectedParticipants([invite("interpreter"), invite("family")])).toBe(4);
    expect(expectedParticipants([invite("interpreter", { purpose: "running_late" }), invite("family", { status: "failed" })])).toBe(2);
  });

  it("says why a call ended in plain words, offering a rejoin unless the visit is over", () => {
    expect(callEndWords({ kind: "room_completed", code: 53118, message: "Room completed" }, "in-call")).toEqual({
      text: "The visit has ended: its video room was closed.",
      canRejoin: false,
    });
    expect(callEndWords({ kind: "network", code: 53000, message: null }, "connecting").text).toContain("could not reach the call");
    expect(callEndWords({ kind: "network", code: 53001, message: null }, "in-call").text).toContain("connection was lost");
    expect(callEndWords({ kind: "other", code: null, message: "ICE failed" }, "in-call").text).toBe("The call stopped unexpectedly. (ICE failed)");
  });

  it("reads a connect's rejection", () => {
    expect(endReasonOf(new VideoSessionError({ kind: "token_expired", code: 20104, message: "expired" }))).toEqual({
      kind: "token_expired", code: 20104, message: "expired",
    });
    expect(endReasonOf("nonsense")).toEqual({ kind: "other", code: null, message: null });
  });
});
