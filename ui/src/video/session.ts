// The video call as the UI sees it, whatever carries it: Twilio (twilio.ts) or Janus (janus/).

import type { GuestRole } from "../generated/bindings";
import { jwtClaims } from "../lib/jwt";

/** A guest's role from their identity's prefix, the provider, or `unknown` (not issued by VisitDesk). */
export type ParticipantRole = GuestRole | "provider" | "unknown";

/** 0 (no network) to 5 (excellent), as Twilio's Network Quality API reports it. */
export type NetworkQualityLevel = 0 | 1 | 2 | 3 | 4 | 5;

export type MediaKind = "audio" | "video";

export interface MediaTrack {
  /** Stable while the track lives: the backend's track SID (remote) or id (local). */
  readonly id: string;
  readonly kind: MediaKind;
  /** False while its sender has muted it (audio) or turned it off (video), or stopped sharing. */
  readonly isEnabled: boolean;
  /** True for a shared screen (a second video track); a camera or microphone otherwise. */
  readonly isScreen?: boolean;
  attach(element: HTMLMediaElement): void;
  /** Detaches from `element`, or from every element it is attached to. */
  detach(element?: HTMLMediaElement): void;
}

export interface LocalParticipant {
  readonly isLocal: true;
  readonly sid: string;
  readonly identity: string;
  readonly role: ParticipantRole;
  readonly networkQualityLevel: NetworkQualityLevel | null;
  readonly microphoneEnabled: boolean;
  readonly cameraEnabled: boolean;
  /** This device's published microphone and camera, for a self view. */
  readonly tracks: readonly MediaTrack[];
}

export interface RemoteParticipant {
  readonly isLocal: false;
  readonly sid: string;
  readonly identity: string;
  readonly role: ParticipantRole;
  readonly networkQualityLevel: NetworkQualityLevel | null;
  /** The audio and video tracks this device receives from them now. */
  readonly tracks: readonly MediaTrack[];
}

export type Participant = LocalParticipant | RemoteParticipant;

/** Why a call ended or could not start. `left`: this side hung up. */
export type EndKind =
  | "left"
  | "room_completed"
  | "token_expired"
  | "token_invalid"
  | "room_full"
  | "duplicate_identity"
  | "network"
  | "media_permission"
  | "media_unavailable"
  | "other";

export type EndReason = { kind: EndKind; code: number | null; message: string | null };

/** What a getUserMedia error (by its name) means for a call, on any backend. */
export const MEDIA_ERROR_KINDS: Readonly<Record<string, EndKind>> = {
  NotAllowedError: "media_permission",
  SecurityError: "media_permission",
  NotFoundError: "media_unavailable",
  NotReadableError: "media_unavailable",
  OverconstrainedError: "media_unavailable",
};

/** What a getUserMedia (or getDisplayMedia) error means, by its name; undefined for another error. */
export function mediaErrorKind(error: unknown): EndKind | undefined {
  const { name } = (error ?? {}) as { name?: unknown };
  return typeof name === "string" ? MEDIA_ERROR_KINDS[name] : undefined;
}

/** A failed `connect`, with the backend's error code where it gave one. */
export class VideoSessionError extends Error {
  readonly kind: EndKind;
  readonly code: number | null;

  constructor(reason: EndReason, options?: { cause?: unknown }) {
    super(reason.message ?? reason.kind, options);
    this.name = "VideoSessionError";
    this.kind = reason.kind;
    this.code = reason.code;
  }
}

export type SessionState = "connected" | "reconnecting" | "disconnected";

/**
 * Events after `connect` resolved. Participants already in the room then are in
 * `remoteParticipants` with their tracks, and are not announced. A later participant is
 * announced by `participantJoined` (with no tracks yet), then each track by `trackSubscribed`;
 * every `trackSubscribed` is followed by one `trackUnsubscribed` before `participantLeft`.
 * `disconnected` is the last event: listeners are dropped after it.
 */
export type VideoSessionEvents = {
  participantJoined: [participant: RemoteParticipant];
  participantLeft: [participant: RemoteParticipant];
  trackSubscribed: [track: MediaTrack, participant: RemoteParticipant];
  trackUnsubscribed: [track: MediaTrack, participant: RemoteParticipant];
  /** A received track's sender turned it off or on again (its `isEnabled` changed). */
  trackChanged: [track: MediaTrack, participant: RemoteParticipant];
  reconnecting: [reason: EndReason];
  reconnected: [];
  disconnected: [reason: EndReason];
  dominantSpeakerChanged: [participant: RemoteParticipant | null];
  networkQualityChanged: [participant: Participant, level: NetworkQualityLevel];
  /** A text another participant sent with `sendMessage` (the patient's intake answers). */
  messageReceived: [text: string, participant: RemoteParticipant];
  /** `admitted` changed (see `VideoSession.admitted`); what `connect` found is not announced. */
  admissionChanged: [admitted: boolean];
  /** The call's own lobby (`VideoSession.lobby`) let a patient in or sent them back. */
  lobbyChanged: [];
  /** This side started or stopped sharing its screen (also when the browser's own Stop ended it). */
  screenShareChanged: [sharing: boolean];
};

/** How the clinic lets a waiting patient in: when the clinician joins, or on their Admit. */
export type AdmissionMode = "on_join" | "explicit";

/** A patient connection as the clinician's call holds it. */
export type LobbyState = "waiting" | "admitted" | "sent_back";

/**
 * Admit and Send back made by the clinician's call itself (Janus, where the clinician's page
 * tells the room whom it lets in). On Twilio the console decides through the service instead.
 */
export interface CallLobby {
  readonly mode: AdmissionMode;
  /** A patient's state; null for anyone who is not a patient. */
  stateOf(participant: RemoteParticipant): LobbyState | null;
  admit(participantSid: string): void;
  sendBack(participantSid: string): void;
}

export interface VideoSession {
  readonly state: SessionState;
  /**
   * Held (the patient's waiting room): connected, so others see the arrival, but nothing is
   * captured (camera and microphone released), published or received. While held the local
   * participant has no tracks, remote participants show no tracks, and no `trackSubscribed`
   * is emitted. Texts travel while held on Twilio (its data track); on Janus, where texts ride
   * the published connection, `sendMessage` throws until `release()`.
   */
  readonly held: boolean;
  /**
   * Whether the service lets this participant take part. Always true for a session not
   * connected held (the clinician, guests). Connected held (the patient): on Twilio, while the
   * service has subscribed it to at least one track of a provider (role "provider"; a data track
   * will do, and every VisitDesk participant publishes one at connect), which the clinic's
   * console grants by the patient's subscribe rules (Admit) and withdraws (Send back, or the
   * clinician left); on Janus, which has no per-subscriber control, while a proven provider
   * in the room lists this connection among those their call lets in (`lobby`). It does not
   * release or hold the media: the page does (`release`, `hold`).
   */
  readonly admitted: boolean;
  /** The clinician's Admit and Send back, where the call itself decides (Janus); else null. */
  readonly lobby: CallLobby | null;
  /** Whether this side is sharing a screen now. */
  readonly sharingScreen: boolean;
  readonly localParticipant: LocalParticipant;
  /** Keyed by participant SID. */
  readonly remoteParticipants: ReadonlyMap<string, RemoteParticipant>;
  readonly dominantSpeaker: RemoteParticipant | null;

  /** Returns a function that removes the listener. */
  on<K extends keyof VideoSessionEvents>(event: K, listener: (...args: VideoSessionEvents[K]) => void): () => void;
  off<K extends keyof VideoSessionEvents>(event: K, listener: (...args: VideoSessionEvents[K]) => void): void;

  setMicrophoneEnabled(enabled: boolean): void;
  setCameraEnabled(enabled: boolean): void;
  switchCamera(deviceId: string): Promise<void>;
  switchMicrophone(deviceId: string): Promise<void>;
  /** Sends a text to everyone in the call over the call's own encrypted data channel. */
  sendMessage(text: string): void;
  /**
   * Asks the browser for a screen, window or tab and sends it beside the camera (others get it
   * as a track with `isScreen`). Rejects with a `VideoSessionError`: `media_permission` when
   * refused, `media_unavailable` where the webview cannot capture; while held, `other`.
   */
  shareScreen(): Promise<void>;
  /** Stops sharing; nothing when not sharing. */
  stopScreenShare(): void;
  /**
   * Ends the hold: captures the devices given to `connect`, publishes them, and receives the
   * others (their tracks are then announced by `trackSubscribed`). Rejects with a
   * `VideoSessionError` (`media_permission`, `media_unavailable`, or the end reason when the call
   * ends meanwhile) and stays held. Does nothing when not held; two calls share one release.
   */
  release(): Promise<void>;
  /** Holds again: unpublishes, stops the capture (the camera light goes off), receives nothing (each remote track gets `trackUnsubscribed`). Stays connected. */
  hold(): void;
  disconnect(): void;
}

export type VideoConnectOptions = {
  token: string;
  /** The room to join; without it, the one the token grants. */
  roomName?: string;
  /** The provider's identity; by default the token's own identity when it is not a guest's. */
  providerIdentity?: string | null;
  /** Who is expected in the call, provider included: it picks the call settings. */
  expectedParticipants: number;
  lowEndMobile: boolean;
  cameraDeviceId?: string | null;
  microphoneDeviceId?: string | null;
  /** False: join with the microphone only (no camera is opened). Default true. */
  withCamera?: boolean;
  /** True: connect held (see `VideoSession.held`); `release()` starts the media. Default false. */
  held?: boolean;
  /** Aborting cancels a connect still under way. */
  signal?: AbortSignal;
};

export interface VideoBackend {
  /** Rejects with a `VideoSessionError`. */
  connect(options: VideoConnectOptions): Promise<VideoSession>;
}

const GUEST_ROLES: Record<GuestRole, true> = { patient: true, interpreter: true, family: true, caregiver: true };

function isGuestRole(value: string): value is GuestRole {
  return Object.hasOwn(GUEST_ROLES, value);
}

/** The role an identity carries, as the core's `role_of` reads it: `<role>-<letters>` for guests. */
export function roleOf(identity: string, providerIdentity: string | null): ParticipantRole {
  if (providerIdentity !== null && identity === providerIdentity) return "provider";
  const dash = identity.indexOf("-");
  if (dash < 0) return "unknown";
  const prefix = identity.slice(0, dash);
  return isGuestRole(prefix) ? prefix : "unknown";
}

/** The `grants.identity` of a Twilio access token (a JWT), or null if it has none. */
export function identityFromToken(token: string): string | null {
  const identity = (jwtClaims(token)?.grants as { identity?: unknown } | undefined)?.identity;
  return typeof identity === "string" && identity !== "" ? identity : null;
}

/** The provider's identity when the token is the provider's own (its identity has no guest prefix). */
export function providerIdentityFromToken(token: string): string | null {
  const identity = identityFromToken(token);
  return identity !== null && roleOf(identity, null) === "unknown" ? identity : null;
}

export function toNetworkQualityLevel(value: number | null | undefined): NetworkQualityLevel | null {
  if (typeof value !== "number" || !Number.isFinite(value)) return null;
  return Math.min(5, Math.max(0, Math.round(value))) as NetworkQualityLevel;
}
