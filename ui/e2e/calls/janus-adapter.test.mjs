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
import { JanusAdmin, coreToken, roomToken, signToken, startJanus, testClinic, unixNow } from "./janus.mjs";
import { serveFolder } from "./static-server.mjs";
import { MEDIA_INTERFACE, callsSkipReason, eventually } from "./support.mjs";

const ROOM = 4711;
const OTHER_ROOM = 4712;
const GUARDED_ROOM = 4713;
const AUDIO_ROOM = 4714;
const HELD_ROOM = 4715;
const IMPOSTOR_ROOM = 4716;
/** The clinic's key: pages verify the clinician's proof with its public half. */
const CLINIC = testClinic();
/** The participant id the core gives the clinician in `room`. */
const clinicianId = (room) => 900_000 + room;
/** An init script: the size of the frames of each screen getDisplayMedia hands the page, as played here. */
function recordDisplaySize() {
  const original = navigator.mediaDevices.getDisplayMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getDisplayMedia = async (constraints) => {
    const stream = await original(constraints);
    const video = Object.assign(document.createElement("video"), { muted: true, srcObject: new MediaStream(stream.getVideoTracks()) });
    video.addEventListener("resize", () => (window.__displaySize = [video.videoWidth, video.videoHeight]));
    void video.play();
    return stream;
  };
}

/** Who Janus lists: their identity (the clinician's display carries their proof after it). */
const listedIdentity = (participant) => participant.display.split(" ")[0];
const PROVIDER = "dr-e2e-provider";
const PATIENT = "patient-kqzmtrwx";
const INTERPRETER = "interpreter-hjdksowq";
const CAREGIVER = "caregiver-pwmzqtnr";

/** An init script: this device has no camera (none listed; asking for video is NotFoundError). */
function withoutCameraDevice() {
  const media = navigator.mediaDevices;
  const getUserMedia = media.getUserMedia.bind(media);
  const enumerateDevices = media.enumerateDevices.bind(media);
  media.getUserMedia = async (constraints) => {
    if (constraints?.video) throw new DOMException("Requested device not found", "NotFoundError");
    return getUserMedia(constraints);
  };
  media.enumerateDevices = async () => (await enumerateDevices()).filter((device) => device.kind !== "videoinput");
}

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

  async function open(name, { initScript = null } = {}) {
    const page = await openPage(browser);
    if (initScript) await page.addInitScript(initScript);
    await page.goto(site.url);
    await page.waitForFunction(() => window.visitdeskCall !== undefined);
    pages[name] = page;
    return page;
  }

  /** Connects `page` as `identity`, over HTTP long polls or the WebSocket. */
  function connect(
    page,
    identity,
    {
      transport = "http",
      room = ROOM,
      token = roomToken(janus.tokenSecret, room),
      core = coreToken(janus.tokenSecret),
      expected = 3,
      withCamera = true,
      held = false,
      // The clinician's page joins under the core's participant id with its proof; an impostor's
      // takes the name alone, or a proof and id copied from the room.
      proven = identity === PROVIDER,
      participantId = proven ? clinicianId(room) : null,
      proof = proven ? CLINIC.proof(room, clinicianId(room), identity) : null,
    } = {},
  ) {
    const server = transport === "ws" ? janus.ws : janus.http;
    return page.evaluate(([config, options]) => window.visitdeskCall.connect(config, options), [
      { server, room: String(room), coreToken: core, identity, participantId, proof, clinicianKey: CLINIC.joinPageKey },
      { token, expectedParticipants: expected, lowEndMobile: false, providerIdentity: PROVIDER, withCamera, held },
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
    assert.deepEqual(listed.map(listedIdentity).sort(), [PATIENT, PROVIDER].sort());

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

  /** `name` sends no video at all (never asked for, not offered, no RTP) while `listener` hears it. */
  async function assertAudioOnly(name, identity, listener, { askedSince = 0 } = {}) {
    const page = pages[name];
    const mine = await snapshot(page);
    const asked = mine.asked.slice(askedSince);
    assert.ok(asked.length > 0 && asked.every((a) => a.audio && !a.video), `${name} asked getUserMedia for audio only: ${JSON.stringify(asked)}`);
    assert.deepEqual(mine.local, { cameraEnabled: false, microphoneEnabled: true, tracks: [{ kind: "audio", enabled: true }] });
    const descriptions = await page.evaluate(() => window.visitdeskCall.localDescriptions());
    const offers = descriptions.filter((d) => d.type === "offer");
    assert.equal(offers.length, 1, `one publisher offer: ${JSON.stringify(descriptions.map((d) => d.type))}`);
    assert.match(offers[0].sdp, /^m=audio /m);
    assert.doesNotMatch(offers[0].sdp, /^m=video /m, `${name}'s offer has no video m-line`);
    for (const { sdp } of descriptions) {
      const videoLines = sdp.split(/^(?=m=)/m).filter((section) => section.startsWith("m=video"));
      for (const section of videoLines) assert.doesNotMatch(section, /^a=(sendonly|sendrecv)/m, `${name} sends no video in any answer`);
    }

    const sids = { [listener]: (await snapshot(pages[listener])).localSid, [name]: mine.localSid };
    const first = await eventually(`${listener} hears ${name}`, async () => {
      const now = (await received(pages[listener]))[sids[name]];
      return (now?.audioSamples ?? 0) > 0 && now;
    });
    await new Promise((r) => setTimeout(r, 1_000));
    const second = (await received(pages[listener]))[sids[name]];
    assert.ok(second.audioSamples > first.audioSamples && second.audioEnergy > 0, `${listener} hears ${name}: ${JSON.stringify(second)}`);
    assert.equal(second.videoFrames, 0);
    const heard = (await snapshot(pages[listener])).remotes.find((r) => r.identity === identity);
    assert.deepEqual(heard?.tracks.map((t) => t.kind), ["audio"], `${listener} gets only ${name}'s audio`);

    const sent = await page.evaluate(() => window.visitdeskCall.sent());
    assert.deepEqual(sent.filter((l) => l.kind === "video"), [], `no outbound-rtp of kind video: ${JSON.stringify(sent)}`);
    assert.ok(sent.some((l) => l.kind === "audio" && l.bytesSent > 0), `${name} sends audio: ${JSON.stringify(sent)}`);
    console.log(`  ${listener} ← ${name}: audio only, +${second.audioPackets - first.audioPackets} packets/s; offer m-lines ${offers[0].sdp.match(/^m=\w+/gm).join(" ")}`);
  }

  it("joining without a camera asks for none and sends no video; a device with no camera joins with audio", async () => {
    await admin.createRoom(AUDIO_ROOM);
    const provider = await open("audio-provider");
    const patient = await open("audio-patient");
    const caregiver = await open("no-camera-caregiver", { initScript: withoutCameraDevice });
    const room = { room: AUDIO_ROOM, expected: 3 };

    assert.equal((await connect(provider, PROVIDER, room)).ok, true);
    const joined = await connect(patient, PATIENT, { ...room, withCamera: false });
    assert.equal(joined.ok, true, JSON.stringify(joined));
    await assertAudioOnly("audio-patient", PATIENT, "audio-provider");

    // The caregiver's device really has no camera: a join that asks for one fails as it should.
    const refused = await connect(caregiver, CAREGIVER, room);
    assert.deepEqual([refused.ok, refused.kind], [false, "media_unavailable"], JSON.stringify(refused));
    const askedSince = (await snapshot(caregiver)).asked.length;
    const audioOnly = await connect(caregiver, CAREGIVER, { ...room, withCamera: false });
    assert.equal(audioOnly.ok, true, JSON.stringify(audioOnly));
    await assertAudioOnly("no-camera-caregiver", CAREGIVER, "audio-provider", { askedSince });

    // The provider still sends its camera to both.
    const sid = (await snapshot(provider)).localSid;
    for (const name of ["audio-patient", "no-camera-caregiver"]) {
      await eventually(`${name} decodes the provider's video`, async () => ((await received(pages[name]))[sid]?.videoFrames ?? 0) > 0);
    }
  });

  it("the provider shares a screen: the others get it as a second video track, a screen, at its full size; stopped, it is off; shared again, on", async () => {
    const SCREEN_ROOM = ROOM + 7;
    await admin.createRoom(SCREEN_ROOM);
    const provider = await open("screen-provider", { initScript: recordDisplaySize });
    const patient = await open("screen-patient");
    const room = { room: SCREEN_ROOM, expected: 2 };
    assert.equal((await connect(provider, PROVIDER, room)).ok, true);
    assert.equal((await connect(patient, PATIENT, room)).ok, true);
    const sid = (await snapshot(provider)).localSid;
    await eventually("the patient does not decode the provider's camera", async () => ((await received(patient))[sid]?.videoFrames ?? 0) > 0);
    const screenOf = async () => (await snapshot(patient)).remotes.find((r) => r.sid === sid)?.tracks.filter((t) => t.screen) ?? [];

    assert.equal(await provider.evaluate(() => window.visitdeskCall.shareScreen()), null);
    const [shared] = await eventually("the patient has no screen track from the provider", async () => {
      const screens = await screenOf();
      return screens.length === 1 && screens[0].enabled ? screens : false;
    }).catch(async (error) => {
      const seen = await snapshot(patient);
      const mine = await snapshot(provider);
      throw new Error(`${error.message}\npatient: ${JSON.stringify(seen.remotes)}\n${seen.events.slice(-8).join("\n")}\nprovider: ${JSON.stringify(mine.events.slice(-5))} ${JSON.stringify(mine.local)}`);
    });
    assert.equal(shared.kind, "video");
    // Small text stays legible only at the size it was captured: the patient decodes it unscaled.
    const [width, height] = await eventually("the provider's page plays no screen", () => provider.evaluate(() => window.__displaySize ?? false));
    // The screen's own element (the camera beside it may be scaled down on a busy machine).
    const size = await eventually(`the screen does not arrive at ${width}×${height}`, async () => {
      const [w, h] = await patient.evaluate((id) => {
        const video = document.querySelector(`video[data-track-id="${id}"]`);
        return video ? [video.videoWidth, video.videoHeight] : [0, 0];
      }, shared.id);
      return w === width && h === height ? [w, h] : false;
    }, 20_000);
    console.log(`  the screen reached the patient at ${size.join("×")}`);

    await provider.evaluate(() => window.visitdeskCall.stopScreenShare());
    await eventually("the screen is still on at the patient", async () => (await screenOf()).every((t) => !t.enabled));
    assert.equal(await provider.evaluate(() => window.visitdeskCall.shareScreen()), null);
    await eventually("the screen is not on again at the patient", async () => (await screenOf()).some((t) => t.enabled));
  });

  it("a patient connected held captures, sends and receives nothing until released; hold stops it all again; release resumes", async () => {
    await admin.createRoom(HELD_ROOM);
    const provider = await open("held-provider");
    const patient = await open("held-patient");
    const room = { room: HELD_ROOM, expected: 2 };
    assert.equal((await connect(provider, PROVIDER, room)).ok, true);
    const joined = await connect(patient, PATIENT, { ...room, held: true });
    assert.equal(joined.ok, true, JSON.stringify(joined));
    const sids = { patient: joined.sid, provider: (await snapshot(provider)).localSid };
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    const patientSeen = async () => (await snapshot(provider)).remotes.find((r) => r.identity === PATIENT);
    /** Bytes the patient's open connections send, and what each side has received from the other. */
    const flow = async () => ({
      sent: (await patient.evaluate(() => window.visitdeskCall.sent())).filter((l) => l.kind === "audio" || l.kind === "video").reduce((n, l) => n + l.bytesSent, 0),
      toProvider: Object.values((await provider.evaluate(() => window.visitdeskCall.inboundTotals()))[sids.patient] ?? {}).reduce((n, v) => n + v, 0),
      toPatient: Object.values((await patient.evaluate(() => window.visitdeskCall.inboundTotals()))[sids.provider] ?? {}).reduce((n, v) => n + v, 0),
    });

    // Held: in the room (the provider and Janus's listparticipants see the patient) with nothing captured or sent.
    const seen = await eventually("the provider sees the held patient", patientSeen);
    assert.deepEqual(seen.tracks, [], "the provider gets no track of the held patient");
    const listed = await admin.participants(HELD_ROOM);
    assert.deepEqual(listed.map((p) => [listedIdentity(p), p.publisher]).sort(), [[PATIENT, false], [PROVIDER, true]].sort(), JSON.stringify(listed));
    await sleep(2_000); // time for anything that would leak to show
    const held = await snapshot(patient);
    assert.deepEqual([held.held, held.asked, held.captured, held.peerConnections], [true, [], [], 0], `nothing asked, captured or connected: ${JSON.stringify(held)}`);
    assert.deepEqual(held.local, { cameraEnabled: false, microphoneEnabled: false, tracks: [] });
    assert.deepEqual(await patient.evaluate(() => window.visitdeskCall.sent()), [], "no outbound-rtp");
    assert.deepEqual([await received(patient), (await patientSeen()).tracks], [{}, []]);

    // Released: both decode and hear each other.
    assert.deepEqual(await patient.evaluate(() => window.visitdeskCall.release()), { ok: true });
    await assertMediaFlows(["held-provider", "held-patient"]);
    const live = await snapshot(patient);
    assert.deepEqual(live.captured.map((t) => `${t.kind} ${t.readyState}`).sort(), ["audio live", "video live"]);
    const flowing = await flow();
    assert.ok(flowing.sent > 0 && flowing.toProvider > 0 && flowing.toPatient > 0, `the byte counts see media while released: ${JSON.stringify(flowing)}`);

    // Held again: the capture ends, the provider sees the tracks go, and no bytes move either way.
    let started = Date.now();
    await patient.evaluate(() => window.visitdeskCall.hold());
    const rehold = await snapshot(patient);
    assert.deepEqual([rehold.held, rehold.captured.map((t) => t.readyState)], [true, ["ended", "ended"]], "the camera and microphone are released");
    await eventually("the provider sees the patient's tracks go", async () => (await patientSeen())?.tracks.length === 0);
    console.log(`  hold: the provider saw the patient's tracks go after ${Date.now() - started} ms`);
    await sleep(500);
    const before = await flow();
    await sleep(2_000);
    const after = await flow();
    console.log(`  held for 2 s: ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
    assert.ok(after.sent <= before.sent, `the patient sends nothing: ${before.sent} → ${after.sent}`);
    assert.ok(after.toProvider <= before.toProvider, `the provider receives nothing from the patient: ${before.toProvider} → ${after.toProvider}`);
    assert.ok(after.toPatient <= before.toPatient, `the patient receives nothing: ${before.toPatient} → ${after.toPatient}`);
    assert.deepEqual(await received(patient), {});
    assert.deepEqual((await snapshot(provider)).events.filter((e) => e.startsWith("participantLeft")), [], "the patient stays in the room");

    // Released again: media resumes both ways on new connections.
    started = Date.now();
    assert.deepEqual(await patient.evaluate(() => window.visitdeskCall.release()), { ok: true });
    await assertMediaFlows(["held-provider", "held-patient"]);
    console.log(`  release again: media both ways within ${Date.now() - started} ms`);
    const resumed = await flow();
    assert.ok(resumed.sent > 0 && resumed.toProvider > after.toProvider, `media flows again: ${JSON.stringify(resumed)}`);
    assert.equal((await snapshot(patient)).captured.filter((t) => t.readyState === "live").length, 2);
  });

  it("an impostor under the clinician's name is not the clinician; a copied proof cannot join beside them; nobody is disconnected", async () => {
    await admin.createRoom(IMPOSTOR_ROOM);
    const room = { room: IMPOSTOR_ROOM, expected: 3 };
    const impostor = await open("impostor");
    const patient = await open("impostor-patient");
    const provider = await open("impostor-provider");
    const byName = await connect(impostor, PROVIDER, { ...room, proven: false });
    assert.equal(byName.ok, true, JSON.stringify(byName));
    const waiting = await connect(patient, PATIENT, { ...room, held: true });
    assert.equal(waiting.ok, true, JSON.stringify(waiting));
    const clinician = await connect(provider, PROVIDER, room);
    assert.equal(clinician.ok, true, `the clinician gets in beside someone using their name: ${JSON.stringify(clinician)}`);

    const roles = await eventually("the patient's page sees both", async () => {
      const { remotes } = await snapshot(patient);
      return remotes.length === 2 && Object.fromEntries(remotes.map((r) => [r.sid, r.role]));
    });
    assert.deepEqual(roles, { [byName.sid]: "unknown", [clinician.sid]: "provider" }, "only the proven clinician is the provider");
    assert.equal(clinician.sid, String(clinicianId(IMPOSTOR_ROOM)), "the clinician joined under the core's participant id");

    // The clinician's display and id, copied from Janus's own list, as a third page would.
    const listed = await admin.participants(IMPOSTOR_ROOM);
    const shown = listed.find((p) => p.id === clinicianId(IMPOSTOR_ROOM));
    const [, copiedProof] = shown.display.split(" ");
    const copier = await open("impostor-copier");
    const copied = await connect(copier, PROVIDER, { ...room, proven: false, participantId: shown.id, proof: copiedProof });
    assert.deepEqual([copied.ok, copied.kind, copied.code], [false, "duplicate_identity", 436], JSON.stringify(copied));

    for (const [name, page] of [["clinician", provider], ["impostor", impostor], ["patient", patient]]) {
      const { events } = await snapshot(page);
      assert.deepEqual(events.filter((e) => e.startsWith("disconnected")), [], `the ${name} is still connected`);
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
