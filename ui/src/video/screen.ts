// Sharing a screen, window or tab: one capture for both adapters. The track is sent as one more
// video track named (Twilio) or described (Janus) `screen`, so the far side shows it large.

import { VideoSessionError, mediaErrorKind } from "./session";

export const SCREEN = "screen";

export type GetDisplayMedia = (constraints: DisplayMediaStreamOptions) => Promise<MediaStream>;

/** Whether this webview can capture a screen at all (WebKitGTK and some WebViews cannot). */
export function screenCaptureSupported(media: Partial<MediaDevices> | undefined = globalThis.navigator?.mediaDevices): boolean {
  return typeof media?.getDisplayMedia === "function";
}

/** Asks the browser for a screen, window or tab; detail (text) is kept over smooth motion. */
export async function captureScreen(getDisplayMedia?: GetDisplayMedia): Promise<MediaStreamTrack> {
  const media = globalThis.navigator?.mediaDevices;
  const capture = getDisplayMedia ?? (screenCaptureSupported(media) ? (c: DisplayMediaStreamOptions) => media!.getDisplayMedia(c) : null);
  if (!capture) throw new VideoSessionError({ kind: "media_unavailable", code: null, message: "This window cannot share a screen." });
  let stream: MediaStream;
  try {
    stream = await capture({ video: { frameRate: { max: 15 } }, audio: false });
  } catch (error) {
    const kind = mediaErrorKind(error) ?? "other";
    throw new VideoSessionError({ kind, code: null, message: kind === "media_permission" ? "Screen sharing was not allowed." : "The screen could not be shared." }, { cause: error });
  }
  const track = stream.getVideoTracks()[0];
  if (!track) throw new VideoSessionError({ kind: "media_unavailable", code: null, message: "No screen was chosen." });
  track.contentHint = "detail";
  return track;
}
