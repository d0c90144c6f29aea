// The Twilio adapter against fakes shaped like twilio-video 2.x objects (testing/twilioFakes.ts).

import type { ConnectOptions, Room } from "twilio-video";
import { describe, expect, it, vi } from "vitest";

import type { MediaTrack, RemoteParticipant } from "./session";
import { VideoSessionError } from "./session";
import { record, summary } from "./testing/record";
import {
  FakeRemoteParticipant,
  FakeRoom,
  FakeTwilioError,
  PROVIDER,
  dataTracks,
  fakeConnect,
  join,
  tokenFor,
  twilioModule,
} from "./testing/twilioFakes";
import { type TwilioConnect, connectTwilio } from "./twilio";

describe("connecting", () => {
  it("connects with the token and the blueprint's options, and loads twilio-video only then", async () => {
    const room = new FakeRoom(PROVIDER);
    const { connect } = fakeConnect(room);
    const load = vi.fn(async () => twilioModule(connect));
    const token = tokenFor(PROVIDER);
    await connectTwilio({ token, expectedParticipants: 3, lowEndMobile: false, roomName: "RM123" }, load);

    expect(load).toHaveBeenCalledOnce();
    expect(connect).toHaveBeenCalledOnce();
    const [usedToken, options] = connect.mock.calls[0]!;
    expect(usedToken).toBe(token);
    expect(options).toMatchObject<ConnectOptions>({
      name: "RM123",
      preferredVideoCodecs: [{ codec: "VP8", simulcast: true }],
      bandwidthProfile: { video: { mode: "collaboration", dominantSpeakerPriority: "high" } },
      dominantSpeaker: true,
      networkQuality: { local: 1, remote: 1 },
    });
  });

  it("the provider's token makes the local side the provider; guests get roles from their identities", async () => {
    const room = new FakeRoom(PROVIDER);
    const patient = new FakeRemoteParticipant("PA1", "patient-kqzmfwprxd");
    const stranger = new FakeRemoteParticipant("PA2", "someone");
    room.present(patient);
    room.present(stranger);
    const { session } = await join(room);

    expect(session.localParticipant.role).toBe("provider");
    expect(session.localParticipant.identity).toBe(PROVIDER);
    expect(session.remoteParticipants.get("PA1")?.role).toBe("patient");
    expect(session.remoteParticipants.get("PA2")?.role).toBe("unknown");
  });

  it("a guest's session knows the provider only when told", async () => {
    const room = new FakeRoom("patient-kqzmfwprxd");
    room.present(new FakeRemoteParticipant("PA9", PROVIDER));
    const { connect } = fakeConnect(room);
    const token = tokenFor("patient-kqzmfwprxd");
    const base = { token, expectedParticipants: 2, lowEndMobile: false };

    const unaware = await connectTwilio(base, async () => twilioModule(connect));
    expect(unaware.localParticipant.role).toBe("patient");
    expect(unaware.remoteParticipants.get("PA9")?.role).toBe("unknown");

    const told = await connectTwilio({ ...base, providerIdentity: PROVIDER }, async () => twilioModule(connect));
    expect(told.remoteParticipants.get("PA9")?.role).toBe("provider");
  });

  it("participants already in the room come with their subscribed tracks, unannounced", async () => {
    const room = new FakeRoom(PROVIDER);
    const patient = new FakeRemoteParticipant("PA1", "patient-abc");
    patient.publish("audio", "MT-a1", true);
    patient.publish("video", "MT-v1", false);
    patient.publish("data", "MT-d1", true);
    room.present(patient);
    room.dominantSpeaker = patient;
    const { session } = await join(room);

    const view = session.remoteParticipants.get("PA1")!;
    expect(view.tracks.map((t) => `${t.kind} ${t.id}`)).toEqual(["audio MT-a1"]);
    expect(session.dominantSpeaker).toBe(view);
    expect(session.state).toBe("connected");
  });

  it.each([
    [20104, "token_expired"],
    [20101, "token_invalid"],
    [53105, "room_full"],
    [53118, "room_completed"],
    [53000, "network"],
    [53999, "other"],
  ])("a connect failing with Twilio %i rejects as %s", async (code, kind) => {
    const connect = vi.fn<TwilioConnect>(() => Object.assign(Promise.reject(new FakeTwilioError(code, "failed")), { cancel: vi.fn() }));
    const failure = connectTwilio({ token: tokenFor(PROVIDER), expectedParticipants: 2, lowEndMobile: false }, async () => twilioModule(connect));
    await expect(failure).rejects.toBeInstanceOf(VideoSessionError);
    await expect(failure).rejects.toMatchObject({ kind, code, message: "failed" });
  });

  it("a denied camera rejects as media_permission", async () => {
    const denied = new DOMException("Permission denied", "NotAllowedError");
    const connect = vi.fn<TwilioConnect>(() => Object.assign(Promise.reject(denied), { cancel: vi.fn() }));
    const failure = connectTwilio({ token: tokenFor(PROVIDER), expectedParticipants: 2, lowEndMobile: false }, async () => twilioModule(connect));
    await expect(failure).rejects.toMatchObject({ kind: "media_permission", code: null });
  });

  it("aborting cancels a connect under way", async () => {
    let reject: (error: unknown) => void = () => {};
    const cancel = vi.fn(() => reject(new Error("Canceled")));
    const connect = vi.fn<TwilioConnect>(() => Object.assign(new Promise<Room>((_, r) => (reject = r)), { cancel }));
    const controller = new AbortController();
    const pending = connectTwilio(
      { token: tokenFor(PROVIDER), expectedParticipants: 2, lowEndMobile: false, signal: controller.signal },
      async () => twilioModule(connect),
    );
    await vi.waitFor(() => expect(connect).toHaveBeenCalled());
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    expect(cancel).toHaveBeenCalledOnce();
  });

  it("a room that arrives after the abort is left at once", async () => {
    const room = new FakeRoom(PROVIDER);
    const controller = new AbortController();
    const connect = vi.fn<TwilioConnect>(() => {
      controller.abort();
      return Object.assign(Promise.resolve(room as unknown as Room), { cancel: vi.fn() });
    });
    const pending = connectTwilio(
      { token: tokenFor(PROVIDER), expectedParticipants: 2, lowEndMobile: false, signal: controller.signal },
      async () => twilioModule(connect),
    );
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    expect(room.disconnect).toHaveBeenCalledOnce();
  });
});

describe("participants and tracks", () => {
  it("a participant joining with tracks already subscribed: joined, then each track", async () => {
    const room = new FakeRoom(PROVIDER);
    const { session } = await join(room);
    const events = record(session);

    const interpreter = new FakeRemoteParticipant("PA2", "interpreter-zzyqx");
    interpreter.publish("audio", "MT-a2", true);
    interpreter.publish("video", "MT-v2", true);
    interpreter.publish("video", "MT-v3", false);
    room.join(interpreter);

    expect(summary(events)).toEqual([
      "participantJoined interpreter-zzyqx (interpreter, 0 tracks)",
      "trackSubscribed audio MT-a2 of interpreter-zzyqx",
      "trackSubscribed video MT-v2 of interpreter-zzyqx",
    ]);
    expect(session.remoteParticipants.get("PA2")?.tracks.map((t) => t.id)).toEqual(["MT-a2", "MT-v2"]);
  });

  it("tracks subscribed later are announced once; data tracks are not", async () => {
    const room = new FakeRoom(PROVIDER);
    const { session } = await join(room);
    const family = new FakeRemoteParticipant("PA3", "family-abcde");
    const video = family.publish("video", "MT-v4", false);
    const data = family.publish("data", "MT-d4", false);
    room.join(family);
    const events = record(session);

    family.subscribe(video);
    family.subscribe(data);
    room.emit("trackSubscribed", video, family.tracks.get("MT-v4"), family);

    expect(summary(events)).toEqual(["trackSubscribed video MT-v4 of family-abcde"]);
    const [, track, participant] = events[0] as ["trackSubscribed", MediaTrack, RemoteParticipant];
    expect(participant).toBe(session.remoteParticipants.get("PA3"));
    expect(participant.tracks).toEqual([track]);
  });

  it("a track attaches to and detaches from the element given", async () => {
    const room = new FakeRoom(PROVIDER);
    const patient = new FakeRemoteParticipant("PA1", "patient-abc");
    const video = patient.publish("video", "MT-v1", true);
    room.present(patient);
    const { session } = await join(room);
    const track = session.remoteParticipants.get("PA1")!.tracks[0]!;
    const element = document.createElement("video");

    track.attach(element);
    expect(video.attach).toHaveBeenCalledWith(element);
    track.detach(element);
    expect(video.detach).toHaveBeenCalledWith(element);
    track.detach();
    expect(video.detach).toHaveBeenLastCalledWith();
    video.isEnabled = false;
    expect(track.isEnabled).toBe(false);
  });

  it("an unsubscribed track is announced with the same track object and leaves the participant", async () => {
    const room = new FakeRoom(PROVIDER);
    const patient = new FakeRemoteParticipant("PA1", "patient-abc");
    const audio = patient.publish("audio", "MT-a1", true);
    const video = patient.publish("video", "MT-v1", true);
    room.present(patient);
    const { session } = await join(room);
    const view = session.remoteParticipants.get("PA1")!;
    const videoView = view.tracks.find((t) => t.kind === "video");
    const events = record(session);

    patient.unsubscribe(video);

    expect(summary(events)).toEqual(["trackUnsubscribed video MT-v1 of patient-abc"]);
    expect(events[0]![1]).toBe(videoView);
    expect(view.tracks.map((t) => t.id)).toEqual([audio.sid]);
  });

  it("a participant leaving: its tracks unsubscribed, then left; nothing more from it", async () => {
    const room = new FakeRoom(PROVIDER);
    const caregiver = new FakeRemoteParticipant("PA5", "caregiver-qwert");
    caregiver.publish("audio", "MT-a5", true);
    caregiver.publish("video", "MT-v5", true);
    room.present(caregiver);
    const { session } = await join(room, 3);
    const events = record(session);

    room.leave(caregiver);
    caregiver.emit("networkQualityLevelChanged", 3, null);

    expect(summary(events)).toEqual([
      "trackUnsubscribed audio MT-a5 of caregiver-qwert",
      "trackUnsubscribed video MT-v5 of caregiver-qwert",
      "participantLeft caregiver-qwert (caregiver, 0 tracks)",
    ]);
    expect(session.remoteParticipants.has("PA5")).toBe(false);
  });

  it("a participant removed without its tracks unsubscribed first still pairs every track", async () => {
    const room = new FakeRoom(PROVIDER);
    const patient = new FakeRemoteParticipant("PA1", "patient-abc");
    patient.publish("video", "MT-v1", true);
    room.present(patient);
    const { session } = await join(room);
    const events = record(session);

    room.participants.delete("PA1");
    room.emit("participantDisconnected", patient);

    expect(summary(events)).toEqual([
      "trackUnsubscribed video MT-v1 of patient-abc",
      "participantLeft patient-abc (patient, 0 tracks)",
    ]);
  });
});

describe("connection state", () => {
  it("reconnecting carries Twilio's reason; reconnected follows", async () => {
    const room = new FakeRoom(PROVIDER);
    const { session } = await join(room);
    const events = record(session);

    room.emit("reconnecting", new FakeTwilioError(53001, "Signaling connection disconnected"));
    expect(session.state).toBe("reconnecting");
    room.emit("reconnected");
    expect(session.state).toBe("connected");

    expect(summary(events)).toEqual(["reconnecting network 53001", "reconnected"]);
    expect(events[0]).toEqual(["reconnecting", { kind: "network", code: 53001, message: "Signaling connection disconnected" }]);
  });

  it.each([
    [53118, "room_completed", "Room completed"],
    [20104, "token_expired", "Access Token expired or expiration date invalid"],
    [53205, "duplicate_identity", "Participant disconnected because of duplicate identity"],
    [53405, "network", "Media connection failed or Media activity ceased"],
  ])("disconnected by Twilio %i reads as %s", async (code, kind, message) => {
    const room = new FakeRoom(PROVIDER);
    const { session } = await join(room);
    const events = record(session);

    room.emit("disconnected", room, new FakeTwilioError(code, message));

    expect([...events]).toEqual([["disconnected", { kind, code, message }]]);
    expect(session.state).toBe("disconnected");
  });

  it("hanging up: disconnect() asks the room once, which reports that we left", async () => {
    const room = new FakeRoom(PROVIDER);
    room.disconnect.mockImplementation(() => {
      room.emit("disconnected", room);
      return room;
    });
    const { session } = await join(room);
    const events = record(session);

    session.disconnect();
    session.disconnect();

    expect(room.disconnect).toHaveBeenCalledOnce();
    expect([...events]).toEqual([["disconnected", { kind: "left", code: null, message: null }]]);
  });

  it("after disconnecting it stops listening to the room and its participants", async () => {
    const room = new FakeRoom(PROVIDER);
    const patient = new FakeRemoteParticipant("PA1", "patient-abc");
    room.present(patient);
    const { session } = await join(room, 3);
    const before = room.listenerCount("participantConnected");

    room.emit("disconnected", room);

    expect(before).toBe(1);
    for (const event of room.eventNames()) expect(room.listenerCount(event), String(event)).toBe(0);
    expect(patient.listenerCount("networkQualityLevelChanged")).toBe(0);
    expect(room.localParticipant.listenerCount("networkQualityLevelChanged")).toBe(0);
    expect(session.state).toBe("disconnected");
  });
});

describe("dominant speaker and network quality", () => {
  it("follows the dominant speaker, including nobody", async () => {
    const room = new FakeRoom(PROVIDER);
    const patient = new FakeRemoteParticipant("PA1", "patient-abc");
    const interpreter = new FakeRemoteParticipant("PA2", "interpreter-def");
    room.present(patient);
    room.present(interpreter);
    const { session } = await join(room, 3);
    const events = record(session);

    room.emit("dominantSpeakerChanged", patient);
    expect(session.dominantSpeaker?.identity).toBe("patient-abc");
    room.emit("dominantSpeakerChanged", interpreter);
    room.emit("dominantSpeakerChanged", interpreter);
    room.emit("dominantSpeakerChanged", null);
    expect(session.dominantSpeaker).toBeNull();

    expect(summary(events)).toEqual([
      "dominantSpeakerChanged patient-abc",
      "dominantSpeakerChanged interpreter-def",
      "dominantSpeakerChanged nobody",
    ]);
    expect(events[0]![1]).toBe(session.remoteParticipants.get("PA1"));
  });

  it("the dominant speaker leaving makes it nobody, once", async () => {
    const room = new FakeRoom(PROVIDER);
    const patient = new FakeRemoteParticipant("PA1", "patient-abc");
    room.present(patient);
    room.dominantSpeaker = patient;
    const { session } = await join(room, 3);
    const events = record(session);

    room.leave(patient);
    expect(summary(events)).toEqual(["participantLeft patient-abc (patient, 0 tracks)", "dominantSpeakerChanged nobody"]);
    expect(session.dominantSpeaker).toBeNull();

    // twilio-video then reports the new dominant speaker, nobody: already said.
    room.emit("dominantSpeakerChanged", null);
    expect(summary(events)).toHaveLength(2);
  });

  it("reports each participant's network quality level, local and remote", async () => {
    const room = new FakeRoom(PROVIDER);
    const patient = new FakeRemoteParticipant("PA1", "patient-abc");
    room.present(patient);
    const { session } = await join(room, 3);
    const family = new FakeRemoteParticipant("PA3", "family-xyz");
    room.join(family);
    const events = record(session);

    room.localParticipant.emit("networkQualityLevelChanged", 5, { level: 5 });
    patient.emit("networkQualityLevelChanged", 2, { level: 2 });
    family.emit("networkQualityLevelChanged", 0, { level: 0 });

    expect(summary(events)).toEqual([
      `networkQualityChanged ${PROVIDER} 5`,
      "networkQualityChanged patient-abc 2",
      "networkQualityChanged family-xyz 0",
    ]);
    expect(events[0]![1]).toBe(session.localParticipant);
    expect(events[1]![1]).toBe(session.remoteParticipants.get("PA1"));
    patient.networkQualityLevel = 2;
    expect(session.remoteParticipants.get("PA1")?.networkQualityLevel).toBe(2);
  });
});

describe("local media", () => {
  it("muting and unmuting disables and enables the microphone only", async () => {
    const room = new FakeRoom(PROVIDER);
    const { microphone, camera } = room.localParticipant;
    const { session } = await join(room);

    session.setMicrophoneEnabled(false);
    expect(microphone.disable).toHaveBeenCalledOnce();
    expect(session.localParticipant.microphoneEnabled).toBe(false);
    session.setMicrophoneEnabled(true);
    expect(microphone.enable).toHaveBeenCalledOnce();
    expect(session.localParticipant.microphoneEnabled).toBe(true);
    expect(camera.enable).not.toHaveBeenCalled();
    expect(camera.disable).not.toHaveBeenCalled();
  });

  it("turning the camera off and on disables and enables the camera only", async () => {
    const room = new FakeRoom(PROVIDER);
    const { microphone, camera } = room.localParticipant;
    const { session } = await join(room);

    session.setCameraEnabled(false);
    expect(camera.disable).toHaveBeenCalledOnce();
    expect(session.localParticipant.cameraEnabled).toBe(false);
    session.setCameraEnabled(true);
    expect(camera.enable).toHaveBeenCalledOnce();
    expect(session.localParticipant.cameraEnabled).toBe(true);
    expect(microphone.disable).not.toHaveBeenCalled();
  });

  it("the local tracks are there for a self view", async () => {
    const room = new FakeRoom(PROVIDER);
    const { session } = await join(room);
    const tracks = session.localParticipant.tracks;
    expect(tracks.map((t) => `${t.kind} ${t.id}`)).toEqual(["audio mic-track", "video cam-track"]);
    expect(session.localParticipant.tracks[1]).toBe(tracks[1]);
    const element = document.createElement("video");
    tracks[1]!.attach(element);
    expect(room.localParticipant.camera.attach).toHaveBeenCalledWith(element);
  });

  it("switching camera restarts the camera track on that device at the call's capture size", async () => {
    const room = new FakeRoom(PROVIDER);
    const { session } = await join(room);

    await session.switchCamera("cam-usb");

    expect(room.localParticipant.camera.restart).toHaveBeenCalledWith({
      width: { ideal: 1280 },
      height: { ideal: 720 },
      frameRate: { ideal: 24 },
      deviceId: { exact: "cam-usb" },
    });
    expect(room.localParticipant.microphone.restart).not.toHaveBeenCalled();
  });

  it("switching microphone restarts the microphone track on that device", async () => {
    const room = new FakeRoom(PROVIDER);
    const { session } = await join(room);

    await session.switchMicrophone("mic-headset");

    expect(room.localParticipant.microphone.restart).toHaveBeenCalledWith({ deviceId: { exact: "mic-headset" } });
    expect(room.localParticipant.camera.restart).not.toHaveBeenCalled();
  });

  it("a camera that cannot start on the new device rejects as media_unavailable", async () => {
    const room = new FakeRoom(PROVIDER);
    room.localParticipant.camera.restart.mockRejectedValueOnce(new DOMException("Could not start video source", "NotReadableError"));
    const { session } = await join(room);

    await expect(session.switchCamera("cam-busy")).rejects.toMatchObject({ kind: "media_unavailable", code: null });
  });

  it("switching with no camera published rejects", async () => {
    const room = new FakeRoom(PROVIDER);
    room.localParticipant.videoTracks.clear();
    const { session } = await join(room);

    await expect(session.switchCamera("cam-usb")).rejects.toBeInstanceOf(VideoSessionError);
  });
});

describe("messages", () => {
  it("publishes a data track at connect; what is sent before it is published goes once it is", async () => {
    const room = new FakeRoom("patient-kqzmfwprxd");
    let published: (value: unknown) => void = () => {};
    room.localParticipant.publication = new Promise((resolve) => (published = resolve));
    const { session } = await join(room);
    const dataTrack = dataTracks.at(-1)!;
    expect(room.localParticipant.publishTrack).toHaveBeenCalledWith(dataTrack);

    session.sendMessage("first");
    expect(dataTrack.sent).toEqual([]);
    published({});
    await vi.waitFor(() => expect(dataTrack.sent).toEqual(["first"]));
    session.sendMessage("second");
    expect(dataTrack.sent).toEqual(["first", "second"]);
  });

  it("sends nothing after the call ended, even what waited for the publication", async () => {
    const room = new FakeRoom("patient-kqzmfwprxd");
    let published: (value: unknown) => void = () => {};
    room.localParticipant.publication = new Promise((resolve) => (published = resolve));
    const { session } = await join(room);
    const dataTrack = dataTracks.at(-1)!;
    session.sendMessage("queued");
    room.emit("disconnected", room);
    session.sendMessage("late");
    published({});
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(dataTrack.sent).toEqual([]);
  });

  it("a data track that cannot be published leaves the call up", async () => {
    const room = new FakeRoom("patient-kqzmfwprxd");
    room.localParticipant.publication = Promise.reject(new FakeTwilioError(53304, "Track publication failed"));
    const { session } = await join(room);
    await new Promise((resolve) => setTimeout(resolve, 0));
    session.sendMessage("lost");
    expect(dataTracks.at(-1)!.sent).toEqual([]);
    expect(session.state).toBe("connected");
  });

  it("announces each message on a remote data track with its sender, present at connect or joining later", async () => {
    const room = new FakeRoom(PROVIDER);
    const patient = new FakeRemoteParticipant("PA1", "patient-abc");
    const patientData = patient.publish("data", "MT-d1", true);
    room.present(patient);
    const { session } = await join(room);
    const events = record(session);

    patientData.emit("message", '{"type":"visitdesk.intake"}', patientData);
    const family = new FakeRemoteParticipant("PA3", "family-xyz");
    const familyData = family.publish("data", "MT-d3", false);
    room.join(family);
    family.subscribe(familyData);
    familyData.emit("message", new TextEncoder().encode("hola ñ").buffer, familyData);

    expect(summary(events)).toEqual([
      'messageReceived "{\\"type\\":\\"visitdesk.intake\\"}" from patient-abc',
      "participantJoined family-xyz (family, 0 tracks)",
      'messageReceived "hola ñ" from family-xyz',
    ]);
    expect(events[0]![2]).toBe(session.remoteParticipants.get("PA1"));
  });

  it("stops listening to a data track when it is unsubscribed, when its sender leaves, and when the call ends", async () => {
    const room = new FakeRoom(PROVIDER);
    const patient = new FakeRemoteParticipant("PA1", "patient-abc");
    const first = patient.publish("data", "MT-d1", true);
    room.present(patient);
    const family = new FakeRemoteParticipant("PA3", "family-xyz");
    const familyData = family.publish("data", "MT-d3", true);
    room.present(family);
    const interpreter = new FakeRemoteParticipant("PA4", "interpreter-qrs");
    const interpreterData = interpreter.publish("data", "MT-d4", true);
    room.present(interpreter);
    const { session } = await join(room, 3);
    const events = record(session);
    expect([first, familyData, interpreterData].map((t) => t.listenerCount("message"))).toEqual([1, 1, 1]);

    patient.unsubscribe(first);
    room.leave(family);
    room.emit("disconnected", room);
    for (const track of [first, familyData, interpreterData]) track.emit("message", "after", track);

    expect([first, familyData, interpreterData].map((t) => t.listenerCount("message"))).toEqual([0, 0, 0]);
    expect(summary(events).filter((line) => line.startsWith("messageReceived"))).toEqual([]);
  });
});

describe("joining without a camera", () => {
  it("asks twilio-video for the microphone only", async () => {
    const room = new FakeRoom("family-abcde");
    const { connect } = fakeConnect(room);
    await connectTwilio(
      { token: tokenFor("family-abcde"), expectedParticipants: 3, lowEndMobile: false, withCamera: false, microphoneDeviceId: "mic-1" },
      async () => twilioModule(connect),
    );
    const [, options] = connect.mock.calls[0]!;
    expect(options.video).toBe(false);
    expect(options.audio).toEqual({ deviceId: { exact: "mic-1" } });
  });

  it("opens the camera by default", async () => {
    const room = new FakeRoom("family-abcde");
    const { connect } = await join(room);
    expect(connect.mock.calls[0]![1].video).toMatchObject({ width: { ideal: 1280 } });
  });
});
