// Fakes shaped like twilio-video 2.x objects (EventEmitters, as twilio-video's are), wired the
// way twilio-video's Room re-emits its participants' events, for the Twilio adapter's tests.

import { EventEmitter } from "node:events";

import type { Room } from "twilio-video";
import { vi } from "vitest";

import type { VideoSession } from "../session";
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
  readonly attach = vi.fn((element: HTMLMediaElement) => element);
  readonly detach = vi.fn();
  constructor(
    readonly kind: "audio" | "video" | "data",
    readonly sid: string,
  ) {
    super();
  }
}

export class FakeRemotePublication extends EventEmitter {
  constructor(
    readonly trackSid: string,
    readonly kind: "audio" | "video" | "data",
    public track: FakeRemoteTrack | null,
  ) {
    super();
  }
  get isSubscribed() {
    return this.track !== null;
  }
}

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
    this.tracks.set(trackSid, new FakeRemotePublication(trackSid, kind, subscribed ? track : null));
    return track;
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

export class FakeLocalParticipant extends EventEmitter {
  readonly sid = "PA-local";
  /** Resolves at once unless a test holds it with `holdPublication`. */
  readonly publishTrack = vi.fn(async (_track: FakeLocalDataTrack) => this.publication);
  publication: Promise<unknown> = Promise.resolve({});
  readonly microphone = new FakeLocalTrack("audio", "mic-track");
  readonly camera = new FakeLocalTrack("video", "cam-track");
  readonly audioTracks = new Map([["MT-a", { kind: "audio", track: this.microphone }]]);
  readonly videoTracks = new Map([["MT-v", { kind: "video", track: this.camera }]]);
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

  /** In the room before we connect. */
  present(participant: FakeRemoteParticipant): void {
    this.participants.set(participant.sid, participant);
    this.reemit(participant);
  }

  /** Joins later: `participantConnected`, then its track events come through the room. */
  join(participant: FakeRemoteParticipant): void {
    this.participants.set(participant.sid, participant);
    this.emit("participantConnected", participant);
    this.reemit(participant);
  }

  /** As twilio-video does: the participant's tracks are unsubscribed, then it is removed. */
  leave(participant: FakeRemoteParticipant): void {
    for (const publication of participant.tracks.values()) {
      if (publication.track) participant.unsubscribe(publication.track);
    }
    participant.state = "disconnected";
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

/** twilio-video's module: `connect`, and `LocalDataTrack` (each made is kept in `dataTracks`). */
export const dataTracks: FakeLocalDataTrack[] = [];
export function twilioModule(connect: TwilioConnect) {
  class LocalDataTrack extends FakeLocalDataTrack {
    constructor() {
      super();
      dataTracks.push(this);
    }
  }
  return { connect, LocalDataTrack } as unknown as TwilioVideoModule;
}

export function fakeConnect(room: FakeRoom) {
  const cancel = vi.fn();
  const connect = vi.fn<TwilioConnect>(() => Object.assign(Promise.resolve(room as unknown as Room), { cancel }));
  return { connect, cancel };
}

export async function join(room: FakeRoom, expectedParticipants = 2): Promise<{ session: VideoSession; connect: ReturnType<typeof fakeConnect>["connect"] }> {
  const { connect } = fakeConnect(room);
  const session = await connectTwilio(
    { token: tokenFor(room.localParticipant.identity), expectedParticipants, lowEndMobile: false },
    async () => twilioModule(connect),
  );
  return { session, connect };
}
