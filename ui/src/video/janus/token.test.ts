import { describe, expect, it } from "vitest";

import { janusTokenExpiry, roomFromToken } from "./token";

const NOW = 1_795_361_400;

describe("janusTokenExpiry", () => {
  it("reads the expiry a room token and a core token start with, as the core mints them", () => {
    expect(janusTokenExpiry(`${NOW + 600},janus.plugin.videoroom,room=1234:c2ln`)).toBe(NOW + 600);
    expect(janusTokenExpiry(`${NOW + 600},janus,janus.plugin.videoroom:c2ln`)).toBe(NOW + 600);
    expect(janusTokenExpiry("4000000000,janus,janus.plugin.videoroom:lapUnAyw6RP1NAPsRC1jgBTj0ic=")).toBe(4_000_000_000);
    expect(janusTokenExpiry("1795361460,janus:x")).toBe(1_795_361_460);
  });

  it("an expiry that has passed reads as it is, so a refusal can say token_expired", () => {
    const expiry = janusTokenExpiry(`${NOW - 5},janus.plugin.videoroom,room=1234:c2lnbmF0dXJl`);
    expect(expiry).toBe(NOW - 5);
    expect(expiry! < NOW).toBe(true);
  });

  it("any count of digits Janus can read, up to what a number holds exactly", () => {
    expect(janusTokenExpiry("5,janus,janus.plugin.videoroom:x")).toBe(5);
    expect(janusTokenExpiry("999999999999999,janus:x")).toBe(999_999_999_999_999);
    expect(janusTokenExpiry("9999999999999999,janus:x")).toBeNull();
  });

  it("is null for a token that does not start with one", () => {
    for (const token of ["", "not-a-token", "garbage", ",janus:x", "janus,1795361460:x", "1795361460", " 1795361460,janus:x", "-5,janus:x", "1.5,janus:x", "17953614OO,janus:x"]) {
      expect(janusTokenExpiry(token), token).toBeNull();
    }
  });
});

describe("roomFromToken", () => {
  it("reads the room a VideoRoom token names", () => {
    expect(roomFromToken("4000000000,janus.plugin.videoroom,room=1234:Rps8GWdQEwqpHfN1v7CYqZhleX8=")).toBe(1234);
    expect(roomFromToken("4000000000,janus,janus.plugin.videoroom:x=")).toBeNull();
  });
});
