// Sharing a screen on both adapters: asked of the browser once, sent as one more video track that
// the far side knows for a screen, stopped from the app or by the browser's own Stop.

import { afterEach, describe, expect, it, vi } from "vitest";

import { captureScreen, screenCaptureSupported } from "./screen";
import { VideoSessionError } from "./session";
import { PROVIDER as JANUS_PROVIDER, ROOM, connected, harness, settle } from "./testing/janusFakes";
import { record } from "./testing/record";
import { FakeRemoteParticipant, FakeRoom, PROVIDER, join } from "./testing/twilioFakes";

/** A screen capture as getDisplayMedia gives it; `end()` plays the browser's own Stop. */
function fakeScreen() {
  const track = Object.assign(new EventTarget(), { kind: "video", id: "screen-1", contentHint: "", stop: vi.fn(), readyState: "live" });
  const stream = { getVideoTracks: () => [track], getTracks: () => [track] };
  const getDisplayMedia = vi.fn(async (_constraints: DisplayMediaStreamOptions) => stream as unknown as MediaStream);
  return { track, getDisplayMedia, end: () => track.dispatchEvent(new Event("ended")) };
}

afterEach(() => vi.unstubAllGlobals());

describe("the capture", () => {
  it("asks for video only, keeps detail, and says why when it cannot", async () => {
    const screen = fakeScreen();
    const track = await captureScreen(screen.getDisplayMedia);
    expect([track.contentHint, screen.getDisplayMedia.mock.calls[0]![0]]).toEqual(["detail", { video: { frameRate: { max: 15 } }, audio: false }]);
    expect(screenCaptureSupported(undefined)).toBe(false);
    expect(screenCaptureSupported({ getDisplayMedia: screen.getDisplayMedia })).toBe(true);
    const unavailable = await captureScreen().catch((e: unknown) => e);
    expect([(unavailable as VideoSessionError).kind, (unavailable as VideoSessionError).message]).toEqual(["media_unavailable", "This window cannot share a screen."]);
    const refused = await captureScreen(async () => Promise.reject(new DOMException("no", "NotAllowedError"))).catch((e: unknown) => e);
    expect([(refused as VideoSessionError).kind, (refused as VideoSessionError).message]).toEqual(["media_permission", "Screen sharing was not allowed."]);
  });
});

describe("on Twilio", () => {
  it("publishes the screen as a track named screen; the browser's Stop unpublishes it", async () => {
    const screen = fakeScreen();
    vi.stubGlobal("navigator", { mediaDevices: { getDisplayMedia: screen.getDisplayMedia } });
    const room = new FakeRoom(PROVIDER);
    const { session } = await join(room);
    const { lines } = record(session);
    await session.shareScreen();
    expect(room.localParticipant.publishTrack).toHaveBeenLastCalledWith(screen.track, { name: "screen", priority: "high" });
    expect(session.sharingScreen).toBe(true);
    screen.end();
    expect(room.localParticipant.unpublishTrack).toHaveBeenCalledWith(screen.track);
    expect([session.sharingScreen, lines]).toEqual([false, ["screenShareChanged true", "screenShareChanged false"]]);
  });

  it("a remote track named screen is a screen; the camera is not", async () => {
    const room = new FakeRoom("patient-abcdefgh");
    const clinician = new FakeRemoteParticipant("PA-doc", PROVIDER);
    clinician.publish("video", "MT-cam", true);
    clinician.publish("video", "MT-screen", true).name = "screen";
    room.present(clinician);
    const { session } = await join(room);
    const tracks = session.remoteParticipants.get("PA-doc")!.tracks.map((t) => `${t.id} ${t.isScreen}`);
    expect(tracks).toEqual(["MT-cam false", "MT-screen true"]);
  });
});

describe("on Janus", () => {
  it("a stream described screen is a screen, off between shares (trackChanged)", async () => {
    const h = harness();
    const publisher = h.room.addPublisher(201, JANUS_PROVIDER);
    publisher.streams = [...publisher.streams, { type: "video", mid: "3", description: "screen" }];
    const session = await connected(h);
    const remote = session.remoteParticipants.get("201")!;
    const screens = () => remote.tracks.filter((t) => t.isScreen).map((t) => `${t.kind} ${t.isEnabled}`);
    expect(screens()).toEqual(["video true"]);
    const lines = record(session).lines;
    publisher.streams = publisher.streams.map((s) => (s.mid === "3" ? { ...s, description: "screen off" } : s));
    h.room.publisher.message({ videoroom: "event", room: ROOM, publishers: [publisher] });
    await settle();
    expect([screens(), lines]).toEqual([["video false"], [`trackChanged video 201/3 of ${JANUS_PROVIDER}`]]);
  });

  it("a held patient may not share", async () => {
    const screen = fakeScreen();
    const session = await connected(harness({ getDisplayMedia: screen.getDisplayMedia }), { held: true });
    const refused = await session.shareScreen().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(VideoSessionError);
    expect(screen.getDisplayMedia).not.toHaveBeenCalled();
  });
});
