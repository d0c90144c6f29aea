// The Twilio adapter held (the patient's waiting room): nothing captured or sent until
// `release()`, nothing of the others shown, and `hold()` back. On twilio-video-shaped fakes.

import { describe, expect, it, vi } from "vitest";

import type { MediaTrack, VideoConnectOptions } from "./session";
import { VideoSessionError } from "./session";
import { record, summary } from "./testing/record";
import { FakeRemoteParticipant, FakeRoom, FakeTwilioError, PROVIDER, dataTracks, join } from "./testing/twilioFakes";

const ME = "patient-kqzmfwprxd";

/** The provider, in the room before we connect, sending a microphone, a camera and texts. */
function providerSending(room: FakeRoom) {
  const provider = new FakeRemoteParticipant("PA-dr", PROVIDER);
  const audio = provider.publish("audio", "MT-dr-a", true);
  const video = provider.publish("video", "MT-dr-v", true);
  const data = provider.publish("data", "MT-dr-d", true);
  room.present(provider);
  return { provider, audio, video, data };
}

async function joinHeld(room: FakeRoom, options: Partial<VideoConnectOptions> = {}, expectedParticipants = 2) {
  return join(room, expectedParticipants, { providerIdentity: PROVIDER, held: true, ...options });
}

const kinds = (participant: { tracks: readonly MediaTrack[] }) => participant.tracks.map((t) => t.kind);

describe("connecting held", () => {
  it.each([
    [2, { clientTrackSwitchOffControl: "manual" }],
    [3, { mode: "collaboration", dominantSpeakerPriority: "high", clientTrackSwitchOffControl: "manual" }],
  ])("with %i expected: no audio or video asked of twilio-video, only the data track, remote video switched by hand", async (expected, video) => {
    const room = new FakeRoom(ME);
    const { session, connect, createLocalTracks } = await joinHeld(room, { cameraDeviceId: "cam-1" }, expected);

    const options = connect.mock.calls[0]![1];
    expect(["audio" in options, "video" in options]).toEqual([false, false]);
    expect(options.tracks).toEqual([dataTracks.at(-1)]);
    expect(options.bandwidthProfile).toEqual({ video });
    expect(options).toMatchObject({ insights: false, preferredVideoCodecs: [{ codec: "VP8", simulcast: expected >= 3 }] });
    expect(createLocalTracks).not.toHaveBeenCalled();
    const local = session.localParticipant;
    expect([session.held, session.state, local.tracks, local.microphoneEnabled, local.cameraEnabled]).toEqual([true, "connected", [], false, false]);
  });

  it("the others are there and come and go, with no tracks shown; no trackSubscribed even when twilio-video subscribes us", async () => {
    const room = new FakeRoom(ME);
    const { provider, audio, video } = providerSending(room);
    const { session } = await joinHeld(room);
    const events = record(session);

    const family = new FakeRemoteParticipant("PA-fam", "family-abcde");
    const familyVideo = family.publish("video", "MT-fam-v", false);
    room.join(family);
    family.subscribe(familyVideo);
    provider.unsubscribe(audio);
    room.leave(family);

    expect(summary(events)).toEqual(["participantJoined family-abcde (family, 0 tracks)", "participantLeft family-abcde (family, 0 tracks)"]);
    expect(kinds(session.remoteParticipants.get("PA-dr")!)).toEqual([]);
    expect([video.switchOff, familyVideo.switchOff].map((f) => f.mock.calls.length)).toEqual([1, 1]);
    expect(audio.switchOff).not.toHaveBeenCalled();
    for (const track of [audio, video, familyVideo]) expect(track.attach).not.toHaveBeenCalled();
    expect(session.held).toBe(true);
  });

  it("texts still travel both ways over the data track", async () => {
    const room = new FakeRoom(ME);
    const { data } = providerSending(room);
    const { session } = await joinHeld(room);
    const events = record(session);

    data.emit("message", "hello", data);
    session.sendMessage('{"intake":"done"}');
    await vi.waitFor(() => expect(dataTracks.at(-1)!.sent).toEqual(['{"intake":"done"}']));

    expect(summary(events)).toEqual([`messageReceived "hello" from ${PROVIDER}`]);
    expect(session.held).toBe(true);
  });
});

describe("release", () => {
  it("captures the devices given at connect at the blueprint's size, publishes them, switches the others' video on and announces their tracks", async () => {
    const room = new FakeRoom(ME);
    const { video } = providerSending(room);
    const { session, createLocalTracks } = await joinHeld(room, { cameraDeviceId: "cam-1", microphoneDeviceId: "mic-1" }, 3);
    const events = record(session);

    await session.release();

    expect(createLocalTracks.mock.calls).toEqual([
      [
        {
          audio: { deviceId: { exact: "mic-1" } },
          video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 24 }, deviceId: { exact: "cam-1" } },
        },
      ],
    ]);
    const [captured] = createLocalTracks.made;
    expect(room.localParticipant.publishTracks).toHaveBeenCalledWith(captured);
    const local = session.localParticipant;
    expect([session.held, kinds(local), local.microphoneEnabled, local.cameraEnabled]).toEqual([false, ["audio", "video"], true, true]);
    expect(video.switchOn).toHaveBeenCalledOnce();
    expect(summary(events)).toEqual([`trackSubscribed audio MT-dr-a of ${PROVIDER}`, `trackSubscribed video MT-dr-v of ${PROVIDER}`]);
    expect(session.remoteParticipants.get("PA-dr")!.tracks).toEqual(events.map((event) => event[1]));
  });

  it("then later tracks are announced as usual, and their video is switched on", async () => {
    const room = new FakeRoom(ME);
    const { session } = await joinHeld(room);
    await session.release();
    const events = record(session);

    const family = new FakeRemoteParticipant("PA-fam", "family-abcde");
    const familyVideo = family.publish("video", "MT-fam-v", true);
    room.join(family);

    expect(summary(events)).toEqual(["participantJoined family-abcde (family, 0 tracks)", "trackSubscribed video MT-fam-v of family-abcde"]);
    expect([familyVideo.switchOn.mock.calls.length, familyVideo.switchOff.mock.calls.length]).toEqual([1, 0]);
  });

  it("without a camera captures the microphone only", async () => {
    const room = new FakeRoom(ME);
    const { session, createLocalTracks } = await joinHeld(room, { withCamera: false });
    await session.release();
    expect(createLocalTracks).toHaveBeenCalledWith({ audio: true, video: false });
    expect([kinds(session.localParticipant), session.localParticipant.cameraEnabled]).toEqual([["audio"], false]);
  });

  it.each([
    ["NotAllowedError", "media_permission"],
    ["NotReadableError", "media_unavailable"],
  ])("a capture failing with %s rejects as %s and stays held, nothing published; a later release can still work", async (name, kind) => {
    const room = new FakeRoom(ME);
    providerSending(room);
    const { session, createLocalTracks } = await joinHeld(room);
    const events = record(session);
    createLocalTracks.mockRejectedValueOnce(new DOMException("Could not start", name));

    const failure = await session.release().catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(VideoSessionError);
    expect(failure).toMatchObject({ kind, code: null, message: "Could not start" });
    expect([session.held, kinds(session.localParticipant), kinds(session.remoteParticipants.get("PA-dr")!)]).toEqual([true, [], []]);
    expect(room.localParticipant.publishTracks).not.toHaveBeenCalled();
    expect(summary(events)).toEqual([]);

    await session.release();
    expect(session.held).toBe(false);
  });

  it("a publication that fails rejects, stops what was captured and stays held", async () => {
    const room = new FakeRoom(ME);
    const { session, createLocalTracks } = await joinHeld(room);
    room.localParticipant.mediaPublication = Promise.reject(new FakeTwilioError(53304, "Track publication failed"));

    await expect(session.release()).rejects.toMatchObject({ kind: "other", code: 53304 });

    const [captured] = createLocalTracks.made;
    expect(captured!.map((t) => t.isStopped)).toEqual([true, true]);
    expect([session.held, kinds(session.localParticipant)]).toEqual([true, []]);
  });

  it("twice, or again while under way, captures once; when not held it does nothing", async () => {
    const room = new FakeRoom(ME);
    const { session, createLocalTracks } = await joinHeld(room);
    const first = session.release();
    const second = session.release();
    await Promise.all([first, second]);
    await session.release();
    expect(createLocalTracks).toHaveBeenCalledOnce();
    expect(room.localParticipant.publishTracks).toHaveBeenCalledOnce();

    const unheld = await join(new FakeRoom(ME));
    await unheld.session.release();
    expect(unheld.createLocalTracks).not.toHaveBeenCalled();
    expect(unheld.session.held).toBe(false);
  });
});

describe("hold", () => {
  it("unpublishes and stops the microphone and camera, unsubscribes each track of the others, switches their video off, stays connected", async () => {
    const room = new FakeRoom(ME);
    const { audio, video } = providerSending(room);
    const { session, createLocalTracks } = await joinHeld(room);
    await session.release();
    const [captured] = createLocalTracks.made;
    const subscribed = [...session.remoteParticipants.get("PA-dr")!.tracks];
    const events = record(session);

    session.hold();

    expect(room.localParticipant.unpublishTracks).toHaveBeenCalledWith(captured);
    expect(captured!.map((t) => t.stop.mock.calls.length)).toEqual([1, 1]);
    expect(summary(events)).toEqual([`trackUnsubscribed audio MT-dr-a of ${PROVIDER}`, `trackUnsubscribed video MT-dr-v of ${PROVIDER}`]);
    expect(events.map((event) => event[1])).toEqual(subscribed);
    expect([audio.detach, video.detach].map((f) => f.mock.lastCall)).toEqual([[], []]);
    expect(video.switchOff).toHaveBeenCalledTimes(2);
    const local = session.localParticipant;
    expect([session.held, session.state, kinds(local), local.microphoneEnabled, local.cameraEnabled]).toEqual([true, "connected", [], false, false]);
    expect(kinds(session.remoteParticipants.get("PA-dr")!)).toEqual([]);
    expect(room.disconnect).not.toHaveBeenCalled();

    session.sendMessage("still here");
    await vi.waitFor(() => expect(dataTracks.at(-1)!.sent).toEqual(["still here"]));
    session.hold();
    expect(summary(events)).toHaveLength(2);
  });

  it("a remote track kept from before the hold cannot be attached while held", async () => {
    const room = new FakeRoom(ME);
    const { video } = providerSending(room);
    const { session } = await joinHeld(room);
    await session.release();
    const kept = session.remoteParticipants.get("PA-dr")!.tracks.find((t) => t.kind === "video")!;

    session.hold();
    kept.attach(document.createElement("video"));

    expect(video.attach).not.toHaveBeenCalled();
  });

  it("release after hold captures the same devices again (or the one switched to), publishes and announces again", async () => {
    const room = new FakeRoom(ME);
    providerSending(room);
    const { session, createLocalTracks } = await joinHeld(room, { cameraDeviceId: "cam-1", microphoneDeviceId: "mic-1" });
    await session.release();
    await session.switchCamera("cam-2");
    session.hold();
    const events = record(session);

    await session.release();

    expect(createLocalTracks).toHaveBeenCalledTimes(2);
    expect(createLocalTracks.mock.lastCall![0]).toMatchObject({ audio: { deviceId: { exact: "mic-1" } }, video: { deviceId: { exact: "cam-2" } } });
    const [, again] = createLocalTracks.made;
    expect(room.localParticipant.publishTracks).toHaveBeenLastCalledWith(again);
    expect(session.localParticipant.tracks.map((t) => t.id)).toEqual(again!.map((t) => t.id));
    expect(summary(events)).toEqual([`trackSubscribed audio MT-dr-a of ${PROVIDER}`, `trackSubscribed video MT-dr-v of ${PROVIDER}`]);
    expect(session.held).toBe(false);
  });

  it.each(["capturing", "publishing"])("during a release still %s: what it captured is stopped, not left published, and it stays held", async (step) => {
    const room = new FakeRoom(ME);
    const { session, createLocalTracks } = await joinHeld(room);
    let go: () => void = () => {};
    const gate = new Promise<void>((resolve) => (go = resolve));
    if (step === "publishing") room.localParticipant.mediaPublication = gate;
    else {
      const create = createLocalTracks.getMockImplementation()!;
      createLocalTracks.mockImplementationOnce(async (options) => {
        await gate;
        return create(options);
      });
    }

    const releasing = session.release();
    await vi.waitFor(() => expect(createLocalTracks).toHaveBeenCalled());
    session.hold();
    go();
    await releasing;

    const [captured] = createLocalTracks.made;
    expect(captured!.map((t) => t.isStopped)).toEqual([true, true]);
    expect(room.localParticipant.publishTracks.mock.calls.length).toBe(step === "publishing" ? 1 : 0);
    expect([room.localParticipant.audioTracks.size, room.localParticipant.videoTracks.size]).toEqual([0, 0]);
    expect([session.held, kinds(session.localParticipant)]).toEqual([true, []]);
  });

  it("a release asked for after a hold that gave one up captures anew once that one is done", async () => {
    const room = new FakeRoom(ME);
    providerSending(room);
    const { session, createLocalTracks } = await joinHeld(room);
    let go: () => void = () => {};
    const gate = new Promise<void>((resolve) => (go = resolve));
    const create = createLocalTracks.getMockImplementation()!;
    createLocalTracks.mockImplementationOnce(async (options) => {
      await gate;
      return create(options);
    });

    const givenUp = session.release();
    await vi.waitFor(() => expect(createLocalTracks).toHaveBeenCalled());
    session.hold();
    const again = session.release();
    expect(again).not.toBe(givenUp);
    go();
    await Promise.all([givenUp, again]);

    const [first, second] = createLocalTracks.made;
    expect([first!.map((t) => t.isStopped), second!.map((t) => t.isStopped)]).toEqual([
      [true, true],
      [false, false],
    ]);
    expect(room.localParticipant.publishTracks.mock.calls).toEqual([[second]]);
    expect([session.held, kinds(session.remoteParticipants.get("PA-dr")!)]).toEqual([false, ["audio", "video"]]);
  });

  it("a session connected not held: the tracks twilio-video captured are unpublished and stopped; video cannot be switched", async () => {
    const room = new FakeRoom(ME);
    const { video } = providerSending(room);
    const { session } = await join(room);
    const { microphone, camera } = room.localParticipant;
    const events = record(session);

    session.hold();

    expect([microphone.stop, camera.stop].map((f) => f.mock.calls.length)).toEqual([1, 1]);
    expect(room.localParticipant.unpublishTracks).toHaveBeenCalledWith([microphone, camera]);
    expect(summary(events)).toEqual([`trackUnsubscribed audio MT-dr-a of ${PROVIDER}`, `trackUnsubscribed video MT-dr-v of ${PROVIDER}`]);
    expect(video.switchOff).not.toHaveBeenCalled();
    expect(session.held).toBe(true);
  });
});

describe("hanging up", () => {
  it("stops what release captured (twilio-video stops only what it captured itself)", async () => {
    const room = new FakeRoom(ME);
    const { session, createLocalTracks } = await joinHeld(room);
    await session.release();
    room.emit("disconnected", room);
    const [captured] = createLocalTracks.made;
    expect(captured!.map((t) => t.isStopped)).toEqual([true, true]);
    await session.release();
    expect(createLocalTracks).toHaveBeenCalledOnce();
  });
});

describe("admission by the service (the clinic's subscribe rules)", () => {
  /** The provider in the room, publishing, with nothing subscribed: the patient's rules exclude all. */
  function providerUnsubscribed(room: FakeRoom) {
    const provider = new FakeRemoteParticipant("PA-dr", PROVIDER);
    const tracks = {
      audio: provider.publish("audio", "MT-dr-a", false),
      video: provider.publish("video", "MT-dr-v", false),
      data: provider.publish("data", "MT-dr-d", false),
    };
    room.present(provider);
    return { provider, ...tracks };
  }

  it("a held connect asks twilio-video to subscribe to nothing; one not held leaves it to the room", async () => {
    const heldConnect = (await joinHeld(new FakeRoom(ME))).connect.mock.calls[0]![1];
    expect(heldConnect.automaticSubscription).toBe(false);
    const open = (await join(new FakeRoom("interpreter-qwert"), 3, { providerIdentity: PROVIDER })).connect.mock.calls[0]![1];
    expect(open.automaticSubscription).toBeUndefined();
  });

  it("is admitted while Twilio subscribes it to the provider's tracks, and no longer when they are withdrawn", async () => {
    const room = new FakeRoom(ME);
    const { provider, audio, video, data } = providerUnsubscribed(room);
    const { session, createLocalTracks } = await joinHeld(room);
    const events = record(session);
    expect([session.admitted, session.held]).toEqual([false, true]);

    // The console admits: the rules include all, Twilio subscribes the patient.
    provider.subscribe(data);
    provider.subscribe(audio);
    provider.subscribe(video);
    expect(session.admitted).toBe(true);
    expect(createLocalTracks).not.toHaveBeenCalled();
    // Sent back: the rules exclude all again.
    for (const track of [audio, video, data]) provider.unsubscribe(track);
    expect(session.admitted).toBe(false);
    expect(summary(events)).toEqual(["admissionChanged true", "admissionChanged false"]);
  });

  it("is not admitted by someone who is not the proven provider, whatever their name", async () => {
    const room = new FakeRoom(ME);
    providerUnsubscribed(room);
    const { session } = await joinHeld(room);
    const events = record(session);
    for (const identity of [`${PROVIDER} `, PROVIDER.toUpperCase(), "family-drana"]) {
      const lookalike = new FakeRemoteParticipant(`PA-${identity}`, identity);
      const track = lookalike.publish("data", `MT-${identity}`, false);
      room.join(lookalike);
      lookalike.subscribe(track);
    }
    expect(session.admitted).toBe(false);
    expect(summary(events).filter((line) => line.startsWith("admission"))).toEqual([]);
  });

  it("the provider leaving ends the admission", async () => {
    const room = new FakeRoom(ME);
    const { provider, data } = providerUnsubscribed(room);
    const { session } = await joinHeld(room);
    provider.subscribe(data);
    expect(session.admitted).toBe(true);
    room.leave(provider);
    expect(session.admitted).toBe(false);
  });
});

describe("the clinic's console playing the subscribe rules", () => {
  function providerUnsubscribed(room: FakeRoom) {
    const provider = new FakeRemoteParticipant("PA-dr", PROVIDER);
    const audio = provider.publish("audio", "MT-dr-a", false);
    const video = provider.publish("video", "MT-dr-v", false);
    provider.publish("data", "MT-dr-d", false);
    room.present(provider);
    return { provider, audio, video };
  }

  it("admitted while held, what Twilio sends stays unshown (video switched off) until release hands it over; sent back, it is taken back first", async () => {
    const room = new FakeRoom(ME);
    const { audio, video } = providerUnsubscribed(room);
    const { session, createLocalTracks } = await joinHeld(room);
    const events = record(session);

    room.setSubscribeRules("include_all");
    expect([session.admitted, session.held]).toEqual([true, true]);
    expect(summary(events)).toEqual(["admissionChanged true"]);
    expect(kinds(session.remoteParticipants.get("PA-dr")!)).toEqual([]);
    expect(video.isSwitchedOff).toBe(true);
    for (const track of [audio, video]) expect(track.attach).not.toHaveBeenCalled();
    expect(createLocalTracks).not.toHaveBeenCalled();

    await session.release();
    expect([session.held, video.isSwitchedOff]).toEqual([false, false]);
    expect(kinds(session.remoteParticipants.get("PA-dr")!)).toEqual(["audio", "video"]);

    room.setSubscribeRules("exclude_all");
    expect(summary(events)).toEqual([
      "admissionChanged true",
      `trackSubscribed audio MT-dr-a of ${PROVIDER}`,
      `trackSubscribed video MT-dr-v of ${PROVIDER}`,
      `trackUnsubscribed audio MT-dr-a of ${PROVIDER}`,
      `trackUnsubscribed video MT-dr-v of ${PROVIDER}`,
      "admissionChanged false",
    ]);
    expect([session.admitted, kinds(session.remoteParticipants.get("PA-dr")!)]).toEqual([false, []]);
  });

  it("the clinician leaving: they have left before the admission ends, so it never looks like a send back", async () => {
    const room = new FakeRoom(ME);
    const { provider } = providerUnsubscribed(room);
    const { session } = await joinHeld(room);
    room.setSubscribeRules("include_all");
    await session.release();
    const events = record(session);

    room.leave(provider);

    expect(summary(events)).toEqual([
      `trackUnsubscribed audio MT-dr-a of ${PROVIDER}`,
      `trackUnsubscribed video MT-dr-v of ${PROVIDER}`,
      `participantLeft ${PROVIDER} (provider, 0 tracks)`,
      "admissionChanged false",
    ]);
    expect(session.admitted).toBe(false);
  });

  it("what Twilio already sends at connect admits without an event", async () => {
    const room = new FakeRoom(ME);
    providerSending(room);
    const { session } = await joinHeld(room);
    const events = record(session);
    expect([session.admitted, session.held]).toEqual([true, true]);
    await session.release();
    expect(summary(events).filter((line) => line.startsWith("admission"))).toEqual([]);
  });

  it("rules left at include-all after the clinician went: a namesake who joins is sent to us, is not the provider, and does not let us in", async () => {
    const room = new FakeRoom(ME);
    const { provider } = providerUnsubscribed(room);
    const { session, createLocalTracks } = await joinHeld(room);
    room.setSubscribeRules("include_all");
    room.leave(provider);
    const events = record(session);

    const namesake = new FakeRemoteParticipant("PA-fake", PROVIDER.toUpperCase());
    namesake.publish("audio", "MT-fake-a", false);
    namesake.publish("data", "MT-fake-d", false);
    room.join(namesake);

    expect([...namesake.tracks.values()].map((publication) => publication.isSubscribed)).toEqual([true, true]);
    expect(session.remoteParticipants.get("PA-fake")?.role).toBe("unknown");
    expect([session.admitted, session.held]).toEqual([false, true]);
    expect(summary(events)).toEqual([`participantJoined ${PROVIDER.toUpperCase()} (unknown, 0 tracks)`]);
    expect(createLocalTracks).not.toHaveBeenCalled();
  });

  it("a session connected not held is admitted from the start and stays so whatever Twilio subscribes it to", async () => {
    const room = new FakeRoom("interpreter-qwert");
    const { provider } = providerUnsubscribed(room);
    const { session } = await join(room, 3, { providerIdentity: PROVIDER });
    const events = record(session);
    expect(session.admitted).toBe(true);
    room.setSubscribeRules("include_all");
    room.setSubscribeRules("exclude_all");
    room.leave(provider);
    expect(session.admitted).toBe(true);
    expect(summary(events).filter((line) => line.startsWith("admission"))).toEqual([]);
  });
});
