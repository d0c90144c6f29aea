// `VideoSession` over twilio-video, which is loaded only when a call starts.

import type {
  ConnectOptions,
  LocalAudioTrack,
  LocalDataTrack,
  LocalParticipant as TwilioLocalParticipant,
  LocalVideoTrack,
  NetworkQualityLevel as TwilioNetworkQualityLevel,
  RemoteAudioTrack,
  RemoteDataTrack,
  RemoteParticipant as TwilioRemoteParticipant,
  RemoteTrack,
  RemoteTrackPublication,
  RemoteVideoTrack,
  Room,
  TwilioError,
} from "twilio-video";

import { SessionBase, abortReason, libraryNotLoaded, mediaErrorKind, messageOf, providerIdentityOf, throwIfAborted } from "./adapter";
import { type CallSettings, callSettings, cameraCapture, twilioOptionsFor } from "./callSettings";
import {
  type EndKind,
  type EndReason,
  type LocalParticipant,
  type MediaTrack,
  type ParticipantRole,
  type RemoteParticipant,
  type VideoBackend,
  type VideoConnectOptions,
  type VideoSession,
  VideoSessionError,
  identityFromToken,
  roleOf,
  toNetworkQualityLevel,
} from "./session";

/** twilio-video's `connect`, or a fake of it. */
export type TwilioConnect = (token: string, options: ConnectOptions) => Promise<Room> & { cancel?: () => void };
export type TwilioVideoModule = { connect: TwilioConnect; LocalDataTrack: new () => LocalDataTrack };
export type LoadTwilioVideo = () => Promise<TwilioVideoModule>;

export const loadTwilioVideo: LoadTwilioVideo = () => import("twilio-video");

const KIND_BY_CODE: Record<number, EndKind> = {
  20104: "token_expired",
  53105: "room_full",
  53118: "room_completed",
  53205: "duplicate_identity",
  53000: "network",
  53001: "network",
  53002: "network",
  53405: "network",
  53407: "network",
};

/** A TwilioError (by code) or a getUserMedia error (by name) as an `EndReason`. */
export function problemOf(error: unknown): EndReason {
  const { code } = (error ?? {}) as { code?: unknown };
  const text = messageOf(error);
  const domKind = mediaErrorKind(error);
  if (domKind) return { kind: domKind, code: null, message: text };
  // Twilio's codes have five digits; a DOMException's legacy `code` is small and means nothing here.
  if (typeof code === "number" && code >= 10000) {
    const tokenProblem = code > 20100 && code < 20200 ? "token_invalid" : "other";
    return { kind: KIND_BY_CODE[code] ?? tokenProblem, code, message: text };
  }
  return { kind: "other", code: null, message: text ?? (error === undefined || error === null ? null : String(error)) };
}

/** Room's `disconnected`: no error means this side left. */
export function endReasonOf(error: TwilioError | null | undefined): EndReason {
  return error ? problemOf(error) : { kind: "left", code: null, message: null };
}

type TwilioMediaTrack = RemoteAudioTrack | RemoteVideoTrack | LocalAudioTrack | LocalVideoTrack;

class TwilioTrack implements MediaTrack {
  readonly id: string;
  readonly #track: TwilioMediaTrack;

  constructor(id: string, track: TwilioMediaTrack) {
    this.id = id;
    this.#track = track;
  }

  get kind() {
    return this.#track.kind;
  }

  get isEnabled() {
    return this.#track.isEnabled;
  }

  attach(element: HTMLMediaElement): void {
    this.#track.attach(element);
  }

  detach(element?: HTMLMediaElement): void {
    if (element) this.#track.detach(element);
    else this.#track.detach();
  }
}

class TwilioRemote implements RemoteParticipant {
  readonly isLocal = false as const;
  readonly role: ParticipantRole;
  readonly twilio: TwilioRemoteParticipant;
  readonly #tracks = new Map<string, TwilioTrack>();
  /** Its data tracks we listen to, by SID: each value stops listening. */
  readonly #dataTracks = new Map<string, () => void>();

  constructor(twilio: TwilioRemoteParticipant, role: ParticipantRole) {
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

  get tracks(): readonly MediaTrack[] {
    return [...this.#tracks.values()];
  }

  /** The new view, or null for a data track or one already held. */
  add(track: RemoteTrack): TwilioTrack | null {
    if (track.kind === "data" || this.#tracks.has(track.sid)) return null;
    const view = new TwilioTrack(track.sid, track);
    this.#tracks.set(track.sid, view);
    return view;
  }

  remove(trackSid: string): TwilioTrack | null {
    const view = this.#tracks.get(trackSid) ?? null;
    this.#tracks.delete(trackSid);
    return view;
  }

  trackSids(): string[] {
    return [...this.#tracks.keys()];
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

class TwilioLocal implements LocalParticipant {
  readonly isLocal = true as const;
  readonly role: ParticipantRole;
  readonly twilio: TwilioLocalParticipant;
  readonly #views = new WeakMap<LocalAudioTrack | LocalVideoTrack, TwilioTrack>();

  constructor(twilio: TwilioLocalParticipant, role: ParticipantRole) {
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

  get microphoneEnabled() {
    return this.audioTracks().some((track) => track.isEnabled);
  }

  get cameraEnabled() {
    return this.videoTracks().some((track) => track.isEnabled);
  }

  get tracks(): readonly MediaTrack[] {
    return [...this.audioTracks(), ...this.videoTracks()].map((track) => {
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

  videoTracks(): LocalVideoTrack[] {
    return [...this.twilio.videoTracks.values()].map((publication) => publication.track);
  }
}

/** A connected Room as a `VideoSession`. */
export class TwilioSession extends SessionBase<TwilioRemote> implements VideoSession {
  readonly localParticipant: TwilioLocal;
  readonly #room: Room;
  readonly #settings: CallSettings;
  readonly #providerIdentity: string | null;
  readonly #unlisten = new Map<string, () => void>();
  readonly #unlistenRoom: Array<() => void> = [];
  readonly #dataTrack: LocalDataTrack;
  /** Messages sent before the data track is published. */
  #unsent: string[] = [];
  #dataTrackState: "publishing" | "published" | "failed" = "publishing";
  /** Whether the constructor is done: what it finds in the room is not announced. */
  #constructed = false;

  constructor(room: Room, settings: CallSettings, providerIdentity: string | null, dataTrack: LocalDataTrack) {
    super();
    this.#room = room;
    this.#settings = settings;
    this.#providerIdentity = providerIdentity;
    this.#dataTrack = dataTrack;
    const local = room.localParticipant;
    this.localParticipant = new TwilioLocal(local, roleOf(local.identity, providerIdentity));

    for (const participant of room.participants.values()) {
      const view = this.#addRemote(participant);
      for (const publication of participant.tracks.values()) {
        if (publication.isSubscribed && publication.track) this.#hold(view, publication.track);
      }
    }
    this.#publishDataTrack();
    this.setDominantSpeaker(room.dominantSpeaker ? (this.remotes.get(room.dominantSpeaker.sid) ?? null) : null);

    const onLocalQuality = (level: TwilioNetworkQualityLevel) => this.#qualityChanged(this.localParticipant, level);
    local.on("networkQualityLevelChanged", onLocalQuality);
    this.#unlistenRoom.push(() => local.removeListener("networkQualityLevelChanged", onLocalQuality));
    this.#listenToRoom();
    this.#constructed = true;
  }

  protected override get announcing(): boolean {
    return this.#constructed;
  }

  setMicrophoneEnabled(enabled: boolean): void {
    for (const track of this.localParticipant.audioTracks()) {
      if (enabled) track.enable();
      else track.disable();
    }
  }

  setCameraEnabled(enabled: boolean): void {
    for (const track of this.localParticipant.videoTracks()) {
      if (enabled) track.enable();
      else track.disable();
    }
  }

  async switchCamera(deviceId: string): Promise<void> {
    const constraints = cameraCapture(this.#settings, deviceId);
    await this.#restart(this.localParticipant.videoTracks(), constraints, "No camera is being sent.");
  }

  async switchMicrophone(deviceId: string): Promise<void> {
    await this.#restart(this.localParticipant.audioTracks(), { deviceId: { exact: deviceId } }, "No microphone is being sent.");
  }

  sendMessage(text: string): void {
    if (this.state === "disconnected" || this.#dataTrackState === "failed") return;
    if (this.#dataTrackState === "publishing") this.#unsent.push(text);
    else this.#dataTrack.send(text);
  }

  disconnect(): void {
    if (this.state !== "disconnected") this.#room.disconnect();
  }

  /** Messages wait for the publication: a data track drops what it sends before. */
  #publishDataTrack() {
    this.#room.localParticipant.publishTrack(this.#dataTrack).then(
      () => {
        this.#dataTrackState = "published";
        const unsent = this.#unsent.splice(0);
        if (this.state === "disconnected") return;
        for (const text of unsent) this.#dataTrack.send(text);
      },
      () => {
        // The call goes on without messages.
        this.#dataTrackState = "failed";
        this.#unsent = [];
      },
    );
  }

  /** A subscribed track: media held for the UI, data listened to for messages. */
  #hold(view: TwilioRemote, track: RemoteTrack): TwilioTrack | null {
    if (track.kind === "data") {
      view.listenToData(track, (text) => this.emitter.emit("messageReceived", text, view));
      return null;
    }
    return view.add(track);
  }

  async #restart(tracks: Array<LocalAudioTrack | LocalVideoTrack>, constraints: MediaTrackConstraints, none: string) {
    if (tracks.length === 0) throw new VideoSessionError({ kind: "media_unavailable", code: null, message: none });
    try {
      await Promise.all(tracks.map((track) => track.restart(constraints)));
    } catch (error) {
      throw new VideoSessionError(problemOf(error), { cause: error });
    }
  }

  #addRemote(participant: TwilioRemoteParticipant): TwilioRemote {
    const view = new TwilioRemote(participant, roleOf(participant.identity, this.#providerIdentity));
    this.remotes.set(participant.sid, view);
    const onQuality = (level: TwilioNetworkQualityLevel) => this.#qualityChanged(view, level);
    participant.on("networkQualityLevelChanged", onQuality);
    this.#unlisten.set(participant.sid, () => participant.removeListener("networkQualityLevelChanged", onQuality));
    return view;
  }

  #qualityChanged(participant: TwilioLocal | TwilioRemote, level: TwilioNetworkQualityLevel) {
    const mapped = toNetworkQualityLevel(level);
    if (mapped !== null) this.emitter.emit("networkQualityChanged", participant, mapped);
  }

  #subscribed(view: TwilioRemote, track: RemoteTrack) {
    const added = this.#hold(view, track);
    if (added) this.emitter.emit("trackSubscribed", added, view);
  }

  #unsubscribed(view: TwilioRemote, trackSid: string) {
    const removed = view.remove(trackSid);
    if (removed) this.emitter.emit("trackUnsubscribed", removed, view);
  }

  #listenToRoom() {
    const room = this.#room;

    const participantConnected = (participant: TwilioRemoteParticipant) => {
      if (this.remotes.has(participant.sid)) return;
      const view = this.#addRemote(participant);
      this.emitter.emit("participantJoined", view);
      for (const publication of participant.tracks.values()) {
        if (publication.isSubscribed && publication.track) this.#subscribed(view, publication.track);
      }
    };

    const participantDisconnected = (participant: TwilioRemoteParticipant) => {
      const view = this.remotes.get(participant.sid);
      if (!view) return;
      for (const trackSid of view.trackSids()) this.#unsubscribed(view, trackSid);
      view.stopListeningToData();
      this.#unlisten.get(participant.sid)?.();
      this.#unlisten.delete(participant.sid);
      this.removeRemote(view);
    };

    const trackSubscribed = (track: RemoteTrack, _publication: RemoteTrackPublication, participant: TwilioRemoteParticipant) => {
      const view = this.remotes.get(participant.sid);
      if (view) this.#subscribed(view, track);
    };

    const trackUnsubscribed = (track: RemoteTrack, _publication: RemoteTrackPublication, participant: TwilioRemoteParticipant) => {
      const view = this.remotes.get(participant.sid);
      if (view) this.#unsubscribed(view, track.sid);
      view?.stopListeningToData(track.sid);
    };

    const dominantSpeakerChanged = (participant: TwilioRemoteParticipant | null) => {
      this.setDominantSpeaker(participant ? (this.remotes.get(participant.sid) ?? null) : null);
    };

    const reconnecting = (error: TwilioError) => this.connectionLost(problemOf(error));
    const reconnected = () => this.connectionBack();

    const disconnected = (_room: Room, error?: TwilioError) => {
      this.ended(endReasonOf(error));
      for (const unlisten of [...this.#unlistenRoom, ...this.#unlisten.values()]) unlisten();
      for (const view of this.remotes.values()) view.stopListeningToData();
      this.#unlisten.clear();
    };

    room.on("participantConnected", participantConnected);
    room.on("participantDisconnected", participantDisconnected);
    room.on("trackSubscribed", trackSubscribed);
    room.on("trackUnsubscribed", trackUnsubscribed);
    room.on("dominantSpeakerChanged", dominantSpeakerChanged);
    room.on("reconnecting", reconnecting);
    room.on("reconnected", reconnected);
    room.on("disconnected", disconnected);
    this.#unlistenRoom.push(() => {
      room.removeListener("participantConnected", participantConnected);
      room.removeListener("participantDisconnected", participantDisconnected);
      room.removeListener("trackSubscribed", trackSubscribed);
      room.removeListener("trackUnsubscribed", trackUnsubscribed);
      room.removeListener("dominantSpeakerChanged", dominantSpeakerChanged);
      room.removeListener("reconnecting", reconnecting);
      room.removeListener("reconnected", reconnected);
      room.removeListener("disconnected", disconnected);
    });
  }
}

/** Connects with the blueprint's settings; rejects with a `VideoSessionError`, or the abort reason. */
export async function connectTwilio(options: VideoConnectOptions, load: LoadTwilioVideo = loadTwilioVideo): Promise<VideoSession> {
  const { signal } = options;
  throwIfAborted(signal);
  const settings = callSettings(options.expectedParticipants, options);
  const providerIdentity = providerIdentityOf(options, identityFromToken(options.token));

  let twilio: TwilioVideoModule;
  try {
    twilio = await load();
  } catch (error) {
    throw libraryNotLoaded(error);
  }
  throwIfAborted(signal);

  const connectOptions = twilioOptionsFor(settings, options);
  if (options.withCamera === false) connectOptions.video = false;
  const pending = twilio.connect(options.token, connectOptions);
  const cancel = () => pending.cancel?.();
  signal?.addEventListener("abort", cancel, { once: true });
  let room: Room;
  try {
    room = await pending;
  } catch (error) {
    if (signal?.aborted) throw abortReason(signal);
    throw new VideoSessionError(problemOf(error), { cause: error });
  } finally {
    signal?.removeEventListener("abort", cancel);
  }
  if (signal?.aborted) {
    room.disconnect();
    throw abortReason(signal);
  }
  return new TwilioSession(room, settings, providerIdentity, new twilio.LocalDataTrack());
}

export function twilioBackend(load: LoadTwilioVideo = loadTwilioVideo): VideoBackend {
  return { connect: (options) => connectTwilio(options, load) };
}
