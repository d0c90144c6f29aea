// Reading what Janus sends: plain values out of its JSON, and the names VideoRoom gives streams.

/**
 * The VideoRoom stream descriptions a publisher gives its microphone and camera. Turning one off
 * updates the description (`configure`), and VideoRoom tells everyone (a `publishers` event),
 * late joiners included: the far side's `isEnabled`. A sender turned off also stops sending.
 */
export const STREAM_DESCRIPTIONS = {
  audio: { on: "microphone", off: "microphone off" },
  video: { on: "camera", off: "camera off" },
} as const;

/** A shared screen's stream description: sent while sharing, `off` between shares. */
export const SCREEN_DESCRIPTIONS = { on: "screen", off: "screen off" } as const;

export function idOf(value: unknown): number | null {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? value : null;
}

export function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function textOf(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}
