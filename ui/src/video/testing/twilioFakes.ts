// Fakes shaped like twilio-video 2.x objects (EventEmitters, as twilio-video's are), wired the
// way twilio-video's Room re-emits its participants' events, for the Twilio adapter's tests.

import { EventEmitter } from "node:events";

import type { CreateLocalTracksOptions, LocalTrack, Room } from "twilio-video";
import { vi } from "vitest";

import type { VideoConnectOptions, VideoSession } from "../session";
import { type TwilioConnect, type TwilioVideoModule, connectTwilio } from "../twilio";

export class FakeTwilioError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "TwilioError";
  }
}

export class FakeRemoteTrack extends EventEmitter {
  isEnabled = true;
  /** The name its sender gave it (twilio-video's default: its id; `screen` for a shared screen). */
  name = "";
  readonly attach = vi.fn((element: HTMLMediaElement) => element);
  readonly detach = vi.fn();
  /** RemoteVideoTrack's, with `clientTrackSwitchOffControl: "manual"` (a RemoteAudioTrack has none). */
  isSwitchedOff = false;
  readonly switchOff = vi.fn(() => {
    this.isSwitchedOff = true;
    return this;
  });
  readonly switchOn = vi.fn(() => {
    this.isSwitchedOff = false;
    return this;
  });
  constructor(
    readonly kind: "audio" | "video" | "data",
    readonly sid: string,
  ) {
    super();
  }
}

export class FakeRemotePublication extends EventEmitter {
  /** `track` while we are subscribed to it, else null; `published` is the track either way. */
  constructor(
    readonly trackSid: string,
    readonly kind: "audio" | "video" | "data",
    public track: FakeRemoteTrack | null,
    readonly published: FakeRemoteTrack,
  ) {
    super();
  }
  get isSubscribed() {
    return this.track !== null;
  }
}

/**
 * Our subscribe rules as the clinic's console sets them through Twilio's Track Subscriptions API:
 * `include_all` (admitted) or `exclude_all` (waiting, or sent back).
 */
export type SubscribeRules = "include_all" | "exclude_all";

export class FakeRemoteParticipant extends EventEmitter {
  readonly tracks = new Map<string, FakeRemotePublication>();
  networkQualityLevel: number | null = null;
  state = "connected";
  constructor(
    readonly sid: string,
    readonly identity: string,
  ) {
    super();
  }

  /** A published track: subscribed already when `subscribed`, else waiting for `subscribe`. */
  publish(kind: "audio" | "video" | "data", trackSid: string, subscribed: boolean): FakeRemoteTrack {
    const track = new FakeRemoteTrack(kind, trackSid);
    this.tracks.set(trackSid, new FakeRemotePublication(trackSid, kind, subscribed ? track : null, track));
    return track;
  }

  /** What Twilio does to us under `rules`: subscribes each of its tracks not yet subscribed, or unsubscribes each one. */
  follow(rules: SubscribeRules): void {
    for (const publication of [...this.tracks.values()]) {
      if (rules === "include_all" && !publication.isSubscribed) this.subscribe(publication.published);
      if (rules === "exclude_all" && publication.isSubscribed) this.unsubscribe(publication.published);
    }
  }

  /** As RemoteParticipant does when media arrives: the room re-emits it. */
  subscribe(track: FakeRemoteTrack): void {
    const publication = this.tracks.get(track.sid)!;
    publication.track = track;
    this.emit("trackSubscribed", track, publication);
  }

  unsubscribe(track: FakeRemoteTrack): void {
    const publication = this.tracks.get(track.sid)!;
    publication.track = null;
    this.emit("trackUnsubscribed", track, publication);
  }
}

export class FakeLocalTrack extends EventEmitter {
  isEnabled = true;
  readonly enable = vi.fn(() => {
    this.isEnabled = true;
    return this;
  });
  readonly disable = vi.fn(() => {
    this.isEnabled = false;
    return this;
  });
  readonly restart = vi.fn(async (_constraints?: MediaTrackConstraints) => {});
  readonly attach = vi.fn((element: HTMLMediaElement) => element);
  readonly detach = vi.fn();
  /** Its capture ended (the camera light off). */
  isStopped = false;
  readonly stop = vi.fn(() => {
    this.isStopped = true;
    return this;
  });
  constructor(
    readonly kind: "audio" | "video",
    readonly id: string,
  ) {
    super();
  }
}

export class FakeLocalDataTrack {
  readonly kind = "data";
  readonly sent: string[] = [];
  send(text: string): void {
    this.sent.push(text);
  }
}

type FakeLocalPublication = { kind: string; trackSid: string; track: FakeLocalTrack };

export class FakeLocalParticipant extends EventEmitter {
  readonly sid = "PA-local";
  /**
   * The data track's publication is `publication`; a microphone's or camera's waits for
   * `mediaPublication`, then shows in `audioTracks` or `videoTracks`. Both resolve at once
   * unless a test sets them.
   */
  readonly publishTrack = vi.fn(async (track: FakeLocalDataTrack | FakeLocalTrack) => {
    if (track.kind === "data") return this.publication;
    await this.mediaPublication;
    const publication: FakeLocalPublication = { kind: track.kind, trackSid: `MT-${track.id}`, track };
    (track.kind === "audio" ? this.audioTracks : this.videoTracks).set(publication.trackSid, publication);
    return publication;
  });
  readonly publishTracks = vi.fn((tracks: FakeLocalTrack[]) => Promise.all(tracks.map((track) => this.publishTrack(track))));
  readonly unpublishTrack = vi.fn((_track: unknown) => null);
  readonly unpublishTracks = vi.fn((tracks: FakeLocalTrack[]) => {
    const unpublished: FakeLocalPublication[] = [];
    for (const publications of [this.audioTracks, this.videoTracks]) {
      for (const [sid, publication] of publications) {
        if (!tracks.includes(publication.track)) continue;
        publications.delete(sid);
        unpublished.push(publication);
      }
    }
    return unpublished;
  });
  publication: Promise<unknown> = Promise.resolve({});
  mediaPublication: Promise<unknown> = Promise.resolve();
  /** Captured by `connect` unless it is given `tracks`. */
  readonly microphone = new FakeLocalTrack("audio", "mic-track");
  readonly camera = new FakeLocalTrack("video", "cam-track");
  readonly audioTracks = new Map<string, FakeLocalPublication>([["MT-a", { kind: "audio", trackSid: "MT-a", track: this.microphone }]]);
  readonly videoTracks = new Map<string, FakeLocalPublication>([["MT-v", { kind: "video", trackSid: "MT-v", track: this.camera }]]);
  networkQualityLevel: number | null = null;
  constructor(readonly identity: string) {
    super();
  }
}

export class FakeRoom extends EventEmitter {
  readonly sid = "RM123";
  readonly name = "RM123";
  state = "connected";
  dominantSpeaker: FakeRemoteParticipant | null = null;
  readonly participants = new Map<string, FakeRemoteParticipant>();
  readonly localParticipant: FakeLocalParticipant;
  readonly disconnect = vi.fn(() => this);

  constructor(localIdentity: string) {
    super();
    this.localParticipant = new FakeLocalParticipant(localIdentity);
  }

  /** Our subscribe rules once the test plays the clinic's console (`setSubscribeRules`); null until then. */
  subscribeRules: SubscribeRules | null = null;

  /**
   * The clinic's console sets our subscribe rules (admits us, or sends us back): Twilio then
   * subscribes us to every track in the room, or unsubscribes every one, and keeps to the rules
   * for those who join later.
   */
  setSubscribeRules(rules: SubscribeRules): void {
    this.subscribeRules = rules;
    for (const participant of [...this.participants.values()]) participant.follow(rules);
  }

  /** In the room before we connect. */
  present(participant: FakeRemoteParticipant): void {
    this.participants.set(participant.sid, participant);
    this.reemit(participant);
  }

  /** Joins later: `participantConnected`, then its track events come through the room (under our subscribe rules, once set). */
  join(participant: FakeRemoteParticipant): void {
    if (this.subscribeRules === "exclude_all") {
      for (const publication of participant.tracks.values()) publication.track = null;
    }
    this.participants.set(participant.sid, participant);
    this.emit("participantConnected", participant);
    this.reemit(participant);
    if (this.subscribeRules === "include_all") participant.follow("include_all");
  }

  /**
   * As twilio-video does: the participant is disconnected (its `state` says so), its tracks are
   * unsubscribed, then it is removed.
   */
  leave(participant: FakeRemoteParticipant): void {
    participant.state = "disconnected";
    for (const publication of participant.tracks.values()) {
      if (publication.track) participant.unsubscribe(publication.track);
    }
    this.participants.delete(participant.sid);
    participant.removeAllListeners("trackSubscribed");
    participant.removeAllListeners("trackUnsubscribed");
    this.emit("participantDisconnected", participant);
  }

  private reemit(participant: FakeRemoteParticipant): void {
    for (const event of ["trackSubscribed", "trackUnsubscribed"]) {
      participant.on(event, (...args: unknown[]) => this.emit(event, ...args, participant));
    }
  }
}

export const PROVIDER = "dr-ana-ruiz";

export function tokenFor(identity: string): string {
  const part = (value: object) => btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${part({ alg: "HS256", typ: "JWT" })}.${part({ grants: { identity, video: { room: "RM123" } } })}.signature`;
}

/** twilio-video's `createLocalTracks`; `made` holds what each call that succeeded made, in order. */
export type FakeCreateLocalTracks = ReturnType<typeof vi.fn<TwilioVideoModule["createLocalTracks"]>> & { made: FakeLocalTrack[][] };

/** A new microphone, and a camera unless `video: false`, each time. */
export function fakeCreateLocalTracks(): FakeCreateLocalTracks {
  const made: FakeLocalTrack[][] = [];
  const create = vi.fn(async (options: CreateLocalTracksOptions) => {
    const n = made.length + 1;
    const tracks: FakeLocalTrack[] = [];
    if (options.audio !== false) tracks.push(new FakeLocalTrack("audio", `mic-${n}`));
    if (options.video !== false) tracks.push(new FakeLocalTrack("video", `cam-${n}`));
    made.push(tracks);
    return tracks as unknown as LocalTrack[];
  });
  return Object.assign(create, { made });
}

/** twilio-video's module: `connect`, `createLocalTracks`, and `LocalDataTrack` (each made is kept in `dataTracks`). */
export const dataTracks: FakeLocalDataTrack[] = [];
export function twilioModule(connect: TwilioConnect, createLocalTracks: FakeCreateLocalTracks = fakeCreateLocalTracks()) {
  class LocalDataTrack extends FakeLocalDataTrack {
    constructor() {
      super();
      dataTracks.push(this);
    }
  }
  return { connect, createLocalTracks, LocalDataTrack } as unknown as TwilioVideoModule;
}

/**
 * twilio-video's `connect` answered with `room`, capturing as twilio-video does: given `tracks`,
 * nothing (only those are published); with `video: false`, no camera.
 */
export function fakeConnect(room: FakeRoom) {
  const cancel = vi.fn();
  const connect = vi.fn<TwilioConnect>((_token, options) => {
    const local = room.localParticipant;
    if (options.tracks) {
      local.audioTracks.clear();
      local.videoTracks.clear();
    }
    if (options.video === false) local.videoTracks.clear();
    return Object.assign(Promise.resolve(room as unknown as Room), { cancel });
  });
  return { connect, cancel };
}

export async function join(
  room: FakeRoom,
  expectedParticipants = 2,
  options: Partial<VideoConnectOptions> = {},
): Promise<{ session: VideoSession; connect: ReturnType<typeof fakeConnect>["connect"]; createLocalTracks: FakeCreateLocalTracks }> {
  const { connect } = fakeConnect(room);
  const createLocalTracks = fakeCreateLocalTracks();
  const session = await connectTwilio(
    { token: tokenFor(room.localParticipant.identity), expectedParticipants, lowEndMobile: false, ...options },
    async () => twilioModule(connect, createLocalTracks),
  );
  return { session, connect, createLocalTracks };
}
