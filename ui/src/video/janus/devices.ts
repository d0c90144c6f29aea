// Our microphone and camera during the call: turning one off or on, switching to another device.

import { cameraCapture } from "../callSettings";
import { type MediaKind, VideoSessionError } from "../session";
import { type JanusCall, STREAM_DESCRIPTIONS, notConnected } from "./call";
import type { JanusLocalTrack } from "./participants";
import { errorText, mediaProblem } from "./problems";
import type { Publishing } from "./publishing";

export class Devices {
  readonly #call: JanusCall;
  readonly #publishing: Publishing;

  constructor(call: JanusCall, publishing: Publishing) {
    this.#call = call;
    this.#publishing = publishing;
  }

  setEnabled(kind: MediaKind, enabled: boolean): void {
    const local = this.#call.local;
    if (local) this.#setSending(kind === "audio" ? local.microphone : local.camera, enabled);
  }

  async switchCamera(deviceId: string): Promise<void> {
    await this.#switch("video", { video: cameraCapture(this.#call.settings, deviceId) });
  }

  async switchMicrophone(deviceId: string): Promise<void> {
    await this.#switch("audio", { audio: { deviceId: { exact: deviceId } } });
  }

  /** Off: the track is disabled and no longer sent, and its stream description tells the others. */
  #setSending(local: JanusLocalTrack, enabled: boolean): void {
    if (local.track.enabled === enabled) return;
    local.track.enabled = enabled;
    const call = this.#call;
    const transceiver = this.#publishing.transceiver(local.kind);
    transceiver?.sender
      .replaceTrack(enabled ? local.track : null)
      .catch((error: unknown) => call.log("replaceTrack failed", errorText(error)));
    const mid = transceiver?.mid;
    if (!mid || call.phase !== "connected") return;
    const description = STREAM_DESCRIPTIONS[local.kind][enabled ? "on" : "off"];
    this.#publishing.handle?.send({
      message: { request: "configure", descriptions: [{ mid, description }] },
      error: (error) => call.log("configure failed", error),
    });
  }

  /** The new device's track is sent (if ours was on) and shown in our views; the old one stops. */
  async #switch(kind: MediaKind, constraints: MediaStreamConstraints): Promise<void> {
    const call = this.#call;
    const local = call.local;
    if (!local || call.phase !== "connected") throw notConnected();
    const view = kind === "audio" ? local.microphone : local.camera;
    const getUserMedia = call.config.getUserMedia ?? ((c: MediaStreamConstraints) => navigator.mediaDevices.getUserMedia(c));
    let track: MediaStreamTrack | undefined;
    try {
      const stream = await getUserMedia(constraints);
      track = kind === "audio" ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
    } catch (error) {
      throw new VideoSessionError(mediaProblem(error), { cause: error });
    }
    if (!track) throw new VideoSessionError({ kind: "media_unavailable", code: null, message: `No ${kind} device.` });
    if (call.phase !== "connected") {
      track.stop();
      return;
    }
    const old = view.track;
    track.enabled = old.enabled;
    if (old.enabled) await this.#publishing.transceiver(kind)?.sender.replaceTrack(track);
    view.replace(track);
    this.#publishing.recaptured(old, track);
  }
}
