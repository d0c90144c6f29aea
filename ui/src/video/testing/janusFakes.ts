// A fake janus.js for the Janus adapter's tests: a `Janus` constructor whose handles record what
// the adapter sends, answered by a small VideoRoom stand-in that the tests drive (publishers
// joining, unpublishing, leaving, talking; errors 433/426; a lost server).

import { vi } from "vitest";

import {
  type JanusAttachOptions,
  type JanusBackendConfig,
  type JanusCore,
  type JanusHandle,
  type JanusLibrary,
  type JanusSessionOptions,
  type JanusTrackSpec,
  type Jsep,
  type VideoRoomMessage,
  connectJanus,
} from "../janus";
import { ClinicianChecks } from "../janus/clinicianProof";
import type { VideoConnectOptions, VideoSession } from "../session";
import { TEST_JOIN_PAGE_KEY, displayWithProof, provenIds } from "./clinicKeys";

export const NOW = 1_900_000_000;
export const ROOM = 1234;
export const ROOM_TOKEN = `${NOW + 600},janus.plugin.videoroom,room=${ROOM}:c2lnbmF0dXJl`;
export const EXPIRED_ROOM_TOKEN = `${NOW - 5},janus.plugin.videoroom,room=${ROOM}:c2lnbmF0dXJl`;
export const CORE_TOKEN = `${NOW + 600},janus,janus.plugin.videoroom:Y29yZQ==`;
export const EXPIRED_CORE_TOKEN = `${NOW - 5},janus,janus.plugin.videoroom:Y29yZQ==`;
export const SERVER = "http://127.0.0.1:8088/janus";
export const ME = "patient-kqzmtrwx";
export const PROVIDER = "dr-ana-ruiz";
export const MY_ID = 100;
/** The provider's proof under each id the tests use: signed by the test clinic, as their page joins. */
const PROVIDER_PROOFS = await provenIds(ROOM, PROVIDER, NOW + 86_400, 200, 320);

/**
 * What the room shows for `display` under `id`: the provider's own comes with their proof and
 * whom their call lets in, by default us (an admit-on-join clinician's call).
 */
export function shownDisplay(id: number, display: string, admits: readonly number[] = [MY_ID]): string {
  const proof = display === PROVIDER ? PROVIDER_PROOFS.get(id) : undefined;
  return proof ? displayWithProof(display, proof, admits.map(String)) : display;
}
export const PRIVATE_ID = 999;

let trackCount = 0;

export class FakeTrack {
  readonly id = `track-${++trackCount}`;
  enabled = true;
  muted = false;
  readyState: "live" | "ended" = "live";
  readonly stop = vi.fn(() => {
    this.readyState = "ended";
  });
  constructor(readonly kind: "audio" | "video") {}
}

export function asTrack(track: FakeTrack): MediaStreamTrack {
  return track as unknown as MediaStreamTrack;
}

export function fakeStream(...tracks: FakeTrack[]): MediaStream {
  return {
    getTracks: () => tracks.map(asTrack),
    getAudioTracks: () => tracks.filter((t) => t.kind === "audio").map(asTrack),
    getVideoTracks: () => tracks.filter((t) => t.kind === "video").map(asTrack),
  } as unknown as MediaStream;
}

export type Sent = { message: Record<string, unknown>; jsep?: Jsep; error?: (error: string) => void };
export type PublisherStream = { type: "audio" | "video" | "data"; mid: string; description?: string };
export type Publisher = { id: number; display: string; streams: PublisherStream[] };
export type SubStream = { mid: string; mindex: number; type: string; active: boolean; feed_id?: number; feed_mid?: string; source_ids?: number[] };

export const CAMERA_AND_MIC: PublisherStream[] = [
  { type: "audio", mid: "0" },
  { type: "video", mid: "1" },
  { type: "data", mid: "2" },
];

export class FakePeerConnection {
  stats = new Map<string, Record<string, unknown>>();
  readonly senders = { audio: { replaceTrack: vi.fn(async (_track: MediaStreamTrack | null) => {}) }, video: { replaceTrack: vi.fn(async (_track: MediaStreamTrack | null) => {}) } };
  /** The m-lines of the last offer made on it (janus.js adds a transceiver per track asked for). */
  offered: Array<JanusTrackSpec["type"]> = [];
  getTransceivers() {
    return this.offered.flatMap((kind, index) =>
      kind === "data" ? [] : [{ mid: String(index), receiver: { track: { kind } }, sender: this.senders[kind] }],
    );
  }
  async getStats() {
    return new Map(this.stats);
  }
}

export class FakeHandle implements JanusHandle {
  static next = 5000;
  readonly id = FakeHandle.next++;
  readonly sent: Sent[] = [];
  /** The handle's PeerConnection: made by the first offer or answer, a new one after a hangup. */
  pc = new FakePeerConnection();
  #pcOpen = false;
  #pcClosed = false;
  detached = false;
  readonly data = vi.fn((_params: { text: string }) => {});
  readonly detach = vi.fn(() => {
    this.detached = true;
    this.hangup();
  });
  /** janus.js's hangup: the PeerConnection is closed here (and Janus asked to, with `true`). */
  readonly hangup = vi.fn((_sendRequest?: boolean) => {
    if (this.#pcOpen) this.#pcClosed = true;
    this.#pcOpen = false;
  });
  readonly createOffer = vi.fn((params: { tracks: JanusTrackSpec[]; success: (jsep: Jsep) => void }) => {
    this.#openPc();
    this.pc.offered = params.tracks.map((t) => t.type);
    queueMicrotask(() => params.success({ type: "offer", sdp: "publisher offer" }));
  });
  readonly createAnswer = vi.fn((params: { jsep: Jsep; tracks: JanusTrackSpec[]; success: (jsep: Jsep) => void }) => {
    this.#openPc();
    queueMicrotask(() => {
      this.room.browserAppliedOffer(this);
      params.success({ type: "answer", sdp: "subscriber answer" });
    });
  });
  readonly handleRemoteJsep = vi.fn((params: { jsep: Jsep; success?: () => void }) => {
    queueMicrotask(() => params.success?.());
  });

  constructor(
    readonly room: FakeVideoRoom,
    readonly options: JanusAttachOptions,
  ) {}

  get webrtcStuff() {
    return { pc: this.#pcOpen ? (this.pc as unknown as RTCPeerConnection) : null };
  }

  get pcOpen(): boolean {
    return this.#pcOpen;
  }

  #openPc(): void {
    if (this.#pcOpen) return;
    if (this.#pcClosed) this.pc = new FakePeerConnection();
    this.#pcOpen = true;
  }

  getId() {
    return this.id;
  }

  /** Janus hangs up the PeerConnection (its `hangup` event): janus.js tells webrtcState, then cleans up. */
  hungUpByJanus(reason = "Close PC"): void {
    if (!this.#pcOpen) return;
    this.options.webrtcState?.(false, reason);
    this.hangup();
  }

  send(request: Sent): void {
    this.sent.push(request);
    queueMicrotask(() => this.room.received(this, request));
  }

  /** A plugin event, as janus.js hands it to `onmessage`. */
  message(message: VideoRoomMessage, jsep?: Jsep): void {
    this.options.onmessage?.(message, jsep);
  }

  requests(name: string): Sent[] {
    return this.sent.filter((s) => s.message.request === name);
  }
}

/** A VideoRoom stand-in: answers join/publish/subscribe/update/start the way Janus 1.1 does. */
export class FakeVideoRoom {
  readonly publishers: Publisher[] = [];
  readonly attendees: Array<{ id: number; display: string }> = [];
  readonly handles: FakeHandle[] = [];
  readonly sessions: FakeJanusCore[] = [];
  /** An error event for the publisher's join instead of `joined`. */
  joinError: { error_code: number; error: string } | null = null;
  publishError: { error_code: number; error: string } | null = null;
  /** Requests left unanswered until `answerNow()`: the publisher's join, publish or unpublish, the subscriber's join. */
  readonly unanswered = new Set<"join" | "publish" | "unpublish" | "subscriber join">();
  #unanswered: Array<() => void> = [];
  sessionError: string | null = null;
  attachError: string | null = null;
  /** The subscriber's m-lines, as Janus summarises them. */
  subStreams: SubStream[] = [];
  #subscriberHandle: FakeHandle | null = null;
  /** Remote tracks the fake browser has handed out, by subscriber mid. */
  readonly remoteTracks = new Map<string, FakeTrack>();

  get publisher(): FakeHandle {
    const handle = this.handles[0];
    if (!handle) throw new Error("no publisher handle");
    return handle;
  }

  /** The subscriber handle now (a new one after a hold), unless detached. */
  get subscriber(): FakeHandle | undefined {
    const handle = this.handles.length > 1 ? this.handles.at(-1) : undefined;
    return handle?.detached ? undefined : handle;
  }

  get core(): FakeJanusCore {
    const core = this.sessions[0];
    if (!core) throw new Error("no Janus session");
    return core;
  }

  answerNow(): void {
    const unanswered = this.#unanswered;
    this.#unanswered = [];
    for (const answer of unanswered) answer();
  }

  received(handle: FakeHandle, sent: Sent): void {
    const { message } = sent;
    const isPublisher = handle === this.handles[0];
    const what = isPublisher ? String(message.request) : `subscriber ${String(message.request)}`;
    if (this.unanswered.delete(what as "join")) {
      this.#unanswered.push(() => this.received(handle, sent));
      return;
    }
    switch (message.request) {
      case "join":
        if (isPublisher) {
          if (this.joinError) return handle.message({ videoroom: "event", ...this.joinError });
          return handle.message({
            videoroom: "joined",
            room: ROOM,
            id: MY_ID,
            private_id: PRIVATE_ID,
            publishers: this.publishers,
            attendees: this.attendees.map(({ id, display }) => ({ id, display: shownDisplay(id, display) })),
          });
        }
        if (this.#subscriberHandle !== handle) {
          // A new subscriber (after a hold): a new PeerConnection, nothing received yet.
          this.#subscriberHandle = handle;
          this.subStreams = [];
          this.remoteTracks.clear();
        }
        this.subscribe(message.streams as Array<{ feed: number }>);
        return handle.message({ videoroom: "attached", room: ROOM, streams: this.subStreams }, { type: "offer", sdp: "subscriber offer" });
      case "publish":
        if (this.publishError) return handle.message({ videoroom: "event", ...this.publishError });
        return handle.message({ videoroom: "event", configured: "ok", audio_codec: "opus", video_codec: "vp8" }, { type: "answer", sdp: "a" });
      case "update":
        this.subscribe(message.subscribe as Array<{ feed: number }>);
        return handle.message({ videoroom: "updated", room: ROOM, streams: this.subStreams }, { type: "offer", sdp: "subscriber offer" });
      case "start":
        return handle.message({ videoroom: "event", room: ROOM, started: "ok" });
      case "unpublish":
        // As Janus does: the reply, then the hangup of the publisher's PeerConnection.
        handle.message({ videoroom: "event", room: ROOM, unpublished: "ok" });
        return handle.hungUpByJanus();
    }
  }

  subscribe(feeds: Array<{ feed: number }>): void {
    for (const { feed } of feeds) {
      const publisher = this.publishers.find((p) => p.id === feed);
      if (!publisher) continue;
      for (const stream of publisher.streams) {
        if (stream.type === "data") {
          let data = this.subStreams.find((s) => s.type === "data");
          if (!data) {
            data = { mid: String(this.subStreams.length), mindex: this.subStreams.length, type: "data", active: true, source_ids: [] };
            this.subStreams.push(data);
          }
          data.source_ids!.push(feed);
          continue;
        }
        // As Janus does, an m-line a feed left is used again for a stream of the same type.
        const free = this.subStreams.find((s) => !s.active && s.type === stream.type);
        if (free) {
          Object.assign(free, { active: true, feed_id: feed, feed_mid: stream.mid });
          continue;
        }
        const mindex = this.subStreams.length;
        this.subStreams.push({ mid: String(mindex), mindex, type: stream.type, active: true, feed_id: feed, feed_mid: stream.mid });
      }
    }
  }

  /** What setRemoteDescription does in the browser: a `track` event per new receiving m-line. */
  browserAppliedOffer(handle: FakeHandle): void {
    for (const stream of this.subStreams) {
      if (!stream.active || stream.type === "data" || this.remoteTracks.has(stream.mid)) continue;
      const track = new FakeTrack(stream.type as "audio" | "video");
      this.remoteTracks.set(stream.mid, track);
      handle.options.onremotetrack?.(asTrack(track), stream.mid, true, { reason: "created" });
    }
  }

  // -- Things that happen in the room --

  addPublisher(id: number, display: string): Publisher {
    const publisher = { id, display: shownDisplay(id, display), streams: CAMERA_AND_MIC };
    this.publishers.push(publisher);
    return publisher;
  }

  /** Someone joins: `joining`, then (once they publish) `publishers`. */
  join(id: number, display: string): void {
    this.publisher.message({ videoroom: "event", room: ROOM, joining: { id, display: shownDisplay(id, display) } });
  }

  publish(id: number, display: string): void {
    const publisher = this.addPublisher(id, display);
    this.publisher.message({ videoroom: "event", room: ROOM, publishers: [publisher] });
  }

  /** Janus's own subscriber update when a feed goes: its m-lines turn inactive. */
  subscriberLoses(id: number): void {
    for (const stream of this.subStreams) {
      if (stream.feed_id === id) {
        stream.active = false;
        delete stream.feed_id;
        delete stream.feed_mid;
      }
      if (stream.source_ids) stream.source_ids = stream.source_ids.filter((s) => s !== id);
    }
    this.subscriber?.message({ videoroom: "updated", room: ROOM, streams: this.subStreams }, { type: "offer", sdp: "subscriber offer" });
  }

  unpublish(id: number): void {
    this.publisher.message({ videoroom: "event", room: ROOM, unpublished: id });
  }

  leave(id: number): void {
    this.publisher.message({ videoroom: "event", room: ROOM, leaving: id });
  }

  /** The provider under `id` changes whom their call lets in (their display, by `configure`). */
  letIn(id: number, admits: readonly number[]): void {
    this.publisher.message({ videoroom: "event", room: ROOM, id, display: shownDisplay(id, PROVIDER, admits) });
  }
}

export class FakeJanusCore implements JanusCore {
  readonly attach = vi.fn((options: JanusAttachOptions) => {
    queueMicrotask(() => {
      if (this.room.attachError) return options.error(this.room.attachError);
      const handle = new FakeHandle(this.room, options);
      this.room.handles.push(handle);
      options.success(handle);
    });
  });
  reconnectResult: string | null = null;
  readonly reconnect = vi.fn((callbacks: { success?: () => void; error?: (error: string) => void }) => {
    queueMicrotask(() => (this.reconnectResult === null ? callbacks.success?.() : callbacks.error?.(this.reconnectResult)));
  });
  readonly destroy = vi.fn();

  constructor(
    readonly room: FakeVideoRoom,
    readonly options: JanusSessionOptions,
  ) {
    queueMicrotask(() => (room.sessionError ? options.error?.(room.sessionError) : options.success?.()));
  }

  /** janus.js's report that its long polls (or WebSocket) failed. */
  lose(): void {
    this.options.error?.("Lost connection to the server (is it down?)");
  }
}

export function fakeLibrary(room: FakeVideoRoom, webrtc = true) {
  const init = vi.fn((options: { callback?: () => void }) => options.callback?.());
  const useDefaultDependencies = vi.fn((deps?: { adapter?: unknown }) => ({ deps }));
  class FakeJanus extends FakeJanusCore {
    static init = init;
    static useDefaultDependencies = useDefaultDependencies;
    static isWebrtcSupported = () => webrtc;
    constructor(options: JanusSessionOptions) {
      super(room, options);
      room.sessions.push(this);
    }
  }
  const library = FakeJanus as unknown as JanusLibrary;
  const load = vi.fn(async () => ({ default: library }));
  return { load, init, useDefaultDependencies };
}

export type Harness = {
  room: FakeVideoRoom;
  load: ReturnType<typeof fakeLibrary>["load"];
  init: ReturnType<typeof fakeLibrary>["init"];
  useDefaultDependencies: ReturnType<typeof fakeLibrary>["useDefaultDependencies"];
  getUserMedia: ReturnType<typeof vi.fn<(constraints: MediaStreamConstraints) => Promise<MediaStream>>>;
  /** The first microphone and camera handed out (again while live; a new one once stopped). */
  microphone: FakeTrack;
  camera: FakeTrack;
  /** Every track getUserMedia handed out. */
  captured: FakeTrack[];
  config: JanusBackendConfig;
};

export function harness(overrides: Partial<JanusBackendConfig> = {}, webrtc = true): Harness {
  const room = new FakeVideoRoom();
  const { load, init, useDefaultDependencies } = fakeLibrary(room, webrtc);
  const microphone = new FakeTrack("audio");
  const camera = new FakeTrack("video");
  const captured: FakeTrack[] = [];
  const live = (first: FakeTrack) => {
    const track = first.readyState === "live" ? first : new FakeTrack(first.kind);
    captured.push(track);
    return [track];
  };
  // As a browser does: only what the constraints ask for.
  const getUserMedia = vi.fn(async (constraints: MediaStreamConstraints) =>
    fakeStream(...(constraints.audio ? live(microphone) : []), ...(constraints.video ? live(camera) : [])),
  );
  const config: JanusBackendConfig = {
    server: SERVER,
    room: String(ROOM),
    coreToken: CORE_TOKEN,
    identity: ME,
    load,
    getUserMedia,
    now: () => NOW,
    clinicianKey: TEST_JOIN_PAGE_KEY,
    ...overrides,
  };
  return { room, load, init, useDefaultDependencies, getUserMedia, microphone, camera, captured, config };
}

export function options(overrides: Partial<VideoConnectOptions> = {}): VideoConnectOptions {
  return { token: ROOM_TOKEN, expectedParticipants: 2, lowEndMobile: false, providerIdentity: PROVIDER, ...overrides };
}

/** Lets every queued microtask (the fake's answers) and every clinician proof check run. */
export const settle = async () => {
  await new Promise((resolve) => setTimeout(resolve, 0));
  await ClinicianChecks.allSettled();
  await new Promise((resolve) => setTimeout(resolve, 0));
};

export async function connected(h: Harness, overrides: Partial<VideoConnectOptions> = {}): Promise<VideoSession> {
  const session = await connectJanus(h.config, options(overrides));
  await settle();
  return session;
}
