// What both adapters (twilio.ts and janus/) do the same way: a session's listeners, state,
// remote participants and dominant speaker, with the event-order rules of `VideoSessionEvents`
// that hang on them; and the steps of `connect` that do not depend on the backend.

import { TypedEmitter } from "./emitter";
import {
  type CallLobby,
  type EndKind,
  type EndReason,
  type RemoteParticipant,
  type SessionState,
  type VideoConnectOptions,
  type VideoSessionEvents,
  MEDIA_ERROR_KINDS,
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

  get state(): SessionState {
    return this.#state;
  }

  /** `VideoSession.admitted`: true unless an adapter connected held says otherwise (`setAdmitted`). */
  get admitted(): boolean {
    return this.#admitted;
  }

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

/** What a getUserMedia error means (by its name, `MEDIA_ERROR_KINDS`), if it is one. */
export function mediaErrorKind(error: unknown): EndKind | undefined {
  const { name } = (error ?? {}) as { name?: unknown };
  return typeof name === "string" ? MEDIA_ERROR_KINDS[name] : undefined;
}
