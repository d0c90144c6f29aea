// The participants and tracks a Janus call hands the UI. A participant is a VideoRoom participant
// id: `sid` is that id as text, `identity` its display.

import type { LocalParticipant, MediaKind, MediaTrack, NetworkQualityLevel, ParticipantRole, RemoteParticipant } from "../session";
import { SCREEN_DESCRIPTIONS, STREAM_DESCRIPTIONS, arrayOf, textOf } from "./messages";
import type { PublisherStreamInfo } from "./janusjs";

/** What the call sends: always a microphone; a camera only when joined with one. */
export type Captured = { microphone: MediaStreamTrack; camera: MediaStreamTrack | null };

/** Shows `track` in `element` (as its only stream); remembers the element for `detach`. */
class ElementBinding {
  readonly #elements = new Set<HTMLMediaElement>();

  attach(element: HTMLMediaElement, track: MediaStreamTrack): void {
    element.autoplay = true;
    if ("playsInline" in element) (element as HTMLVideoElement).playsInline = true;
    element.srcObject = new MediaStream([track]);
    this.#elements.add(element);
  }

  detach(element?: HTMLMediaElement): void {
    const elements = element ? [element].filter((e) => this.#elements.has(e)) : [...this.#elements];
    for (const each of elements) {
      each.srcObject = null;
      this.#elements.delete(each);
    }
  }

  /** Points every attached element at `track` (a switched camera or microphone). */
  retarget(track: MediaStreamTrack): void {
    for (const element of this.#elements) element.srcObject = new MediaStream([track]);
  }
}

/** A MediaStreamTrack shown through an `ElementBinding`. */
abstract class BoundTrack implements MediaTrack {
  abstract readonly id: string;
  abstract readonly kind: MediaKind;
  abstract readonly track: MediaStreamTrack;
  abstract get isEnabled(): boolean;
  protected readonly binding = new ElementBinding();

  attach(element: HTMLMediaElement): void {
    this.binding.attach(element, this.track);
  }

  detach(element?: HTMLMediaElement): void {
    this.binding.detach(element);
  }
}

export class JanusRemoteTrack extends BoundTrack {
  readonly id: string;
  readonly kind: MediaKind;
  /** The subscriber mid it arrives on, and the sender's own mid for it. */
  readonly mid: string;
  readonly feedMid: string;
  readonly track: MediaStreamTrack;
  readonly #owner: JanusRemote;

  constructor(id: string, kind: MediaKind, mid: string, feedMid: string, track: MediaStreamTrack, owner: JanusRemote) {
    super();
    this.id = id;
    this.kind = kind;
    this.mid = mid;
    this.feedMid = feedMid;
    this.track = track;
    this.#owner = owner;
  }

  /** False while the sender has it turned off (its VideoRoom stream description says so). */
  get isEnabled() {
    return this.track.readyState !== "ended" && !this.#owner.offMids.has(this.feedMid);
  }

  get isScreen() {
    return this.#owner.screenMids.has(this.feedMid);
  }
}

export class JanusLocalTrack extends BoundTrack {
  readonly id: string;
  readonly kind: MediaKind;
  track: MediaStreamTrack;

  constructor(track: MediaStreamTrack) {
    super();
    this.id = track.id;
    this.kind = track.kind === "audio" ? "audio" : "video";
    this.track = track;
  }

  get isEnabled() {
    return this.track.enabled && this.track.readyState !== "ended";
  }

  replace(track: MediaStreamTrack): void {
    this.track = track;
    this.binding.retarget(track);
  }
}

export class JanusRemote implements RemoteParticipant {
  readonly isLocal = false as const;
  readonly feedId: number;
  readonly identity: string;
  readonly role: ParticipantRole;
  networkQualityLevel: NetworkQualityLevel | null = null;
  /** The publisher mids it publishes now (audio and video only; none while not publishing). */
  publishedMids = new Set<string>();
  /** Those of them it has turned off. */
  offMids = new Set<string>();
  /** Those that carry a shared screen. */
  screenMids = new Set<string>();
  /** Whether it publishes a data channel. */
  publishesData = false;
  /** Our views of its tracks, by the subscriber mid each arrives on. */
  readonly viewsByMid = new Map<string, JanusRemoteTrack>();
  /** A proven clinician's: the proof checked, and the participant ids their call lets in. */
  readonly proof: string | null;
  admits: ReadonlySet<string> = new Set();

  constructor(feedId: number, identity: string, role: ParticipantRole, proof: string | null = null) {
    this.feedId = feedId;
    this.identity = identity;
    this.role = role;
    this.proof = proof;
  }

  get sid() {
    return String(this.feedId);
  }

  get tracks(): readonly MediaTrack[] {
    return [...this.viewsByMid.values()];
  }

  get publishing() {
    return this.publishedMids.size > 0 || this.publishesData;
  }

  /** What it publishes now, from a VideoRoom `publishers` entry's `streams`. */
  publishes(streams: unknown): void {
    this.publishedMids = new Set();
    this.offMids = new Set();
    this.screenMids = new Set();
    this.publishesData = false;
    for (const raw of arrayOf(streams)) {
      const stream = raw as PublisherStreamInfo;
      const mid = textOf(stream.mid);
      if (mid === null || stream.disabled === true) continue;
      if (stream.type === "audio" || stream.type === "video") {
        this.publishedMids.add(mid);
        const screen = stream.type === "video" && (stream.description === SCREEN_DESCRIPTIONS.on || stream.description === SCREEN_DESCRIPTIONS.off);
        if (screen) this.screenMids.add(mid);
        if (stream.description === STREAM_DESCRIPTIONS[stream.type].off || stream.description === SCREEN_DESCRIPTIONS.off) this.offMids.add(mid);
      } else if (stream.type === "data") this.publishesData = true;
    }
  }

  /** It stopped publishing (what it had turned off is remembered). */
  unpublished(): void {
    this.publishedMids = new Set();
    this.publishesData = false;
  }
}

export class JanusLocal implements LocalParticipant {
  readonly isLocal = true as const;
  readonly sid: string;
  readonly identity: string;
  readonly role: ParticipantRole;
  networkQualityLevel: NetworkQualityLevel | null = null;
  /** Null while held (nothing captured). */
  microphone: JanusLocalTrack | null = null;
  /** Null while held, or when the call was joined without a camera. */
  camera: JanusLocalTrack | null = null;

  constructor(sid: string, identity: string, role: ParticipantRole, captured: Captured | null) {
    this.sid = sid;
    this.identity = identity;
    this.role = role;
    if (captured) this.useCapture(captured);
  }

  /** The tracks we send now (connected, or released from a hold). */
  useCapture({ microphone, camera }: Captured): void {
    this.microphone = new JanusLocalTrack(microphone);
    this.camera = camera ? new JanusLocalTrack(camera) : null;
  }

  /** Held: nothing captured any more. */
  dropCapture(): void {
    this.microphone = null;
    this.camera = null;
  }

  get microphoneEnabled() {
    return this.microphone?.isEnabled ?? false;
  }

  get cameraEnabled() {
    return this.camera?.isEnabled ?? false;
  }

  get tracks(): readonly MediaTrack[] {
    return [this.microphone, this.camera].filter((track) => track !== null);
  }
}
