// What the call view shows of a `VideoSession`, as plain snapshots, and its controls.

import { screenCaptureSupported } from "../video/screen";
import { type LobbyState, type MediaTrack, type NetworkQualityLevel, type Participant, type ParticipantRole, type VideoSession, VideoSessionError } from "../video/session";

export type TileView = {
  sid: string;
  identity: string;
  role: ParticipantRole;
  isLocal: boolean;
  video: MediaTrack | null;
  /** Remote audio to play; never the local microphone (it would echo). */
  audio: MediaTrack[];
  quality: NetworkQualityLevel | null;
  dominant: boolean;
  /** A patient's state in the call's own lobby (the clinician's call on Janus); else null. */
  lobby: LobbyState | null;
  /** The screen they share now, if any. */
  screen: MediaTrack | null;
};

/** What just changed in the call, for the live region: who joined, left, muted or turned their camera. */
export type CallChange = {
  kind: "joined" | "left" | "muted" | "unmuted" | "camera_off" | "camera_on";
  role: ParticipantRole;
  /** Counts changes, so the same words twice are still a change. */
  seq: number;
};

export type CallSnapshot = {
  local: TileView;
  remotes: TileView[];
  reconnecting: boolean;
  microphoneEnabled: boolean;
  cameraEnabled: boolean;
  /** Whether a camera is being sent at all (not when joined without one). */
  hasCamera: boolean;
  lastChange: CallChange | null;
  sharingScreen: boolean;
  /** Whether this webview can capture a screen. */
  canShareScreen: boolean;
  /** Why the last Share did not start: refused, or it failed. */
  shareProblem: "refused" | "failed" | null;
};

function tileOf(participant: Participant, role: ParticipantRole, dominant: boolean, lobby: LobbyState | null = null): TileView {
  const video = participant.tracks.find((track) => track.kind === "video" && !track.isScreen) ?? null;
  const screen = participant.isLocal ? null : (participant.tracks.find((track) => track.isScreen && track.isEnabled) ?? null);
  return {
    sid: participant.sid,
    identity: participant.identity,
    role,
    isLocal: participant.isLocal,
    video,
    audio: participant.isLocal ? [] : participant.tracks.filter((track) => track.kind === "audio"),
    quality: participant.networkQualityLevel,
    dominant,
    lobby,
    screen,
  };
}

export class CallModel {
  readonly #session: VideoSession;
  readonly #roleOf: (participant: Participant) => ParticipantRole;
  readonly #listeners = new Set<(snapshot: CallSnapshot) => void>();
  readonly #unlisten: Array<() => void>;
  #reconnecting: boolean;
  #lastChange: CallChange | null = null;
  #shareProblem: CallSnapshot["shareProblem"] = null;
  #snapshot: CallSnapshot;

  /** `roleOf` labels participants; by default each participant's own `role`. */
  constructor(session: VideoSession, roleOf: (participant: Participant) => ParticipantRole = (p) => p.role) {
    this.#session = session;
    this.#roleOf = roleOf;
    this.#reconnecting = session.state === "reconnecting";
    this.#snapshot = this.#take();
    const refresh = () => this.refresh();
    const changed = (kind: CallChange["kind"], participant: Participant) => {
      this.#lastChange = { kind, role: this.#roleOf(participant), seq: (this.#lastChange?.seq ?? 0) + 1 };
      this.refresh();
    };
    this.#unlisten = [
      session.on("participantJoined", (p) => changed("joined", p)),
      session.on("participantLeft", (p) => changed("left", p)),
      session.on("trackSubscribed", refresh),
      session.on("trackUnsubscribed", refresh),
      session.on("trackChanged", (track, p) =>
        changed(track.kind === "audio" ? (track.isEnabled ? "unmuted" : "muted") : track.isEnabled ? "camera_on" : "camera_off", p),
      ),
      session.on("dominantSpeakerChanged", refresh),
      session.on("networkQualityChanged", refresh),
      session.on("lobbyChanged", refresh),
      session.on("screenShareChanged", refresh),
      session.on("reconnecting", () => {
        this.#reconnecting = true;
        this.refresh();
      }),
      session.on("reconnected", () => {
        this.#reconnecting = false;
        this.refresh();
      }),
    ];
  }

  get snapshot(): CallSnapshot {
    return this.#snapshot;
  }

  subscribe(listener: (snapshot: CallSnapshot) => void): () => void {
    this.#listeners.add(listener);
    listener(this.#snapshot);
    return () => this.#listeners.delete(listener);
  }

  refresh(): void {
    this.#snapshot = this.#take();
    for (const listener of [...this.#listeners]) listener(this.#snapshot);
  }

  toggleMicrophone(): void {
    this.#session.setMicrophoneEnabled(!this.#session.localParticipant.microphoneEnabled);
    this.refresh();
  }

  toggleCamera(): void {
    this.#session.setCameraEnabled(!this.#session.localParticipant.cameraEnabled);
    this.refresh();
  }

  async switchCamera(deviceId: string): Promise<void> {
    await this.#session.switchCamera(deviceId);
    this.refresh();
  }

  async switchMicrophone(deviceId: string): Promise<void> {
    await this.#session.switchMicrophone(deviceId);
    this.refresh();
  }

  /** Shares a screen, or stops sharing. */
  async toggleScreenShare(): Promise<void> {
    this.#shareProblem = null;
    if (this.#session.sharingScreen) {
      this.#session.stopScreenShare();
      this.refresh();
      return;
    }
    try {
      await this.#session.shareScreen();
    } catch (error) {
      this.#shareProblem = error instanceof VideoSessionError && error.kind === "media_permission" ? "refused" : "failed";
    }
    this.refresh();
  }

  /** The clinician lets the patient on this tile in, or sends them back (the call's lobby). */
  decideAdmission(sid: string, admit: boolean): void {
    const lobby = this.#session.lobby;
    if (!lobby) return;
    if (admit) lobby.admit(sid);
    else lobby.sendBack(sid);
  }

  dispose(): void {
    for (const unlisten of this.#unlisten) unlisten();
    this.#listeners.clear();
  }

  #take(): CallSnapshot {
    const session = this.#session;
    const local = session.localParticipant;
    const dominantSid = session.dominantSpeaker?.sid ?? null;
    return {
      local: tileOf(local, this.#roleOf(local), false),
      remotes: [...session.remoteParticipants.values()].map((p) =>
        tileOf(p, this.#roleOf(p), p.sid === dominantSid, session.lobby?.stateOf(p) ?? null),
      ),
      reconnecting: this.#reconnecting,
      microphoneEnabled: local.microphoneEnabled,
      cameraEnabled: local.cameraEnabled,
      hasCamera: local.tracks.some((track) => track.kind === "video"),
      lastChange: this.#lastChange,
      sharingScreen: session.sharingScreen,
      canShareScreen: screenCaptureSupported(),
      shareProblem: this.#shareProblem,
    };
  }
}
