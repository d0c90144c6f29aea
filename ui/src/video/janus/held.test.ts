// The Janus adapter held (the patient's waiting room), against the fake janus.js
// (testing/janusFakes.ts): joined, but no getUserMedia, no publisher offer and no subscriber until
// `release`; `hold` unpublishes, ends the capture and drops the subscriber.

import { describe, expect, it } from "vitest";

import { VideoSessionError } from "../session";
import { FakeTrack, type Harness, MY_ID, PROVIDER, ROOM, ROOM_TOKEN, connected, fakeStream, harness, settle } from "../testing/janusFakes";
import { record } from "../testing/record";
import { rejection } from "../testing/rejection";

const INTERPRETER = "interpreter-abcdefgh";
const FAMILY = "family-qwertyui";

/** Connected held with the provider (201) publishing; the events from then on, as lines. */
async function heldWithProvider(h: Harness = harness(), overrides = {}) {
  h.room.addPublisher(201, PROVIDER);
  const session = await connected(h, { held: true, ...overrides });
  return { h, session, lines: record(session).lines };
}

async function heldThenReleased(h: Harness = harness()) {
  const call = await heldWithProvider(h);
  await call.session.release();
  await settle();
  return call;
}

describe("connected held", () => {
  it("joins the room but asks no getUserMedia, makes no offer, publishes nothing and subscribes to nobody", async () => {
    const h = harness();
    h.room.attendees.push({ id: 202, display: INTERPRETER });
    const { session, lines } = await heldWithProvider(h);

    expect(h.room.publisher.requests("join").map((s) => s.message)).toEqual([
      { request: "join", ptype: "publisher", room: ROOM, display: "patient-kqzmtrwx", token: ROOM_TOKEN },
    ]);
    expect(h.getUserMedia).not.toHaveBeenCalled();
    expect(h.room.publisher.createOffer).not.toHaveBeenCalled();
    expect(h.room.handles.flatMap((handle) => handle.sent.map((s) => s.message.request))).toEqual(["join"]);
    expect(h.room.handles).toHaveLength(1);

    const local = session.localParticipant;
    expect([session.held, local.sid, local.tracks, local.microphoneEnabled, local.cameraEnabled]).toEqual([true, String(MY_ID), [], false, false]);
    expect([...session.remoteParticipants.values()].map((p) => [p.identity, p.tracks.length])).toEqual([
      [INTERPRETER, 0],
      [PROVIDER, 0],
    ]);

    // Others come, publish and go: seen, never received.
    h.room.join(301, FAMILY);
    h.room.publish(301, FAMILY);
    await settle();
    h.room.unpublish(301);
    h.room.leave(301);
    await settle();
    expect(lines).toEqual([`participantJoined ${FAMILY} (family, 0 tracks)`, `participantLeft ${FAMILY} (family, 0 tracks)`]);
    expect(h.room.handles).toHaveLength(1);
  });

  it("sendMessage throws (no data channel while held); muting and device switches ask for no device", async () => {
    const { h, session } = await heldWithProvider();
    const error = (() => {
      try {
        session.sendMessage("early");
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(VideoSessionError);
    expect([(error as VideoSessionError).kind, (error as VideoSessionError).message]).toEqual(["other", "Held in the waiting room: texts can be sent once let in."]);
    expect(h.room.publisher.data).not.toHaveBeenCalled();

    session.setMicrophoneEnabled(false);
    await session.switchCamera("cam-2");
    await session.switchMicrophone("mic-2");
    expect(h.getUserMedia).not.toHaveBeenCalled();
    expect(session.localParticipant.tracks).toEqual([]);
  });
});

describe("release", () => {
  it("captures the devices given to connect, publishes, then subscribes to everyone publishing", async () => {
    const { h, session, lines } = await heldWithProvider(harness(), { cameraDeviceId: "cam-2", microphoneDeviceId: "mic-2" });
    await session.release();
    await settle();

    expect(h.getUserMedia).toHaveBeenCalledExactlyOnceWith({
      audio: { deviceId: { exact: "mic-2" } },
      video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 24 }, deviceId: { exact: "cam-2" } },
    });
    const publisher = h.room.publisher;
    expect(publisher.createOffer.mock.calls[0]![0].tracks).toEqual([
      { type: "audio", capture: h.microphone, recv: false },
      { type: "video", capture: h.camera, recv: false, simulcast: false },
      { type: "data" },
    ]);
    expect(publisher.requests("publish")).toHaveLength(1);
    const subscriber = h.room.subscriber!;
    expect(subscriber.requests("join")[0]?.message.streams).toEqual([{ feed: 201 }]);
    // Published (the answer applied) before anyone is subscribed to.
    expect(publisher.handleRemoteJsep.mock.invocationCallOrder[0]!).toBeLessThan(h.room.core.attach.mock.invocationCallOrder[1]!);

    expect(lines).toEqual([`trackSubscribed audio 201/0 of ${PROVIDER}`, `trackSubscribed video 201/1 of ${PROVIDER}`]);
    const local = session.localParticipant;
    expect([session.held, local.tracks.map((t) => t.id), local.microphoneEnabled, local.cameraEnabled]).toEqual([false, [h.microphone.id, h.camera.id], true, true]);
    session.sendMessage("let in");
    expect(publisher.data.mock.calls.map(([params]) => params.text)).toEqual(["let in"]);
  });

  it("at once twice, or again once released, captures once; a connect not held has nothing to release", async () => {
    const { h, session } = await heldWithProvider();
    await Promise.all([session.release(), session.release()]);
    await session.release();
    expect([h.getUserMedia.mock.calls.length, h.room.publisher.createOffer.mock.calls.length]).toEqual([1, 1]);

    const live = harness();
    const unheld = await connected(live);
    await unheld.release();
    expect([unheld.held, live.getUserMedia.mock.calls.length, live.room.publisher.createOffer.mock.calls.length]).toEqual([false, 1, 1]);
  });

  it("a refused or missing device rejects as connect would and stays held, nothing captured or offered", async () => {
    const { h, session } = await heldWithProvider();
    const refuse = async (error: DOMException) => {
      h.getUserMedia.mockRejectedValueOnce(error);
      return rejection(session.release());
    };
    const denied = await refuse(new DOMException("Permission denied", "NotAllowedError"));
    expect([denied.kind, denied.message]).toEqual(["media_permission", "Permission denied"]);
    expect((await refuse(new DOMException("gone", "NotFoundError"))).kind).toBe("media_unavailable");

    // A stream without the camera asked for: its microphone is stopped at once.
    const lone = new FakeTrack("audio");
    h.getUserMedia.mockResolvedValueOnce(fakeStream(lone));
    const noCamera = await rejection(session.release());
    expect([noCamera.kind, noCamera.message, lone.readyState]).toEqual(["media_unavailable", "No camera.", "ended"]);

    expect([session.held, session.localParticipant.tracks, h.room.publisher.createOffer.mock.calls.length, h.room.subscriber]).toEqual([true, [], 0, undefined]);
    await session.release();
    expect(session.held).toBe(false);
  });

  it("a publish VideoRoom refuses (432) rejects and stays held, the capture stopped", async () => {
    const { h, session } = await heldWithProvider();
    h.room.publishError = { error_code: 432, error: "Maximum number of publishers (2) reached" };
    const error = await rejection(session.release());
    expect([error.kind, error.code, session.held, session.state]).toEqual(["room_full", 432, true, "connected"]);
    expect([h.captured.map((t) => t.readyState), session.localParticipant.tracks, h.room.subscriber]).toEqual([["ended", "ended"], [], undefined]);
  });

  it("keeps what was asked while held: the microphone turned off is offered off and not sent", async () => {
    const { h, session } = await heldWithProvider();
    session.setMicrophoneEnabled(false);
    await session.release();
    const publish = h.room.publisher.requests("publish")[0]!.message;
    expect(publish.descriptions).toEqual([
      { mid: "0", description: "microphone off" },
      { mid: "1", description: "camera" },
    ]);
    expect(h.room.publisher.pc.senders.audio.replaceTrack).toHaveBeenLastCalledWith(null);
    expect([session.localParticipant.microphoneEnabled, session.localParticipant.cameraEnabled]).toEqual([false, true]);
  });

  it("a hold while the camera starts: the capture is stopped when it comes and nothing is published", async () => {
    const { h, session } = await heldWithProvider();
    let started: (stream: MediaStream) => void = () => {};
    h.getUserMedia.mockImplementationOnce(() => new Promise((resolve) => (started = resolve)));
    const releasing = session.release();
    await settle();
    session.hold();
    started(fakeStream(h.microphone, h.camera));
    await releasing;
    await settle();
    expect([h.microphone.readyState, h.camera.readyState, session.held]).toEqual(["ended", "ended", true]);
    expect([h.room.publisher.createOffer.mock.calls.length, h.room.subscriber]).toEqual([0, undefined]);
  });
});

describe("hold", () => {
  it("sends unpublish, empties the senders, ends every captured track and unsubscribes every remote track; stays in the room", async () => {
    const { h, session, lines } = await heldThenReleased();
    const subscriber = h.room.subscriber!;
    const senders = h.room.publisher.pc.senders;
    lines.length = 0;

    session.hold();
    expect(lines).toEqual([`trackUnsubscribed audio 201/0 of ${PROVIDER}`, `trackUnsubscribed video 201/1 of ${PROVIDER}`]);
    expect(h.room.publisher.requests("unpublish").map((s) => s.message)).toEqual([{ request: "unpublish" }]);
    expect([senders.audio.replaceTrack.mock.lastCall, senders.video.replaceTrack.mock.lastCall]).toEqual([[null], [null]]);
    expect(h.captured.map((t) => t.readyState)).toEqual(["ended", "ended"]);
    expect(subscriber.detach).toHaveBeenCalledOnce();
    await settle();

    // Janus hanging up the publisher's connection (as asked) ends nothing.
    expect([session.held, session.state, h.room.publisher.pcOpen, h.room.core.destroy.mock.calls.length]).toEqual([true, "connected", false, 0]);
    expect(session.localParticipant.tracks).toEqual([]);
    expect(session.remoteParticipants.get("201")!.tracks).toEqual([]);
    expect(lines).toHaveLength(2);

    // Held again: someone publishing later is seen, not received; a second hold does nothing.
    h.room.publish(202, INTERPRETER);
    await settle();
    session.hold();
    expect([h.room.subscriber, h.room.publisher.requests("unpublish").length]).toEqual([undefined, 1]);
    expect(lines.slice(2)).toEqual([`participantJoined ${INTERPRETER} (interpreter, 0 tracks)`]);
  });

  it("release after a hold waits for Janus's hangup, then publishes again on a new connection and subscribes again", async () => {
    const { h, session, lines } = await heldThenReleased();
    h.room.unanswered.add("unpublish");
    session.hold();
    lines.length = 0;

    const releasing = session.release();
    await settle();
    expect(h.getUserMedia).toHaveBeenCalledTimes(2);
    expect(h.room.publisher.createOffer).toHaveBeenCalledOnce(); // the old connection is not closed yet
    h.room.answerNow();
    await releasing;
    await settle();

    const publisher = h.room.publisher;
    expect([publisher.createOffer.mock.calls.length, publisher.requests("publish").length, publisher.pcOpen]).toEqual([2, 2, true]);
    expect(publisher.createOffer.mock.calls[1]![0].tracks.map((t) => t.type)).toEqual(["audio", "video", "data"]);
    const [, , microphone, camera] = h.captured;
    expect([microphone!.readyState, camera!.readyState]).toEqual(["live", "live"]);
    expect(session.localParticipant.tracks.map((t) => t.id)).toEqual([microphone!.id, camera!.id]);
    expect(h.room.subscriber!.requests("join")[0]?.message.streams).toEqual([{ feed: 201 }]);
    expect(lines).toEqual([`trackSubscribed audio 201/0 of ${PROVIDER}`, `trackSubscribed video 201/1 of ${PROVIDER}`]);
    expect([session.held, session.state]).toEqual([false, "connected"]);
  });

  it("while published, Janus hanging up our connection still ends the call", async () => {
    const { h, session, lines } = await heldThenReleased();
    lines.length = 0;
    h.room.publisher.hungUpByJanus("DTLS alert");
    expect([lines, session.state]).toEqual([["disconnected network null"], "disconnected"]);
  });

  it("disconnect while held leaves the room with nothing to stop", async () => {
    const { h, session, lines } = await heldWithProvider();
    session.disconnect();
    await session.release();
    expect([lines, h.room.core.destroy.mock.calls.length, h.getUserMedia.mock.calls.length]).toEqual([["disconnected left null"], 1, 0]);
  });
});

describe("admitted (Janus cannot hold a subscriber: a proven clinician whose call lists us lets the patient in)", () => {
  const admissions = (lines: string[]) => lines.filter((line) => line.startsWith("admission"));

  it("held: admitted while the proven clinician is in the room, each change announced", async () => {
    const h = harness();
    const session = await connected(h, { held: true });
    const { lines } = record(session);
    expect(session.admitted).toBe(false);

    h.room.join(201, PROVIDER);
    await settle();
    expect(session.admitted).toBe(true);
    h.room.leave(201);
    await settle();
    expect(session.admitted).toBe(false);
    h.room.publish(202, PROVIDER);
    await settle();
    expect(session.admitted).toBe(true);

    expect(lines).toEqual([
      `participantJoined ${PROVIDER} (provider, 0 tracks)`,
      "admissionChanged true",
      `participantLeft ${PROVIDER} (provider, 0 tracks)`,
      "admissionChanged false",
      `participantJoined ${PROVIDER} (provider, 0 tracks)`,
      "admissionChanged true",
    ]);
    expect([session.held, h.getUserMedia.mock.calls.length]).toEqual([true, 0]);
    session.disconnect();
  });

  it("held with the clinician there at connect: admitted from the start, without an event; others coming and going change nothing", async () => {
    const { h, session, lines } = await heldWithProvider();
    expect(session.admitted).toBe(true);
    h.room.join(301, FAMILY);
    await settle();
    h.room.leave(301);
    await settle();
    expect([session.admitted, admissions(lines)]).toEqual([true, []]);
    session.disconnect();
  });

  it("an impostor under the clinician's name, without the clinic's proof, does not let the patient in", async () => {
    const h = harness();
    const session = await connected(h, { held: true });
    const { lines } = record(session);
    // Outside the ids the fake room signs for: the name alone.
    h.room.join(350, PROVIDER);
    h.room.publish(350, PROVIDER);
    h.room.join(351, PROVIDER.toUpperCase());
    await settle();

    expect([session.remoteParticipants.get("350")?.role, session.remoteParticipants.get("351")?.role]).toEqual(["unknown", "unknown"]);
    expect([session.admitted, admissions(lines)]).toEqual([false, []]);
    session.disconnect();
  });

  it("not held: admitted from the start, whoever comes and goes", async () => {
    const h = harness();
    h.room.addPublisher(201, PROVIDER);
    const session = await connected(h, { providerIdentity: PROVIDER });
    const { lines } = record(session);
    h.room.unpublish(201);
    h.room.leave(201);
    await settle();
    expect([session.admitted, admissions(lines)]).toEqual([true, []]);
    session.disconnect();
  });
});
