// What both adapters (twilio.ts and janus/) do the same way: a session's listeners, state,
// remote participants, dominant speaker and screen share, with the event-order rules of
// `VideoSessionEvents` that hang on them; and the steps of `connect` that do not depend on the
// backend.

import { TypedEmitter } from "./emitter";
import { type GetDisplayMedia, captureScreen } from "./screen";
import {
  type CallLobby,
  type EndReason,
  type RemoteParticipant,
  type SessionState,
  type VideoConnectOptions,
  type VideoSessionEvents,
  VideoSessionError,
  roleOf,
} from "./session";

/** The bookkeeping part of a `VideoSession`; an adapter adds its media and its backend's events. */
export abstract class SessionBase<Remote extends RemoteParticipant> {
  protected readonly emitter = new TypedEmitter<VideoSessionEvents>();
  /** Keyed by participant SID. */
  protected readonly remotes = new Map<string, Remote>();
  #state: SessionState = "connected";
  #dominantSpeaker: Remote | null = null;
  #admitted = true;
  #screen: MediaStreamTrack | null = null;
  #sharing: Promise<void> | null = null;

  get state(): SessionState {
    return this.#state;
  }

  /** `VideoSession.admitted`: true unless an adapter connected held says otherwise (`setAdmitted`). */
  get admitted(): boolean {
    return this.#admitted;
  }

  get sharingScreen(): boolean {
    return this.#screen !== null;
  }

  /** `VideoSession.shareScreen`: the capture here, the sending in the adapter (`sendScreen`). */
  shareScreen(): Promise<void> {
    if (this.#screen) return Promise.resolve();
    this.#sharing ??= this.#share().finally(() => (this.#sharing = null));
    return this.#sharing;
  }

  async #share(): Promise<void> {
    if (this.held) throw new VideoSessionError({ kind: "other", code: null, message: "Held in the waiting room: nothing can be shared." });
    const track = await captureScreen(this.displayMedia);
    try {
      await this.sendScreen(track);
    } catch (error) {
      track.stop();
      throw error instanceof VideoSessionError ? error : new VideoSessionError({ kind: "other", code: null, message: messageOf(error) }, { cause: error });
    }
    if (this.#state === "disconnected") {
      track.stop();
      return;
    }
    this.#screen = track;
    // The browser's own "Stop sharing" ends the track.
    track.addEventListener("ended", () => this.stopScreenShare(), { once: true });
    this.emitter.emit("screenShareChanged", true);
  }

  stopScreenShare(): void {
    const track = this.#screen;
    if (!track) return;
    this.#screen = null;
    this.stopSendingScreen(track);
    track.stop();
    if (this.#state !== "disconnected") this.emitter.emit("screenShareChanged", false);
  }

  /** getDisplayMedia, where a test gives its own. */
  protected get displayMedia(): GetDisplayMedia | undefined {
    return undefined;
  }

  /** `VideoSession.held`: nothing is shared while held. */
  abstract get held(): boolean;

  /** Sends `track` as this side's shared screen. */
  protected abstract sendScreen(track: MediaStreamTrack): Promise<void>;
  /** Stops sending the shared screen (the track is stopped after). */
  protected abstract stopSendingScreen(track: MediaStreamTrack): void;

  /** `VideoSession.lobby`: none unless an adapter's call decides admission itself. */
  get lobby(): CallLobby | null {
    return null;
  }

  get remoteParticipants(): ReadonlyMap<string, RemoteParticipant> {
    return this.remotes;
  }

  get dominantSpeaker(): RemoteParticipant | null {
    return this.#dominantSpeaker;
  }

  on<K extends keyof VideoSessionEvents>(event: K, listener: (...args: VideoSessionEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }

  off<K extends keyof VideoSessionEvents>(event: K, listener: (...args: VideoSessionEvents[K]) => void): void {
    this.emitter.off(event, listener);
  }

  /** False while `connect` is under way: who is in the room then is there, unannounced. */
  protected get announcing(): boolean {
    return true;
  }

  protected setDominantSpeaker(remote: Remote | null): void {
    if (remote === this.#dominantSpeaker) return;
    this.#dominantSpeaker = remote;
    if (this.announcing) this.emitter.emit("dominantSpeakerChanged", remote);
  }

  /** `admissionChanged` once the session is announcing; unannounced during `connect`. */
  protected setAdmitted(admitted: boolean): void {
    if (admitted === this.#admitted) return;
    this.#admitted = admitted;
    if (this.announcing) this.emitter.emit("admissionChanged", admitted);
  }

  /** `participantLeft` (its tracks already unsubscribed), then nobody speaks if it did. */
  protected removeRemote(remote: Remote): void {
    this.remotes.delete(remote.sid);
    if (this.announcing) this.emitter.emit("participantLeft", remote);
    if (this.#dominantSpeaker === remote) this.setDominantSpeaker(null);
  }

  protected connectionLost(reason: EndReason): void {
    this.#state = "reconnecting";
    this.emitter.emit("reconnecting", reason);
  }

  protected connectionBack(): void {
    this.#state = "connected";
    this.emitter.emit("reconnected");
  }

  /** `disconnected` (when `announce`) is the last event: every listener is dropped after it. */
  protected ended(reason: EndReason, announce = true): void {
    this.#state = "disconnected";
    this.#screen?.stop();
    this.#screen = null;
    if (announce) this.emitter.emit("disconnected", reason);
    this.emitter.removeAllListeners();
  }
}

export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The call was cancelled.", "AbortError");
}

/** Throws the abort reason once `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

export function libraryNotLoaded(cause: unknown): VideoSessionError {
  return new VideoSessionError({ kind: "other", code: null, message: "The video library could not be loaded." }, { cause });
}

/** The provider's identity: the one given, else our own when it is not a guest's. */
export function providerIdentityOf(options: VideoConnectOptions, ownIdentity: string | null): string | null {
  if (options.providerIdentity !== undefined) return options.providerIdentity;
  return ownIdentity !== null && roleOf(ownIdentity, null) === "unknown" ? ownIdentity : null;
}

/** An error's `message` when it is a text with something in it. */
export function messageOf(error: unknown): string | null {
  const { message } = (error ?? {}) as { message?: unknown };
  return typeof message === "string" && message !== "" ? message : null;
}
