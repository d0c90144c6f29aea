// What the call tests assert of a page's media, from getStats and its captures (peer-stats.mjs).
import { liveCaptures, liveStreams, sendingStreams } from "./peer-stats.mjs";
import { eventually } from "./support.mjs";

/** `page` decodes video and audio from at least (`exactly`: exactly) `others` others within 30 s. */
export function decodes(page, others, who, { exactly = false } = {}) {
  return eventually(
    `${who} does not decode video and audio from ${exactly ? "exactly " : ""}${others} others`,
    async () => {
      const live = await liveStreams(page);
      const enough = exactly ? live.video === others && live.audio === others : live.video >= others && live.audio >= others;
      return enough ? live : false;
    },
    30_000,
    0,
  );
}

/** Nothing leaves or reaches `page`: no capture live (camera light off), no RTP sent or decoded. */
export async function assertHeld(page, who) {
  const none = (streams) => streams.video === 0 && streams.audio === 0;
  await eventually(`${who} still holds the camera or microphone`, async () => (await liveCaptures(page)).length === 0, 5000);
  await eventually(`${who} sends media`, async () => none(await sendingStreams(page)), 8000);
  await eventually(`${who} receives media`, async () => none(await liveStreams(page)), 8000);
}
