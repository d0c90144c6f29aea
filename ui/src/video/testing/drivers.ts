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
  FakeRemoteParticipant,
  type FakeRemoteTrack,
  FakeRoom,
  FakeTwilioError,
  dataTracks,
  fakeConnect,
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
};

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
  /** Our connection drops (`reconnecting`), then comes back. */
  drop(): void;
  restore(): void;
  /** The room is closed under us. */
  closeRoom(): void;
}

export type Backend = { name: string; driver: () => CallDriver };

// ---------------------------------------------------------------------------------------------

class TwilioDriver implements CallDriver {
  readonly #room = new FakeRoom(ME);
  readonly #people = new Map<string, FakeRemoteParticipant>();
  #dataTrack: FakeLocalDataTrack | null = null;

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
    const session = await this.#connect(fakeConnect(this.#room).connect);
    this.#dataTrack = dataTracks.at(-1) ?? null;
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
    const publication = [...this.#person(identity).tracks.values()].find((p) => p.kind === kind);
    publication!.track!.isEnabled = false;
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

  drop(): void {
    this.#room.emit("reconnecting", new FakeTwilioError(53001, "Signaling connection disconnected"));
  }

  restore(): void {
    this.#room.emit("reconnected");
  }

  closeRoom(): void {
    this.#room.emit("disconnected", this.#room, new FakeTwilioError(53118, "Room completed"));
  }

  #connect(connect: TwilioConnect, signal?: AbortSignal): Promise<VideoSession> {
    const connectOptions = { token: tokenFor(ME), expectedParticipants: 3, lowEndMobile: false, providerIdentity: PROVIDER, signal };
    return connectTwilio(connectOptions, async () => twilioModule(connect));
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
    const session = await connectJanus(this.#h.config, options({ expectedParticipants: 3, providerIdentity: PROVIDER }));
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
    this.#h.room.hold.add("join");
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

  drop(): void {
    this.#h.room.publisher.options.iceState!("disconnected");
  }

  restore(): void {
    this.#h.room.publisher.options.iceState!("connected");
  }

  closeRoom(): void {
    this.#h.room.publisher.message({ videoroom: "destroyed", room: ROOM });
  }

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
