// A `VideoSession` the test drives: participants come and go, the connection drops, texts arrive.

import { TypedEmitter } from "../video/emitter";
import {
  type CallLobby,
  type EndReason,
  type LocalParticipant,
  type MediaTrack,
  type NetworkQualityLevel,
  type Participant,
  type RemoteParticipant,
  type SessionState,
  type VideoBackend,
  type VideoConnectOptions,
  type VideoSession,
  type VideoSessionEvents,
  roleOf,
} from "../video/session";

export class FakeTrack implements MediaTrack {
  isEnabled = true;
  isScreen = false;
  readonly attached: HTMLMediaElement[] = [];
  constructor(
    readonly id: string,
    readonly kind: "audio" | "video",
  ) {}
  attach(element: HTMLMediaElement): void {
    this.attached.push(element);
  }
  detach(element?: HTMLMediaElement): void {
    const index = element ? this.attached.indexOf(element) : -1;
    if (index >= 0) this.attached.splice(index, 1);
    else if (!element) this.attached.length = 0;
  }
}

export class FakeRemote implements RemoteParticipant {
  readonly isLocal = false as const;
  networkQualityLevel: NetworkQualityLevel | null = null;
  tracks: MediaTrack[] = [];
  constructor(
    readonly sid: string,
    readonly identity: string,
    readonly role: RemoteParticipant["role"],
  ) {}
}

export class FakeLocal implements LocalParticipant {
  readonly isLocal = true as const;
  readonly sid = "PA-local";
  networkQualityLevel: NetworkQualityLevel | null = null;
  microphoneEnabled = true;
  cameraEnabled = true;
  tracks: MediaTrack[];
  constructor(
    readonly identity: string,
    readonly role: LocalParticipant["role"],
    withCamera: boolean,
  ) {
    this.tracks = [new FakeTrack("local-audio", "audio"), ...(withCamera ? [new FakeTrack("local-video", "video")] : [])];
  }
}

let nextSid = 1;

export class FakeSession implements VideoSession {
  state: SessionState = "connected";
  held = false;
  admitted = true;
  /** A call that lets patients in itself (Janus's clinician), when a test gives one. */
  lobby: CallLobby | null = null;
  /** What the next `release()` rejects with, once. */
  releaseFailure: Error | null = null;
  readonly localParticipant: FakeLocal;
  readonly remoteParticipants = new Map<string, FakeRemote>();
  dominantSpeaker: RemoteParticipant | null = null;
  readonly sent: string[] = [];
  readonly calls: string[] = [];
  readonly #emitter = new TypedEmitter<VideoSessionEvents>((error) => {
    throw error;
  });
  readonly #providerIdentity: string | null;

  constructor(identity: string, providerIdentity: string | null, withCamera = true) {
    this.#providerIdentity = providerIdentity;
    this.localParticipant = new FakeLocal(identity, roleOf(identity, providerIdentity), withCamera);
  }

  on<K extends keyof VideoSessionEvents>(event: K, listener: (...args: VideoSessionEvents[K]) => void): () => void {
    return this.#emitter.on(event, listener);
  }
  off<K extends keyof VideoSessionEvents>(event: K, listener: (...args: VideoSessionEvents[K]) => void): void {
    this.#emitter.off(event, listener);
  }
  listenerCount(event: keyof VideoSessionEvents): number {
    return this.#emitter.listenerCount(event);
  }

  setMicrophoneEnabled(enabled: boolean): void {
    this.calls.push(`microphone ${enabled}`);
    this.localParticipant.microphoneEnabled = enabled;
  }
  setCameraEnabled(enabled: boolean): void {
    this.calls.push(`camera ${enabled}`);
    this.localParticipant.cameraEnabled = enabled;
  }
  async switchCamera(deviceId: string): Promise<void> {
    this.calls.push(`switch camera ${deviceId}`);
  }
  async switchMicrophone(deviceId: string): Promise<void> {
    this.calls.push(`switch microphone ${deviceId}`);
  }
  /** What the next `sendMessage` throws, once. */
  sendFailure: Error | null = null;
  sendMessage(text: string): void {
    const failure = this.sendFailure;
    this.sendFailure = null;
    if (failure) throw failure;
    this.sent.push(text);
  }
  async release(): Promise<void> {
    this.calls.push("release");
    const failure = this.releaseFailure;
    this.releaseFailure = null;
    if (failure) throw failure;
    this.held = false;
  }
  /** Plays the service letting this participant in, or no longer (see `VideoSession.admitted`). */
  setAdmitted(admitted: boolean): void {
    if (admitted === this.admitted) return;
    this.admitted = admitted;
    this.#emitter.emit("admissionChanged", admitted);
  }
  sharingScreen = false;
  /** What the next `shareScreen()` rejects with, once. */
  shareFailure: Error | null = null;
  async shareScreen(): Promise<void> {
    this.calls.push("share screen");
    const failure = this.shareFailure;
    this.shareFailure = null;
    if (failure) throw failure;
    this.sharingScreen = true;
    this.#emitter.emit("screenShareChanged", true);
  }
  stopScreenShare(): void {
    this.calls.push("stop screen share");
    if (!this.sharingScreen) return;
    this.sharingScreen = false;
    this.#emitter.emit("screenShareChanged", false);
  }
  /** `remote` starts sharing a screen (a second video track). */
  shareFrom(remote: FakeRemote): FakeTrack {
    const track = new FakeTrack(`${remote.sid}-screen`, "video");
    track.isScreen = true;
    remote.tracks.push(track);
    this.#emitter.emit("trackSubscribed", track, remote);
    return track;
  }
  /** `remote` stops sharing: its screen track goes. */
  unshareFrom(remote: FakeRemote): void {
    const index = remote.tracks.findIndex((track) => track.isScreen);
    const [track] = remote.tracks.splice(index, 1);
    if (track) this.#emitter.emit("trackUnsubscribed", track, remote);
  }
  /** Plays the call's own lobby changing (`lobbyChanged`). */
  lobbyChanged(): void {
    this.#emitter.emit("lobbyChanged");
  }
  hold(): void {
    this.calls.push("hold");
    this.held = true;
  }
  disconnect(): void {
    this.calls.push("disconnect");
    this.end({ kind: "left", code: null, message: null });
  }

  /** In the room before connect resolves: not announced. */
  present(identity: string): FakeRemote {
    const remote = this.#remote(identity);
    this.remoteParticipants.set(remote.sid, remote);
    return remote;
  }

  /**
   * Joins later, with a camera and a microphone. `unproven`: under that name, but the service
   * does not vouch for it (a Janus display name without the clinic's proof): role `unknown`.
   */
  join(identity: string, { unproven = false }: { unproven?: boolean } = {}): FakeRemote {
    const remote = unproven ? new FakeRemote(`PA${nextSid++}`, identity, "unknown") : this.#remote(identity);
    this.remoteParticipants.set(remote.sid, remote);
    this.#emitter.emit("participantJoined", remote);
    for (const track of [new FakeTrack(`${remote.sid}-audio`, "audio"), new FakeTrack(`${remote.sid}-video`, "video")]) {
      remote.tracks.push(track);
      this.#emitter.emit("trackSubscribed", track, remote);
    }
    return remote;
  }

  leave(remote: FakeRemote): void {
    for (const track of remote.tracks.splice(0)) this.#emitter.emit("trackUnsubscribed", track, remote);
    this.remoteParticipants.delete(remote.sid);
    if (this.dominantSpeaker === remote) this.speaker(null);
    this.#emitter.emit("participantLeft", remote);
  }

  /** `remote` turns its microphone or camera off or on. */
  turn(remote: FakeRemote, kind: "audio" | "video", enabled: boolean): void {
    const track = remote.tracks.find((t) => t.kind === kind) as FakeTrack;
    track.isEnabled = enabled;
    this.#emitter.emit("trackChanged", track, remote);
  }

  speaker(remote: RemoteParticipant | null): void {
    this.dominantSpeaker = remote;
    this.#emitter.emit("dominantSpeakerChanged", remote);
  }

  quality(participant: Participant, level: NetworkQualityLevel): void {
    (participant as FakeRemote | FakeLocal).networkQualityLevel = level;
    this.#emitter.emit("networkQualityChanged", participant, level);
  }

  reconnecting(): void {
    this.state = "reconnecting";
    this.#emitter.emit("reconnecting", { kind: "network", code: 53001, message: "Signaling connection disconnected" });
  }

  reconnected(): void {
    this.state = "connected";
    this.#emitter.emit("reconnected");
  }

  receive(text: string, from: RemoteParticipant): void {
    this.#emitter.emit("messageReceived", text, from);
  }

  end(reason: EndReason): void {
    if (this.state === "disconnected") return;
    this.state = "disconnected";
    this.#emitter.emit("disconnected", reason);
    this.#emitter.removeAllListeners();
  }

  #remote(identity: string): FakeRemote {
    return new FakeRemote(`PA${nextSid++}`, identity, roleOf(identity, this.#providerIdentity));
  }
}

export type Outcome = FakeSession | Error | Promise<FakeSession>;

/** A backend whose `connect` hands out the sessions a test prepares (or rejects with its errors). */
export function fakeBackend(next: () => Outcome): VideoBackend & { connects: VideoConnectOptions[] } {
  const connects: VideoConnectOptions[] = [];
  return {
    connects,
    async connect(options) {
      connects.push(options);
      const outcome = await next();
      if (outcome instanceof Error) throw outcome;
      outcome.held = options.held ?? false;
      return outcome;
    },
  };
}
