// One Janus call as its parts see it (publishing, subscriptions, devices, reconnects, stats):
// the link's configuration, where the call is, and how to tell about it or end it.

import type { CallSettings } from "../callSettings";
import { type AdmissionMode, type EndReason, type VideoConnectOptions, type VideoSessionEvents, VideoSessionError } from "../session";
import type { LoadJanus, JanusCore } from "./janusjs";
import type { JanusLocal, JanusRemote } from "./participants";

export type JanusBackendConfig = {
  /** Janus's API: `http(s)://…/janus` (long polls) or `ws(s)://…` (WebSocket). */
  server: string;
  /** The VideoRoom id; by default the one the room token names (`room=<id>`). */
  room?: string | number | null;
  /** `<exp>,janus,janus.plugin.videoroom:<sig>`: Janus's `token_auth` checks it on every request. */
  coreToken: string;
  /** Our identity in the room (`patient-…`, or the provider's identity). */
  identity: string;
  /** The clinician's: the participant id the core gave them, and its proof (clinicianProof.ts). */
  participantId?: number | null;
  proof?: string | null;
  /** The clinician's: how their call lets waiting patients in (lobby.ts). Default `on_join`. */
  admission?: AdmissionMode | null;
  /** The clinic's join page key: who proves to be the clinician with it is the provider. */
  clinicianKey?: string | null;
  load?: LoadJanus;
  /** By default `navigator.mediaDevices.getUserMedia`. */
  getUserMedia?: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  /** By default `navigator.mediaDevices.getDisplayMedia`. */
  getDisplayMedia?: (constraints: DisplayMediaStreamOptions) => Promise<MediaStream>;
  /** ICE servers for our peer connections; none by default (Janus is reached directly). */
  iceServers?: RTCIceServer[];
  /** Unix seconds, to tell an expired token from a forged one. */
  now?: () => number;
  /** janus.js's console logging. */
  debug?: boolean;
  /** How often stats are read for the dominant speaker and network quality (3+ participants). */
  statsIntervalMs?: number;
  /** How long a Janus request may go unanswered while connecting. */
  requestTimeoutMs?: number;
  /** How long to try to get the Janus session back after losing it. */
  reconnectForMs?: number;
};

export type Phase = "connecting" | "connected" | "ended";

/** What the parts of one call share; `JanusSession` is it. */
export interface JanusCall {
  readonly config: JanusBackendConfig;
  readonly options: VideoConnectOptions;
  readonly settings: CallSettings;
  readonly roomId: number;
  readonly roomToken: string;
  /** Events go out while `connected` only; once `ended`, every callback is ignored. */
  readonly phase: Phase;
  /** Held (the waiting room): joined, nothing captured, published or received. */
  readonly held: boolean;
  /** The Janus session, from its creation until the call ends. */
  readonly core: JanusCore | null;
  /** What VideoRoom gave us on joining, for subscribing. */
  readonly privateId: number | null;
  readonly local: JanusLocal | null;
  /** Keyed by SID (the VideoRoom participant id as text). */
  readonly participants: ReadonlyMap<string, JanusRemote>;
  now(): number;
  /** What the room shows for us: our identity, and the clinician's proof and whom they let in. */
  display(): string;
  /** A janus.js error text, read against our core token. */
  problem(error: string): EndReason;
  /** What a request made after the call ended rejects with. */
  endedError(): VideoSessionError;
  emit<K extends keyof VideoSessionEvents>(event: K, ...args: VideoSessionEvents[K]): void;
  end(reason: EndReason): void;
  log(what: string, detail: unknown): void;
}

export function notConnected(): VideoSessionError {
  return new VideoSessionError({ kind: "other", code: null, message: "The call is not connected." });
}
