// Device checks free of Svelte, for the console's pre-visit checks and the join page: media
// access, levels, device lists and what went wrong. Everything here uses only web platform APIs.

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

export type MediaProblem = "denied" | "not_found" | "in_use" | "other";

/** What kind of failure a getUserMedia error is. */
export function mediaProblemOf(error: unknown): MediaProblem {
  const name = error instanceof DOMException || error instanceof Error ? error.name : "";
  switch (name) {
    case "NotAllowedError":
    case "SecurityError":
      return "denied";
    case "NotFoundError":
    case "OverconstrainedError":
      return "not_found";
    case "NotReadableError":
    case "AbortError":
      return "in_use";
    default:
      return "other";
  }
}

/** What went wrong with getUserMedia, and how to fix it on this OS. */
export function mediaErrorMessage(error: unknown, what: "camera" | "microphone", os = platformName()): string {
  switch (mediaProblemOf(error)) {
    case "denied": {
      const how = {
        macos: `open System Settings → Privacy & Security → ${what === "camera" ? "Camera" : "Microphone"}, turn VisitDesk on, then restart VisitDesk`,
        windows: `open Settings → Privacy & security → ${what === "camera" ? "Camera" : "Microphone"}, allow desktop apps to use it, then try again`,
        linux: `check that no other app holds the ${what} and that your desktop's privacy settings allow it, then try again`,
      }[os];
      return `VisitDesk is not allowed to use the ${what}. To allow it, ${how}.`;
    }
    case "not_found":
      return `No ${what} was found. Plug one in, or pick another in the list.`;
    case "in_use":
      return `The ${what} is in use by another app or could not start. Close other video apps and try again.`;
    default:
      return `The ${what} could not start${error instanceof Error && error.message ? `: ${error.message}` : "."}`;
  }
}

/** Browsers whose permission settings differ enough to need their own instructions. */
export type BrowserKind = "chrome" | "edge" | "firefox" | "safari-mac" | "safari-ios" | "chrome-android" | "other";

/** The browser, for permission help. Every iPhone and iPad browser is Safari underneath. */
export function browserKind(userAgent: string = navigator.userAgent, maxTouchPoints: number = navigator.maxTouchPoints ?? 0): BrowserKind {
  const iPadAsMac = /Macintosh/.test(userAgent) && maxTouchPoints > 1;
  if (/iPhone|iPad|iPod/.test(userAgent) || iPadAsMac) return "safari-ios";
  if (/Android/.test(userAgent)) return /Firefox\//.test(userAgent) ? "firefox" : "chrome-android";
  if (/Firefox\//.test(userAgent)) return "firefox";
  if (/Edg\//.test(userAgent)) return "edge";
  if (/Chrome\/|Chromium\//.test(userAgent)) return "chrome";
  if (/Macintosh/.test(userAgent) && /Safari\//.test(userAgent)) return "safari-mac";
  return "other";
}

/** Calls `onChange` with the cameras and microphones now, and again whenever devices change. */
export function watchDevices(
  onChange: (devices: { cameras: DeviceOption[]; microphones: DeviceOption[] }) => void,
  media: MediaDevices | undefined = navigator.mediaDevices,
): () => void {
  let stopped = false;
  const refresh = async () => {
    const [cameras, microphones] = await Promise.all([listDevices("videoinput", media), listDevices("audioinput", media)]);
    if (!stopped) onChange({ cameras, microphones });
  };
  void refresh();
  media?.addEventListener?.("devicechange", refresh);
  return () => {
    stopped = true;
    media?.removeEventListener?.("devicechange", refresh);
  };
}

export function stopStream(stream: MediaStream | null | undefined): void {
  stream?.getTracks().forEach((track) => track.stop());
}

export type LevelMeter = {
  /** Audio that starts before any tap stays suspended (Safari, Chrome): the level reads 0. */
  readonly suspended: boolean;
  /** Call from a tap or click. */
  resume(): void;
  stop(): void;
};

/** Reports the microphone's level (0..1) once a frame until stopped. */
export function startLevelMeter(stream: MediaStream, onLevel: (level: number) => void): LevelMeter {
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  context.createMediaStreamSource(stream).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let frame = 0;
  const tick = () => {
    analyser.getFloatTimeDomainData(samples);
    onLevel(rmsLevel(samples));
    frame = requestAnimationFrame(tick);
  };
  tick();
  return {
    get suspended() {
      return context.state === "suspended";
    },
    resume: () => void context.resume().catch(() => {}),
    stop: () => {
      cancelAnimationFrame(frame);
      void context.close().catch(() => {});
    },
  };
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
