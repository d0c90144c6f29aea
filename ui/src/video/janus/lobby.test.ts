// The lobby on Janus, against the fake janus.js: the clinician's call tells the room whom it lets
// in (its display), and a held patient's page obeys only a proven clinician's list.

import { describe, expect, it } from "vitest";

import type { VideoSession } from "../session";
import { signProof } from "../testing/clinicKeys";
import { MY_ID, NOW, PROVIDER, ROOM, type Harness, connected, harness, settle } from "../testing/janusFakes";
import { record } from "../testing/record";

const PATIENT = "patient-kqzmtrwx";
const INTERPRETER = "interpreter-abcdefgh";
const CLINICIAN_ID = 4242;

/** The clinician's call, in `mode`; the displays it showed the room after joining, in order. */
async function clinicianCall(admission: "on_join" | "explicit") {
  const proof = await signProof(ROOM, CLINICIAN_ID, PROVIDER, NOW + 600);
  const h = harness({ identity: PROVIDER, participantId: CLINICIAN_ID, proof, admission });
  const session = await connected(h, { providerIdentity: PROVIDER });
  const shown = () =>
    h.room.publisher
      .requests("configure")
      .map((sent) => sent.message.display)
      .filter((display) => display !== undefined);
  return { h, session, proof, shown, lines: record(session).lines };
}

const letIn = (display: unknown) => String(display).split(" ")[2];

function stateOf(session: VideoSession, sid: string) {
  const participant = session.remoteParticipants.get(sid);
  return participant ? session.lobby?.stateOf(participant) : undefined;
}

describe("the clinician's call lets patients in", () => {
  it("admit-on-join: a patient who arrives is let in; Send back and Admit change the room's list", async () => {
    const { h, session, shown, lines } = await clinicianCall("on_join");
    expect(h.room.publisher.requests("join")[0]!.message.display).toMatch(/ admit:$/);
    h.room.join(301, PATIENT);
    h.room.join(302, INTERPRETER);
    await settle();
    expect(shown().map(letIn)).toEqual(["admit:301"]);
    expect([stateOf(session, "301"), stateOf(session, "302")]).toEqual(["admitted", null]);

    session.lobby!.sendBack("301");
    session.lobby!.admit("301");
    expect(shown().map(letIn)).toEqual(["admit:301", "admit:", "admit:301"]);
    expect(lines.filter((line) => line === "lobbyChanged")).toHaveLength(3);
    // Nobody else's display is asked for, and guests are never listed.
    session.lobby!.sendBack("302");
    expect(shown()).toHaveLength(3);
    session.disconnect();
  });

  it("explicit Admit: a patient waits until Admit, even with the clinician there", async () => {
    const { h, session, shown } = await clinicianCall("explicit");
    h.room.join(301, PATIENT);
    await settle();
    expect([shown(), stateOf(session, "301")]).toEqual([[], "waiting"]);
    session.lobby!.admit("301");
    expect([shown().map(letIn), stateOf(session, "301")]).toEqual([["admit:301"], "admitted"]);
    session.disconnect();
  });

  it("an Admit is for the connection the clinician saw; a Send back holds for the patient until Admit", async () => {
    const { h, session, shown } = await clinicianCall("explicit");
    h.room.join(301, PATIENT);
    await settle();
    session.lobby!.admit("301");
    h.room.leave(301);
    h.room.join(303, PATIENT);
    await settle();
    expect([stateOf(session, "303"), shown().map(letIn)]).toEqual(["waiting", ["admit:301", "admit:"]]);

    const onJoin = await clinicianCall("on_join");
    onJoin.h.room.join(301, PATIENT);
    await settle();
    onJoin.session.lobby!.sendBack("301");
    onJoin.h.room.leave(301);
    onJoin.h.room.join(303, PATIENT);
    await settle();
    expect(stateOf(onJoin.session, "303")).toBe("sent_back");
    expect(onJoin.shown().map(letIn)).toEqual(["admit:301", "admit:"]);
    session.disconnect();
    onJoin.session.disconnect();
  });

  it("a patient already waiting when the clinician joins is let in at once (admit-on-join)", async () => {
    const proof = await signProof(ROOM, CLINICIAN_ID, PROVIDER, NOW + 600);
    const h = harness({ identity: PROVIDER, participantId: CLINICIAN_ID, proof, admission: "on_join" });
    h.room.attendees.push({ id: 301, display: PATIENT });
    const session = await connected(h, { providerIdentity: PROVIDER });
    expect(h.room.publisher.requests("configure").map((sent) => letIn(sent.message.display))).toEqual(["admit:301"]);
    session.disconnect();
  });

  it("guests and patients have no lobby of their own", async () => {
    for (const identity of [PATIENT, INTERPRETER]) {
      const session = await connected(harness({ identity }), { providerIdentity: PROVIDER });
      expect(session.lobby).toBeNull();
      session.disconnect();
    }
  });
});

describe("a held patient obeys only a proven clinician's list", () => {
  async function heldPatient(h: Harness = harness()) {
    const session = await connected(h, { held: true, providerIdentity: PROVIDER });
    return { session, lines: record(session).lines };
  }

  it("sent back when the clinician's list drops us, let in again when it lists us", async () => {
    const h = harness();
    const { session, lines } = await heldPatient(h);
    h.room.join(201, PROVIDER);
    await settle();
    expect(session.admitted).toBe(true);
    h.room.letIn(201, []);
    await settle();
    expect(session.admitted).toBe(false);
    h.room.letIn(201, [MY_ID + 1]);
    await settle();
    expect(session.admitted).toBe(false);
    h.room.letIn(201, [MY_ID + 1, MY_ID]);
    await settle();
    expect(session.admitted).toBe(true);
    expect(lines.filter((line) => line.startsWith("admission"))).toEqual(["admissionChanged true", "admissionChanged false", "admissionChanged true"]);
    session.disconnect();
  });

  it("a clinician's presence alone, a guest listing us, or a display that swaps the proof lets nothing in", async () => {
    const h = harness();
    const { session } = await heldPatient(h);
    h.room.join(201, PROVIDER);
    h.room.letIn(201, []);
    // A guest renames itself to look like the clinician's list (Janus lets any page set its display).
    h.room.join(302, INTERPRETER);
    h.room.publisher.message({ videoroom: "event", room: ROOM, id: 302, display: `${PROVIDER} 1.x admit:${MY_ID}` });
    await settle();
    expect(session.admitted).toBe(false);
    // The clinician's id with another identity or proof in its display: not the checked clinician.
    h.room.publisher.message({ videoroom: "event", room: ROOM, id: 201, display: `${PROVIDER} ${NOW}.forged admit:${MY_ID}` });
    await settle();
    expect(session.admitted).toBe(false);
    expect(session.remoteParticipants.get("302")?.role).toBe("interpreter");
    session.disconnect();
  });
});
