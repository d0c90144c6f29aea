import { expect, it } from "vitest";

import { canRunCallsInWindow } from "./webview";

it("needs RTCPeerConnection to run calls in the window", () => {
  expect(canRunCallsInWindow({})).toBe(false);
  expect(canRunCallsInWindow({ RTCPeerConnection: class {} })).toBe(true);
  expect(canRunCallsInWindow({ RTCPeerConnection: "not a constructor" })).toBe(false);
});
