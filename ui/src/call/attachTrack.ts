// A Svelte action: plays a `MediaTrack` in the element it is on, and lets go when it changes.

import type { MediaTrack } from "../video/session";

export function attachTrack(element: HTMLMediaElement, track: MediaTrack | null) {
  let current: MediaTrack | null = null;
  const use = (next: MediaTrack | null) => {
    if (next === current) return;
    current?.detach(element);
    current = next;
    if (!next) return;
    element.autoplay = true;
    element.setAttribute("playsinline", "");
    next.attach(element);
  };
  use(track);
  return {
    update: use,
    destroy: () => use(null),
  };
}
