// The provider's pre-visit device checks, free of Svelte: media access, levels and the
// messages a provider can act on. Everything here uses only web platform APIs.

export type DeviceKind = "videoinput" | "audioinput" | "audiooutput";

export type DeviceOption = { id: string; label: string };

/** Devices of one kind, labelled even before permission is granted ("Camera 1"). */
export async function listDevices(kind: DeviceKind, media: MediaDevices | undefined = navigator.mediaDevices): Promise<DeviceOption[]> {
  if (!media?.enumerateDevices) return [];
  const all = await media.enumerateDevices();
  const noun = { videoinput: "Camera", audioinput: "Microphone", audiooutput: "Speaker" }[kind];
  return all
    .filter((d) => d.kind === kind)
    .map((d, i) => ({ id: d.deviceId, label: d.label || `${noun} ${i + 1}` }));
}

/** The camera as the blueprint asks for it: 1280x720 at 24 fps, from the chosen device. */
export function cameraConstraints(deviceId: string | null): MediaStreamConstraints {
  return {
    video: {
      width: { ideal: 1280 },
      height: { ideal: 720 },
      frameRate: { ideal: 24 },
      ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
    },
    audio: false,
  };
}

export function microphoneConstraints(deviceId: string | null): MediaStreamConstraints {
  return { audio: deviceId ? { deviceId: { exact: deviceId } } : true, video: false };
}

export type Resolution = { width: number; height: number; frameRate: number | null };

export function resolutionOf(track: MediaStreamTrack): Resolution | null {
  const { width, height, frameRate } = track.getSettings();
  if (!width || !height) return null;
  return { width, height, frameRate: frameRate ? Math.round(frameRate) : null };
}

/** How the obtained resolution compares with the 1280x720 target. */
export function describeResolution(resolution: Resolution | null): { text: string; meetsTarget: boolean } {
  if (!resolution) return { text: "Resolution unknown", meetsTarget: false };
  const fps = resolution.frameRate ? ` at ${resolution.frameRate} fps` : "";
  const meetsTarget = resolution.width >= 1280 && resolution.height >= 720;
  const note = meetsTarget ? "" : " (below the 1280x720 target; patients will see a softer picture)";
  return { text: `${resolution.width}x${resolution.height}${fps}${note}`, meetsTarget };
}

/** Root mean square of one frame of samples (-1..1), as 0..1. */
export function rmsLevel(samples: Float32Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.min(1, Math.sqrt(sum / samples.length));
}

/** Below this the microphone counts as silent. */
export const SILENCE_LEVEL = 0.01;
export const SILENCE_WARNING_MS = 5000;

/** Tracks how long a microphone has been silent; `update` says whether to warn. */
export class SilenceWatch {
  private silentSince: number | null;

  constructor(now: number) {
    this.silentSince = now;
  }

  update(level: number, now: number): boolean {
    if (level >= SILENCE_LEVEL) {
      this.silentSince = null;
      return false;
    }
    this.silentSince ??= now;
    return now - this.silentSince >= SILENCE_WARNING_MS;
  }
}

export function platformName(userAgent: string = navigator.userAgent): "macos" | "windows" | "linux" {
  if (/Mac OS X|Macintosh/.test(userAgent)) return "macos";
  if (/Windows/.test(userAgent)) return "windows";
  return "linux";
}

/** What went wrong with getUserMedia, and how to fix it on this OS. */
export function mediaErrorMessage(error: unknown, what: "camera" | "microphone", os = platformName()): string {
  const name = error instanceof DOMException || error instanceof Error ? error.name : "";
  switch (name) {
    case "NotAllowedError":
    case "SecurityError": {
      const how = {
        macos: `open System Settings → Privacy & Security → ${what === "camera" ? "Camera" : "Microphone"}, turn VisitDesk on, then restart VisitDesk`,
        windows: `open Settings → Privacy & security → ${what === "camera" ? "Camera" : "Microphone"}, allow desktop apps to use it, then try again`,
        linux: `check that no other app holds the ${what} and that your desktop's privacy settings allow it, then try again`,
      }[os];
      return `VisitDesk is not allowed to use the ${what}. To allow it, ${how}.`;
    }
    case "NotFoundError":
    case "OverconstrainedError":
      return `No ${what} was found. Plug one in, or pick another in the list.`;
    case "NotReadableError":
    case "AbortError":
      return `The ${what} is in use by another app or could not start. Close other video apps and try again.`;
    default:
      return `The ${what} could not start${error instanceof Error && error.message ? `: ${error.message}` : "."}`;
  }
}

/** Whether the webview can play to a chosen output device. */
export function canPickSpeaker(): boolean {
  return typeof HTMLMediaElement !== "undefined" && "setSinkId" in HTMLMediaElement.prototype;
}

/** A one-second 440 Hz tone as a WAV file, for the speaker check (no asset, no network). */
export function testToneWav(seconds = 1, sampleRate = 22050): Blob {
  return new Blob([testToneBytes(seconds, sampleRate)], { type: "audio/wav" });
}

/** The bytes of [`testToneWav`]: 16-bit mono PCM in a RIFF/WAVE container. */
export function testToneBytes(seconds = 1, sampleRate = 22050): ArrayBuffer {
  const samples = Math.floor(seconds * sampleRate);
  const buffer = new ArrayBuffer(44 + samples * 2);
  const view = new DataView(buffer);
  const text = (offset: number, value: string) => [...value].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  text(0, "RIFF");
  view.setUint32(4, 36 + samples * 2, true);
  text(8, "WAVEfmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, "data");
  view.setUint32(40, samples * 2, true);
  for (let i = 0; i < samples; i++) {
    // A gentle fade in and out, so the tone does not click.
    const envelope = Math.min(1, i / 2000, (samples - i) / 2000);
    view.setInt16(44 + i * 2, Math.round(Math.sin((2 * Math.PI * 440 * i) / sampleRate) * 0.3 * envelope * 32767), true);
  }
  return buffer;
}
