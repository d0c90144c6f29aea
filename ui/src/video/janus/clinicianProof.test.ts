// The clinician's proof on Janus: the core's own signature (a fixture the core's tests write and
// compare), and the adapter taking only a proven participant for the provider.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";

import { describe, expect, it } from "vitest";

import { TEST_JOIN_PAGE_KEY, signProof } from "../testing/clinicKeys";
import { type Harness, ME, NOW, PROVIDER, ROOM, connected, harness, options, settle } from "../testing/janusFakes";
import { record } from "../testing/record";
import { rejection } from "../testing/rejection";
import { connectJanus } from ".";
import { displayWithProof, importJoinPageKey, proofHolds, readDisplay } from "./clinicianProof";

// Vitest runs in ui/.
const FIXTURE = resolve(process.cwd(), "../src-tauri/crates/core/tests/fixtures/clinician_proof.json");

type Fixture = { tokenSecret: string; room: number; participant: number; identity: string; expires: number; joinPageKey: string; proof: string };

describe("the core's proof", () => {
  const fixture = JSON.parse(readFileSync(FIXTURE, "utf8")) as Fixture;

  it("verifies with the join page key the core derives, for exactly that room, participant, identity and expiry", async () => {
    const key = (await importJoinPageKey(fixture.joinPageKey))!;
    expect(key).not.toBeNull();
    const claim = { room: fixture.room, participant: fixture.participant, identity: fixture.identity, proof: fixture.proof };
    expect(await proofHolds(key, claim, fixture.expires - 1)).toBe(true);
    expect(await proofHolds(key, { ...claim, room: fixture.room + 1 }, 0)).toBe(false);
    expect(await proofHolds(key, { ...claim, participant: fixture.participant + 1 }, 0)).toBe(false);
    expect(await proofHolds(key, { ...claim, identity: `${fixture.identity}x` }, 0)).toBe(false);
    const [, signature] = fixture.proof.split(".");
    expect(await proofHolds(key, { ...claim, proof: `${fixture.expires + 1}.${signature}` }, 0)).toBe(false);
    expect(await proofHolds(key, claim, fixture.expires)).toBe(false);
  });
});

describe("proofs and displays", () => {
  it("a display carries the identity, then the proof and whom the clinician's call lets in", () => {
    expect(displayWithProof("dr-ana", "1.sig")).toBe("dr-ana 1.sig admit:");
    expect(displayWithProof("dr-ana", "1.sig", ["7", "12"])).toBe("dr-ana 1.sig admit:7,12");
    expect(displayWithProof("patient-abc", null, ["7"])).toBe("patient-abc");
    expect(readDisplay("dr-ana 1.sig admit:7,12")).toEqual({ identity: "dr-ana", proof: "1.sig", admits: new Set(["7", "12"]) });
    expect(readDisplay("dr-ana 1.sig")).toEqual({ identity: "dr-ana", proof: "1.sig", admits: new Set() });
    expect(readDisplay("patient-abc")).toEqual({ identity: "patient-abc", proof: null, admits: new Set() });
    // Only participant ids, and only after `admit:` in the third part.
    expect(readDisplay("dr-ana 1.sig admit:7,<b>,,12345678901234567,8").admits).toEqual(new Set(["7", "8"]));
    expect(readDisplay("dr-ana admit:7").admits).toEqual(new Set());
  });

  it("another clinic's key, a forged signature or a key that is not one prove nothing", async () => {
    const key = (await importJoinPageKey(TEST_JOIN_PAGE_KEY))!;
    const claim = { room: ROOM, participant: 7, identity: PROVIDER };
    expect(await proofHolds(key, { ...claim, proof: await signProof(ROOM, 7, PROVIDER, NOW + 60) }, NOW)).toBe(true);
    expect(await proofHolds(key, { ...claim, proof: await signProof(ROOM, 7, PROVIDER, NOW + 60, { stranger: true }) }, NOW)).toBe(false);
    expect(await proofHolds(key, { ...claim, proof: `${NOW + 60}.${"A".repeat(86)}` }, NOW)).toBe(false);
    expect(await proofHolds(key, { ...claim, proof: "not a proof" }, NOW)).toBe(false);
    for (const text of [null, "", "short", `A${"A".repeat(86)}`, TEST_JOIN_PAGE_KEY.slice(1)]) {
      expect(await importJoinPageKey(text), String(text)).toBeNull();
    }
  });
});

describe("who the adapter takes for the clinician", () => {
  async function roles(h: Harness): Promise<Record<string, string>> {
    const session = await connected(h);
    await settle();
    const seen = Object.fromEntries([...session.remoteParticipants.values()].map((p) => [p.sid, `${p.identity} ${p.role}`]));
    session.disconnect();
    return seen;
  }

  it("only one who proves it: not a name alone, a proof for another id or room, another key's, or an expired one", async () => {
    const h = harness();
    h.room.addPublisher(201, PROVIDER);
    h.room.addPublisher(202, PROVIDER.toUpperCase());
    const publish = (id: number, proof: string) => (h.room.addPublisher(id, "x").display = displayWithProof(PROVIDER, proof));
    publish(203, await signProof(ROOM, 201, PROVIDER, NOW + 60));
    publish(204, await signProof(ROOM + 1, 204, PROVIDER, NOW + 60));
    publish(205, await signProof(ROOM, 205, PROVIDER, NOW + 60, { stranger: true }));
    publish(206, await signProof(ROOM, 206, PROVIDER, NOW - 1));
    // Outside the ids the fake room signs for: the name alone.
    h.room.attendees.push({ id: 330, display: PROVIDER });
    expect(await roles(h)).toEqual({
      "201": `${PROVIDER} provider`,
      "202": `${PROVIDER.toUpperCase()} unknown`,
      "203": `${PROVIDER} unknown`,
      "204": `${PROVIDER} unknown`,
      "205": `${PROVIDER} unknown`,
      "206": `${PROVIDER} unknown`,
      "330": `${PROVIDER} unknown`,
    });
  });

  it("a page without the clinic's key takes nobody for the clinician", async () => {
    const h = harness({ clinicianKey: null });
    h.room.addPublisher(201, PROVIDER);
    expect(await roles(h)).toEqual({ "201": `${PROVIDER} unknown` });
  });

  it("an impostor already in the room is unknown, and the clinician who comes later is the provider; nobody is disconnected", async () => {
    const h = harness();
    h.room.addPublisher(350, "x").display = PROVIDER;
    const session = await connected(h, { held: true });
    expect(session.admitted).toBe(false);
    const lines = record(session).lines;
    h.room.join(201, PROVIDER);
    h.room.publish(201, PROVIDER);
    await settle();
    expect(session.remoteParticipants.get("350")?.role).toBe("unknown");
    expect(session.remoteParticipants.get("201")?.role).toBe("provider");
    // Held, the patient is let in by the proven clinician only.
    expect(lines).toEqual([`participantJoined ${PROVIDER} (provider, 0 tracks)`, "admissionChanged true"]);
    expect(session.admitted).toBe(true);
    session.disconnect();
  });

  it("the clinician's page joins under the core's participant id with its proof as the display", async () => {
    const proof = await signProof(ROOM, 4242, PROVIDER, NOW + 600);
    const h = harness({ identity: PROVIDER, participantId: 4242, proof });
    const session = await connected(h, { providerIdentity: PROVIDER });
    expect(h.room.publisher.requests("join").map((s) => s.message)).toEqual([
      expect.objectContaining({ request: "join", id: 4242, display: `${PROVIDER} ${proof} admit:` }),
    ]);
    session.disconnect();
    const guest = harness();
    (await connected(guest)).disconnect();
    expect(guest.room.publisher.requests("join")[0]!.message).not.toHaveProperty("id");
    expect(guest.room.publisher.requests("join")[0]!.message).toMatchObject({ display: ME });
  });

  it("an id already in use (the visit open elsewhere, Janus 436) is duplicate_identity", async () => {
    const h = harness({ identity: PROVIDER, participantId: 4242, proof: await signProof(ROOM, 4242, PROVIDER, NOW + 600) });
    h.room.joinError = { error_code: 436, error: "User ID 4242 already exists" };
    const error = await rejection(connectJanus(h.config, options()));
    expect(error).toMatchObject({ kind: "duplicate_identity", code: 436 });
  });
});
