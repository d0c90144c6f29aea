// The participants and tracks handed to the UI, over twilio-video's.

import type {
  LocalAudioTrack,
  LocalParticipant as TwilioLocalParticipant,
  LocalVideoTrack,
  RemoteAudioTrack,
  RemoteDataTrack,
  RemoteParticipant as TwilioRemoteParticipant,
  RemoteTrack,
  RemoteVideoTrack,
} from "twilio-video";

import { SCREEN } from "../screen";

import type { LocalParticipant, MediaTrack, ParticipantRole, RemoteParticipant } from "../session";
import { toNetworkQualityLevel } from "../session";

export type LocalMediaTrack = LocalAudioTrack | LocalVideoTrack;
type TwilioMediaTrack = RemoteAudioTrack | RemoteVideoTrack | LocalMediaTrack;

export class TwilioTrack implements MediaTrack {
  readonly id: string;
  readonly #track: TwilioMediaTrack;
  readonly #mayPlay: () => boolean;

  /** `mayPlay`: false while attaching must do nothing (a remote track while held). */
  constructor(id: string, track: TwilioMediaTrack, mayPlay: () => boolean = () => true) {
    this.id = id;
    this.#track = track;
    this.#mayPlay = mayPlay;
  }

  get kind() {
    return this.#track.kind;
  }

  get isEnabled() {
    return this.#track.isEnabled;
  }

  /** A screen its sender shares: the track is named so (screen.ts). */
  get isScreen() {
    return this.#track.kind === "video" && this.#track.name === SCREEN;
  }

  attach(element: HTMLMediaElement): void {
    if (this.#mayPlay()) this.#track.attach(element);
  }

  detach(element?: HTMLMediaElement): void {
    if (element) this.#track.detach(element);
    else this.#track.detach();
  }
}

/** What both kinds of participant read from twilio-video's participant alike. */
abstract class TwilioParticipantView<P extends TwilioRemoteParticipant | TwilioLocalParticipant> {
  readonly role: ParticipantRole;
  readonly twilio: P;

  constructor(twilio: P, role: ParticipantRole) {
    this.twilio = twilio;
    this.role = role;
  }

  get sid() {
    return this.twilio.sid;
  }

  get identity() {
    return this.twilio.identity;
  }

  get networkQualityLevel() {
    return toNetworkQualityLevel(this.twilio.networkQualityLevel);
  }
}

export class TwilioRemote extends TwilioParticipantView<TwilioRemoteParticipant> implements RemoteParticipant {
  readonly isLocal = false as const;
  readonly #tracks = new Map<string, TwilioTrack>();
  /** Its data tracks we listen to, by SID: each value stops listening. */
  readonly #dataTracks = new Map<string, () => void>();
  readonly #held: () => boolean;

  constructor(twilio: TwilioRemoteParticipant, role: ParticipantRole, held: () => boolean) {
    super(twilio, role);
    this.#held = held;
  }


  get tracks(): readonly MediaTrack[] {
    return [...this.#tracks.values()];
  }

  /** The new view, or null for a data track or one already there. */
  add(track: RemoteTrack): TwilioTrack | null {
    if (track.kind === "data" || this.#tracks.has(track.sid)) return null;
    const view = new TwilioTrack(track.sid, track, () => !this.#held());
    this.#tracks.set(track.sid, view);
    return view;
  }

  /** Our view of the track `trackSid`, while we receive it. */
  track(trackSid: string): TwilioTrack | null {
    return this.#tracks.get(trackSid) ?? null;
  }

  remove(trackSid: string): TwilioTrack | null {
    const view = this.#tracks.get(trackSid) ?? null;
    this.#tracks.delete(trackSid);
    return view;
  }

  trackSids(): string[] {
    return [...this.#tracks.keys()];
  }

  /** The audio and video twilio-video has subscribed us to, shown to the UI or not. */
  subscribedMedia(): Array<RemoteAudioTrack | RemoteVideoTrack> {
    const tracks: Array<RemoteAudioTrack | RemoteVideoTrack> = [];
    for (const publication of this.twilio.tracks.values()) {
      const track = publication.isSubscribed ? publication.track : null;
      if (track && track.kind !== "data") tracks.push(track);
    }
    return tracks;
  }

  listenToData(track: RemoteDataTrack, onMessage: (text: string) => void): void {
    if (this.#dataTracks.has(track.sid)) return;
    const listener = (data: string | ArrayBuffer) => onMessage(typeof data === "string" ? data : new TextDecoder().decode(data));
    track.on("message", listener);
    this.#dataTracks.set(track.sid, () => track.removeListener("message", listener));
  }

  /** Stops listening to one data track, or to all of them. */
  stopListeningToData(trackSid?: string): void {
    for (const [sid, stop] of this.#dataTracks) {
      if (trackSid !== undefined && sid !== trackSid) continue;
      stop();
      this.#dataTracks.delete(sid);
    }
  }
}

export class TwilioLocal extends TwilioParticipantView<TwilioLocalParticipant> implements LocalParticipant {
  readonly isLocal = true as const;
  readonly #views = new WeakMap<LocalMediaTrack, TwilioTrack>();


  get microphoneEnabled() {
    return this.audioTracks().some((track) => track.isEnabled);
  }

  get cameraEnabled() {
    return this.videoTracks().some((track) => track.isEnabled);
  }

  get tracks(): readonly MediaTrack[] {
    return this.mediaTracks().map((track) => {
      let view = this.#views.get(track);
      if (!view) {
        view = new TwilioTrack(track.id, track);
        this.#views.set(track, view);
      }
      return view;
    });
  }

  audioTracks(): LocalAudioTrack[] {
    return [...this.twilio.audioTracks.values()].map((publication) => publication.track);
  }

  /** The camera: a shared screen (named so) is not one. */
  videoTracks(): LocalVideoTrack[] {
    return [...this.twilio.videoTracks.values()].map((publication) => publication.track).filter((track) => track.name !== SCREEN);
  }

  /** The published microphone and camera. */
  mediaTracks(): LocalMediaTrack[] {
    return [...this.audioTracks(), ...this.videoTracks()];
  }
}
