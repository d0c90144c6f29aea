// The Janus adapter: `VideoSession` over a Janus VideoRoom through janus.js (npm
// `janus-gateway`), which is loaded only when a call starts. Its parts:
//   janusjs.ts        janus.js's typings, init, and its callbacks as promises
//   session.ts        the session: connecting, who is in the room, the end of the call
//   publishing.ts     our capture, the publisher handle, the data channel
//   subscriptions.ts  the multistream subscriber and the remote tracks it receives
//   participants.ts   the participants and tracks handed to the UI
//   devices.ts        mute and device switches
//   holding.ts        held (the waiting room): release and hold
//   reconnects.ts     connection trouble
//   stats.ts          network quality and the dominant speaker from getStats
//   problems.ts, token.ts   what errors mean; the signed tokens

import { libraryNotLoaded, throwIfAborted } from "../adapter";
import { type VideoBackend, type VideoConnectOptions, type VideoSession, VideoSessionError } from "../session";
import type { JanusBackendConfig } from "./call";
import { type JanusLibrary, initJanus, loadJanus } from "./janusjs";
import { JanusSession } from "./session";
import { roomFromToken } from "./token";

export type { JanusBackendConfig } from "./call";
export { STREAM_DESCRIPTIONS } from "./messages";
export {
  type JanusAttachOptions,
  type JanusCallback,
  type JanusCore,
  type JanusHandle,
  type JanusLibrary,
  type JanusSessionOptions,
  type JanusTrackSpec,
  type Jsep,
  type LoadJanus,
  type VideoRoomMessage,
  browserDetails,
  loadJanus,
} from "./janusjs";
export { JANUS_CODES, janusProblem, videoRoomProblem } from "./problems";
export { qualityLevel } from "./stats";
export { janusTokenExpiry, roomFromToken } from "./token";

/** Joins the room with the blueprint's settings; rejects with a `VideoSessionError`, or the abort reason. */
export async function connectJanus(config: JanusBackendConfig, options: VideoConnectOptions): Promise<VideoSession> {
  const { signal } = options;
  throwIfAborted(signal);
  const roomText = options.roomName ?? (config.room === null || config.room === undefined ? null : String(config.room));
  const roomId = roomText !== null && /^\d{1,16}$/.test(roomText) ? Number(roomText) : roomText === null ? roomFromToken(options.token) : null;
  if (roomId === null || !Number.isSafeInteger(roomId) || roomId <= 0) {
    throw new VideoSessionError({ kind: "token_invalid", code: null, message: "No VideoRoom to join (a numeric room id)." });
  }

  let lib: JanusLibrary;
  try {
    lib = (await (config.load ?? loadJanus)()).default;
    await initJanus(lib, config.debug === true);
  } catch (error) {
    throw libraryNotLoaded(error);
  }
  throwIfAborted(signal);

  const session = new JanusSession(lib, config, options, roomId);
  await session.start();
  return session;
}

/** A `VideoBackend` for one Janus join link (`server`, `room`, `coreToken`, `identity`). */
export function janusBackend(config: JanusBackendConfig): VideoBackend {
  return { connect: (options) => connectJanus(config, options) };
}
