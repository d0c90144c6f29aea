// Publishing: our camera and microphone, captured once for the call, and the publisher handle
// that joins the room (display = our identity) and sends them with a data channel. Texts
// (`sendMessage`) go over that channel; Janus relays them to subscribers on a channel labelled
// with the sender's id, so the sender cannot be forged by the sender. The room's own events
// (who joins, publishes, leaves, talks) arrive on this handle too: they go to `onRoomEvent`.

import { cameraCapture, microphoneCapture } from "../callSettings";
import { type EndReason, type MediaKind, VideoSessionError } from "../session";
import { type JanusCall, STREAM_DESCRIPTIONS, notConnected, textOf } from "./call";
import { type JanusCore, type JanusHandle, type Jsep, type VideoRoomMessage, Replies, attachVideoRoom } from "./janusjs";
import { errorText, mediaProblem, videoRoomProblem } from "./problems";
import type { Reconnects } from "./reconnects";

const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;

export class Publishing {
  readonly #call: JanusCall;
  readonly #reconnects: Reconnects;
  readonly #onRoomEvent: (message: VideoRoomMessage) => void;
  readonly #replies: Replies;
  #handle: JanusHandle | null = null;
  /** Every track captured for the call and not stopped yet. */
  #captured: MediaStreamTrack[] = [];

  constructor(call: JanusCall, reconnects: Reconnects, onRoomEvent: (message: VideoRoomMessage) => void) {
    this.#call = call;
    this.#reconnects = reconnects;
    this.#onRoomEvent = onRoomEvent;
    this.#replies = new Replies(() => (call.phase === "ended" ? call.endedError() : null));
  }

  get handle(): JanusHandle | null {
    return this.#handle;
  }

  /** The microphone and camera the call starts with. */
  async capture(): Promise<[MediaStreamTrack, MediaStreamTrack]> {
    const { config, options, settings } = this.#call;
    const getUserMedia =
      config.getUserMedia ??
      ((constraints: MediaStreamConstraints) => {
        if (!navigator.mediaDevices?.getUserMedia) throw new DOMException("No camera or microphone access here.", "NotFoundError");
        return navigator.mediaDevices.getUserMedia(constraints);
      });
    let stream: MediaStream;
    try {
      stream = await getUserMedia({
        audio: microphoneCapture(options.microphoneDeviceId),
        video: cameraCapture(settings, options.cameraDeviceId),
      });
    } catch (error) {
      throw new VideoSessionError(mediaProblem(error), { cause: error });
    }
    if (this.#call.phase === "ended") {
      // The call ended (or failed) while the camera was starting: leave it off.
      for (const track of stream.getTracks()) track.stop();
      throw this.#call.endedError();
    }
    const microphone = stream.getAudioTracks()[0];
    const camera = stream.getVideoTracks()[0];
    this.#captured = stream.getTracks();
    if (!microphone || !camera) {
      throw new VideoSessionError({ kind: "media_unavailable", code: null, message: microphone ? "No camera." : "No microphone." });
    }
    return [microphone, camera];
  }

  async attach(core: JanusCore): Promise<void> {
    this.#handle = await attachVideoRoom(core, this.#call.config.identity, (error) => this.#call.problem(error), {
      onmessage: (message, jsep) => this.#onMessage(message, jsep),
      iceState: (state) => this.#reconnects.iceState("publisher", state),
      webrtcState: (on, reason) => {
        if (!on) this.#call.end({ kind: "network", code: null, message: reason ?? "Janus closed our connection." });
      },
    });
  }

  /** Joins the room with the room token: VideoRoom's `joined` (our ids, who is there). */
  join(): Promise<{ message: VideoRoomMessage; jsep: Jsep | undefined }> {
    const { config, roomId, roomToken } = this.#call;
    const joined = this.#waitFor((m) => m.videoroom === "joined");
    this.#handle!.send({
      message: { request: "join", ptype: "publisher", room: roomId, display: config.identity, token: roomToken },
      error: (error) => this.#replies.failAll(this.#call.problem(error)),
    });
    return joined;
  }

  async publish(microphone: MediaStreamTrack, camera: MediaStreamTrack): Promise<void> {
    const publisher = this.#handle!;
    const { settings } = this.#call;
    const offer = await new Promise<Jsep>((resolve, reject) =>
      publisher.createOffer({
        tracks: [
          { type: "audio", capture: microphone, recv: false },
          { type: "video", capture: camera, recv: false, simulcast: settings.video.simulcast },
          { type: "data" },
        ],
        success: resolve,
        error: (error) => reject(new VideoSessionError({ kind: "media_unavailable", code: null, message: errorText(error) }, { cause: error })),
      }),
    );
    const configured = this.#waitFor((m, jsep) => m.configured === "ok" && jsep !== undefined);
    const descriptions = (["audio", "video"] as const).flatMap((kind) => {
      const mid = this.transceiver(kind)?.mid;
      return mid ? [{ mid, description: STREAM_DESCRIPTIONS[kind].on }] : [];
    });
    publisher.send({
      message: { request: "publish", audiocodec: "opus", videocodec: settings.video.codec.toLowerCase(), descriptions },
      jsep: offer,
      error: (error) => this.#replies.failAll(this.#call.problem(error)),
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

  sendText(text: string): void {
    if (this.#call.phase !== "connected" || !this.#handle) throw notConnected();
    if (text === "") return;
    this.#handle.data({ text, error: (error) => this.#call.log("a message was not sent", error) });
  }

  /** Our transceiver for the microphone or the camera. */
  transceiver(kind: MediaKind): RTCRtpTransceiver | null {
    const pc = this.#handle?.webrtcStuff?.pc;
    if (!pc) return null;
    return pc.getTransceivers().find((t) => t.receiver.track?.kind === kind || t.sender.track?.kind === kind) ?? null;
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
    for (const track of this.#captured) track.stop();
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
