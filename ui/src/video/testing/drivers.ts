// One call, driven the same way on either adapter's fakes (twilioFakes.ts, janusFakes.ts), for
// the conformance suite (../conformance.test.ts): others join, send, talk, mute and leave the
// way each backend reports it, and the connection drops or the room closes.

import type { Room } from "twilio-video";
import { vi } from "vitest";

import { connectJanus } from "../janus";
import type { MediaKind, VideoSession } from "../session";
import { connectTwilio, type TwilioConnect } from "../twilio";
import { EXPIRED_ROOM_TOKEN, type Harness, ROOM, harness, options, settle } from "./janusFakes";
import {
  type FakeLocalDataTrack,
  type FakeLocalTrack,
  FakeRemoteParticipant,
  type FakeRemoteTrack,
  FakeRoom,
  FakeTwilioError,
  dataTracks,
  fakeConnect,
  fakeCreateLocalTracks,
  tokenFor,
  twilioModule,
} from "./twilioFakes";

/** Us, a patient; the provider is named in the connect options. */
export const ME = "patient-kqzmtrwx";
export const PROVIDER = "dr-ana-ruiz";

export type CallSetup = {
  /** In the room before we connect, sending a microphone, a camera and texts. */
  sending?: string[];
  /** In the room before we connect, sending nothing yet. */
  quiet?: string[];
  /** False: we join with the microphone only. */
  withCamera?: boolean;
  /** True: we connect held (the waiting room). */
  held?: boolean;
};

/** What the `held` conformance cases read back; a driver without it has those cases skipped. */
export interface HeldProbe {
  /** How many times the camera or microphone was asked for. */
  captures(): number;
  /** How many of the tracks captured so far are still live (not stopped). */
  liveCaptures(): number;
  /** The kinds of media we publish now, as the backend sees it. */
  publishing(): MediaKind[];
  /** Whom we receive media from now (or have asked to), by identity. */
  receivingFrom(): string[];
  /** The next capture is refused: NotAllowedError "Permission denied". */
  refuseNextCapture(): void;
}

export interface CallDriver {
  /** Connected, with every answer the backend owed by then handled. */
  connect(setup?: CallSetup): Promise<VideoSession>;
  /** A connect the backend refuses: the room token has expired. */
  connectWithExpiredToken(): Promise<VideoSession>;
  /** A connect that fails because the camera and microphone are refused. */
  connectWithoutPermission(): Promise<VideoSession>;
  /** A connect the backend does not finish until the test aborts `signal`. */
  connectUnfinished(signal: AbortSignal): Promise<VideoSession>;
  /** Joins, sending nothing yet. */
  join(identity: string): Promise<void>;
  /** Joins already sending. */
  arrive(identity: string): Promise<void>;
  /** Someone already in the room starts sending. */
  publish(identity: string): Promise<void>;
  /** Leaves the way the backend reports it: its tracks go first. */
  leave(identity: string): Promise<void>;
  /** Leaves with nothing said about its tracks. */
  vanish(identity: string): Promise<void>;
  /** Turns its microphone or camera off. */
  mute(identity: string, kind: MediaKind): Promise<void>;
  /** The backend names `identity` the dominant speaker. */
  speak(identity: string): Promise<void>;
  /** `identity` sends `text` to everyone. */
  say(identity: string, text: string): Promise<void>;
  /** What we sent, as the backend got it. */
  sent(): Promise<string[]>;
  /** Whether a camera was asked for (capture) or video offered to the backend. */
  videoAsked(): boolean;
  /** Our connection drops (`reconnecting`), then comes back. */
  drop(): void;
  restore(): void;
  /** The room is closed under us. */
  closeRoom(): void;
  readonly held?: HeldProbe;
}

export type Backend = { name: string; driver: () => CallDriver };

// ---------------------------------------------------------------------------------------------

class TwilioDriver implements CallDriver {
  readonly #room = new FakeRoom(ME);
  readonly #people = new Map<string, FakeRemoteParticipant>();
  readonly #connects: Array<ReturnType<typeof vi.fn<TwilioConnect>>> = [];
  /** `release()`'s capture; connect's own is the room's microphone and camera. */
  readonly #createLocalTracks = fakeCreateLocalTracks();
  #dataTrack: FakeLocalDataTrack | null = null;
  #session: VideoSession | null = null;

  constructor() {
    // As twilio-video does: leaving is reported by the room's `disconnected`.
    this.#room.disconnect.mockImplementation(() => {
      this.#room.emit("disconnected", this.#room);
      return this.#room;
    });
  }

  async connect(setup: CallSetup = {}): Promise<VideoSession> {
    for (const identity of setup.sending ?? []) {
      const person = this.#person(identity);
      this.#sends(person, true);
      this.#room.present(person);
    }
    for (const identity of setup.quiet ?? []) this.#room.present(this.#person(identity));
    const session = await this.#connect(fakeConnect(this.#room).connect, undefined, setup.withCamera, setup.held);
    this.#dataTrack = dataTracks.at(-1) ?? null;
    this.#session = session;
    await settle();
    return session;
  }

  connectWithExpiredToken(): Promise<VideoSession> {
    const refused = () => Object.assign(Promise.reject(new FakeTwilioError(20104, "Access Token expired")), { cancel: vi.fn() });
    return this.#connect(vi.fn<TwilioConnect>(refused));
  }

  connectWithoutPermission(): Promise<VideoSession> {
    const refused = () => Object.assign(Promise.reject(new DOMException("Permission denied", "NotAllowedError")), { cancel: vi.fn() });
    return this.#connect(vi.fn<TwilioConnect>(refused));
  }

  connectUnfinished(signal: AbortSignal): Promise<VideoSession> {
    let reject: (error: unknown) => void = () => {};
    const cancel = vi.fn(() => reject(new Error("Canceled")));
    return this.#connect(vi.fn<TwilioConnect>(() => Object.assign(new Promise<Room>((_, r) => (reject = r)), { cancel })), signal);
  }

  async join(identity: string): Promise<void> {
    this.#room.join(this.#person(identity));
  }

  async arrive(identity: string): Promise<void> {
    const person = this.#person(identity);
    this.#sends(person, true);
    this.#room.join(person);
  }

  async publish(identity: string): Promise<void> {
    const person = this.#person(identity);
    for (const track of this.#sends(person, false)) person.subscribe(track);
  }

  async leave(identity: string): Promise<void> {
    this.#room.leave(this.#person(identity));
  }

  async vanish(identity: string): Promise<void> {
    const person = this.#person(identity);
    this.#room.participants.delete(person.sid);
    this.#room.emit("participantDisconnected", person);
  }

  async mute(identity: string, kind: MediaKind): Promise<void> {
    const person = this.#person(identity);
    const publication = [...person.tracks.values()].find((p) => p.kind === kind);
    publication!.track!.isEnabled = false;
    // As twilio-video does: the participant reports the track it disabled.
    person.emit("trackDisabled", publication!.track);
  }

  async speak(identity: string): Promise<void> {
    this.#room.emit("dominantSpeakerChanged", this.#person(identity));
  }

  async say(identity: string, text: string): Promise<void> {
    const data = [...this.#person(identity).tracks.values()].find((p) => p.kind === "data")!.track!;
    data.emit("message", text, data);
  }

  async sent(): Promise<string[]> {
    await settle();
    return [...(this.#dataTrack?.sent ?? [])];
  }

  videoAsked(): boolean {
    const atConnect = this.#connectOptions().some((options) => !options.tracks && options.video !== false);
    return atConnect || this.#createLocalTracks.mock.calls.some(([options]) => options.video !== false);
  }

  readonly held: HeldProbe = {
    captures: () => this.#connectCaptures().length + this.#createLocalTracks.mock.calls.length,
    liveCaptures: () => [...this.#connectCaptures().flat(), ...this.#createLocalTracks.made.flat()].filter((track) => !track.isStopped).length,
    publishing: () => {
      const { audioTracks, videoTracks } = this.#room.localParticipant;
      return [...(audioTracks.size > 0 ? ["audio" as const] : []), ...(videoTracks.size > 0 ? ["video" as const] : [])];
    },
    // twilio-video subscribes us to everyone's audio and cannot switch it off, so audio is left
    // out: while held it still arrives, unplayed, as the session shows and attaches none of it.
    receivingFrom: () => {
      const from = new Set([...(this.#session?.remoteParticipants.values() ?? [])].filter((p) => p.tracks.length > 0).map((p) => p.identity));
      for (const person of this.#room.participants.values()) {
        const videoOn = [...person.tracks.values()].some((p) => p.kind === "video" && p.track !== null && !p.track.isSwitchedOff);
        if (videoOn) from.add(person.identity);
      }
      return [...from];
    },
    // The next `release()`'s; connect's own capture is refused by `connectWithoutPermission`.
    refuseNextCapture: () => {
      this.#createLocalTracks.mockRejectedValueOnce(new DOMException("Permission denied", "NotAllowedError"));
    },
  };

  drop(): void {
    this.#room.emit("reconnecting", new FakeTwilioError(53001, "Signaling connection disconnected"));
  }

  restore(): void {
    this.#room.emit("reconnected");
  }

  closeRoom(): void {
    this.#room.emit("disconnected", this.#room, new FakeTwilioError(53118, "Room completed"));
  }

  #connect(connect: ReturnType<typeof vi.fn<TwilioConnect>>, signal?: AbortSignal, withCamera?: boolean, held?: boolean): Promise<VideoSession> {
    this.#connects.push(connect);
    const connectOptions = { token: tokenFor(ME), expectedParticipants: 3, lowEndMobile: false, providerIdentity: PROVIDER, signal, withCamera, held };
    return connectTwilio(connectOptions, async () => twilioModule(connect, this.#createLocalTracks));
  }

  #connectOptions() {
    return this.#connects.flatMap((connect) => connect.mock.calls.map(([, options]) => options));
  }

  /** What each connect captured: nothing when given `tracks`, as twilio-video does. */
  #connectCaptures(): FakeLocalTrack[][] {
    const { microphone, camera } = this.#room.localParticipant;
    return this.#connectOptions()
      .filter((options) => !options.tracks && (options.audio !== false || options.video !== false))
      .map((options) => [...(options.audio !== false ? [microphone] : []), ...(options.video !== false ? [camera] : [])]);
  }

  #person(identity: string): FakeRemoteParticipant {
    let person = this.#people.get(identity);
    if (!person) {
      person = new FakeRemoteParticipant(`PA-${identity}`, identity);
      this.#people.set(identity, person);
    }
    return person;
  }

  /** Publishes its microphone, camera and data track, subscribed at once or not yet. */
  #sends(person: FakeRemoteParticipant, subscribed: boolean): FakeRemoteTrack[] {
    return (["audio", "video", "data"] as const).map((kind) => person.publish(kind, `${person.sid}-${kind}`, subscribed));
  }
}

// ---------------------------------------------------------------------------------------------

class JanusDriver implements CallDriver {
  readonly #h: Harness = harness();
  readonly #ids = new Map<string, number>();

  async connect(setup: CallSetup = {}): Promise<VideoSession> {
    for (const identity of setup.sending ?? []) this.#h.room.addPublisher(this.#id(identity), identity);
    for (const identity of setup.quiet ?? []) this.#h.room.attendees.push({ id: this.#id(identity), display: identity });
    const { withCamera, held } = setup;
    const session = await connectJanus(this.#h.config, options({ expectedParticipants: 3, providerIdentity: PROVIDER, withCamera, held }));
    await settle();
    return session;
  }

  connectWithExpiredToken(): Promise<VideoSession> {
    this.#h.room.joinError = { error_code: 433, error: "Unauthorized (wrong token)" };
    return connectJanus(this.#h.config, options({ token: EXPIRED_ROOM_TOKEN, providerIdentity: PROVIDER }));
  }

  connectWithoutPermission(): Promise<VideoSession> {
    this.#h.getUserMedia.mockRejectedValueOnce(new DOMException("Permission denied", "NotAllowedError"));
    return connectJanus(this.#h.config, options({ providerIdentity: PROVIDER }));
  }

  connectUnfinished(signal: AbortSignal): Promise<VideoSession> {
    this.#h.room.unanswered.add("join");
    return connectJanus(this.#h.config, options({ providerIdentity: PROVIDER, signal }));
  }

  async join(identity: string): Promise<void> {
    this.#h.room.join(this.#id(identity), identity);
    await settle();
  }

  async arrive(identity: string): Promise<void> {
    this.#h.room.publish(this.#id(identity), identity);
    await settle();
  }

  async publish(identity: string): Promise<void> {
    await this.arrive(identity);
  }

  async leave(identity: string): Promise<void> {
    const id = this.#id(identity);
    this.#h.room.unpublish(id);
    this.#h.room.subscriberLoses(id);
    this.#h.room.leave(id);
    await settle();
  }

  async vanish(identity: string): Promise<void> {
    this.#h.room.leave(this.#id(identity));
    await settle();
  }

  async mute(identity: string, kind: MediaKind): Promise<void> {
    const publisher = this.#h.room.publishers.find((p) => p.id === this.#id(identity))!;
    const off = kind === "audio" ? "microphone off" : "camera off";
    publisher.streams = publisher.streams.map((s) => (s.type === kind ? { ...s, description: off } : s));
    this.#h.room.publisher.message({ videoroom: "event", room: ROOM, publishers: [publisher] });
    await settle();
  }

  async speak(identity: string): Promise<void> {
    this.#h.room.publisher.message({ videoroom: "talking", room: ROOM, id: this.#id(identity) });
  }

  async say(identity: string, text: string): Promise<void> {
    this.#h.room.subscriber!.options.ondata?.(text, String(this.#id(identity)));
  }

  async sent(): Promise<string[]> {
    await settle();
    return this.#h.room.publisher.data.mock.calls.map(([params]) => params.text);
  }

  videoAsked(): boolean {
    const captured = this.#h.getUserMedia.mock.calls.some(([constraints]) => constraints.video);
    const offered = this.#h.room.handles.some((handle) => handle.createOffer.mock.calls.some(([params]) => params.tracks.some((t) => t.type === "video")));
    return captured || offered;
  }

  drop(): void {
    this.#h.room.publisher.options.iceState!("disconnected");
  }

  restore(): void {
    this.#h.room.publisher.options.iceState!("connected");
  }

  closeRoom(): void {
    this.#h.room.publisher.message({ videoroom: "destroyed", room: ROOM });
  }

  readonly held: HeldProbe = {
    captures: () => this.#h.getUserMedia.mock.calls.length,
    liveCaptures: () => this.#h.captured.filter((track) => track.readyState === "live").length,
    publishing: () => {
      const publisher = this.#h.room.publisher;
      const published = publisher.pcOpen && publisher.requests("publish").length > publisher.requests("unpublish").length;
      return published ? publisher.pc.offered.filter((kind) => kind !== "data") : [];
    },
    receivingFrom: () => {
      const feeds = new Set(this.#h.room.subscriber ? this.#h.room.subStreams.filter((s) => s.active && s.feed_id).map((s) => s.feed_id) : []);
      return [...this.#ids].filter(([, id]) => feeds.has(id)).map(([identity]) => identity);
    },
    refuseNextCapture: () => {
      this.#h.getUserMedia.mockRejectedValueOnce(new DOMException("Permission denied", "NotAllowedError"));
    },
  };

  #id(identity: string): number {
    let id = this.#ids.get(identity);
    if (id === undefined) {
      id = 201 + this.#ids.size;
      this.#ids.set(identity, id);
    }
    return id;
  }
}

export const BACKENDS: Backend[] = [
  { name: "twilio", driver: () => new TwilioDriver() },
  { name: "janus", driver: () => new JanusDriver() },
];
