// Our microphone and camera during the call: turning one off or on, switching to another device.
// A call joined without a camera stays without one: turning it on does nothing (as on Twilio,
// and the call screen offers no camera button then), and switching cameras is refused.
// Held, nothing is captured: what is asked for (on or off, which device) applies at the release.

import { cameraCapture } from "../callSettings";
import { type MediaKind, VideoSessionError } from "../session";
import { type JanusCall, notConnected } from "./call";
import { STREAM_DESCRIPTIONS } from "./messages";
import type { JanusLocalTrack } from "./participants";
import { errorText, mediaProblem } from "./problems";
import type { Captured } from "./participants";
import type { Publishing } from "./publishing";

/** Why a call joined without a camera cannot switch cameras. */
export const NO_CAMERA = "Joined without a camera: no camera is being sent. Rejoin with the camera to be seen.";

export class Devices {
  readonly #call: JanusCall;
  readonly #publishing: Publishing;
  /** Whether the user wants each on: kept through a hold, for the next capture. */
  readonly #wanted: Record<MediaKind, boolean> = { audio: true, video: true };

  constructor(call: JanusCall, publishing: Publishing) {
    this.#call = call;
    this.#publishing = publishing;
  }

  setEnabled(kind: MediaKind, enabled: boolean): void {
    this.#wanted[kind] = enabled;
    const local = this.#call.local;
    const track = kind === "audio" ? local?.microphone : local?.camera;
    if (track) this.#setSending(track, enabled);
  }

  /** A new capture starts as the user last wanted it: on or off. */
  prepare({ microphone, camera }: Captured): void {
    microphone.enabled = this.#wanted.audio;
    if (camera) camera.enabled = this.#wanted.video;
  }

  async switchCamera(deviceId: string): Promise<void> {
    await this.#switch("video", deviceId, { video: cameraCapture(this.#call.settings, deviceId) });
  }

  async switchMicrophone(deviceId: string): Promise<void> {
    await this.#switch("audio", deviceId, { audio: { deviceId: { exact: deviceId } } });
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
  async #switch(kind: MediaKind, deviceId: string, constraints: MediaStreamConstraints): Promise<void> {
    const call = this.#call;
    const local = call.local;
    if (!local || call.phase !== "connected") throw notConnected();
    if (kind === "video" && call.options.withCamera === false) throw new VideoSessionError({ kind: "media_unavailable", code: null, message: NO_CAMERA });
    const view = kind === "audio" ? local.microphone : local.camera;
    if (!view) {
      // Held: nothing to switch now; the release captures this device.
      this.#publishing.useDevice(kind, deviceId);
      return;
    }
    const getUserMedia = call.config.getUserMedia ?? ((c: MediaStreamConstraints) => navigator.mediaDevices.getUserMedia(c));
    let track: MediaStreamTrack | undefined;
    try {
      const stream = await getUserMedia(constraints);
      track = kind === "audio" ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
    } catch (error) {
      throw new VideoSessionError(mediaProblem(error), { cause: error });
    }
    if (!track) throw new VideoSessionError({ kind: "media_unavailable", code: null, message: `No ${kind} device.` });
    this.#publishing.useDevice(kind, deviceId);
    // Ended, or held, meanwhile: the new track is not wanted.
    const stale = () => call.phase !== "connected" || (kind === "audio" ? local.microphone : local.camera) !== view;
    if (stale()) return track.stop();
    const old = view.track;
    track.enabled = old.enabled;
    if (old.enabled) await this.#publishing.transceiver(kind)?.sender.replaceTrack(track);
    if (stale()) return track.stop();
    view.replace(track);
    this.#publishing.recaptured(old, track);
  }
}
