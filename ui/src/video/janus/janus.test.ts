// The Janus adapter against a fake janus.js (testing/janusFakes.ts): a `Janus` constructor whose
// handles record what the adapter sends, answered by a small VideoRoom stand-in that the tests
// drive (publishers joining, unpublishing, leaving, talking; errors 433/426; a lost server).

import { afterEach, describe, expect, it, vi } from "vitest";

import type { VideoSession } from "../session";
import { VideoSessionError } from "../session";
import {
  CORE_TOKEN,
  EXPIRED_CORE_TOKEN,
  EXPIRED_ROOM_TOKEN,
  FakeTrack,
  type Harness,
  ME,
  MY_ID,
  NOW,
  PRIVATE_ID,
  PROVIDER,
  ROOM,
  ROOM_TOKEN,
  SERVER,
  connected,
  fakeStream,
  harness,
  options,
  settle,
} from "../testing/janusFakes";
import { record as recordEvents } from "../testing/record";
import { browserDetails, connectJanus, janusBackend, janusProblem, qualityLevel, roomFromToken, videoRoomProblem } from ".";
import { NO_CAMERA } from "./devices";
import { rejection } from "../testing/rejection";

/** Every event as a line, in order. */
function record(session: VideoSession): string[] {
  return recordEvents(session).lines;
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("connecting", () => {
  it("loads janus-gateway only then, joins with the room token and publishes the blueprint's capture", async () => {
    const h = harness();
    const backend = janusBackend(h.config);
    expect(h.load).not.toHaveBeenCalled();
    const session = await backend.connect(options());

    expect(h.load).toHaveBeenCalledOnce();
    expect(h.init).toHaveBeenCalledOnce();
    const deps = h.useDefaultDependencies.mock.calls[0]![0] as { adapter: { browserDetails: { browser: string } } };
    expect(deps.adapter.browserDetails).toHaveProperty("browser");
    expect(h.room.core.options).toMatchObject({ server: SERVER, token: CORE_TOKEN, iceServers: [] });
    expect(h.room.core.attach.mock.calls[0]![0].plugin).toBe("janus.plugin.videoroom");

    expect(h.getUserMedia).toHaveBeenCalledExactlyOnceWith({
      audio: true,
      video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 24 } },
    });
    const publisher = h.room.publisher;
    expect(publisher.requests("join").map((s) => s.message)).toEqual([
      { request: "join", ptype: "publisher", room: ROOM, display: ME, token: ROOM_TOKEN },
    ]);
    const offer = publisher.createOffer.mock.calls[0]![0];
    expect(offer.tracks).toEqual([
      { type: "audio", capture: h.microphone, recv: false },
      { type: "video", capture: h.camera, recv: false, simulcast: false },
      { type: "data" },
    ]);
    const [publish] = publisher.requests("publish");
    expect(publish?.message).toEqual({
      request: "publish",
      audiocodec: "opus",
      videocodec: "vp8",
      descriptions: [
        { mid: "0", description: "microphone" },
        { mid: "1", description: "camera" },
      ],
    });
    expect(publish?.jsep).toEqual({ type: "offer", sdp: "publisher offer" });
    expect(publisher.handleRemoteJsep.mock.calls[0]![0].jsep).toEqual({ type: "answer", sdp: "a" });

    expect(session.state).toBe("connected");
    expect(session.localParticipant).toMatchObject({ sid: String(MY_ID), identity: ME, role: "patient", microphoneEnabled: true, cameraEnabled: true });
    expect(session.localParticipant.tracks.map((t) => [t.kind, t.id])).toEqual([
      ["audio", h.microphone.id],
      ["video", h.camera.id],
    ]);
    expect(session.remoteParticipants.size).toBe(0);
    expect(h.room.subscriber).toBeUndefined();
  });

  it("simulcasts for three or more, captures 480p on a low-end phone, and uses the devices asked for", async () => {
    const h = harness();
    await connectJanus(h.config, options({ expectedParticipants: 3, lowEndMobile: true, cameraDeviceId: "cam-2", microphoneDeviceId: "mic-2" }));
    expect(h.getUserMedia).toHaveBeenCalledExactlyOnceWith({
      audio: { deviceId: { exact: "mic-2" } },
      video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24 }, deviceId: { exact: "cam-2" } },
    });
    const video = h.room.publisher.createOffer.mock.calls[0]![0].tracks.find((t) => t.type === "video");
    expect(video?.simulcast).toBe(true);
  });

  it("joins the room the token names when the link gives none; roomName wins over both", async () => {
    const fromToken = harness({ room: null });
    await connectJanus(fromToken.config, options({ token: `${NOW + 60},janus.plugin.videoroom,room=777:sig=` }));
    expect(fromToken.room.publisher.requests("join")[0]?.message.room).toBe(777);

    const named = harness();
    await connectJanus(named.config, options({ roomName: "4321" }));
    expect(named.room.publisher.requests("join")[0]?.message.room).toBe(4321);

    const none = harness({ room: null });
    const error = await rejection(connectJanus(none.config, options({ token: "garbage" })));
    expect(error.kind).toBe("token_invalid");
    expect(none.load).not.toHaveBeenCalled();
  });

  it("names the provider by the link's identity when the caller does not", async () => {
    const h = harness({ identity: PROVIDER });
    const session = await connectJanus(h.config, options({ providerIdentity: undefined }));
    expect(session.localParticipant.role).toBe("provider");
  });
});

describe("refusals", () => {
  async function refused(h: Harness, connectOptions = options()): Promise<VideoSessionError> {
    const error = await rejection(connectJanus(h.config, connectOptions));
    await settle();
    return error;
  }

  function expectCleanedUp(h: Harness) {
    expect(h.microphone.stop).toHaveBeenCalled();
    expect(h.camera.stop).toHaveBeenCalled();
    expect(h.room.core.destroy).toHaveBeenCalledOnce();
  }

  it("a room token Janus refuses (433) is token_invalid, or token_expired once its expiry has passed", async () => {
    const invalid = harness();
    invalid.room.joinError = { error_code: 433, error: "Unauthorized (wrong token)" };
    const error = await refused(invalid);
    expect([error.kind, error.code, error.message]).toEqual(["token_invalid", 433, "Unauthorized (wrong token)"]);
    expect(invalid.room.publisher.requests("publish")).toEqual([]);
    expectCleanedUp(invalid);

    const expired = harness();
    expired.room.joinError = { error_code: 433, error: "Unauthorized (wrong token)" };
    const late = await refused(expired, options({ token: EXPIRED_ROOM_TOKEN }));
    expect([late.kind, late.code]).toEqual(["token_expired", 433]);
    expectCleanedUp(expired);
  });

  it("no such room (426) is room_completed; publishers full (432) is room_full", async () => {
    const gone = harness();
    gone.room.joinError = { error_code: 426, error: "No such room (1234)" };
    const error = await refused(gone);
    expect([error.kind, error.code]).toEqual(["room_completed", 426]);
    expectCleanedUp(gone);

    const full = harness();
    full.room.publishError = { error_code: 432, error: "Maximum number of publishers (2) reached" };
    const crowded = await refused(full);
    expect([crowded.kind, crowded.code]).toEqual(["room_full", 432]);
    expectCleanedUp(full);
  });

  it("a core token Janus refuses (403 on the session, 405 on attach) is token_invalid or token_expired", async () => {
    const forged = harness();
    forged.room.sessionError = "Unauthorized request (wrong or missing secret/token)";
    const error = await refused(forged);
    expect([error.kind, error.code]).toEqual(["token_invalid", 403]);
    expect(forged.room.core.attach).not.toHaveBeenCalled();
    expectCleanedUp(forged);

    const expired = harness({ coreToken: EXPIRED_CORE_TOKEN });
    expired.room.sessionError = "Unauthorized request (wrong or missing secret/token)";
    expect((await refused(expired)).kind).toBe("token_expired");

    const noPlugin = harness();
    noPlugin.room.attachError = "Ooops: 405 Unauthorized access to plugin (token is not allowed to)";
    const denied = await refused(noPlugin);
    expect([denied.kind, denied.code]).toEqual(["token_invalid", 405]);
    expectCleanedUp(noPlugin);
  });

  it("a server that cannot be reached is network", async () => {
    const h = harness();
    h.room.sessionError = "Probably a network error, is the server down?: Failed to fetch";
    const error = await refused(h);
    expect([error.kind, error.code]).toEqual(["network", null]);
  });

  it("a camera the user refuses is media_permission; the room is never joined", async () => {
    const h = harness();
    h.getUserMedia.mockRejectedValueOnce(new DOMException("Permission denied", "NotAllowedError"));
    const error = await refused(h);
    expect([error.kind, error.message]).toEqual(["media_permission", "Permission denied"]);
    expect(h.room.handles.flatMap((handle) => handle.sent)).toEqual([]);
    expect(h.room.core.destroy).toHaveBeenCalledOnce();

    const busy = harness();
    busy.getUserMedia.mockRejectedValueOnce(new DOMException("Device in use", "NotReadableError"));
    expect((await refused(busy)).kind).toBe("media_unavailable");
  });

  it("a camera that starts after the connect failed is stopped at once", async () => {
    const h = harness();
    h.room.sessionError = "Unauthorized request (wrong or missing secret/token)";
    let started: (stream: MediaStream) => void = () => {};
    h.getUserMedia.mockImplementationOnce(() => new Promise((resolve) => (started = resolve)));
    const error = await refused(h);
    expect(error.kind).toBe("token_invalid");
    started(fakeStream(h.microphone, h.camera));
    await settle();
    expect(h.microphone.stop).toHaveBeenCalled();
    expect(h.camera.stop).toHaveBeenCalled();
  });

  it("a browser without WebRTC is media_unavailable without asking for the camera", async () => {
    const h = harness({}, false);
    const error = await refused(h);
    expect(error.kind).toBe("media_unavailable");
    expect(h.getUserMedia).not.toHaveBeenCalled();
  });

  it("an abort while joining rejects with the abort reason and ends the Janus session", async () => {
    const h = harness();
    h.room.unanswered.add("join");
    const controller = new AbortController();
    const pending = connectJanus(h.config, options({ signal: controller.signal }));
    await settle();
    expect(h.room.publisher.requests("join")).toHaveLength(1);
    controller.abort(new Error("cancelled by test"));
    await expect(pending).rejects.toThrow("cancelled by test");
    await settle();
    expectCleanedUp(h);
  });
});

describe("participants and tracks", () => {
  it("those already in the room are there when connect resolves, with the tracks already received, unannounced", async () => {
    const h = harness();
    h.room.addPublisher(201, PROVIDER);
    h.room.attendees.push({ id: 202, display: "interpreter-abcdefgh" });
    const session = await connectJanus(h.config, options());
    const lines = record(session);

    expect([...session.remoteParticipants.values()].map((p) => [p.sid, p.identity, p.role])).toEqual([
      ["202", "interpreter-abcdefgh", "interpreter"],
      ["201", PROVIDER, "provider"],
    ]);
    const subscriber = h.room.subscriber!;
    expect(subscriber.requests("join").map((s) => s.message)).toEqual([
      { request: "join", ptype: "subscriber", room: ROOM, streams: [{ feed: 201 }], private_id: PRIVATE_ID, token: ROOM_TOKEN },
    ]);
    expect(subscriber.createAnswer.mock.calls[0]![0].tracks).toEqual([{ type: "data" }]);
    expect(subscriber.requests("start").map((s) => [s.message, s.jsep])).toEqual([
      [{ request: "start", room: ROOM }, { type: "answer", sdp: "subscriber answer" }],
    ]);
    expect(session.remoteParticipants.get("201")!.tracks.map((t) => [t.kind, t.id])).toEqual([
      ["audio", "201/0"],
      ["video", "201/1"],
    ]);
    expect(session.remoteParticipants.get("202")!.tracks).toEqual([]);
    await settle();
    expect(lines).toEqual([]);
  });

  it("tracks of those already there that arrive after connect resolved come as trackSubscribed", async () => {
    const h = harness();
    h.room.addPublisher(201, PROVIDER);
    h.room.unanswered.add("subscriber join");
    const session = await connected(h);
    const lines = record(session);
    expect(session.remoteParticipants.get("201")!.tracks).toEqual([]);
    h.room.answerNow();
    await settle();
    expect(lines).toEqual([`trackSubscribed audio 201/0 of ${PROVIDER}`, `trackSubscribed video 201/1 of ${PROVIDER}`]);
  });

  it("a later participant: joined with no tracks, then each track; unpublishing unsubscribes them before leaving", async () => {
    const h = harness();
    const session = await connected(h);
    const lines = record(session);

    h.room.join(301, "family-qwertyui");
    h.room.publish(301, "family-qwertyui");
    await settle();
    expect(h.room.subscriber!.requests("join")[0]?.message.streams).toEqual([{ feed: 301 }]);

    h.room.join(302, PROVIDER);
    h.room.publish(302, PROVIDER);
    await settle();
    expect(h.room.subscriber!.requests("update").map((s) => s.message)).toEqual([{ request: "update", subscribe: [{ feed: 302 }] }]);

    h.room.unpublish(301);
    h.room.subscriberLoses(301);
    h.room.leave(301);
    await settle();
    expect(lines).toEqual([
      "participantJoined family-qwertyui (family, 0 tracks)",
      "trackSubscribed audio 301/0 of family-qwertyui",
      "trackSubscribed video 301/1 of family-qwertyui",
      `participantJoined ${PROVIDER} (provider, 0 tracks)`,
      `trackSubscribed audio 302/0 of ${PROVIDER}`,
      `trackSubscribed video 302/1 of ${PROVIDER}`,
      "trackUnsubscribed audio 301/0 of family-qwertyui",
      "trackUnsubscribed video 301/1 of family-qwertyui",
      "participantLeft family-qwertyui (family, 0 tracks)",
    ]);
    expect([...session.remoteParticipants.keys()]).toEqual(["302"]);
  });

  it("leaving alone (no unpublished first), or Janus's subscriber update first: one trackUnsubscribed per track, then participantLeft", async () => {
    const h = harness();
    h.room.addPublisher(201, PROVIDER);
    h.room.addPublisher(202, "interpreter-abcdefgh");
    const session = await connected(h);
    const lines = record(session);

    h.room.leave(201);
    h.room.subscriberLoses(201);
    h.room.subscriberLoses(202);
    h.room.leave(202);
    await settle();
    expect(lines).toEqual([
      `trackUnsubscribed audio 201/0 of ${PROVIDER}`,
      `trackUnsubscribed video 201/1 of ${PROVIDER}`,
      `participantLeft ${PROVIDER} (provider, 0 tracks)`,
      "trackUnsubscribed audio 202/0 of interpreter-abcdefgh",
      "trackUnsubscribed video 202/1 of interpreter-abcdefgh",
      "participantLeft interpreter-abcdefgh (interpreter, 0 tracks)",
    ]);
  });

  it("a recycled subscriber m-line belongs to its new feed", async () => {
    const h = harness();
    h.room.addPublisher(201, PROVIDER);
    const session = await connected(h);
    const lines = record(session);
    // Janus may reuse the m-lines a feed left for the next one.
    h.room.leave(201);
    h.room.subscriberLoses(201);
    await settle();
    h.room.publish(202, "caregiver-zxcvbnma");
    await settle();
    // The browser fires no new `track` event for a reused m-line: its receiver's track carries on.
    expect(h.room.subStreams.map((s) => [s.mid, s.feed_id])).toEqual([
      ["0", 202],
      ["1", 202],
      ["2", undefined],
    ]);
    expect(lines.slice(-3)).toEqual([
      "participantJoined caregiver-zxcvbnma (caregiver, 0 tracks)",
      "trackSubscribed audio 202/0 of caregiver-zxcvbnma",
      "trackSubscribed video 202/1 of caregiver-zxcvbnma",
    ]);
    expect(session.remoteParticipants.get("202")!.tracks.map((t) => (t as unknown as { mid: string }).mid)).toEqual(["0", "1"]);
  });

  it("an m-line Janus hands to another feed in one update moves to that participant", async () => {
    const h = harness();
    h.room.addPublisher(201, PROVIDER);
    const session = await connected(h);
    h.room.publish(202, "caregiver-zxcvbnma");
    await settle();
    const lines = record(session);
    // mids 0/1 carried 201, 2 is data, 3/4 carry 202; now 0/1 carry 202 and 3/4 nothing.
    const streams = h.room.subStreams.map((s) =>
      s.type === "data" ? s : Number(s.mid) < 2 ? { ...s, feed_id: 202 } : { ...s, active: false, feed_id: undefined, feed_mid: undefined },
    );
    h.room.subscriber!.message({ videoroom: "updated", room: ROOM, streams });
    expect(lines).toEqual([
      `trackUnsubscribed audio 201/0 of ${PROVIDER}`,
      `trackUnsubscribed video 201/1 of ${PROVIDER}`,
      "trackUnsubscribed audio 202/0 of caregiver-zxcvbnma",
      "trackUnsubscribed video 202/1 of caregiver-zxcvbnma",
      "trackSubscribed audio 202/0 of caregiver-zxcvbnma",
      "trackSubscribed video 202/1 of caregiver-zxcvbnma",
    ]);
    expect(session.remoteParticipants.get("202")!.tracks.map((t) => (t as unknown as { mid: string }).mid)).toEqual(["0", "1"]);
    expect(session.remoteParticipants.get("201")!.tracks).toEqual([]);
  });

  it("attaches a track to a media element and detaches it", async () => {
    class FakeMediaStream {
      constructor(readonly tracks: unknown[]) {}
    }
    vi.stubGlobal("MediaStream", FakeMediaStream);
    const h = harness();
    h.room.addPublisher(201, PROVIDER);
    const session = await connected(h);
    const [audio, video] = session.remoteParticipants.get("201")!.tracks;
    const element = document.createElement("video");
    video!.attach(element);
    expect((element.srcObject as unknown as FakeMediaStream).tracks).toEqual([h.room.remoteTracks.get("1")]);
    expect(element.autoplay).toBe(true);
    audio!.detach(element);
    expect(element.srcObject).not.toBeNull();
    video!.detach();
    expect(element.srcObject).toBeNull();
  });

  it("someone joining with our name ends nothing: a display name is not proof; they are shown as unknown", async () => {
    const h = harness();
    h.room.addPublisher(150, ME);
    const session = await connected(h);
    expect(session.remoteParticipants.get("150")?.role).toBe("unknown");

    const lines = record(session);
    h.room.join(160, ME);
    expect(lines.filter((line) => line.startsWith("disconnected"))).toEqual([]);
    expect(session.state).toBe("connected");
    expect(session.remoteParticipants.get("160")).toMatchObject({ identity: ME, role: "unknown" });
  });
});

describe("messages", () => {
  it("sendMessage goes over our data channel; a text on a subscriber channel comes from the publisher it is labelled with", async () => {
    const h = harness();
    h.room.addPublisher(201, PROVIDER);
    const session = await connected(h);
    const lines = record(session);

    session.sendMessage('{"intake":"done"}');
    expect(h.room.publisher.data).toHaveBeenCalledOnce();
    expect(h.room.publisher.data.mock.calls[0]![0].text).toBe('{"intake":"done"}');

    const subscriber = h.room.subscriber!;
    subscriber.options.ondata?.("hello", "201");
    subscriber.options.ondata?.("from nobody", "999");
    subscriber.options.ondata?.(new ArrayBuffer(2), "201");
    expect(lines).toEqual([`messageReceived "hello" from ${PROVIDER}`]);

    session.disconnect();
    expect(() => session.sendMessage("late")).toThrow(VideoSessionError);
  });

  it("a text that came while connecting is given out once the caller can listen", async () => {
    const h = harness();
    h.room.addPublisher(201, PROVIDER);
    h.room.unanswered.add("publish");
    const pending = connectJanus(h.config, options());
    await settle();
    h.room.subscriber!.options.ondata?.("sent early", "201");
    h.room.answerNow();
    const session = await pending;
    const lines = record(session);
    await settle();
    expect(lines).toEqual([`messageReceived "sent early" from ${PROVIDER}`]);
  });
});

describe("dominant speaker", () => {
  it("follows VideoRoom's talking events, and is cleared when the speaker leaves", async () => {
    const h = harness();
    h.room.addPublisher(201, PROVIDER);
    h.room.addPublisher(202, "interpreter-abcdefgh");
    const session = await connected(h, { expectedParticipants: 3 });
    const lines = record(session);
    const talk = (id: number, talking = true) => h.room.publisher.message({ videoroom: talking ? "talking" : "stopped-talking", room: ROOM, id });

    talk(202);
    talk(202, false);
    talk(MY_ID);
    talk(201);
    expect(session.dominantSpeaker?.identity).toBe(PROVIDER);
    h.room.leave(201);
    await settle();
    expect(lines.filter((l) => l.startsWith("dominant"))).toEqual([
      "dominantSpeakerChanged interpreter-abcdefgh",
      `dominantSpeakerChanged ${PROVIDER}`,
      "dominantSpeakerChanged nobody",
    ]);
    expect(session.dominantSpeaker).toBeNull();
  });

  it("without talking events, comes from the loudest received audio; network quality from packet loss and RTT", async () => {
    const h = harness({ statsIntervalMs: 10 });
    h.room.addPublisher(201, PROVIDER);
    h.room.addPublisher(202, "interpreter-abcdefgh");
    const session = await connected(h, { expectedParticipants: 3 });
    const lines = record(session);
    const subscriberPc = h.room.subscriber!.pc;
    const audioMid = (feed: number) => h.room.subStreams.find((s) => s.feed_id === feed && s.type === "audio")!.mid;
    let step = 0;
    const tick = () => {
      step += 1;
      subscriberPc.stats = new Map([
        ["a201", { type: "inbound-rtp", kind: "audio", mid: audioMid(201), packetsLost: 0, packetsReceived: 50 * step, totalAudioEnergy: 0.0001 * step, totalSamplesDuration: step }],
        ["a202", { type: "inbound-rtp", kind: "audio", mid: audioMid(202), packetsLost: 10 * step, packetsReceived: 90 * step, totalAudioEnergy: 0.04 * step, totalSamplesDuration: step }],
      ]);
      h.room.publisher.pc.stats = new Map([["r", { type: "remote-inbound-rtp", kind: "video", fractionLost: 0, roundTripTime: 0.2 }]]);
    };
    tick();
    await vi.waitFor(() => {
      tick();
      expect(lines).toContain("dominantSpeakerChanged interpreter-abcdefgh");
      expect(lines).toContain("networkQualityChanged interpreter-abcdefgh 2");
      expect(lines).toContain(`networkQualityChanged ${PROVIDER} 5`);
      expect(lines).toContain(`networkQualityChanged ${ME} 4`);
    });
    expect(session.remoteParticipants.get("202")!.networkQualityLevel).toBe(2);
    expect(session.localParticipant.networkQualityLevel).toBe(4);
    session.disconnect();
  });

  it("is not estimated in a two-person call", async () => {
    const h = harness({ statsIntervalMs: 5 });
    h.room.addPublisher(201, PROVIDER);
    const session = await connected(h);
    const getStats = vi.spyOn(h.room.subscriber!.pc, "getStats");
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(getStats).not.toHaveBeenCalled();
    session.disconnect();
  });
});

describe("microphone and camera", () => {
  it("turning one off stops sending it and tells the room through its stream description; on sends it again", async () => {
    const h = harness();
    const session = await connected(h);
    const senders = h.room.publisher.pc.senders;
    const configured = () => h.room.publisher.requests("configure").map((s) => s.message);

    session.setCameraEnabled(false);
    expect(h.camera.enabled).toBe(false);
    expect(session.localParticipant.cameraEnabled).toBe(false);
    expect(senders.video.replaceTrack).toHaveBeenLastCalledWith(null);
    expect(configured()).toEqual([{ request: "configure", descriptions: [{ mid: "1", description: "camera off" }] }]);

    session.setMicrophoneEnabled(false);
    expect(session.localParticipant.microphoneEnabled).toBe(false);
    expect(senders.audio.replaceTrack).toHaveBeenLastCalledWith(null);
    expect(configured().at(-1)).toEqual({ request: "configure", descriptions: [{ mid: "0", description: "microphone off" }] });

    session.setCameraEnabled(true);
    session.setCameraEnabled(true);
    expect(senders.video.replaceTrack).toHaveBeenLastCalledWith(h.camera);
    expect(session.localParticipant.cameraEnabled).toBe(true);
    expect(configured()).toHaveLength(3);
    expect(configured().at(-1)).toEqual({ request: "configure", descriptions: [{ mid: "1", description: "camera" }] });
  });

  it("a remote track is disabled while its sender's stream description says it is off, late joiners included", async () => {
    const h = harness();
    const publisher = h.room.addPublisher(201, PROVIDER);
    publisher.streams = [{ type: "audio", mid: "0", description: "microphone off" }, { type: "video", mid: "1", description: "camera" }, { type: "data", mid: "2" }];
    const session = await connected(h);
    const enabled = () => session.remoteParticipants.get("201")!.tracks.map((t) => `${t.kind} ${t.isEnabled}`);
    expect(enabled()).toEqual(["audio false", "video true"]);

    const lines = record(session);
    publisher.streams = [{ type: "audio", mid: "0", description: "microphone" }, { type: "video", mid: "1", description: "camera off" }, { type: "data", mid: "2" }];
    h.room.publisher.message({ videoroom: "event", room: ROOM, publishers: [publisher] });
    await settle();
    expect(enabled()).toEqual(["audio true", "video false"]);
    expect(lines).toEqual([`trackChanged audio 201/0 of ${PROVIDER}`, `trackChanged video 201/1 of ${PROVIDER}`]);
    expect(h.room.subscriber!.requests("update")).toEqual([]);
  });

  it("switching the camera sends the new one, keeps the track's id, and stops the old one", async () => {
    const h = harness();
    const session = await connected(h);
    const next = new FakeTrack("video");
    h.getUserMedia.mockResolvedValueOnce(fakeStream(next));
    await session.switchCamera("cam-2");
    expect(h.getUserMedia).toHaveBeenLastCalledWith({ video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 24 }, deviceId: { exact: "cam-2" } } });
    expect(h.room.publisher.pc.senders.video.replaceTrack).toHaveBeenLastCalledWith(next);
    expect(h.camera.stop).toHaveBeenCalled();
    expect(session.localParticipant.tracks[1]!.id).toBe(h.camera.id);

    h.getUserMedia.mockRejectedValueOnce(new DOMException("gone", "NotFoundError"));
    await expect(session.switchMicrophone("mic-9")).rejects.toMatchObject({ kind: "media_unavailable" });
  });
});

describe("joining without a camera", () => {
  it("asks getUserMedia for the microphone only and offers and publishes no video", async () => {
    const h = harness();
    const session = await connected(h, { withCamera: false, cameraDeviceId: "cam-2", microphoneDeviceId: "mic-2" });

    expect(h.getUserMedia).toHaveBeenCalledExactlyOnceWith({ audio: { deviceId: { exact: "mic-2" } } });
    const publisher = h.room.publisher;
    expect(publisher.createOffer.mock.calls[0]![0].tracks).toEqual([{ type: "audio", capture: h.microphone, recv: false }, { type: "data" }]);
    expect(publisher.requests("publish").map((s) => s.message)).toEqual([
      { request: "publish", audiocodec: "opus", descriptions: [{ mid: "0", description: "microphone" }] },
    ]);
    const local = session.localParticipant;
    expect([local.cameraEnabled, local.microphoneEnabled, local.tracks.map((t) => [t.kind, t.id])]).toEqual([false, true, [["audio", h.microphone.id]]]);
  });

  it("a device with no camera at all joins with its microphone", async () => {
    const h = harness();
    const noCamera = h.getUserMedia.getMockImplementation()!;
    h.getUserMedia.mockImplementation(async (constraints) => {
      if (constraints.video) throw new DOMException("Requested device not found", "NotFoundError");
      return noCamera(constraints);
    });
    const session = await connected(h, { withCamera: false });
    expect(session.state).toBe("connected");
    expect(session.localParticipant.tracks.map((t) => t.kind)).toEqual(["audio"]);
    session.disconnect();
    expect(h.microphone.stop).toHaveBeenCalled();
  });

  it("the camera cannot be turned on or switched to later; the microphone still can", async () => {
    const h = harness();
    const session = await connected(h, { withCamera: false });
    const publisher = h.room.publisher;

    session.setCameraEnabled(true);
    session.setCameraEnabled(false);
    expect(session.localParticipant.cameraEnabled).toBe(false);
    expect(publisher.pc.senders.video.replaceTrack).not.toHaveBeenCalled();
    expect(publisher.requests("configure")).toEqual([]);

    const error = await rejection(session.switchCamera("cam-2"));
    expect([error.kind, error.message]).toEqual(["media_unavailable", NO_CAMERA]);
    expect(h.getUserMedia).toHaveBeenCalledOnce();
    expect(publisher.createOffer).toHaveBeenCalledOnce();

    session.setMicrophoneEnabled(false);
    expect(publisher.requests("configure").map((s) => s.message)).toEqual([{ request: "configure", descriptions: [{ mid: "0", description: "microphone off" }] }]);
  });
});

describe("connection trouble and the end", () => {
  it("a lost server is reconnecting (network) until janus.js claims the session again", async () => {
    const h = harness();
    const session = await connected(h);
    const lines = record(session);
    vi.useFakeTimers();
    h.room.core.lose();
    expect(session.state).toBe("reconnecting");
    await vi.advanceTimersByTimeAsync(600);
    expect(h.room.core.reconnect).toHaveBeenCalledOnce();
    expect(lines).toEqual(["reconnecting network null", "reconnected"]);
    expect(session.state).toBe("connected");
  });

  it("a server that stays away ends the call (network)", async () => {
    const h = harness({ reconnectForMs: 3_000 });
    const session = await connected(h);
    const lines = record(session);
    vi.useFakeTimers();
    h.room.core.reconnectResult = "Probably a network error, is the server down?: Failed to fetch";
    h.room.core.lose();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.room.core.reconnect.mock.calls.length).toBeGreaterThan(1);
    expect(lines).toEqual(["reconnecting network null", "disconnected network null"]);
    expect(session.state).toBe("disconnected");
  });

  it("a media connection that drops is reconnecting; back up is reconnected; failed ends the call", async () => {
    const h = harness();
    h.room.addPublisher(201, PROVIDER);
    const session = await connected(h);
    const lines = record(session);
    const publisherIce = h.room.publisher.options.iceState!;
    const subscriberIce = h.room.subscriber!.options.iceState!;
    publisherIce("disconnected");
    subscriberIce("disconnected");
    publisherIce("connected");
    expect(session.state).toBe("reconnecting");
    subscriberIce("completed");
    subscriberIce("failed");
    expect(lines).toEqual(["reconnecting network null", "reconnected", "disconnected network null"]);
  });

  it("disconnect leaves (destroys the Janus session), stops the camera and microphone, and disconnected is the last event", async () => {
    const h = harness();
    h.room.addPublisher(201, PROVIDER);
    const session = await connected(h);
    const lines = record(session);
    session.disconnect();
    session.disconnect();
    expect(h.room.core.destroy).toHaveBeenCalledOnce();
    expect(h.room.core.destroy.mock.calls[0]![0]).toMatchObject({ cleanupHandles: true });
    expect(h.microphone.stop).toHaveBeenCalled();
    expect(h.camera.stop).toHaveBeenCalled();
    h.room.leave(201);
    h.room.publisher.message({ videoroom: "talking", room: ROOM, id: 201 });
    expect(lines).toEqual(["disconnected left null"]);
    expect(session.state).toBe("disconnected");
  });

  it("a destroyed room is room_completed; being kicked ends the call too", async () => {
    const closed = harness();
    const session = await connected(closed);
    const lines = record(session);
    closed.room.publisher.message({ videoroom: "destroyed", room: ROOM });
    expect(lines).toEqual(["disconnected room_completed null"]);

    const kicked = harness();
    const other = await connected(kicked);
    const otherLines = record(other);
    kicked.room.publisher.message({ videoroom: "event", room: ROOM, leaving: "ok", reason: "kicked" });
    expect(otherLines).toEqual(["disconnected other null"]);
    expect(kicked.room.core.destroy).toHaveBeenCalledOnce();
  });
});

describe("mapping", () => {
  it("reads the room and expiry from tokens", () => {
    expect(roomFromToken("4000000000,janus.plugin.videoroom,room=1234:Rps8GWdQEwqpHfN1v7CYqZhleX8=")).toBe(1234);
    expect(roomFromToken("4000000000,janus,janus.plugin.videoroom:x=")).toBeNull();
    expect(roomFromToken("4000000000,janus.plugin.videoroom,room=12a:x")).toBeNull();
  });

  it("maps VideoRoom and core errors", () => {
    expect(videoRoomProblem(433, "Unauthorized (wrong token)", ROOM_TOKEN, NOW).kind).toBe("token_invalid");
    expect(videoRoomProblem(433, null, EXPIRED_ROOM_TOKEN, NOW).kind).toBe("token_expired");
    expect(videoRoomProblem(426, null, ROOM_TOKEN, NOW).kind).toBe("room_completed");
    expect(videoRoomProblem(499, null, ROOM_TOKEN, NOW).kind).toBe("other");
    expect(janusProblem("403 Unauthorized request (wrong or missing secret/token)", CORE_TOKEN, NOW)).toMatchObject({ kind: "token_invalid", code: 403 });
    expect(janusProblem("Lost connection to the server (is it down?)", CORE_TOKEN, NOW)).toMatchObject({ kind: "network", code: null });
    expect(janusProblem("Error connecting to the Janus WebSockets server: Is the server down?", CORE_TOKEN, NOW).kind).toBe("network");
    expect(janusProblem("Ooops: 458 No such session 1", CORE_TOKEN, NOW)).toMatchObject({ kind: "network", code: 458 });
  });

  it("rates network quality coarsely from loss and round trip time", () => {
    expect([0, 0.01, 0.05, 0.1, 0.2].map((loss) => qualityLevel(loss, null))).toEqual([5, 4, 3, 2, 1]);
    expect([0.1, 0.2, 0.4, 0.7].map((rtt) => qualityLevel(0, rtt))).toEqual([5, 4, 3, 2]);
    expect(qualityLevel(0.2, 0.05)).toBe(1);
  });

  it("describes the browser to janus.js as webrtc-adapter would", () => {
    const chromium = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
    expect(browserDetails(chromium)).toEqual({ browser: "chrome", version: 156 });
    expect(browserDetails("Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0").browser).toBe("firefox");
    expect(browserDetails("Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15")).toEqual({
      browser: "safari",
      version: 605,
    });
  });
});
