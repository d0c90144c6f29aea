// The Twilio adapter: `VideoSession` over twilio-video, which is loaded only when a call starts.
// Its parts, in twilio/:
//   session.ts       the connected Room as a session, held (the waiting room) or not
//   participants.ts  the participants and tracks handed to the UI
//   problems.ts      what Twilio's errors mean

import type { ConnectOptions, CreateLocalTracksOptions, LocalDataTrack, LocalTrack, Room } from "twilio-video";

import { abortReason, libraryNotLoaded, providerIdentityOf, throwIfAborted } from "./adapter";
import { callSettings, twilioOptionsFor } from "./callSettings";
import { type VideoBackend, type VideoConnectOptions, type VideoSession, VideoSessionError, identityFromToken } from "./session";
import { problemOf } from "./twilio/problems";
import { TwilioSession } from "./twilio/session";

export { endReasonOf, problemOf } from "./twilio/problems";
export { TwilioSession } from "./twilio/session";

/** twilio-video's `connect`, or a fake of it. */
export type TwilioConnect = (token: string, options: ConnectOptions) => Promise<Room> & { cancel?: () => void };
export type TwilioVideoModule = {
  connect: TwilioConnect;
  createLocalTracks: (options: CreateLocalTracksOptions) => Promise<LocalTrack[]>;
  LocalDataTrack: new () => LocalDataTrack;
};
export type LoadTwilioVideo = () => Promise<TwilioVideoModule>;

export const loadTwilioVideo: LoadTwilioVideo = () => import("twilio-video");

/**
 * Held: the data track is the only track, so twilio-video captures nothing (given `tracks`, it
 * skips getUserMedia; `audio: false, video: false` would drop `tracks` too), and remote video
 * is switched by hand (`RemoteVideoTrack.switchOff`) instead of by the visibility of its elements.
 */
function heldOptions(options: ConnectOptions, dataTrack: LocalDataTrack): ConnectOptions {
  // Subscribed to nothing: the clinic's console lets the patient in by their subscribe rules.
  const held: ConnectOptions = { ...options, tracks: [dataTrack], automaticSubscription: false };
  delete held.audio;
  delete held.video;
  held.bandwidthProfile = { video: { ...options.bandwidthProfile?.video, clientTrackSwitchOffControl: "manual" } };
  return held;
}

/** Connects with the blueprint's settings; rejects with a `VideoSessionError`, or the abort reason. */
export async function connectTwilio(options: VideoConnectOptions, load: LoadTwilioVideo = loadTwilioVideo): Promise<VideoSession> {
  const { signal } = options;
  throwIfAborted(signal);
  const settings = callSettings(options.expectedParticipants, options);
  const providerIdentity = providerIdentityOf(options, identityFromToken(options.token));

  let twilio: TwilioVideoModule;
  try {
    twilio = await load();
  } catch (error) {
    throw libraryNotLoaded(error);
  }
  throwIfAborted(signal);

  const held = options.held === true;
  const withCamera = options.withCamera !== false;
  const dataTrack = new twilio.LocalDataTrack();
  let connectOptions = twilioOptionsFor(settings, options);
  if (!withCamera) connectOptions.video = false;
  if (held) connectOptions = heldOptions(connectOptions, dataTrack);
  const pending = twilio.connect(options.token, connectOptions);
  const cancel = () => pending.cancel?.();
  signal?.addEventListener("abort", cancel, { once: true });
  let room: Room;
  try {
    room = await pending;
  } catch (error) {
    if (signal?.aborted) throw abortReason(signal);
    throw new VideoSessionError(problemOf(error), { cause: error });
  } finally {
    signal?.removeEventListener("abort", cancel);
  }
  if (signal?.aborted) {
    room.disconnect();
    throw abortReason(signal);
  }
  return new TwilioSession(room, {
    settings,
    providerIdentity,
    dataTrack,
    createLocalTracks: (trackOptions) => twilio.createLocalTracks(trackOptions),
    capture: { cameraDeviceId: options.cameraDeviceId ?? null, microphoneDeviceId: options.microphoneDeviceId ?? null, withCamera },
    held,
  });
}

export function twilioBackend(load: LoadTwilioVideo = loadTwilioVideo): VideoBackend {
  return { connect: (options) => connectTwilio(options, load) };
}
