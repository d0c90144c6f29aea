/// <reference types="vite/client" />
// The video backend a join link asks for, loaded only then (twilio-video or janus-gateway).

import { type VideoBackend, VideoSessionError } from "../video/session";
import type { JoinLink } from "./link";

type JanusModule = {
  janusBackend(options: { server: string; room: string; coreToken: string; identity: string }): VideoBackend;
};

// A glob, not an import: the page builds while janus.ts does not exist yet.
const janusModules = import.meta.glob<JanusModule>("../video/janus.ts");

export async function chooseBackend(link: JoinLink): Promise<VideoBackend> {
  if (link.backend === "twilio") {
    const { twilioBackend } = await import("../video/twilio");
    return twilioBackend();
  }
  const load = janusModules["../video/janus.ts"];
  if (!load) throw new VideoSessionError({ kind: "other", code: null, message: "This page cannot make Janus calls yet." });
  const { janusBackend } = await load();
  return janusBackend({ server: link.server, room: link.room, coreToken: link.coreToken, identity: link.identity });
}
