// Publishing: our microphone and camera (joined without a camera, none is asked for or sent),
// captured when the call starts or is released from a hold, and the publisher handle that joins
// the room (display = our identity) and sends them with a data channel. Held, the handle stays
// joined and publishes nothing (`unpublish`). Texts (`sendMessage`) go over that channel;
// Janus relays them to subscribers on a channel labelled with the sender's id, so the sender
// cannot be forged by the sender. The room's own events (who joins, publishes, leaves, talks)
// arrive on this handle too: they go to `onRoomEvent`.

import { cameraCapture, microphoneCapture } from "../callSettings";
import { type EndReason, type MediaKind, VideoSessionError } from "../session";
import { type JanusCall, notConnected } from "./call";
import { SCREEN_DESCRIPTIONS, STREAM_DESCRIPTIONS, textOf } from "./messages";
import { type JanusCore, type JanusHandle, type JanusTrackSpec, type Jsep, type VideoRoomMessage, Replies, attachVideoRoom } from "./janusjs";
import { errorText, mediaProblem, videoRoomProblem } from "./problems";
import type { Reconnects } from "./reconnects";
import type { Captured } from "./participants";

const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;
/** How long a new publish waits for Janus to hang up the one before (then it is hung up here). */
const TEARDOWN_WAIT_MS = 3_000;


export class Publishing {
  readonly #call: JanusCall;
  readonly #reconnects: Reconnects;
  readonly #onRoomEvent: (message: VideoRoomMessage) => void;
  readonly #replies: Replies;
  #handle: JanusHandle | null = null;
  /** Every track captured for the call and not stopped yet. */
  #captured: MediaStreamTrack[] = [];
  /** The devices the next capture asks for: those given to `connect`, or switched to since. */
  readonly #deviceIds: Record<MediaKind, string | null | undefined>;
  /** Whether VideoRoom was asked to publish our offer (and not to unpublish since). */
  #publishing = false;
  /** How many times `unpublish` ran: a publish under way stops when it changes. */
  #unpublishes = 0;
  /** The mid our shared screen goes out on, once a share added it (later shares reuse it). */
  #screenMid: string | null = null;
  /** After an `unpublish`: settles once janus.js has closed that PeerConnection (Janus's hangup). */
  #teardown: { done: Promise<void>; finish: () => void } | null = null;

  constructor(call: JanusCall, reconnects: Reconnects, onRoomEvent: (message: VideoRoomMessage) => void) {
    this.#call = call;
    this.#reconnects = reconnects;
    this.#onRoomEvent = onRoomEvent;
    this.#replies = new Replies(() => (call.phase === "ended" ? call.endedError() : null));
    this.#deviceIds = { audio: call.options.microphoneDeviceId, video: call.options.cameraDeviceId };
  }

  get handle(): JanusHandle | null {
    return this.#handle;
  }

  /** The device the next capture of `kind` asks for. */
  useDevice(kind: MediaKind, deviceId: string): void {
    this.#deviceIds[kind] = deviceId;
  }

  /** The microphone and camera to send; no camera (not even asked for) without `withCamera`. */
  async capture(): Promise<Captured> {
    const { config, options, settings } = this.#call;
    const withCamera = options.withCamera !== false;
    const getUserMedia =
      config.getUserMedia ??
      ((constraints: MediaStreamConstraints) => {
        if (!navigator.mediaDevices?.getUserMedia) throw new DOMException("No camera or microphone access here.", "NotFoundError");
        return navigator.mediaDevices.getUserMedia(constraints);
      });
    const constraints: MediaStreamConstraints = { audio: microphoneCapture(this.#deviceIds.audio) };
    if (withCamera) constraints.video = cameraCapture(settings, this.#deviceIds.video);
    let stream: MediaStream;
    try {
      stream = await getUserMedia(constraints);
    } catch (error) {
      throw new VideoSessionError(mediaProblem(error), { cause: error });
    }
    const tracks = stream.getTracks();
    this.#captured.push(...tracks);
    if (this.#call.phase === "ended") {
      // The call ended (or failed) while the camera was starting: leave it off.
      this.stopCapture();
      throw this.#call.endedError();
    }
    const microphone = stream.getAudioTracks()[0];
    const camera = withCamera ? stream.getVideoTracks()[0] : null;
    if (!microphone || camera === undefined) {
      this.#stop(tracks);
      throw new VideoSessionError({ kind: "media_unavailable", code: null, message: microphone ? "No camera." : "No microphone." });
    }
    return { microphone, camera };
  }

  async attach(core: JanusCore): Promise<void> {
    this.#handle = await attachVideoRoom(core, this.#call.config.identity, (error) => this.#call.problem(error), {
      onmessage: (message, jsep) => this.#onMessage(message, jsep),
      // While not publishing (held), the connection going is the hangup our `unpublish` asked for.
      iceState: (state) => {
        if (this.#publishing) this.#reconnects.iceState("publisher", state);
      },
      webrtcState: (on, reason) => {
        if (on) return;
        if (this.#publishing) this.#call.end({ kind: "network", code: null, message: reason ?? "Janus closed our connection." });
        else this.#teardown?.finish();
      },
    });
  }

  /** Joins the room with the room token: VideoRoom's `joined` (our ids, who is there). */
  join(): Promise<{ message: VideoRoomMessage; jsep: Jsep | undefined }> {
    const { config, roomId, roomToken } = this.#call;
    const joined = this.#waitFor((m) => m.videoroom === "joined");
    const display = this.#call.display();
    const id = config.participantId ?? undefined;
    this.#handle!.send({
      message: { request: "join", ptype: "publisher", room: roomId, display, token: roomToken, ...(id ? { id } : {}) },
      error: (error) => this.#replies.failAll(this.#call.problem(error)),
    });
    return joined;
  }

  /**
   * Sends a shared screen as one more stream, described `screen`: the first share adds it to the
   * publisher's connection (a renegotiation through `configure`), later ones put the new track
   * on the same stream.
   */
  async sendScreen(track: MediaStreamTrack): Promise<void> {
    const publisher = this.#handle;
    if (!publisher?.webrtcStuff?.pc || !this.#publishing) throw notConnected();
    const reused = this.#screenTransceiver();
    if (reused) {
      await reused.sender.replaceTrack(track);
      this.#describe(reused.mid!, SCREEN_DESCRIPTIONS.on);
      return;
    }
    const offer = await new Promise<Jsep>((resolve, reject) =>
      publisher.createOffer({
        tracks: [{ type: "video", capture: track, recv: false, add: true }],
        success: resolve,
        error: (error) => reject(new VideoSessionError({ kind: "media_unavailable", code: null, message: errorText(error) }, { cause: error })),
      }),
    );
    const mid = publisher.webrtcStuff?.pc?.getTransceivers().find((t) => t.sender.track === track)?.mid ?? null;
    if (mid === null) throw new VideoSessionError({ kind: "other", code: null, message: "The screen got no stream." });
    await this.#negotiate(publisher, { request: "configure", descriptions: [{ mid, description: SCREEN_DESCRIPTIONS.on }] }, offer);
    this.#screenMid = mid;
  }

  /** Stops sending the shared screen; its stream stays, described `screen off`, for the next share. */
  stopScreen(): void {
    const transceiver = this.#screenTransceiver();
    if (!transceiver) return;
    transceiver.sender.replaceTrack(null).catch((error: unknown) => this.#call.log("replaceTrack failed", errorText(error)));
    this.#describe(transceiver.mid!, SCREEN_DESCRIPTIONS.off);
  }

  #screenTransceiver(): RTCRtpTransceiver | null {
    const pc = this.#handle?.webrtcStuff?.pc;
    if (!pc || this.#screenMid === null) return null;
    return pc.getTransceivers().find((t) => t.mid === this.#screenMid) ?? null;
  }

  #describe(mid: string, description: string): void {
    this.#handle?.send({ message: { request: "configure", descriptions: [{ mid, description }] }, error: (error) => this.#call.log("configure failed", error) });
  }

  /** Shows `display` to the room (VideoRoom `configure`): how the clinician's lobby lets patients in. */
  setDisplay(display: string): void {
    if (!this.#handle || this.#call.phase === "ended") return;
    this.#handle.send({ message: { request: "configure", display }, error: (error) => this.#call.log("configure display failed", error) });
  }

  /** Publishes the captured tracks; one turned off (`enabled` false) is offered but not sent. */
  async publish({ microphone, camera }: Captured): Promise<void> {
    const publisher = this.#handle!;
    const { settings } = this.#call;
    const unpublishes = this.#unpublishes;
    const heldAgain = () => new VideoSessionError({ kind: "other", code: null, message: "Held again before publishing." });
    await this.#tornDown();
    if (this.#unpublishes !== unpublishes) throw heldAgain();
    const tracks: JanusTrackSpec[] = [{ type: "audio", capture: microphone, recv: false }];
    if (camera) tracks.push({ type: "video", capture: camera, recv: false, simulcast: settings.video.simulcast });
    tracks.push({ type: "data" });
    const offer = await new Promise<Jsep>((resolve, reject) =>
      publisher.createOffer({
        tracks,
        success: resolve,
        error: (error) => reject(new VideoSessionError({ kind: "media_unavailable", code: null, message: errorText(error) }, { cause: error })),
      }),
    );
    if (this.#unpublishes !== unpublishes) {
      publisher.hangup(false);
      throw heldAgain();
    }
    const descriptions = (["audio", "video"] as const).flatMap((kind) => {
      const transceiver = this.transceiver(kind);
      const on = (kind === "audio" ? microphone : camera)?.enabled !== false;
      if (!on) transceiver?.sender.replaceTrack(null).catch((error: unknown) => this.#call.log("replaceTrack failed", errorText(error)));
      const mid = transceiver?.mid;
      return mid ? [{ mid, description: STREAM_DESCRIPTIONS[kind][on ? "on" : "off"] }] : [];
    });
    const codecs = camera ? { audiocodec: "opus", videocodec: settings.video.codec.toLowerCase() } : { audiocodec: "opus" };
    this.#publishing = true;
    await this.#negotiate(publisher, { request: "publish", ...codecs, descriptions }, offer);
  }

  /** Sends `message` with our `offer`, then applies the answer VideoRoom sends back. */
  async #negotiate(publisher: JanusHandle, message: Record<string, unknown>, offer: Jsep): Promise<void> {
    const configured = this.#waitFor((m, jsep) => m.configured === "ok" && jsep !== undefined);
    publisher.send({ message, jsep: offer, error: (error) => this.#replies.failAll(this.#call.problem(error)) });
    const { jsep: answer } = await configured;
    await new Promise<void>((resolve, reject) =>
      publisher.handleRemoteJsep({
        jsep: answer!,
        success: resolve,
        error: (error) => reject(new VideoSessionError({ kind: "other", code: null, message: errorText(error) }, { cause: error })),
      }),
    );
  }

  /**
   * Held: stops sending at once (senders emptied, capture stopped: the camera light goes off) and
   * asks VideoRoom to unpublish; Janus then hangs up our PeerConnection. We stay in the room.
   */
  unpublish(): void {
    for (const kind of ["audio", "video"] as const) {
      this.transceiver(kind)?.sender.replaceTrack(null).catch((error: unknown) => this.#call.log("replaceTrack failed", errorText(error)));
    }
    this.stopCapture();
    this.#unpublishes += 1;
    this.#screenMid = null;
    const publisher = this.#handle;
    if (!publisher?.webrtcStuff?.pc) return;
    if (!this.#publishing) {
      publisher.hangup(false); // an offer VideoRoom never got: nothing on Janus's side
      return;
    }
    this.#publishing = false;
    let finish = () => {};
    const done = new Promise<void>((resolve) => (finish = resolve));
    this.#teardown = { done, finish };
    publisher.send({ message: { request: "unpublish" }, error: (error) => this.#call.log("unpublish failed", error) });
  }

  sendText(text: string): void {
    if (this.#call.held) {
      throw new VideoSessionError({ kind: "other", code: null, message: "Held in the waiting room: texts can be sent once let in." });
    }
    if (this.#call.phase !== "connected" || !this.#handle) throw notConnected();
    if (text === "") return;
    this.#handle.data({ text, error: (error) => this.#call.log("a message was not sent", error) });
  }

  /** Our transceiver for the microphone or the camera. */
  transceiver(kind: MediaKind): RTCRtpTransceiver | null {
    const pc = this.#handle?.webrtcStuff?.pc;
    if (!pc) return null;
    const ours = (t: RTCRtpTransceiver) => t.mid === null || t.mid !== this.#screenMid;
    return pc.getTransceivers().find((t) => ours(t) && (t.receiver.track?.kind === kind || t.sender.track?.kind === kind)) ?? null;
  }

  /** `track` replaces `old` (stopped) among the captured tracks. */
  recaptured(old: MediaStreamTrack, track: MediaStreamTrack): void {
    this.#captured = [...this.#captured.filter((t) => t !== old), track];
    old.stop();
  }

  /** Every request still waiting for its reply fails with `reason`. */
  failRequests(reason: EndReason): void {
    this.#replies.failAll(reason);
  }

  stopCapture(): void {
    this.#stop(this.#captured);
  }

  /** Stops what one capture returned (one no longer wanted). */
  discard({ microphone, camera }: Captured): void {
    this.#stop(camera ? [microphone, camera] : [microphone]);
  }

  #stop(tracks: MediaStreamTrack[]): void {
    for (const track of tracks) track.stop();
    this.#captured = this.#captured.filter((track) => !tracks.includes(track));
  }

  /**
   * Waits for the hangup an `unpublish` caused: janus.js closes the handle's PeerConnection when
   * Janus's hangup comes, so a new one made before then would be closed with it.
   */
  async #tornDown(): Promise<void> {
    const teardown = this.#teardown;
    if (!teardown) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), TEARDOWN_WAIT_MS)));
    const timedOut = await Promise.race([teardown.done.then(() => false), late]);
    clearTimeout(timer);
    if (this.#teardown === teardown) this.#teardown = null;
    if (timedOut) this.#handle?.hangup(false);
  }

  /** The next message on our handle `accepts`; a VideoRoom error event rejects it. */
  #waitFor(accepts: (message: VideoRoomMessage, jsep?: Jsep) => boolean) {
    return this.#replies.waitFor(accepts, this.#call.config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  }

  #onMessage(message: VideoRoomMessage, jsep?: Jsep): void {
    const call = this.#call;
    if (call.phase === "ended") return;
    if (typeof message.error_code === "number") {
      const reason = videoRoomProblem(message.error_code, textOf(message.error), call.roomToken, call.now());
      if (this.#replies.pending) this.#replies.failAll(reason);
      else if (reason.kind === "room_completed") call.end(reason);
      else call.log("VideoRoom refused a request", `${message.error_code} ${message.error ?? ""}`);
      return;
    }
    if (this.#replies.take(message, jsep)) return;
    this.#onRoomEvent(message);
  }
}
