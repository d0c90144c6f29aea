// Real calls through the Janus adapter (ui/src/video/janus/): a throwaway Janus with media on
// jp0, three Chromium pages (fake camera and microphone) joining one VideoRoom with signed tokens.
// Needs the network namespace (Janus never gathers ICE candidates on loopback):
//   scripts/with-netns -- node --test ui/e2e/calls/janus-adapter.test.mjs
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { build } from "vite";

import { launchChromium, openPage } from "./chromium.mjs";
import { JanusAdmin, coreToken, roomToken, signToken, startJanus, unixNow } from "./janus.mjs";
import { serveFolder } from "./static-server.mjs";
import { MEDIA_INTERFACE, callsSkipReason, eventually } from "./support.mjs";

const ROOM = 4711;
const OTHER_ROOM = 4712;
const GUARDED_ROOM = 4713;
const PROVIDER = "dr-e2e-provider";
const PATIENT = "patient-kqzmtrwx";
const INTERPRETER = "interpreter-hjdksowq";

const skip = callsSkipReason("ui/e2e/calls/janus-adapter.test.mjs");

describe("Janus adapter in real calls", { skip }, () => {
  let janus;
  let admin;
  let outDir;
  let site;
  let browser;
  const pages = {};

  before(async () => {
    janus = await startJanus({ mediaInterface: MEDIA_INTERFACE, ws: true });
    admin = new JanusAdmin(janus);
    await admin.createRoom(ROOM);
    await admin.createRoom(OTHER_ROOM);

    outDir = mkdtempSync(join(tmpdir(), "visitdesk-call-page-"));
    await build({ configFile: join(import.meta.dirname, "vite.config.mjs"), build: { outDir }, logLevel: "warn" });
    site = await serveFolder(outDir);
    browser = await launchChromium();
  });

  after(async () => {
    for (const page of Object.values(pages)) {
      if (page.problems.length) console.log(`page problems:\n  ${page.problems.join("\n  ")}`);
    }
    await browser?.close();
    await site?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
    await admin?.close();
    await janus?.stop();
  });

  async function open(name) {
    const page = await openPage(browser);
    await page.goto(site.url);
    await page.waitForFunction(() => window.visitdeskCall !== undefined);
    pages[name] = page;
    return page;
  }

  /** Connects `page` as `identity`, over HTTP long polls or the WebSocket. */
  function connect(page, identity, { transport = "http", room = ROOM, token = roomToken(janus.tokenSecret, room), core = coreToken(janus.tokenSecret), expected = 3 } = {}) {
    const server = transport === "ws" ? janus.ws : janus.http;
    return page.evaluate(([config, options]) => window.visitdeskCall.connect(config, options), [
      { server, room: String(room), coreToken: core, identity },
      { token, expectedParticipants: expected, lowEndMobile: false, providerIdentity: PROVIDER },
    ]);
  }

  const snapshot = (page) => page.evaluate(() => window.visitdeskCall.snapshot());
  const received = (page) => page.evaluate(() => window.visitdeskCall.received());

  /** Every page decodes every other page's video (frames rising) and receives its audio. */
  async function assertMediaFlows(names) {
    const sids = {};
    for (const name of names) sids[name] = (await snapshot(pages[name])).localSid;
    for (const name of names) {
      const others = names.filter((n) => n !== name);
      const first = await eventually(`${name} receives video and audio from ${others.join(", ")}`, async () => {
        const now = await received(pages[name]);
        const ok = others.every((o) => (now[sids[o]]?.videoFrames ?? 0) > 0 && (now[sids[o]]?.audioSamples ?? 0) > 0);
        return ok && now;
      });
      await new Promise((r) => setTimeout(r, 1_000));
      const second = await received(pages[name]);
      for (const other of others) {
        const [a, b] = [first[sids[other]], second[sids[other]]];
        assert.ok(b.videoFrames > a.videoFrames, `${name}: ${other}'s video frames rise (${a.videoFrames} → ${b.videoFrames})`);
        assert.ok(b.framesDecoded > a.framesDecoded, `${name}: ${other}'s framesDecoded rise`);
        assert.ok(b.audioSamples > a.audioSamples, `${name}: ${other}'s audio samples rise (${a.audioSamples} → ${b.audioSamples})`);
        assert.ok(b.audioEnergy > 0, `${name}: ${other}'s audio is not silence: ${JSON.stringify(b)}`);
        assert.ok(b.width > 0 && b.height > 0, `${name}: ${other}'s video has a size`);
        console.log(`  ${name} ← ${other}: ${b.width}x${b.height}, +${b.videoFrames - a.videoFrames} frames/s, +${b.audioPackets - a.audioPackets} audio packets/s`);
      }
    }
    return sids;
  }

  it("three pages decode each other's video and hear each other; texts arrive; a leaver is seen to leave", async () => {
    const provider = await open("provider");
    const patient = await open("patient");
    const interpreter = await open("interpreter");

    const joinedProvider = await connect(provider, PROVIDER);
    assert.equal(joinedProvider.ok, true, JSON.stringify(joinedProvider));
    const joinedPatient = await connect(patient, PATIENT, { transport: "ws" });
    assert.equal(joinedPatient.ok, true, JSON.stringify(joinedPatient));
    const joinedInterpreter = await connect(interpreter, INTERPRETER);
    assert.equal(joinedInterpreter.ok, true, JSON.stringify(joinedInterpreter));

    const sids = await assertMediaFlows(["provider", "patient", "interpreter"]);

    // Time from connect() to the first decoded frame of someone already in the room.
    for (const [name, joined] of [
      ["patient (WebSocket)", joinedPatient],
      ["interpreter (HTTP)", joinedInterpreter],
    ]) {
      const page = name.startsWith("patient") ? patient : interpreter;
      const { firstFrame } = await snapshot(page);
      const fromProvider = firstFrame[sids.provider];
      assert.ok(fromProvider, `${name} timed its first frame from the provider`);
      console.log(
        `  ${name}: connect resolved in ${joined.connectMs.toFixed(0)} ms; first frame from the provider ${fromProvider.sinceConnect.toFixed(0)} ms after connect()`,
      );
    }
    const { firstFrame: providerFrames } = await snapshot(provider);
    for (const [who, sid] of [
      ["patient", sids.patient],
      ["interpreter", sids.interpreter],
    ]) {
      console.log(`  provider: first frame of the ${who} ${providerFrames[sid].sinceSubscribed.toFixed(0)} ms after its trackSubscribed`);
    }

    // The provider sees who is who, in order: joined, then tracks.
    const seen = await snapshot(provider);
    console.log(
      `  provider's estimates (3 in the call): network quality ${seen.localNetworkQuality} (own), ` +
        `${seen.remotes.map((r) => `${r.networkQuality} (${r.identity})`).join(", ")}; dominant speaker ${seen.dominantSpeaker}`,
    );
    assert.deepEqual(
      seen.remotes.map((r) => [r.identity, r.role, r.tracks.map((t) => t.kind).sort().join("+")]).sort(),
      [
        [INTERPRETER, "interpreter", "audio+video"],
        [PATIENT, "patient", "audio+video"],
      ],
    );
    const patientLines = seen.events.filter((e) => /^(participant|track)/.test(e) && e.includes(PATIENT));
    assert.equal(patientLines[0], `participantJoined ${PATIENT} (0 tracks)`, seen.events.join("\n"));
    assert.deepEqual(patientLines.slice(1).sort(), [`trackSubscribed audio of ${PATIENT}`, `trackSubscribed video of ${PATIENT}`]);

    // A text over the data channels reaches both others, from the right sender.
    const intake = JSON.stringify({ intake: { reason: "follow-up", allergies: "none" } });
    await patient.evaluate((text) => window.visitdeskCall.send(text), intake);
    for (const page of [provider, interpreter]) {
      await eventually("the patient's text arrives", async () => (await snapshot(page)).messages.some((m) => m.text === intake && m.from === PATIENT));
    }
    assert.deepEqual((await snapshot(patient)).messages, [], "no echo to the sender");

    // The provider turns the camera off: it stops sending, and the others see the track disabled.
    const providerVideoEnabled = async (page) =>
      (await snapshot(page)).remotes.find((r) => r.identity === PROVIDER)?.tracks.find((t) => t.kind === "video")?.enabled;
    let started = Date.now();
    await provider.evaluate(() => window.visitdeskCall.setCamera(false));
    await eventually("the provider's camera is seen off", async () => (await providerVideoEnabled(patient)) === false);
    console.log(`  camera off seen by the patient after ${Date.now() - started} ms`);
    started = Date.now();
    await provider.evaluate(() => window.visitdeskCall.setCamera(true));
    await eventually("the provider's camera is seen on again", async () => (await providerVideoEnabled(patient)) === true);
    console.log(`  camera on again seen after ${Date.now() - started} ms`);

    // The interpreter leaves: the others see its tracks go, then the participant.
    await interpreter.evaluate(() => window.visitdeskCall.disconnect());
    for (const page of [provider, patient]) {
      const events = await eventually("the interpreter's leaving is seen", async () => {
        const { events } = await snapshot(page);
        return events.includes(`participantLeft ${INTERPRETER} (0 tracks)`) && events;
      });
      const mine = events.filter((e) => /^(participant|track)/.test(e) && e.includes(INTERPRETER));
      const left = mine.indexOf(`participantLeft ${INTERPRETER} (0 tracks)`);
      assert.deepEqual(mine.slice(left - 2, left).sort(), [`trackUnsubscribed audio of ${INTERPRETER}`, `trackUnsubscribed video of ${INTERPRETER}`], mine.join("\n"));
      assert.equal((await snapshot(page)).remotes.length, 1);
    }
    const listed = await admin.participants(ROOM);
    assert.deepEqual(listed.map((p) => p.display).sort(), [PATIENT, PROVIDER].sort());

    // The two left still see each other.
    await assertMediaFlows(["provider", "patient"]);

    // Simulcast for three or more: the provider's camera goes out in layers.
    const layers = (await provider.evaluate(() => window.visitdeskCall.sent())).filter((l) => l.kind === "video");
    console.log(`  provider's video layers: ${layers.map((l) => `${l.rid ?? "-"} ${l.frameWidth}px`).join(", ")}`);
    assert.ok(layers.filter((l) => l.framesEncoded > 0).length >= 2, JSON.stringify(layers));

    // The visit ends: the room is destroyed and both calls end as room_completed.
    await admin.destroyRoom(ROOM);
    for (const page of [provider, patient]) {
      await eventually("the call ends with the room", async () => {
        const { events, state } = await snapshot(page);
        return state === "disconnected" && events.at(-1) === "disconnected room_completed";
      });
    }
  });

  it("refuses another room's token, an expired token and a forged one (433); a missing room is room_completed", async () => {
    const page = await open("intruder");
    const secret = janus.tokenSecret;
    const room = await admin.createRoom(GUARDED_ROOM);
    const future = unixNow() + 600;
    const cases = [
      ["another room's token", { token: roomToken(secret, OTHER_ROOM) }, "token_invalid", 433],
      ["an expired token", { token: roomToken(secret, room, unixNow() - 5) }, "token_expired", 433],
      ["a forged token", { token: signToken("not-the-secret", `${future},janus.plugin.videoroom,room=${room}`) }, "token_invalid", 433],
      ["a forged core token", { core: signToken("not-the-secret", `${future},janus,janus.plugin.videoroom`) }, "token_invalid", 403],
      ["an expired core token", { core: coreToken(secret, unixNow() - 5) }, "token_expired", 403],
      ["a room that is gone", { room: 999_999, token: roomToken(secret, 999_999) }, "room_completed", 426],
    ];
    for (const [what, overrides, kind, code] of cases) {
      const result = await connect(page, "patient-intruder", { room, token: roomToken(secret, room), expected: 2, ...overrides });
      console.log(`  ${what}: ${result.kind} ${result.code} (${result.message})`);
      assert.deepEqual([result.ok, result.kind, result.code], [false, kind, code], `${what}: ${JSON.stringify(result)}`);
    }
    const listed = await admin.participants(room);
    assert.ok(!listed.some((p) => p.display === "patient-intruder"), "nobody got in");
  });
});
