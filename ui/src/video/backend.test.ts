import { describe, expect, it, vi } from "vitest";

import type { JoinInfo } from "../generated/bindings";
import { readJoinLink } from "../join/link";
import { callTargetOf, chooseBackend } from "./backend";
import { VideoSessionError } from "./session";

// Stand-ins: the chooser must pick the module without loading twilio-video or janus-gateway.
vi.mock("./twilio", () => ({ twilioBackend: vi.fn(() => ({ connect: vi.fn(), from: "twilio" })) }));
vi.mock("./janus", () => ({ janusBackend: vi.fn((config: unknown) => ({ connect: vi.fn(), from: "janus", config })) }));

const INFO: JoinInfo = {
  visit_id: "v1", backend: "janus", room_name: "visit-v1", room_sid: "4815162342", identity: "dr-ana-ruiz",
  token: "1795368600,janus.plugin.videoroom,room=4815162342:c2ln", expires_at: 1_795_368_600,
  server: "wss://clinic.example.org/janus", core_token: "1795368600,janus,janus.plugin.videoroom:c2ln", join_url: "",
};

describe("the one video backend chooser", () => {
  it("loads Twilio for a Twilio call", async () => {
    expect(await chooseBackend({ backend: "twilio" })).toMatchObject({ from: "twilio" });
  });

  it("loads Janus with the server, room, session token and identity", async () => {
    expect(await chooseBackend(callTargetOf(INFO))).toMatchObject({
      from: "janus",
      config: { server: INFO.server, room: "4815162342", coreToken: INFO.core_token, identity: "dr-ana-ruiz" },
    });
  });

  it("takes a join link as it is", async () => {
    const fragment = `#t=${encodeURIComponent(INFO.token)}&b=janus&s=${encodeURIComponent(INFO.server!)}&r=4815162342&i=patient-abc&c=${encodeURIComponent(INFO.core_token!)}`;
    const reading = readJoinLink(fragment, 1_795_361_400);
    if (!("ok" in reading)) throw new Error(`unreadable link: ${reading.problem}`);
    expect(await chooseBackend(reading.ok)).toMatchObject({ from: "janus", config: { room: "4815162342", identity: "patient-abc" } });
  });

  it("reads a Twilio JoinInfo as a Twilio call, and refuses a Janus one without its server", () => {
    expect(callTargetOf({ ...INFO, backend: "twilio", server: null, core_token: null })).toEqual({ backend: "twilio" });
    expect(() => callTargetOf({ ...INFO, server: null })).toThrow(VideoSessionError);
  });
});
