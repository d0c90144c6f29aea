// A connected twilio-video Room as a `VideoSession`, held (the patient's waiting room) or not.

import type {
  CreateLocalTracksOptions,
  LocalDataTrack,
  LocalTrack,
  NetworkQualityLevel as TwilioNetworkQualityLevel,
  RemoteParticipant as TwilioRemoteParticipant,
  RemoteTrack,
  RemoteTrackPublication,
  Room,
  TwilioError,
} from "twilio-video";

import { SessionBase } from "../adapter";
import { type CallSettings, cameraCapture, microphoneCapture } from "../callSettings";
import { SCREEN } from "../screen";
import { type VideoSession, VideoSessionError, roleOf, toNetworkQualityLevel } from "../session";
import { type LocalMediaTrack, TwilioLocal, TwilioRemote, type TwilioTrack } from "./participants";
import { endReasonOf, problemOf } from "./problems";

/** The devices to capture on `release()`: those given to connect, then those switched to. */
export type CaptureChoice = { cameraDeviceId: string | null; microphoneDeviceId: string | null; withCamera: boolean };

export type TwilioSessionSetup = {
  settings: CallSettings;
  providerIdentity: string | null;
  /** Published at connect (held: the only track sent); carries texts. */
  dataTrack: LocalDataTrack;
  /** twilio-video's `createLocalTracks`, for `release()`. */
  createLocalTracks: (options: CreateLocalTracksOptions) => Promise<LocalTrack[]>;
  capture: CaptureChoice;
  /**
   * Connected held, with `clientTrackSwitchOffControl: "manual"`: remote video is then switched
   * off while held and on when released. Otherwise twilio-video refuses to switch it.
   */
  held: boolean;
};

export class TwilioSession extends SessionBase<TwilioRemote> implements VideoSession {
  readonly localParticipant: TwilioLocal;
  readonly #room: Room;
  readonly #settings: CallSettings;
  readonly #providerIdentity: string | null;
  readonly #unlisten = new Map<string, () => void>();
  readonly #unlistenRoom: Array<() => void> = [];
  readonly #dataTrack: LocalDataTrack;
  readonly #createLocalTracks: TwilioSessionSetup["createLocalTracks"];
  readonly #capture: CaptureChoice;
  readonly #switchesVideo: boolean;
  /** Messages sent before the data track is published. */
  #unsent: string[] = [];
  #dataTrackState: "publishing" | "published" | "failed" = "publishing";
  /** Whether the constructor is done: what it finds in the room is not announced. */
  #constructed = false;
  #held: boolean;
  /** The release under way, and the `#holds` it started after. */
  #releasing: { holds: number; promise: Promise<void> } | null = null;
  /** Counts `hold()` calls: a release started before the last one is given up. */
  #holds = 0;
  /** What `release()` captured: twilio-video stops only the tracks it captured itself. */
  #captured: LocalMediaTrack[] = [];
  /** Connected held: admitted while Twilio subscribes this participant to a provider's track. */
  readonly #admittedBySubscriptions: boolean;
  /** Track SIDs Twilio subscribed this participant to, by participant SID. */
  readonly #granted = new Map<string, Set<string>>();

  constructor(room: Room, setup: TwilioSessionSetup) {
    super();
    this.#room = room;
    this.#settings = setup.settings;
    this.#providerIdentity = setup.providerIdentity;
    this.#dataTrack = setup.dataTrack;
    this.#createLocalTracks = setup.createLocalTracks;
    this.#capture = { ...setup.capture };
    this.#held = setup.held;
    this.#switchesVideo = setup.held;
    this.#admittedBySubscriptions = setup.held;
    const local = room.localParticipant;
    this.localParticipant = new TwilioLocal(local, roleOf(local.identity, setup.providerIdentity));

    for (const participant of room.participants.values()) {
      const view = this.#addRemote(participant);
      for (const publication of participant.tracks.values()) {
        if (publication.isSubscribed && publication.track) {
          this.#grant(participant.sid, publication.track.sid, true);
          this.#take(view, publication.track);
        }
      }
    }
    this.#syncAdmission();
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

  get held(): boolean {
    return this.#held;
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
    this.#capture.cameraDeviceId = deviceId;
  }

  async switchMicrophone(deviceId: string): Promise<void> {
    await this.#restart(this.localParticipant.audioTracks(), { deviceId: { exact: deviceId } }, "No microphone is being sent.");
    this.#capture.microphoneDeviceId = deviceId;
  }

  sendMessage(text: string): void {
    if (this.state === "disconnected" || this.#dataTrackState === "failed") return;
    if (this.#dataTrackState === "publishing") this.#unsent.push(text);
    else this.#dataTrack.send(text);
  }


  /** A second video track, named so that the far side shows it as a screen. */
  protected async sendScreen(track: MediaStreamTrack): Promise<void> {
    try {
      await this.#room.localParticipant.publishTrack(track, { name: SCREEN, priority: "high" });
    } catch (error) {
      throw new VideoSessionError(problemOf(error), { cause: error });
    }
  }

  protected stopSendingScreen(track: MediaStreamTrack): void {
    this.#room.localParticipant.unpublishTrack(track);
  }

  /** A second call while one is under way gets the same promise. */
  release(): Promise<void> {
    if (!this.#held || this.state === "disconnected") return Promise.resolve();
    const current = this.#releasing;
    if (current?.holds === this.#holds) return current.promise;
    // One a hold() gave up finishes (its capture stopped) before this one captures.
    const holds = this.#holds;
    const before = current ? current.promise.catch(() => {}) : Promise.resolve();
    const promise = before
      .then(() => this.#startMedia(holds))
      .finally(() => {
        if (this.#releasing?.promise === promise) this.#releasing = null;
      });
    this.#releasing = { holds, promise };
    return promise;
  }

  /** Also gives up a release under way: what it captures is stopped, unpublished. */
  hold(): void {
    this.#holds += 1;
    if (this.#held || this.state === "disconnected") return;
    this.#held = true;
    const tracks = this.localParticipant.mediaTracks();
    this.#room.localParticipant.unpublishTracks(tracks);
    for (const track of tracks) track.stop();
    this.#captured = [];
    for (const view of [...this.remotes.values()]) {
      for (const track of view.subscribedMedia()) this.#switchVideo(track);
      for (const trackSid of view.trackSids()) {
        const removed = view.remove(trackSid);
        if (!removed) continue;
        removed.detach();
        this.emitter.emit("trackUnsubscribed", removed, view);
      }
    }
  }

  disconnect(): void {
    if (this.state !== "disconnected") this.#room.disconnect();
  }

  /** Captures, publishes, then hands the others' media to the UI; stays held on any failure. */
  async #startMedia(holds: number): Promise<void> {
    const givenUp = () => this.#holds !== holds || this.state === "disconnected";
    if (givenUp()) return;
    const { microphoneDeviceId, cameraDeviceId, withCamera } = this.#capture;
    let tracks: LocalMediaTrack[];
    try {
      const created = await this.#createLocalTracks({
        audio: microphoneCapture(microphoneDeviceId),
        video: withCamera ? cameraCapture(this.#settings, cameraDeviceId) : false,
      });
      tracks = created.filter((track): track is LocalMediaTrack => track.kind !== "data");
    } catch (error) {
      throw new VideoSessionError(problemOf(error), { cause: error });
    }
    const local = this.#room.localParticipant;
    const drop = () => {
      local.unpublishTracks(tracks);
      for (const track of tracks) track.stop();
    };
    if (givenUp()) return drop();
    try {
      await local.publishTracks(tracks);
    } catch (error) {
      drop();
      if (givenUp()) return;
      throw new VideoSessionError(problemOf(error), { cause: error });
    }
    if (givenUp()) return drop();
    this.#captured = tracks;
    this.#held = false;
    for (const view of [...this.remotes.values()]) {
      for (const track of view.subscribedMedia()) {
        if (this.#held || this.state === "disconnected") return;
        this.#subscribed(view, track);
      }
    }
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

  /** A subscribed track: data listened to for messages; media kept for the UI, unless held. */
  #take(view: TwilioRemote, track: RemoteTrack): TwilioTrack | null {
    if (track.kind === "data") {
      view.listenToData(track, (text) => this.emitter.emit("messageReceived", text, view));
      return null;
    }
    this.#switchVideo(track);
    return this.#held ? null : view.add(track);
  }

  /** Video is switched off while held, where connect let us switch it; audio cannot be. */
  #switchVideo(track: RemoteTrack) {
    if (track.kind !== "video" || !this.#switchesVideo) return;
    if (this.#held) track.switchOff();
    else track.switchOn();
  }

  async #restart(tracks: LocalMediaTrack[], constraints: MediaTrackConstraints, none: string) {
    if (tracks.length === 0) throw new VideoSessionError({ kind: "media_unavailable", code: null, message: none });
    try {
      await Promise.all(tracks.map((track) => track.restart(constraints)));
    } catch (error) {
      throw new VideoSessionError(problemOf(error), { cause: error });
    }
  }

  #addRemote(participant: TwilioRemoteParticipant): TwilioRemote {
    const view = new TwilioRemote(participant, roleOf(participant.identity, this.#providerIdentity), () => this.#held);
    this.remotes.set(participant.sid, view);
    const onQuality = (level: TwilioNetworkQualityLevel) => this.#qualityChanged(view, level);
    // The sender turned a track off or on: the track's `isEnabled` already says so.
    const onSwitched = (track: RemoteTrack) => {
      const shown = view.track(track.sid);
      if (shown) this.emitter.emit("trackChanged", shown, view);
    };
    participant.on("networkQualityLevelChanged", onQuality);
    participant.on("trackDisabled", onSwitched);
    participant.on("trackEnabled", onSwitched);
    this.#unlisten.set(participant.sid, () => {
      participant.removeListener("networkQualityLevelChanged", onQuality);
      participant.removeListener("trackDisabled", onSwitched);
      participant.removeListener("trackEnabled", onSwitched);
    });
    return view;
  }

  #grant(participantSid: string, trackSid: string, subscribed: boolean): void {
    const granted = this.#granted.get(participantSid) ?? new Set<string>();
    if (subscribed) granted.add(trackSid);
    else granted.delete(trackSid);
    if (granted.size > 0) this.#granted.set(participantSid, granted);
    else this.#granted.delete(participantSid);
  }

  /** Held at connect: admitted while subscribed to any track of a proven provider (a data track will do). */
  #syncAdmission(): void {
    if (!this.#admittedBySubscriptions) return;
    const byProvider = [...this.#granted.keys()].some((sid) => this.remotes.get(sid)?.role === "provider");
    this.setAdmitted(byProvider);
  }

  #qualityChanged(participant: TwilioLocal | TwilioRemote, level: TwilioNetworkQualityLevel) {
    const mapped = toNetworkQualityLevel(level);
    if (mapped !== null) this.emitter.emit("networkQualityChanged", participant, mapped);
  }

  #subscribed(view: TwilioRemote, track: RemoteTrack) {
    const added = this.#take(view, track);
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
        if (publication.isSubscribed && publication.track) {
          this.#grant(participant.sid, publication.track.sid, true);
          this.#subscribed(view, publication.track);
        }
      }
      this.#syncAdmission();
    };

    const participantDisconnected = (participant: TwilioRemoteParticipant) => {
      const view = this.remotes.get(participant.sid);
      if (!view) return;
      for (const trackSid of view.trackSids()) this.#unsubscribed(view, trackSid);
      view.stopListeningToData();
      this.#unlisten.get(participant.sid)?.();
      this.#unlisten.delete(participant.sid);
      this.#granted.delete(participant.sid);
      this.removeRemote(view);
      this.#syncAdmission();
    };

    const trackSubscribed = (track: RemoteTrack, _publication: RemoteTrackPublication, participant: TwilioRemoteParticipant) => {
      const view = this.remotes.get(participant.sid);
      this.#grant(participant.sid, track.sid, true);
      if (view) this.#subscribed(view, track);
      this.#syncAdmission();
    };

    const trackUnsubscribed = (track: RemoteTrack, _publication: RemoteTrackPublication, participant: TwilioRemoteParticipant) => {
      const view = this.remotes.get(participant.sid);
      this.#grant(participant.sid, track.sid, false);
      if (view) this.#unsubscribed(view, track.sid);
      view?.stopListeningToData(track.sid);
      // Leaving (or the room ending), twilio-video unsubscribes every track first: the admission
      // then ends after `participantLeft`, so a clinician who left is not taken, for a moment, for
      // one who sent the patient back while still here.
      if (participant.state !== "disconnected" && room.state !== "disconnected") this.#syncAdmission();
    };

    const dominantSpeakerChanged = (participant: TwilioRemoteParticipant | null) => {
      this.setDominantSpeaker(participant ? (this.remotes.get(participant.sid) ?? null) : null);
    };

    const reconnecting = (error: TwilioError) => this.connectionLost(problemOf(error));
    const reconnected = () => this.connectionBack();

    const disconnected = (_room: Room, error?: TwilioError) => {
      for (const track of this.#captured) track.stop();
      this.#captured = [];
      this.ended(endReasonOf(error));
      for (const unlisten of [...this.#unlistenRoom, ...this.#unlisten.values()]) unlisten();
      for (const view of this.remotes.values()) view.stopListeningToData();
      this.#unlisten.clear();
    };

    const listeners = {
      participantConnected,
      participantDisconnected,
      trackSubscribed,
      trackUnsubscribed,
      dominantSpeakerChanged,
      reconnecting,
      reconnected,
      disconnected,
    };
    // twilio-video's Room is an EventEmitter; its typings list each event on its own.
    type Listen = (event: string, listener: (...args: never[]) => void) => unknown;
    for (const [event, listener] of Object.entries(listeners)) (room.on as Listen).call(room, event, listener);
    this.#unlistenRoom.push(() => {
      for (const [event, listener] of Object.entries(listeners)) (room.removeListener as Listen).call(room, event, listener);
    });
  }
}
