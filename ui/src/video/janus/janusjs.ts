// janus.js (npm `janus-gateway`, loaded only when a call starts) as the adapter uses it: its
// typings, its one-time init, and its callbacks made promises: a session, a VideoRoom handle,
// and the reply a request waits for on a handle.

import { type EndReason, VideoSessionError } from "../session";

// ---------------------------------------------------------------------------------------------
// What the adapter uses of janus.js 1.x (its bundled typings predate 1.x's `tracks` API).

export type Jsep = { type: string; sdp: string };

/** A `tracks` entry of janus.js 1.x's createOffer/createAnswer. */
export type JanusTrackSpec = {
  type: "audio" | "video" | "data";
  capture?: boolean | MediaStreamTrack;
  recv?: boolean;
  /** A renegotiation: one more track beside those sent already. */
  add?: boolean;
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
  /** Closes the handle's PeerConnection here; `sendRequest` also asks Janus to hang up. */
  hangup(sendRequest?: boolean): void;
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
export type PublisherStreamInfo = { type?: unknown; mid?: unknown; disabled?: unknown; description?: unknown };
export type PublisherInfo = { id?: unknown; display?: unknown; dummy?: unknown; streams?: unknown };
export type SubscriberStreamInfo = { type?: unknown; mid?: unknown; mindex?: unknown; active?: unknown; feed_id?: unknown; feed_mid?: unknown };

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

export const VIDEOROOM = "janus.plugin.videoroom";

// ---------------------------------------------------------------------------------------------
// Init, once per library

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

let initialised: Promise<void> | null = null;
let initialisedLibrary: JanusLibrary | null = null;

export function initJanus(lib: JanusLibrary, debug: boolean): Promise<void> {
  if (initialised && initialisedLibrary === lib) return initialised;
  initialisedLibrary = lib;
  initialised = new Promise((resolve) => {
    const adapter = { browserDetails: browserDetails(typeof navigator === "undefined" ? "" : navigator.userAgent) };
    lib.init({ debug, dependencies: lib.useDefaultDependencies({ adapter }), callback: resolve });
  });
  return initialised;
}

// ---------------------------------------------------------------------------------------------
// Promisified

/**
 * A new Janus session (`core`, at once) and when Janus has created it (`ready`). A failure before
 * that rejects `ready`; one after it (the server lost) goes to `lost`.
 */
export function createSession(
  lib: JanusLibrary,
  options: { server: string; token: string; iceServers: RTCIceServer[] },
  on: { problem: (error: string) => EndReason; lost: (reason: EndReason) => void; destroyed: () => void },
): { core: JanusCore; ready: Promise<JanusCore> } {
  let created!: JanusCore;
  const ready = new Promise<JanusCore>((resolve, reject) => {
    let connected = false;
    const core: JanusCore = new lib({
      ...options,
      destroyOnUnload: true,
      success: () => {
        connected = true;
        resolve(core);
      },
      error: (error) => {
        const reason = on.problem(error);
        if (!connected) reject(new VideoSessionError(reason));
        else on.lost(reason);
      },
      destroyed: on.destroyed,
    });
    created = core;
  });
  return { core: created, ready };
}

export type HandleCallbacks = Pick<JanusAttachOptions, "onmessage" | "onremotetrack" | "ondata" | "iceState" | "webrtcState">;

/** A VideoRoom handle in `core`, for our identity; a refusal rejects with a `VideoSessionError`. */
export function attachVideoRoom(
  core: JanusCore,
  identity: string,
  problem: (error: string) => EndReason,
  callbacks: HandleCallbacks,
): Promise<JanusHandle> {
  return new Promise((resolve, reject) => {
    core.attach({
      plugin: VIDEOROOM,
      opaqueId: `visitdesk-${identity}`,
      success: resolve,
      error: (error) => reject(new VideoSessionError(problem(error))),
      ...callbacks,
    });
  });
}

type Waiter = {
  accepts: (message: VideoRoomMessage, jsep?: Jsep) => boolean;
  resolve: (value: { message: VideoRoomMessage; jsep: Jsep | undefined }) => void;
  reject: (error: unknown) => void;
};

/** The replies requests on one handle wait for: the first message each accepts, within a time. */
export class Replies {
  readonly #waiters = new Set<Waiter>();
  /** Why no more replies can come (the call ended), or null. */
  readonly #ended: () => VideoSessionError | null;

  constructor(ended: () => VideoSessionError | null) {
    this.#ended = ended;
  }

  get pending(): boolean {
    return this.#waiters.size > 0;
  }

  /** The next message `accepts` takes; `failAll` or no reply within `timeoutMs` rejects it. */
  waitFor(accepts: Waiter["accepts"], timeoutMs: number): Promise<{ message: VideoRoomMessage; jsep: Jsep | undefined }> {
    return new Promise((resolve, reject) => {
      const ended = this.#ended();
      if (ended) {
        reject(ended);
        return;
      }
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

  /** Gives `message` to the first request that accepts it; false when none does. */
  take(message: VideoRoomMessage, jsep?: Jsep): boolean {
    for (const waiter of this.#waiters) {
      if (waiter.accepts(message, jsep)) {
        waiter.resolve({ message, jsep });
        return true;
      }
    }
    return false;
  }

  failAll(reason: EndReason): void {
    for (const waiter of [...this.#waiters]) waiter.reject(new VideoSessionError(reason));
  }
}
