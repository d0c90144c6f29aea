// `VideoSession` over a Janus VideoRoom (Janus 1.x, multistream), through janus.js.
//
// One Janus session per call with two VideoRoom handles: a publisher (publishing.ts: joins with
// the room token, display = our identity, sends microphone, camera unless joined without one,
// and a data channel) and one multistream subscriber that receives every other publisher's
// streams (subscriptions.ts). Connected held (the patient's waiting room), the publisher joins and
// nothing else happens until `release` (holding.ts).
// This file holds them together: connecting, who is in the room (the events VideoRoom sends the
// publisher), the clinician's lobby (lobby.ts) or, held, whether it lets us in, and the end of
// the call.

import { SessionBase, abortReason, providerIdentityOf } from "../adapter";
import { type CallSettings, callSettings } from "../callSettings";
import {
  type EndReason,
  type LocalParticipant,
  type VideoConnectOptions,
  type VideoSession,
  type VideoSessionEvents,
  VideoSessionError,
  roleOf,
} from "../session";
import { type JanusBackendConfig, type JanusCall, type Phase } from "./call";
import { ClinicianChecks, displayWithProof, readDisplay } from "./clinicianProof";
import { arrayOf, idOf, textOf } from "./messages";
import { Devices } from "./devices";
import { Holding } from "./holding";
import { type JanusCore, type JanusLibrary, type PublisherInfo, type VideoRoomMessage, createSession } from "./janusjs";
import { JanusLobby } from "./lobby";
import { JanusLocal, JanusRemote } from "./participants";
import { errorText, janusProblem } from "./problems";
import { Publishing } from "./publishing";
import { Reconnects } from "./reconnects";
import { Stats } from "./stats";
import { Subscriptions } from "./subscriptions";

export class JanusSession extends SessionBase<JanusRemote> implements VideoSession, JanusCall {
  readonly config: JanusBackendConfig;
  readonly options: VideoConnectOptions;
  readonly settings: CallSettings;
  readonly roomId: number;
  readonly roomToken: string;
  readonly #lib: JanusLibrary;
  readonly #providerIdentity: string | null;
  readonly #now: () => number;
  readonly #reconnects: Reconnects;
  readonly #publishing: Publishing;
  readonly #subscriptions: Subscriptions;
  readonly #devices: Devices;
  readonly #stats: Stats;
  readonly #holding: Holding;
  readonly #clinicianChecks: ClinicianChecks;
  /** The clinician's (with a proof): whom their call lets in. */
  readonly #lobby: JanusLobby | null;
  /** Those whose clinician proof is being checked: not shown until it is. */
  readonly #awaitingProof = new Map<number, { info: PublisherInfo; published: boolean }>();

  #phase: Phase = "connecting";
  #endReason: EndReason | null = null;
  #core: JanusCore | null = null;
  #local: JanusLocal | null = null;
  #myId: number | null = null;
  #privateId: number | null = null;
  /** Texts that came before `connect`'s caller could listen: given out just after. */
  #earlyMessages: Array<[string, JanusRemote]> | null = [];

  constructor(lib: JanusLibrary, config: JanusBackendConfig, options: VideoConnectOptions, roomId: number) {
    super();
    this.#lib = lib;
    this.config = config;
    this.options = options;
    this.settings = callSettings(options.expectedParticipants, options);
    this.roomId = roomId;
    this.roomToken = options.token;
    this.#now = config.now ?? (() => Math.floor(Date.now() / 1000));
    this.#providerIdentity = providerIdentityOf(options, config.identity);
    this.#reconnects = new Reconnects(this, (reason) => this.connectionLost(reason), () => this.connectionBack());
    this.#publishing = new Publishing(this, this.#reconnects, (message) => this.#onRoomMessage(message));
    this.#subscriptions = new Subscriptions(this, this.#reconnects, (text, remote) => this.#textReceived(text, remote));
    this.#devices = new Devices(this, this.#publishing);
    this.#stats = new Stats(this, this.#publishing, this.#subscriptions, (remote) => this.setDominantSpeaker(remote));
    const parts = { publishing: this.#publishing, subscriptions: this.#subscriptions, devices: this.#devices, reconnects: this.#reconnects };
    this.#holding = new Holding(this, parts, options.held === true);
    this.#clinicianChecks = new ClinicianChecks(config.clinicianKey, roomId, this.#now);
    this.#lobby = config.proof
      ? new JanusLobby(config.admission ?? "on_join", {
          patients: () => [...this.remotes.values()].filter((remote) => remote.role === "patient"),
          letIn: (ids) => this.#publishing.setDisplay(this.#displayLetting(ids)),
          changed: () => {
            if (this.announcing) this.emitter.emit("lobbyChanged");
          },
        })
      : null;
    if (options.held === true) this.setAdmitted(false);
  }

  // -- VideoSession ----------------------------------------------------------------------------

  get held(): boolean {
    return this.#holding.held;
  }

  override get lobby(): JanusLobby | null {
    return this.#lobby;
  }

  get localParticipant(): LocalParticipant {
    if (!this.#local) throw new Error("Not connected yet.");
    return this.#local;
  }

  setMicrophoneEnabled(enabled: boolean): void {
    this.#devices.setEnabled("audio", enabled);
  }

  setCameraEnabled(enabled: boolean): void {
    this.#devices.setEnabled("video", enabled);
  }

  switchCamera(deviceId: string): Promise<void> {
    return this.#devices.switchCamera(deviceId);
  }

  switchMicrophone(deviceId: string): Promise<void> {
    return this.#devices.switchMicrophone(deviceId);
  }

  sendMessage(text: string): void {
    this.#publishing.sendText(text);
  }

  release(): Promise<void> {
    return this.#holding.release();
  }

  protected override get displayMedia() {
    return this.config.getDisplayMedia;
  }


  protected sendScreen(track: MediaStreamTrack): Promise<void> {
    return this.#publishing.sendScreen(track);
  }

  protected stopSendingScreen(): void {
    this.#publishing.stopScreen();
  }

  hold(): void {
    this.#holding.hold();
  }

  disconnect(): void {
    this.end({ kind: "left", code: null, message: null });
  }

  // -- JanusCall: what the parts share ----------------------------------------------------------

  get phase(): Phase {
    return this.#phase;
  }

  get core(): JanusCore | null {
    return this.#core;
  }

  get privateId(): number | null {
    return this.#privateId;
  }

  get local(): JanusLocal | null {
    return this.#local;
  }

  get participants(): ReadonlyMap<string, JanusRemote> {
    return this.remotes;
  }

  now(): number {
    return this.#now();
  }

  display(): string {
    return this.#displayLetting(this.#lobby?.letIn ?? []);
  }

  /** Our display, as the clinician's call letting in `ids`. */
  #displayLetting(ids: readonly string[]): string {
    return displayWithProof(this.config.identity, this.config.proof, ids);
  }

  problem(error: string): EndReason {
    return janusProblem(error, this.config.coreToken, this.#now());
  }

  endedError(): VideoSessionError {
    return new VideoSessionError(this.#endReason ?? { kind: "other", code: null, message: null });
  }

  emit<K extends keyof VideoSessionEvents>(event: K, ...args: VideoSessionEvents[K]): void {
    this.emitter.emit(event, ...args);
  }

  log(what: string, detail: unknown): void {
    if (this.config.debug) console.warn(`[janus] ${what}:`, detail);
  }

  protected override get announcing(): boolean {
    return this.#phase === "connected";
  }

  // -- Connecting -------------------------------------------------------------------------------

  /** Joins, publishes, starts receiving (held: only joins); rejects with a `VideoSessionError` (or the abort reason). */
  async start(): Promise<void> {
    const { signal } = this.options;
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
      if (this.#phase === "ended") throw this.endedError();
      return value;
    };

    try {
      if (!this.#lib.isWebrtcSupported()) {
        throw new VideoSessionError({ kind: "media_unavailable", code: null, message: "This browser cannot make WebRTC calls." });
      }
      // The camera (slow to start on real devices) while the Janus session opens; nobody in
      // the room sees us before both are ready. Held: no camera.
      const attached = this.#createSession().then((core) => this.#publishing.attach(core));
      const [captured] = await step(Promise.all([this.held ? null : this.#publishing.capture(), attached]));
      const { message: joined } = await step(this.#publishing.join());
      this.#myId = idOf(joined.id);
      this.#privateId = idOf(joined.private_id);
      if (this.#myId === null) throw new VideoSessionError({ kind: "other", code: null, message: "Janus gave no participant id." });
      const role = roleOf(this.config.identity, this.#providerIdentity);
      this.#local = new JanusLocal(String(this.#myId), this.config.identity, role, captured);
      for (const attendee of arrayOf(joined.attendees)) this.#participantSeen(attendee as PublisherInfo);
      for (const publisher of arrayOf(joined.publishers)) this.#publisherSeen(publisher as PublisherInfo);
      await step(this.#clinicianChecks.settled());
      this.#subscriptions.sync();

      if (captured) await step(this.#publishing.publish(captured));
    } catch (error) {
      const reason = error instanceof VideoSessionError ? null : signal?.aborted ? null : { kind: "other" as const, code: null, message: errorText(error) };
      this.end({ kind: "left", code: null, message: null });
      if (reason) throw new VideoSessionError(reason, { cause: error });
      throw error;
    }
    this.#phase = "connected";
    setTimeout(() => {
      const early = this.#earlyMessages ?? [];
      this.#earlyMessages = null;
      for (const [text, participant] of early) {
        if (this.#phase === "connected") this.emitter.emit("messageReceived", text, participant);
      }
    }, 0);
    this.#stats.start();
  }

  #createSession(): Promise<JanusCore> {
    const { server, coreToken: token, iceServers } = this.config;
    const { core, ready } = createSession(
      this.#lib,
      { server, token, iceServers: iceServers ?? [] },
      {
        problem: (error) => this.problem(error),
        lost: (reason) => this.#reconnects.sessionLost(reason),
        destroyed: () => this.end({ kind: "other", code: null, message: "Janus ended the session." }),
      },
    );
    this.#core = core;
    return ready;
  }

  #textReceived(text: string, remote: JanusRemote): void {
    if (this.#earlyMessages) this.#earlyMessages.push([text, remote]);
    else this.emitter.emit("messageReceived", text, remote);
  }

  // -- Who is in the room: VideoRoom's events on the publisher -----------------------------------

  #onRoomMessage(message: VideoRoomMessage): void {
    switch (message.videoroom) {
      case "destroyed":
        this.end({ kind: "room_completed", code: null, message: "The room was closed." });
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
      for (const publisher of arrayOf(message.publishers)) this.#publisherSeen(publisher as PublisherInfo);
      this.#subscriptions.sync();
    }
    if (message.joining !== undefined) this.#participantSeen(message.joining as PublisherInfo);
    const renamed = idOf(message.id);
    if (renamed !== null && typeof message.display === "string") this.#displayChanged(renamed, message.display);
    const unpublished = idOf(message.unpublished);
    if (unpublished !== null) this.#unpublished(unpublished);
    for (const key of ["leaving", "kicked"] as const) {
      const value = message[key];
      const gone = idOf(value);
      if (gone !== null && gone !== this.#myId) this.#left(gone);
      else if (value === "ok" || (gone !== null && gone === this.#myId)) {
        if (key === "kicked" || message.reason === "kicked") this.end({ kind: "other", code: null, message: "Removed from the call." });
      }
    }
  }

  /**
   * A participant (joined, not necessarily publishing): added unless known or ourselves. A
   * display name is not proof: only who proves it (clinicianProof.ts) is the provider, and
   * is not shown before the proof is checked. A namesake of ours never ends this call.
   */
  #participantSeen(info: PublisherInfo, published = false): JanusRemote | null {
    const id = idOf(info.id);
    if (id === null || id === this.#myId || info.dummy === true) return null;
    const known = this.remotes.get(String(id));
    if (known) {
      const display = textOf(info.display);
      if (display !== null) this.#displayChanged(id, display);
      return known;
    }
    const { identity, proof, admits } = readDisplay(textOf(info.display) ?? String(id));
    let proven = false;
    if (proof !== null && identity === this.#providerIdentity && identity !== this.config.identity) {
      const verdict = this.#clinicianChecks.verdict(id, identity, proof, () => this.#proofChecked(id));
      if (verdict === null) {
        const waiting = this.#awaitingProof.get(id);
        if (published || !waiting) this.#awaitingProof.set(id, { info, published: published || (waiting?.published ?? false) });
        return null;
      }
      proven = verdict;
    }
    const role = identity === this.config.identity ? "unknown" : roleOf(identity, proven ? this.#providerIdentity : null);
    const remote = new JanusRemote(id, identity, role, proven ? proof : null);
    if (proven) remote.admits = admits;
    this.remotes.set(remote.sid, remote);
    if (this.announcing) this.emitter.emit("participantJoined", remote);
    this.#lobby?.sync();
    this.#syncAdmission();
    return remote;
  }

  /**
   * A participant's display changed (VideoRoom tells when a page `configure`s it): only a proven
   * clinician's counts, and only whom it lets in; its identity and proof stay as checked.
   */
  #displayChanged(id: number, display: string): void {
    const waiting = this.#awaitingProof.get(id);
    if (waiting) waiting.info = { ...waiting.info, display };
    const remote = this.remotes.get(String(id));
    if (!remote?.proof) return;
    const shown = readDisplay(display);
    remote.admits = shown.identity === remote.identity && shown.proof === remote.proof ? shown.admits : new Set();
    this.#syncAdmission();
  }

  #proofChecked(id: number): void {
    const waiting = this.#awaitingProof.get(id);
    this.#awaitingProof.delete(id);
    if (!waiting || this.#phase === "ended") return;
    if (!waiting.published) {
      this.#participantSeen(waiting.info);
      return;
    }
    this.#publisherSeen(waiting.info);
    this.#subscriptions.sync();
  }

  #publisherSeen(info: PublisherInfo): void {
    const remote = this.#participantSeen(info, true);
    if (!remote) return;
    const wasOff = remote.offMids;
    remote.publishes(info.streams);
    this.#subscriptions.reconcile();
    // The sender turned a stream off or on (its description says so).
    for (const view of remote.viewsByMid.values()) {
      if (wasOff.has(view.feedMid) !== remote.offMids.has(view.feedMid) && this.announcing) this.emitter.emit("trackChanged", view, remote);
    }
  }

  #unpublished(id: number): void {
    const waiting = this.#awaitingProof.get(id);
    if (waiting) waiting.published = false;
    const remote = this.remotes.get(String(id));
    if (!remote) return;
    remote.unpublished();
    this.#subscriptions.forget(id);
    this.#subscriptions.reconcile();
  }

  #left(id: number): void {
    this.#awaitingProof.delete(id);
    const remote = this.remotes.get(String(id));
    if (!remote) return;
    this.#unpublished(id);
    this.removeRemote(remote);
    this.#lobby?.sync();
    this.#syncAdmission();
  }

  /** Held, the patient is let in while a proven clinician's call lists this connection: Janus cannot hold them itself. */
  #syncAdmission(): void {
    if (this.options.held !== true || this.#myId === null) return;
    const me = String(this.#myId);
    this.setAdmitted([...this.remotes.values()].some((remote) => remote.role === "provider" && remote.admits.has(me)));
  }

  #talking(message: VideoRoomMessage): void {
    this.#stats.talkingEventSeen();
    const id = idOf(message.id);
    if (message.videoroom !== "talking" || id === null || id === this.#myId) return;
    const remote = this.remotes.get(String(id));
    if (remote) this.setDominantSpeaker(remote);
  }

  // -- Ending ------------------------------------------------------------------------------------

  /** Leaves the room and ends the Janus session; `disconnected` is the last event. */
  end(reason: EndReason): void {
    if (this.#phase === "ended") return;
    const announced = this.#phase === "connected";
    this.#phase = "ended";
    this.#endReason = reason;
    this.#publishing.failRequests(reason);
    this.#stats.stop();
    this.#reconnects.stop();
    this.#subscriptions.stop();
    this.#publishing.stopCapture();
    this.#local?.microphone?.track.stop();
    this.#local?.camera?.track.stop();
    const core = this.#core;
    this.#core = null;
    // Destroying the session detaches both handles: Janus tells the others we left.
    core?.destroy({ cleanupHandles: true, notifyDestroyed: false, error: () => {} });
    this.ended(reason, announced);
  }
}
