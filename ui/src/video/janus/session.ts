// `VideoSession` over a Janus VideoRoom (Janus 1.x, multistream), through janus.js (npm
// `janus-gateway`), which is loaded only when a call starts.
//
// One Janus session per call with two VideoRoom handles: a publisher (joins with the room token,
// display = our identity, sends camera, microphone and a data channel) and one multistream
// subscriber that receives every other publisher's streams (updated as they come and go).
// A participant is a VideoRoom participant id: `sid` is that id as text, `identity` its display.
// Texts (`sendMessage`) go over our publisher's data channel; Janus relays them to subscribers on a
// channel labelled with the sender's id, so the sender cannot be forged by the sender.

import { type CallSettings, callSettings, cameraCapture, microphoneCapture } from "./callSettings";
import { TypedEmitter } from "./emitter";
import {
  type EndKind,
  type EndReason,
  type LocalParticipant,
  type MediaKind,
  type MediaTrack,
  type NetworkQualityLevel,
  type Participant,
  type ParticipantRole,
  type RemoteParticipant,
  type SessionState,
  type VideoBackend,
  type VideoConnectOptions,
  type VideoSession,
  type VideoSessionEvents,
  VideoSessionError,
  MEDIA_ERROR_KINDS,
  roleOf,
} from "./session";

// ---------------------------------------------------------------------------------------------
// What the adapter uses of janus.js 1.x (its bundled typings predate 1.x's `tracks` API).

export type Jsep = { type: string; sdp: string };

/** A `tracks` entry of janus.js 1.x's createOffer/createAnswer. */
export type JanusTrackSpec = {
  type: "audio" | "video" | "data";
  capture?: boolean | MediaStreamTrack;
  recv?: boolean;
  simulcast?: boolean;
};

export type JanusCallback = (error: string) => void;

export interface JanusHandle {
  getId(): number | string;
  send(request: { message: Record<string, unknown>; jsep?: Jsep; success?: (data?: unknown) => void; error?: JanusCallback }): void;
  createOffer(params: { tracks: JanusTrackSpec[]; success: (jsep: Jsep) => void; error: (error: unknown) => void }): void;
  createAnswer(params: { jsep: Jsep; tracks: JanusTrackSpec[]; success: (jsep: Jsep) => void; error: (error: unknown) => void }): void;
  handleRemoteJsep(params: { jsep: Jsep; success?: () => void; error?: (error: unknown) => void }): void;
  data(params: { text: string; success?: () => void; error?: JanusCallback }): void;
  detach(params?: { success?: () => void; error?: JanusCallback; noRequest?: boolean }): void;
  readonly webrtcStuff?: { pc?: RTCPeerConnection | null };
}

export type JanusAttachOptions = {
  plugin: string;
  opaqueId?: string;
  success: (handle: JanusHandle) => void;
  error: JanusCallback;
  onmessage?: (message: VideoRoomMessage, jsep?: Jsep) => void;
  onremotetrack?: (track: MediaStreamTrack, mid: string, on: boolean, metadata?: { reason?: string }) => void;
  ondata?: (data: unknown, label: string) => void;
  iceState?: (state: string) => void;
  webrtcState?: (on: boolean, reason?: string) => void;
  ondetached?: () => void;
};

export type JanusSessionOptions = {
  server: string;
  token?: string;
  iceServers?: RTCIceServer[];
  destroyOnUnload?: boolean;
  success?: () => void;
  error?: JanusCallback;
  destroyed?: () => void;
};

export interface JanusCore {
  attach(options: JanusAttachOptions): void;
  reconnect(callbacks: { success?: () => void; error?: JanusCallback }): void;
  destroy(options?: { cleanupHandles?: boolean; notifyDestroyed?: boolean; success?: () => void; error?: JanusCallback }): void;
}

/** janus.js's default export (the `Janus` constructor with its statics), or a fake of it. */
export interface JanusLibrary {
  new (options: JanusSessionOptions): JanusCore;
  init(options: { debug?: boolean | string[]; dependencies?: unknown; callback?: () => void }): void;
  useDefaultDependencies(deps?: { adapter?: unknown }): unknown;
  isWebrtcSupported(): boolean;
}

export type LoadJanus = () => Promise<{ default: JanusLibrary }>;

export const loadJanus: LoadJanus = async () => {
  const module = await import("janus-gateway");
  return { default: module.default as unknown as JanusLibrary };
};

// VideoRoom messages, as far as the adapter reads them (every field checked before use).
type PublisherStreamInfo = { type?: unknown; mid?: unknown; disabled?: unknown; description?: unknown };
type PublisherInfo = { id?: unknown; display?: unknown; dummy?: unknown; streams?: unknown };
type SubscriberStreamInfo = { type?: unknown; mid?: unknown; mindex?: unknown; active?: unknown; feed_id?: unknown; feed_mid?: unknown };

export type VideoRoomMessage = {
  videoroom?: string;
  error_code?: number;
  error?: string;
  id?: unknown;
  private_id?: unknown;
  publishers?: unknown;
  attendees?: unknown;
  joining?: unknown;
  unpublished?: unknown;
  leaving?: unknown;
  kicked?: unknown;
  reason?: unknown;
  configured?: unknown;
  streams?: unknown;
  [key: string]: unknown;
};

// ---------------------------------------------------------------------------------------------
// Configuration

export type JanusBackendConfig = {
  /** Janus's API: `http(s)://…/janus` (long polls) or `ws(s)://…` (WebSocket). */
  server: string;
  /** The VideoRoom id; by default the one the room token names (`room=<id>`). */
  room?: string | number | null;
  /** `<exp>,janus,janus.plugin.videoroom:<sig>`: Janus's `token_auth` checks it on every request. */
  coreToken: string;
  /** Our display name in the room (`patient-…`, or the provider's identity). */
  identity: string;
  load?: LoadJanus;
  /** By default `navigator.mediaDevices.getUserMedia`. */
  getUserMedia?: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
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

const VIDEOROOM = "janus.plugin.videoroom";
/**
 * The VideoRoom stream descriptions a publisher gives its microphone and camera. Turning one off
 * updates the description (`configure`), and VideoRoom tells everyone (a `publishers` event),
 * late joiners included: the far side's `isEnabled`. A sender turned off also stops sending.
 */
export const STREAM_DESCRIPTIONS = {
  audio: { on: "microphone", off: "microphone off" },
  video: { on: "camera", off: "camera off" },
} as const;
const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;
const DEFAULT_STATS_INTERVAL_MS = 2_000;
const DEFAULT_RECONNECT_FOR_MS = 30_000;

/** VideoRoom's and Janus's error codes the adapter tells apart. */
export const JANUS_CODES = {
  unauthorized: 403,
  unauthorizedPlugin: 405,
  sessionNotFound: 458,
  noSuchRoom: 426,
  noSuchFeed: 428,
  publishersFull: 432,
  roomUnauthorized: 433,
} as const;

// ---------------------------------------------------------------------------------------------
// Errors

/** The expiry (Unix seconds) a Janus signed token starts with, or null. */
export function janusTokenExpiry(token: string): number | null {
  const match = /^(\d{1,15}),/.exec(token);
  return match ? Number(match[1]) : null;
}

/** The room a VideoRoom token names (`…,room=<id>:sig`), or null. */
export function roomFromToken(token: string): number | null {
  const colon = token.lastIndexOf(":");
  const payload = colon > 0 ? token.slice(0, colon) : token;
  const match = /(?:^|,)room=(\d{1,16})(?:,|$)/.exec(payload);
  return match ? Number(match[1]) : null;
}

function tokenKind(token: string, now: number): EndKind {
  const expiry = janusTokenExpiry(token);
  return expiry !== null && expiry < now ? "token_expired" : "token_invalid";
}

/** A VideoRoom error event (`error_code`, `error`) as an `EndReason`; `roomToken` picks expired vs invalid. */
export function videoRoomProblem(code: number, message: string | null, roomToken: string, now: number): EndReason {
  switch (code) {
    case JANUS_CODES.roomUnauthorized:
      return { kind: tokenKind(roomToken, now), code, message };
    case JANUS_CODES.noSuchRoom:
      return { kind: "room_completed", code, message };
    case JANUS_CODES.publishersFull:
      return { kind: "room_full", code, message };
    default:
      return { kind: "other", code, message };
  }
}

/**
 * A janus.js error text as an `EndReason`. janus.js reports core errors as text: "Ooops: 405 …"
 * for attach, "403 …" for messages, only the reason for session creation ("Unauthorized request
 * (wrong or missing secret/token)"), and transport failures as "… Is the server down?" or
 * "Lost connection to the server".
 */
export function janusProblem(error: string, coreToken: string, now: number): EndReason {
  const codeMatch = /(?:^|Ooops: )(\d{3}) /.exec(error);
  const code = codeMatch ? Number(codeMatch[1]) : /unauthorized request/i.test(error) ? JANUS_CODES.unauthorized : null;
  if (code === JANUS_CODES.unauthorized || code === JANUS_CODES.unauthorizedPlugin) {
    return { kind: tokenKind(coreToken, now), code, message: error };
  }
  if (code === JANUS_CODES.sessionNotFound || /server down|network error|lost connection|timed out|websocket/i.test(error)) {
    return { kind: "network", code, message: error };
  }
  return { kind: "other", code, message: error };
}

function mediaProblem(error: unknown): EndReason {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  const text = typeof message === "string" && message !== "" ? message : null;
  const kind = typeof name === "string" ? MEDIA_ERROR_KINDS[name] : undefined;
  return { kind: kind ?? "media_unavailable", code: null, message: text };
}

function errorText(error: unknown): string {
  if (typeof error === "string") return error;
  if (error instanceof Error) return error.message;
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === "string" ? message : String(error);
}

// ---------------------------------------------------------------------------------------------
// Network quality, from getStats

/**
 * A 0–5 level from the share of packets lost (0–1) and the round trip time (seconds, when
 * known), coarsely after Twilio's scale: 5 below 1 % loss and 150 ms.
 */
export function qualityLevel(lossFraction: number, rttSeconds: number | null): NetworkQualityLevel {
  let level: NetworkQualityLevel = lossFraction >= 0.2 ? 1 : lossFraction >= 0.1 ? 2 : lossFraction >= 0.05 ? 3 : lossFraction >= 0.01 ? 4 : 5;
  if (rttSeconds !== null) {
    const cap: NetworkQualityLevel = rttSeconds > 0.6 ? 2 : rttSeconds > 0.3 ? 3 : rttSeconds > 0.15 ? 4 : 5;
    level = Math.min(level, cap) as NetworkQualityLevel;
  }
  return level;
}

type StatsEntry = Record<string, unknown> & { type?: unknown };

function numberOf(entry: StatsEntry, key: string): number | null {
  const value = entry[key];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function entriesOf(report: RTCStatsReport | Map<string, unknown>): StatsEntry[] {
  const entries: StatsEntry[] = [];
  report.forEach((value: unknown) => {
    if (value && typeof value === "object") entries.push(value as StatsEntry);
  });
  return entries;
}

// ---------------------------------------------------------------------------------------------
// Tracks and participants

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

class JanusRemoteTrack implements MediaTrack {
  readonly id: string;
  readonly kind: MediaKind;
  /** The subscriber mid it arrives on, and the sender's own mid for it. */
  readonly mid: string;
  readonly feedMid: string;
  readonly track: MediaStreamTrack;
  readonly #owner: JanusRemote;
  readonly #binding = new ElementBinding();

  constructor(id: string, kind: MediaKind, mid: string, feedMid: string, track: MediaStreamTrack, owner: JanusRemote) {
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

  attach(element: HTMLMediaElement): void {
    this.#binding.attach(element, this.track);
  }

  detach(element?: HTMLMediaElement): void {
    this.#binding.detach(element);
  }
}

class JanusLocalTrack implements MediaTrack {
  readonly id: string;
  readonly kind: MediaKind;
  track: MediaStreamTrack;
  readonly #binding = new ElementBinding();

  constructor(track: MediaStreamTrack) {
    this.id = track.id;
    this.kind = track.kind === "audio" ? "audio" : "video";
    this.track = track;
  }

  get isEnabled() {
    return this.track.enabled && this.track.readyState !== "ended";
  }

  attach(element: HTMLMediaElement): void {
    this.#binding.attach(element, this.track);
  }

  detach(element?: HTMLMediaElement): void {
    this.#binding.detach(element);
  }

  replace(track: MediaStreamTrack): void {
    this.track = track;
    this.#binding.retarget(track);
  }
}

class JanusRemote implements RemoteParticipant {
  readonly isLocal = false as const;
  readonly feedId: number;
  readonly identity: string;
  readonly role: ParticipantRole;
  networkQualityLevel: NetworkQualityLevel | null = null;
  /** The publisher mids it publishes now (audio and video only; none while not publishing). */
  publishedMids = new Set<string>();
  /** Those of them it has turned off. */
  offMids = new Set<string>();
  /** Whether it publishes a data channel. */
  publishesData = false;
  /** Our views of its tracks, by the subscriber mid each arrives on. */
  readonly viewsByMid = new Map<string, JanusRemoteTrack>();

  constructor(feedId: number, identity: string, role: ParticipantRole) {
    this.feedId = feedId;
    this.identity = identity;
    this.role = role;
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
}

class JanusLocal implements LocalParticipant {
  readonly isLocal = true as const;
  readonly sid: string;
  readonly identity: string;
  readonly role: ParticipantRole;
  networkQualityLevel: NetworkQualityLevel | null = null;
  readonly microphone: JanusLocalTrack;
  readonly camera: JanusLocalTrack;

  constructor(sid: string, identity: string, role: ParticipantRole, microphone: MediaStreamTrack, camera: MediaStreamTrack) {
    this.sid = sid;
    this.identity = identity;
    this.role = role;
    this.microphone = new JanusLocalTrack(microphone);
    this.camera = new JanusLocalTrack(camera);
  }

  get microphoneEnabled() {
    return this.microphone.isEnabled;
  }

  get cameraEnabled() {
    return this.camera.isEnabled;
  }

  get tracks(): readonly MediaTrack[] {
    return [this.microphone, this.camera];
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

function idOf(value: unknown): number | null {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? value : null;
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function textOf(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The call was cancelled.", "AbortError");
}

/** Our own browser as webrtc-adapter would describe it: janus.js reads only `browserDetails`. */
export function browserDetails(userAgent: string): { browser: string; version: number | null } {
  const pick = (pattern: RegExp) => {
    const match = pattern.exec(userAgent);
    return match ? Number(match[1]) : null;
  };
  if (/Firefox\/\d+/.test(userAgent)) return { browser: "firefox", version: pick(/Firefox\/(\d+)/) };
  if (/(Chrome|Chromium|CriOS)\/\d+/.test(userAgent)) return { browser: "chrome", version: pick(/(?:Chrome|Chromium|CriOS)\/(\d+)/) };
  if (/Safari\/\d+/.test(userAgent)) return { browser: "safari", version: pick(/AppleWebKit\/(\d+)/) };
  return { browser: "Not a supported browser.", version: null };
}

type Waiter = {
  accepts: (message: VideoRoomMessage, jsep?: Jsep) => boolean;
  resolve: (value: { message: VideoRoomMessage; jsep: Jsep | undefined }) => void;
  reject: (error: unknown) => void;
};

type SubscriberStream = { mid: string; mindex: number; type: string; active: boolean; feedId: number | null; feedMid: string | null };

type Phase = "connecting" | "connected" | "ended";

// ---------------------------------------------------------------------------------------------
// The session

class JanusSession implements VideoSession {
  readonly #lib: JanusLibrary;
  readonly #config: JanusBackendConfig;
  readonly #options: VideoConnectOptions;
  readonly #settings: CallSettings;
  readonly #providerIdentity: string | null;
  readonly #roomId: number;
  readonly #roomToken: string;
  readonly #now: () => number;
  readonly #emitter = new TypedEmitter<VideoSessionEvents>();
  readonly #remotes = new Map<string, JanusRemote>();

  #phase: Phase = "connecting";
  #endReason: EndReason | null = null;
  #state: SessionState = "connected";
  #core: JanusCore | null = null;
  #publisher: JanusHandle | null = null;
  #local: JanusLocal | null = null;
  #captured: MediaStreamTrack[] = [];
  #myId: number | null = null;
  #privateId: number | null = null;
  #waiters = new Set<Waiter>();
  /** Texts that came before `connect`'s caller could listen: given out just after. */
  #heldMessages: Array<[string, JanusRemote]> | null = [];

  // The subscriber handle and what it receives.
  #subscriber: JanusHandle | null = null;
  #subscriberState: "none" | "joining" | "ready" = "none";
  #subscriberStreams = new Map<string, SubscriberStream>();
  #receivedTracks = new Map<string, MediaStreamTrack>();
  /** Feeds asked for and not yet in a streams summary. */
  #requestedFeeds = new Set<number>();
  #subscribedFeeds = new Set<number>();
  #subscribeRetry: ReturnType<typeof setTimeout> | null = null;
  #subscribeFailures = 0;

  #dominantSpeaker: JanusRemote | null = null;
  #talkingEventsSeen = false;
  #statsTimer: ReturnType<typeof setInterval> | null = null;
  #statsBusy = false;
  #previousStats = new Map<string, { lost: number; received: number; energy: number; duration: number }>();
  #reconnectReasons = new Set<string>();
  #reconnectTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(lib: JanusLibrary, config: JanusBackendConfig, options: VideoConnectOptions, roomId: number) {
    this.#lib = lib;
    this.#config = config;
    this.#options = options;
    this.#settings = callSettings(options.expectedParticipants, options);
    this.#roomId = roomId;
    this.#roomToken = options.token;
    this.#now = config.now ?? (() => Math.floor(Date.now() / 1000));
    this.#providerIdentity =
      options.providerIdentity !== undefined ? options.providerIdentity : roleOf(config.identity, null) === "unknown" ? config.identity : null;
  }

  // -- VideoSession ----------------------------------------------------------------------------

  get state() {
    return this.#state;
  }

  get localParticipant(): LocalParticipant {
    if (!this.#local) throw new Error("Not connected yet.");
    return this.#local;
  }

  get remoteParticipants(): ReadonlyMap<string, RemoteParticipant> {
    return this.#remotes;
  }

  get dominantSpeaker(): RemoteParticipant | null {
    return this.#dominantSpeaker;
  }

  on<K extends keyof VideoSessionEvents>(event: K, listener: (...args: VideoSessionEvents[K]) => void): () => void {
    return this.#emitter.on(event, listener);
  }

  off<K extends keyof VideoSessionEvents>(event: K, listener: (...args: VideoSessionEvents[K]) => void): void {
    this.#emitter.off(event, listener);
  }

  setMicrophoneEnabled(enabled: boolean): void {
    if (this.#local) this.#setSending(this.#local.microphone, enabled);
  }

  setCameraEnabled(enabled: boolean): void {
    if (this.#local) this.#setSending(this.#local.camera, enabled);
  }

  async switchCamera(deviceId: string): Promise<void> {
    await this.#switch("video", { video: cameraCapture(this.#settings, deviceId) });
  }

  async switchMicrophone(deviceId: string): Promise<void> {
    await this.#switch("audio", { audio: { deviceId: { exact: deviceId } } });
  }

  sendMessage(text: string): void {
    if (this.#phase !== "connected" || !this.#publisher) {
      throw new VideoSessionError({ kind: "other", code: null, message: "The call is not connected." });
    }
    if (text === "") return;
    this.#publisher.data({ text, error: (error) => this.#log("a message was not sent", error) });
  }

  disconnect(): void {
    this.#end({ kind: "left", code: null, message: null });
  }

  // -- Connecting -------------------------------------------------------------------------------

  /** Joins, publishes, starts receiving; rejects with a `VideoSessionError` (or the abort reason). */
  async start(): Promise<void> {
    const { signal } = this.#options;
    const aborted = new Promise<never>((_, reject) => {
      if (!signal) return;
      const onAbort = () => reject(abortReason(signal));
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    });
    aborted.catch(() => {});
    // Each step also ends once the call has (a lost server, a closed room, an abort).
    const step = async <T>(promise: Promise<T>): Promise<T> => {
      const value = await Promise.race([promise, aborted]);
      if (this.#phase === "ended") throw new VideoSessionError(this.#endReason ?? { kind: "other", code: null, message: null });
      return value;
    };

    try {
      if (!this.#lib.isWebrtcSupported()) {
        throw new VideoSessionError({ kind: "media_unavailable", code: null, message: "This browser cannot make WebRTC calls." });
      }
      // The camera (slow to start on real devices) while the Janus session opens; nobody in
      // the room sees us before both are ready.
      const [[microphone, camera], publisher] = await step(
        Promise.all([this.#capture(), this.#createSession().then((core) => this.#attach(core, "publisher"))]),
      );
      this.#publisher = publisher;

      const join = this.#waitFor((m) => m.videoroom === "joined");
      this.#publisher.send({
        message: { request: "join", ptype: "publisher", room: this.#roomId, display: this.#config.identity, token: this.#roomToken },
        error: (error) => this.#failWaiters(janusProblem(error, this.#config.coreToken, this.#now())),
      });
      const { message: joined } = await step(join);
      this.#myId = idOf(joined.id);
      this.#privateId = idOf(joined.private_id);
      if (this.#myId === null) throw new VideoSessionError({ kind: "other", code: null, message: "Janus gave no participant id." });
      const role = roleOf(this.#config.identity, this.#providerIdentity);
      this.#local = new JanusLocal(String(this.#myId), this.#config.identity, role, microphone, camera);
      for (const attendee of arrayOf(joined.attendees)) this.#participantSeen(attendee as PublisherInfo, true);
      for (const publisher of arrayOf(joined.publishers)) this.#publisherSeen(publisher as PublisherInfo, true);
      this.#syncSubscriptions();

      await step(this.#publish(microphone, camera));
    } catch (error) {
      const reason = error instanceof VideoSessionError ? null : signal?.aborted ? null : { kind: "other" as const, code: null, message: errorText(error) };
      this.#end({ kind: "left", code: null, message: null });
      if (reason) throw new VideoSessionError(reason, { cause: error });
      throw error;
    }
    this.#phase = "connected";
    setTimeout(() => {
      const held = this.#heldMessages ?? [];
      this.#heldMessages = null;
      for (const [text, participant] of held) {
        if (this.#phase === "connected") this.#emitter.emit("messageReceived", text, participant);
      }
    }, 0);
    if (this.#settings.dominantSpeaker || this.#settings.networkQuality) {
      this.#statsTimer = setInterval(() => void this.#readStats(), this.#config.statsIntervalMs ?? DEFAULT_STATS_INTERVAL_MS);
    }
  }

  async #capture(): Promise<[MediaStreamTrack, MediaStreamTrack]> {
    const getUserMedia =
      this.#config.getUserMedia ??
      ((constraints: MediaStreamConstraints) => {
        if (!navigator.mediaDevices?.getUserMedia) throw new DOMException("No camera or microphone access here.", "NotFoundError");
        return navigator.mediaDevices.getUserMedia(constraints);
      });
    let stream: MediaStream;
    try {
      stream = await getUserMedia({
        audio: microphoneCapture(this.#options.microphoneDeviceId),
        video: cameraCapture(this.#settings, this.#options.cameraDeviceId),
      });
    } catch (error) {
      throw new VideoSessionError(mediaProblem(error), { cause: error });
    }
    if (this.#phase === "ended") {
      // The call ended (or failed) while the camera was starting: leave it off.
      for (const track of stream.getTracks()) track.stop();
      throw new VideoSessionError(this.#endReason ?? { kind: "other", code: null, message: null });
    }
    const microphone = stream.getAudioTracks()[0];
    const camera = stream.getVideoTracks()[0];
    this.#captured = stream.getTracks();
    if (!microphone || !camera) {
      throw new VideoSessionError({ kind: "media_unavailable", code: null, message: microphone ? "No camera." : "No microphone." });
    }
    return [microphone, camera];
  }

  #createSession(): Promise<JanusCore> {
    return new Promise((resolve, reject) => {
      let connected = false;
      const core: JanusCore = new this.#lib({
        server: this.#config.server,
        token: this.#config.coreToken,
        iceServers: this.#config.iceServers ?? [],
        destroyOnUnload: true,
        success: () => {
          connected = true;
          resolve(core);
        },
        error: (error) => {
          const reason = janusProblem(error, this.#config.coreToken, this.#now());
          if (!connected) reject(new VideoSessionError(reason));
          else this.#sessionLost(reason);
        },
        destroyed: () => this.#end({ kind: "other", code: null, message: "Janus ended the session." }),
      });
      this.#core = core;
    });
  }

  #attach(core: JanusCore, as: "publisher" | "subscriber"): Promise<JanusHandle> {
    return new Promise((resolve, reject) => {
      const publisher = as === "publisher";
      core.attach({
        plugin: VIDEOROOM,
        opaqueId: `visitdesk-${this.#config.identity}`,
        success: resolve,
        error: (error) => reject(new VideoSessionError(janusProblem(error, this.#config.coreToken, this.#now()))),
        onmessage: (message, jsep) => (publisher ? this.#onPublisherMessage(message, jsep) : this.#onSubscriberMessage(message, jsep)),
        onremotetrack: publisher ? undefined : (track, mid, on, metadata) => this.#onRemoteTrack(track, mid, on, metadata?.reason),
        ondata: publisher ? undefined : (data, label) => this.#onData(data, label),
        iceState: (state) => this.#onIceState(as, state),
        webrtcState: (on, reason) => {
          if (!on && publisher) this.#end({ kind: "network", code: null, message: reason ?? "Janus closed our connection." });
          if (!on && !publisher) this.#resetSubscriber();
        },
      });
    });
  }

  async #publish(microphone: MediaStreamTrack, camera: MediaStreamTrack): Promise<void> {
    const publisher = this.#publisher!;
    const offer = await new Promise<Jsep>((resolve, reject) =>
      publisher.createOffer({
        tracks: [
          { type: "audio", capture: microphone, recv: false },
          { type: "video", capture: camera, recv: false, simulcast: this.#settings.video.simulcast },
          { type: "data" },
        ],
        success: resolve,
        error: (error) => reject(new VideoSessionError({ kind: "media_unavailable", code: null, message: errorText(error) }, { cause: error })),
      }),
    );
    const configured = this.#waitFor((m, jsep) => m.configured === "ok" && jsep !== undefined);
    const descriptions = (["audio", "video"] as const).flatMap((kind) => {
      const mid = this.#transceiver(kind)?.mid;
      return mid ? [{ mid, description: STREAM_DESCRIPTIONS[kind].on }] : [];
    });
    publisher.send({
      message: { request: "publish", audiocodec: "opus", videocodec: this.#settings.video.codec.toLowerCase(), descriptions },
      jsep: offer,
      error: (error) => this.#failWaiters(janusProblem(error, this.#config.coreToken, this.#now())),
    });
    const { jsep: answer } = await configured;
    await new Promise<void>((resolve, reject) =>
      publisher.handleRemoteJsep({
        jsep: answer!,
        success: resolve,
        error: (error) => reject(new VideoSessionError({ kind: "other", code: null, message: errorText(error) }, { cause: error })),
      }),
    );
  }

  /** The next publisher message `accepts` takes; a VideoRoom error event rejects it. */
  #waitFor(accepts: Waiter["accepts"]): Promise<{ message: VideoRoomMessage; jsep: Jsep | undefined }> {
    return new Promise((resolve, reject) => {
      if (this.#phase === "ended") {
        reject(new VideoSessionError(this.#endReason ?? { kind: "other", code: null, message: null }));
        return;
      }
      const timeoutMs = this.#config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
      const waiter: Waiter = {
        accepts,
        resolve: (value) => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          reject(error);
        },
      };
      const timer = setTimeout(
        () => waiter.reject(new VideoSessionError({ kind: "network", code: null, message: "Janus did not answer in time." })),
        timeoutMs,
      );
      this.#waiters.add(waiter);
    });
  }

  #failWaiters(reason: EndReason): void {
    for (const waiter of [...this.#waiters]) waiter.reject(new VideoSessionError(reason));
  }

  // -- Publisher events (the room) ---------------------------------------------------------------

  #onPublisherMessage(message: VideoRoomMessage, jsep?: Jsep): void {
    if (this.#phase === "ended") return;
    if (typeof message.error_code === "number") {
      const reason = videoRoomProblem(message.error_code, textOf(message.error), this.#roomToken, this.#now());
      if (this.#waiters.size > 0) this.#failWaiters(reason);
      else if (reason.kind === "room_completed") this.#end(reason);
      else this.#log("VideoRoom refused a request", `${message.error_code} ${message.error ?? ""}`);
      return;
    }
    for (const waiter of this.#waiters) {
      if (waiter.accepts(message, jsep)) {
        waiter.resolve({ message, jsep });
        return;
      }
    }
    switch (message.videoroom) {
      case "destroyed":
        this.#end({ kind: "room_completed", code: null, message: "The room was closed." });
        return;
      case "talking":
      case "stopped-talking":
        this.#talking(message);
        return;
      case "event":
        this.#roomEvent(message);
        return;
    }
  }

  #roomEvent(message: VideoRoomMessage): void {
    if (message.publishers !== undefined) {
      for (const publisher of arrayOf(message.publishers)) this.#publisherSeen(publisher as PublisherInfo, false);
      this.#syncSubscriptions();
    }
    if (message.joining !== undefined) this.#participantSeen(message.joining as PublisherInfo, false);
    const unpublished = idOf(message.unpublished);
    if (unpublished !== null) this.#unpublished(unpublished);
    for (const key of ["leaving", "kicked"] as const) {
      const value = message[key];
      const gone = idOf(value);
      if (gone !== null && gone !== this.#myId) this.#left(gone);
      else if (value === "ok" || (gone !== null && gone === this.#myId)) {
        if (key === "kicked" || message.reason === "kicked") this.#end({ kind: "other", code: null, message: "Removed from the call." });
      }
    }
  }

  /** A participant (joined, not necessarily publishing): added unless known or ourselves. */
  #participantSeen(info: PublisherInfo, present: boolean): JanusRemote | null {
    const id = idOf(info.id);
    if (id === null || id === this.#myId || info.dummy === true) return null;
    const known = this.#remotes.get(String(id));
    if (known) return known;
    const display = textOf(info.display) ?? String(id);
    if (display === this.#config.identity) {
      // Two devices with one identity: as on Twilio, the one already in the room gives way.
      if (!present) this.#end({ kind: "duplicate_identity", code: null, message: "This identity joined from another device." });
      return null;
    }
    const remote = new JanusRemote(id, display, roleOf(display, this.#providerIdentity));
    this.#remotes.set(remote.sid, remote);
    if (this.#phase === "connected") this.#emitter.emit("participantJoined", remote);
    return remote;
  }

  #publisherSeen(info: PublisherInfo, present: boolean): void {
    const remote = this.#participantSeen(info, present);
    if (!remote) return;
    remote.publishedMids = new Set();
    remote.offMids = new Set();
    remote.publishesData = false;
    for (const raw of arrayOf(info.streams)) {
      const stream = raw as PublisherStreamInfo;
      const mid = textOf(stream.mid);
      if (mid === null || stream.disabled === true) continue;
      if (stream.type === "audio" || stream.type === "video") {
        remote.publishedMids.add(mid);
        if (stream.description === STREAM_DESCRIPTIONS[stream.type].off) remote.offMids.add(mid);
      } else if (stream.type === "data") remote.publishesData = true;
    }
    this.#reconcileTracks();
  }

  #unpublished(id: number): void {
    const remote = this.#remotes.get(String(id));
    if (!remote) return;
    remote.publishedMids = new Set();
    remote.publishesData = false;
    this.#requestedFeeds.delete(id);
    this.#subscribedFeeds.delete(id);
    this.#reconcileTracks();
  }

  #left(id: number): void {
    const remote = this.#remotes.get(String(id));
    if (!remote) return;
    this.#unpublished(id);
    this.#remotes.delete(remote.sid);
    if (this.#phase === "connected") this.#emitter.emit("participantLeft", remote);
    if (this.#dominantSpeaker === remote) this.#setDominantSpeaker(null);
  }

  #talking(message: VideoRoomMessage): void {
    this.#talkingEventsSeen = true;
    const id = idOf(message.id);
    if (message.videoroom !== "talking" || id === null || id === this.#myId) return;
    const remote = this.#remotes.get(String(id));
    if (remote) this.#setDominantSpeaker(remote);
  }

  #setDominantSpeaker(remote: JanusRemote | null): void {
    if (remote === this.#dominantSpeaker) return;
    this.#dominantSpeaker = remote;
    if (this.#phase === "connected") this.#emitter.emit("dominantSpeakerChanged", remote);
  }

  // -- Subscriber --------------------------------------------------------------------------------

  /** Asks Janus for every publisher's streams we do not receive or await yet. */
  #syncSubscriptions(): void {
    if (this.#phase === "ended" || !this.#core || this.#privateId === null) return;
    if (this.#subscriberState === "joining") return; // again once `attached` comes
    const feeds = [...this.#remotes.values()]
      .filter((r) => r.publishing && !this.#subscribedFeeds.has(r.feedId) && !this.#requestedFeeds.has(r.feedId))
      .map((r) => r.feedId);
    if (feeds.length === 0) return;
    for (const feed of feeds) this.#requestedFeeds.add(feed);
    const streams = feeds.map((feed) => ({ feed }));
    const failed = (error: unknown) => {
      for (const feed of feeds) this.#requestedFeeds.delete(feed);
      this.#subscriptionFailed(errorText(error));
    };

    if (this.#subscriberState === "ready" && this.#subscriber) {
      this.#subscriber.send({ message: { request: "update", subscribe: streams }, error: failed });
      return;
    }
    this.#subscriberState = "joining";
    this.#attach(this.#core, "subscriber").then(
      (handle) => {
        if (this.#phase === "ended") return handle.detach();
        this.#subscriber = handle;
        handle.send({
          message: {
            request: "join",
            ptype: "subscriber",
            room: this.#roomId,
            streams,
            private_id: this.#privateId,
            token: this.#roomToken,
          },
          error: failed,
        });
      },
      (error: unknown) => {
        this.#subscriberState = "none";
        failed(error);
      },
    );
  }

  /** Tries again a little later (a feed that left meanwhile fails the whole request). */
  #subscriptionFailed(why: string): void {
    this.#log("subscribing failed", why);
    if (this.#subscriberState === "joining") this.#dropSubscriber();
    this.#subscribeFailures += 1;
    if (this.#subscribeRetry !== null || this.#subscribeFailures > 5 || this.#phase === "ended") return;
    this.#subscribeRetry = setTimeout(() => {
      this.#subscribeRetry = null;
      this.#syncSubscriptions();
    }, 500 * this.#subscribeFailures);
  }

  #onSubscriberMessage(message: VideoRoomMessage, jsep?: Jsep): void {
    if (this.#phase === "ended") return;
    if (typeof message.error_code === "number") {
      this.#requestedFeeds.clear();
      this.#subscriptionFailed(`${message.error_code} ${message.error ?? ""}`);
      return;
    }
    if (message.videoroom === "attached") {
      this.#subscriberState = "ready";
      this.#subscribeFailures = 0;
    }
    if (message.streams !== undefined) this.#subscriberStreamsChanged(arrayOf(message.streams));
    if (jsep) this.#answer(jsep);
    if (message.videoroom === "attached") this.#syncSubscriptions();
  }

  #subscriberStreamsChanged(list: unknown[]): void {
    this.#subscriberStreams = new Map();
    this.#subscribedFeeds = new Set();
    for (const raw of list) {
      const info = raw as SubscriberStreamInfo & { source_ids?: unknown };
      const mid = textOf(info.mid);
      if (mid === null) continue;
      const stream: SubscriberStream = {
        mid,
        mindex: typeof info.mindex === "number" ? info.mindex : 0,
        type: textOf(info.type) ?? "",
        active: info.active !== false,
        feedId: idOf(info.feed_id),
        feedMid: textOf(info.feed_mid),
      };
      this.#subscriberStreams.set(mid, stream);
      if (stream.active && stream.feedId !== null) this.#subscribedFeeds.add(stream.feedId);
      for (const source of arrayOf(info.source_ids)) {
        const id = idOf(source);
        if (id !== null) this.#subscribedFeeds.add(id);
      }
    }
    for (const feed of this.#subscribedFeeds) this.#requestedFeeds.delete(feed);
    this.#reconcileTracks();
  }

  #answer(offer: Jsep): void {
    const subscriber = this.#subscriber;
    if (!subscriber) return;
    subscriber.createAnswer({
      jsep: offer,
      // Audio and video are accepted receive-only; `data` opens the channel texts come on.
      tracks: [{ type: "data" }],
      success: (answer) => {
        if (this.#phase === "ended") return;
        subscriber.send({ message: { request: "start", room: this.#roomId }, jsep: answer, error: (error) => this.#log("start failed", error) });
        this.#reconcileTracks();
      },
      error: (error) => this.#log("answering Janus failed", errorText(error)),
    });
  }

  #onRemoteTrack(track: MediaStreamTrack, mid: string, on: boolean, reason: string | undefined): void {
    if (this.#phase === "ended") return;
    if (on) this.#receivedTracks.set(mid, track);
    else if (reason === "ended") this.#receivedTracks.delete(mid);
    // A track muted for a while (janus.js reports it as off) stays: only an ended one goes.
    this.#reconcileTracks();
  }

  /**
   * Brings every participant's track views in line with what the subscriber receives: a view
   * per subscriber mid that carries an active audio or video stream of a feed the participant
   * publishes now, and whose MediaStreamTrack has arrived. Removals are announced first.
   */
  #reconcileTracks(): void {
    if (this.#phase === "ended") return;
    const emit = this.#phase === "connected";
    const wanted = new Map<string, { remote: JanusRemote; stream: SubscriberStream; track: MediaStreamTrack }>();
    for (const stream of [...this.#subscriberStreams.values()].sort((a, b) => a.mindex - b.mindex)) {
      if (!stream.active || stream.feedId === null || stream.feedMid === null) continue;
      if (stream.type !== "audio" && stream.type !== "video") continue;
      const remote = this.#remotes.get(String(stream.feedId));
      const track = this.#receivedTracks.get(stream.mid);
      if (!remote || !remote.publishedMids.has(stream.feedMid) || !track || track.kind !== stream.type) continue;
      wanted.set(stream.mid, { remote, stream, track });
    }
    const viewId = (stream: SubscriberStream) => `${stream.feedId}/${stream.feedMid}`;

    for (const remote of this.#remotes.values()) {
      for (const [mid, view] of [...remote.viewsByMid]) {
        const keep = wanted.get(mid);
        if (keep && keep.remote === remote && viewId(keep.stream) === view.id && keep.track === view.track) continue;
        remote.viewsByMid.delete(mid);
        if (emit) this.#emitter.emit("trackUnsubscribed", view, remote);
      }
    }
    for (const [mid, { remote, stream, track }] of wanted) {
      if (remote.viewsByMid.has(mid)) continue;
      const view = new JanusRemoteTrack(viewId(stream), stream.type === "audio" ? "audio" : "video", mid, stream.feedMid!, track, remote);
      remote.viewsByMid.set(mid, view);
      if (emit) this.#emitter.emit("trackSubscribed", view, remote);
    }
  }

  #onData(data: unknown, label: string): void {
    if (this.#phase === "ended" || typeof data !== "string") return;
    const remote = this.#remotes.get(label);
    if (!remote) return;
    if (this.#heldMessages) this.#heldMessages.push([data, remote]);
    else this.#emitter.emit("messageReceived", data, remote);
  }

  /** Janus hung up the subscriber: start it again for whoever publishes. */
  #resetSubscriber(): void {
    if (this.#phase === "ended") return;
    this.#dropSubscriber();
    this.#subscriberStreams = new Map();
    this.#receivedTracks = new Map();
    this.#subscribedFeeds = new Set();
    this.#requestedFeeds = new Set();
    this.#reconcileTracks();
    this.#syncSubscriptions();
  }

  #dropSubscriber(): void {
    const subscriber = this.#subscriber;
    this.#subscriber = null;
    this.#subscriberState = "none";
    subscriber?.detach({ error: () => {} });
  }

  // -- Sending -----------------------------------------------------------------------------------

  /** Our publisher's transceiver for the microphone or the camera. */
  #transceiver(kind: MediaKind): RTCRtpTransceiver | null {
    const pc = this.#publisher?.webrtcStuff?.pc;
    if (!pc) return null;
    return pc.getTransceivers().find((t) => t.receiver.track?.kind === kind || t.sender.track?.kind === kind) ?? null;
  }

  #sender(kind: MediaKind): RTCRtpSender | null {
    return this.#transceiver(kind)?.sender ?? null;
  }

  /** Off: the track is disabled and no longer sent, and its stream description tells the others. */
  #setSending(local: JanusLocalTrack, enabled: boolean): void {
    if (local.track.enabled === enabled) return;
    local.track.enabled = enabled;
    const transceiver = this.#transceiver(local.kind);
    transceiver?.sender
      .replaceTrack(enabled ? local.track : null)
      .catch((error: unknown) => this.#log("replaceTrack failed", errorText(error)));
    const mid = transceiver?.mid;
    if (!mid || this.#phase !== "connected") return;
    const description = STREAM_DESCRIPTIONS[local.kind][enabled ? "on" : "off"];
    this.#publisher?.send({
      message: { request: "configure", descriptions: [{ mid, description }] },
      error: (error) => this.#log("configure failed", error),
    });
  }

  async #switch(kind: MediaKind, constraints: MediaStreamConstraints): Promise<void> {
    const local = this.#local;
    if (!local || this.#phase !== "connected") {
      throw new VideoSessionError({ kind: "other", code: null, message: "The call is not connected." });
    }
    const view = kind === "audio" ? local.microphone : local.camera;
    const getUserMedia = this.#config.getUserMedia ?? ((c: MediaStreamConstraints) => navigator.mediaDevices.getUserMedia(c));
    let track: MediaStreamTrack | undefined;
    try {
      const stream = await getUserMedia(constraints);
      track = kind === "audio" ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
    } catch (error) {
      throw new VideoSessionError(mediaProblem(error), { cause: error });
    }
    if (!track) throw new VideoSessionError({ kind: "media_unavailable", code: null, message: `No ${kind} device.` });
    if (this.#phase !== "connected") {
      track.stop();
      return;
    }
    const old = view.track;
    track.enabled = old.enabled;
    if (old.enabled) await this.#sender(kind)?.replaceTrack(track);
    view.replace(track);
    this.#captured = [...this.#captured.filter((t) => t !== old), track];
    old.stop();
  }

  // -- Connection trouble ------------------------------------------------------------------------

  #onIceState(handle: "publisher" | "subscriber", state: string): void {
    if (this.#phase !== "connected") return;
    if (state === "failed") {
      this.#end({ kind: "network", code: null, message: `The ${handle}'s media connection failed.` });
    } else if (state === "disconnected") {
      this.#troubleStarted(`ice-${handle}`, { kind: "network", code: null, message: "The media connection was interrupted." });
    } else if (state === "connected" || state === "completed") {
      this.#troubleEnded(`ice-${handle}`);
    }
  }

  #troubleStarted(key: string, reason: EndReason): void {
    const first = this.#reconnectReasons.size === 0;
    this.#reconnectReasons.add(key);
    if (first && this.#phase === "connected") {
      this.#state = "reconnecting";
      this.#emitter.emit("reconnecting", reason);
    }
  }

  #troubleEnded(key: string): void {
    if (!this.#reconnectReasons.delete(key) || this.#reconnectReasons.size > 0 || this.#phase !== "connected") return;
    this.#state = "connected";
    this.#emitter.emit("reconnected");
  }

  /** janus.js lost the server (its long polls or WebSocket failed): claim the session again. */
  #sessionLost(reason: EndReason): void {
    if (this.#phase === "connecting") {
      this.#end(reason);
      return;
    }
    if (this.#phase !== "connected" || this.#reconnectReasons.has("signalling")) return;
    this.#troubleStarted("signalling", { ...reason, kind: reason.kind === "other" ? "network" : reason.kind });
    const giveUpAt = Date.now() + (this.#config.reconnectForMs ?? DEFAULT_RECONNECT_FOR_MS);
    let delay = 500;
    const attempt = () => {
      this.#reconnectTimer = null;
      if (this.#phase !== "connected" || !this.#core) return;
      this.#core.reconnect({
        success: () => this.#troubleEnded("signalling"),
        error: (error) => {
          if (this.#phase !== "connected") return;
          const problem = janusProblem(error, this.#config.coreToken, this.#now());
          if (Date.now() >= giveUpAt || problem.kind === "token_expired" || problem.kind === "token_invalid") {
            this.#end(problem.kind === "other" ? { ...problem, kind: "network" } : problem);
            return;
          }
          delay = Math.min(delay * 2, 5_000);
          this.#reconnectTimer = setTimeout(attempt, delay);
        },
      });
    };
    this.#reconnectTimer = setTimeout(attempt, delay);
  }

  // -- Stats: dominant speaker and network quality (calls of 3 or more) ---------------------------

  async #readStats(): Promise<void> {
    if (this.#statsBusy || this.#phase !== "connected") return;
    this.#statsBusy = true;
    try {
      const subscriberPc = this.#subscriber?.webrtcStuff?.pc;
      const publisherPc = this.#publisher?.webrtcStuff?.pc;
      const [received, sent] = await Promise.all([subscriberPc?.getStats() ?? null, publisherPc?.getStats() ?? null]);
      if (this.#phase !== "connected") return;
      if (received) this.#receivedStats(entriesOf(received));
      if (sent && this.#settings.networkQuality && this.#local) {
        let lost: number | null = null;
        let rtt: number | null = null;
        for (const entry of entriesOf(sent)) {
          if (entry.type !== "remote-inbound-rtp") continue;
          const fraction = numberOf(entry, "fractionLost");
          if (fraction !== null) lost = Math.max(lost ?? 0, fraction);
          const roundTrip = numberOf(entry, "roundTripTime");
          if (roundTrip !== null) rtt = Math.max(rtt ?? 0, roundTrip);
        }
        if (lost !== null || rtt !== null) this.#quality(this.#local, qualityLevel(lost ?? 0, rtt));
      }
    } catch (error) {
      this.#log("getStats failed", errorText(error));
    } finally {
      this.#statsBusy = false;
    }
  }

  #receivedStats(entries: StatsEntry[]): void {
    const perFeed = new Map<number, { lost: number; received: number; loudness: number }>();
    for (const entry of entries) {
      if (entry.type !== "inbound-rtp") continue;
      const mid = textOf(entry.mid);
      const stream = mid === null ? undefined : this.#subscriberStreams.get(mid);
      if (!mid || !stream?.active || stream.feedId === null) continue;
      const now = {
        lost: numberOf(entry, "packetsLost") ?? 0,
        received: numberOf(entry, "packetsReceived") ?? 0,
        energy: numberOf(entry, "totalAudioEnergy") ?? 0,
        duration: numberOf(entry, "totalSamplesDuration") ?? 0,
      };
      const before = this.#previousStats.get(`${stream.feedId}/${mid}`);
      this.#previousStats.set(`${stream.feedId}/${mid}`, now);
      if (!before) continue;
      const feed = perFeed.get(stream.feedId) ?? { lost: 0, received: 0, loudness: 0 };
      feed.lost += Math.max(0, now.lost - before.lost);
      feed.received += Math.max(0, now.received - before.received);
      const seconds = now.duration - before.duration;
      // Root mean square of the interval's audio: the energy is the integral of the level squared.
      if (stream.type === "audio" && seconds > 0) feed.loudness = Math.sqrt(Math.max(0, now.energy - before.energy) / seconds);
      perFeed.set(stream.feedId, feed);
    }
    let loudest: JanusRemote | null = null;
    let loudness = 0.01; // below this, nobody is speaking
    for (const [feedId, feed] of perFeed) {
      const remote = this.#remotes.get(String(feedId));
      if (!remote) continue;
      if (this.#settings.networkQuality && feed.lost + feed.received > 0) {
        this.#quality(remote, qualityLevel(feed.lost / (feed.lost + feed.received), null));
      }
      if (feed.loudness > loudness) {
        loudness = feed.loudness;
        loudest = remote;
      }
    }
    // VideoRoom's own talking events (rooms with `audiolevel_event`) win over our estimate.
    if (this.#settings.dominantSpeaker && !this.#talkingEventsSeen && loudest) this.#setDominantSpeaker(loudest);
  }

  #quality(participant: JanusLocal | JanusRemote, level: NetworkQualityLevel): void {
    if (participant.networkQualityLevel === level) return;
    participant.networkQualityLevel = level;
    this.#emitter.emit("networkQualityChanged", participant as Participant, level);
  }

  // -- Ending ------------------------------------------------------------------------------------

  /** Leaves the room and ends the Janus session; `disconnected` is the last event. */
  #end(reason: EndReason): void {
    if (this.#phase === "ended") return;
    const announced = this.#phase === "connected";
    this.#phase = "ended";
    this.#state = "disconnected";
    this.#endReason = reason;
    this.#failWaiters(reason);
    if (this.#statsTimer !== null) clearInterval(this.#statsTimer);
    if (this.#reconnectTimer !== null) clearTimeout(this.#reconnectTimer);
    if (this.#subscribeRetry !== null) clearTimeout(this.#subscribeRetry);
    for (const track of this.#captured) track.stop();
    if (this.#local) for (const track of [this.#local.microphone, this.#local.camera]) track.track.stop();
    const core = this.#core;
    this.#core = null;
    // Destroying the session detaches both handles: Janus tells the others we left.
    core?.destroy({ cleanupHandles: true, notifyDestroyed: false, error: () => {} });
    if (announced) this.#emitter.emit("disconnected", reason);
    this.#emitter.removeAllListeners();
  }

  #log(what: string, detail: unknown): void {
    if (this.#config.debug) console.warn(`[janus] ${what}:`, detail);
  }
}

// ---------------------------------------------------------------------------------------------
// Entry points

let initialised: Promise<void> | null = null;
let initialisedLibrary: JanusLibrary | null = null;

function initJanus(lib: JanusLibrary, debug: boolean): Promise<void> {
  if (initialised && initialisedLibrary === lib) return initialised;
  initialisedLibrary = lib;
  initialised = new Promise((resolve) => {
    const adapter = { browserDetails: browserDetails(typeof navigator === "undefined" ? "" : navigator.userAgent) };
    lib.init({ debug, dependencies: lib.useDefaultDependencies({ adapter }), callback: resolve });
  });
  return initialised;
}

/** Joins the room with the blueprint's settings; rejects with a `VideoSessionError`, or the abort reason. */
export async function connectJanus(config: JanusBackendConfig, options: VideoConnectOptions): Promise<VideoSession> {
  const { signal } = options;
  if (signal?.aborted) throw abortReason(signal);
  const roomText = options.roomName ?? (config.room === null || config.room === undefined ? null : String(config.room));
  const roomId = roomText !== null && /^\d{1,16}$/.test(roomText) ? Number(roomText) : roomText === null ? roomFromToken(options.token) : null;
  if (roomId === null || !Number.isSafeInteger(roomId) || roomId <= 0) {
    throw new VideoSessionError({ kind: "token_invalid", code: null, message: "No VideoRoom to join (a numeric room id)." });
  }

  let lib: JanusLibrary;
  try {
    lib = (await (config.load ?? loadJanus)()).default;
    await initJanus(lib, config.debug === true);
  } catch (error) {
    throw new VideoSessionError({ kind: "other", code: null, message: "The video library could not be loaded." }, { cause: error });
  }
  if (signal?.aborted) throw abortReason(signal);

  const session = new JanusSession(lib, config, options, roomId);
  await session.start();
  return session;
}

/** A `VideoBackend` for one Janus join link (`server`, `room`, `coreToken`, `identity`). */
export function janusBackend(config: JanusBackendConfig): VideoBackend {
  return { connect: (options) => connectJanus(config, options) };
}
