import { describe, expect, it, vi } from "vitest";

import type { JoinInfo } from "../generated/bindings";
import { readJoinLink } from "../join/link";
import { callOf, callOfLink, chooseBackend } from "./backend";

// Stand-ins: the chooser must pick the module without loading twilio-video or janus-gateway.
vi.mock("./twilio", () => ({ twilioBackend: vi.fn(() => ({ connect: vi.fn(), from: "twilio" })) }));
vi.mock("./janus", () => ({ janusBackend: vi.fn((config: unknown) => ({ connect: vi.fn(), from: "janus", config })) }));

const SERVER = "wss://clinic.example.org/janus";
const CORE_TOKEN = "1795368600,janus,janus.plugin.videoroom:c2ln";
const INFO: JoinInfo = {
  visit_id: "v1", room_name: "visit-v1", identity: "dr-ana-ruiz",
  token: "1795368600,janus.plugin.videoroom,room=4815162342:c2ln", expires_at: 1_795_368_600,
  target: { service: "janus", server: SERVER, room_id: 4815162342, core_token: CORE_TOKEN, participant_id: 77, proof: "1795368600.sig", admission: "explicit" }, join_url: "",
  intake_key: "zVA4pmOGElu3bJBH4uExUtkHrJeHJIZSlLJklMwKQUg",
};

describe("the one video backend chooser", () => {
  it("loads Twilio for a Twilio call", async () => {
    expect(await chooseBackend({ target: { service: "twilio", room_sid: "RM1" }, identity: "dr-ana-ruiz" })).toMatchObject({ from: "twilio" });
  });

  it("loads Janus with the server, room, session token and identity", async () => {
    expect(await chooseBackend(callOf(INFO))).toMatchObject({
      from: "janus",
      config: { server: SERVER, room: "4815162342", coreToken: CORE_TOKEN, identity: "dr-ana-ruiz", participantId: 77, proof: "1795368600.sig", admission: "explicit" },
    });
  });

  it("takes a join link as the same call target", async () => {
    const fragment = `#t=${encodeURIComponent(INFO.token)}&b=janus&s=${encodeURIComponent(SERVER)}&r=4815162342&i=patient-abc&c=${encodeURIComponent(CORE_TOKEN)}`;
    const reading = readJoinLink(fragment, 1_795_361_400);
    if (!("ok" in reading)) throw new Error(`unreadable link: ${reading.problem}`);
    const patientTarget = { ...INFO.target, participant_id: null, proof: null, admission: null };
    expect(callOfLink(reading.ok)).toEqual({ target: patientTarget, identity: "patient-abc", clinicianKey: null });
    // The clinic's join page key comes from the clinic's file (clinicServices.ts), never the link.
    const key = `B${"A".repeat(86)}`;
    if (reading.ok.backend !== "janus") throw new Error("a Janus link");
    expect(await chooseBackend(callOfLink({ ...reading.ok, clinicianKey: key }))).toMatchObject({
      from: "janus",
      config: { room: "4815162342", identity: "patient-abc", participantId: null, proof: null, clinicianKey: key },
    });
  });

  it("reads a Twilio JoinInfo as a Twilio call to its room", () => {
    const twilio: JoinInfo = { ...INFO, target: { service: "twilio", room_sid: "RM1" } };
    expect(callOf(twilio)).toEqual({ target: { service: "twilio", room_sid: "RM1" }, identity: "dr-ana-ruiz" });
  });
});
