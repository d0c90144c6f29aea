// The blueprint's call settings: a two-person visit, a visit of three or more, a low-end phone.

import type { ConnectOptions, CreateLocalTrackOptions } from "twilio-video";

export type DeviceClass = { lowEndMobile: boolean };

/** What any backend needs to know to set up the call. */
export type CallSettings = {
  /** Twilio: the room type the core creates; Janus: a VideoRoom. */
  roomType: "group";
  video: { width: number; height: number; frameRate: number; codec: "VP8"; simulcast: boolean };
  /** Twilio's bandwidth profile mode; null for none. */
  bandwidthProfile: "collaboration" | null;
  dominantSpeaker: boolean;
  networkQuality: boolean;
};

const FRAME_RATE = 24;
const HD = { width: 1280, height: 720 };
const LOW_END = { width: 640, height: 480 };

export function callSettings(expectedParticipants: number, device: DeviceClass): CallSettings {
  const group = expectedParticipants >= 3;
  const size = device.lowEndMobile ? LOW_END : HD;
  return {
    roomType: "group",
    video: { ...size, frameRate: FRAME_RATE, codec: "VP8", simulcast: group },
    bandwidthProfile: group ? "collaboration" : null,
    dominantSpeaker: group,
    networkQuality: group,
  };
}

/** Camera capture constraints for `settings`, from `deviceId` when given. */
export function cameraCapture(settings: CallSettings, deviceId?: string | null): MediaTrackConstraints {
  const { width, height, frameRate } = settings.video;
  return {
    width: { ideal: width },
    height: { ideal: height },
    frameRate: { ideal: frameRate },
    ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
  };
}

export function microphoneCapture(deviceId?: string | null): MediaTrackConstraints | true {
  return deviceId ? { deviceId: { exact: deviceId } } : true;
}

export type TwilioCallInput = DeviceClass & {
  expectedParticipants: number;
  roomName?: string;
  cameraDeviceId?: string | null;
  microphoneDeviceId?: string | null;
};

export function twilioConnectOptions(input: TwilioCallInput): ConnectOptions {
  return twilioOptionsFor(callSettings(input.expectedParticipants, input), input);
}

export function twilioOptionsFor(settings: CallSettings, input: Omit<TwilioCallInput, "expectedParticipants" | "lowEndMobile">): ConnectOptions {
  const video: CreateLocalTrackOptions = cameraCapture(settings, input.cameraDeviceId);
  const options: ConnectOptions = {
    audio: microphoneCapture(input.microphoneDeviceId),
    video,
    preferredVideoCodecs: [{ codec: settings.video.codec, simulcast: settings.video.simulcast }],
    dominantSpeaker: settings.dominantSpeaker,
    networkQuality: settings.networkQuality ? { local: 1, remote: 1 } : false,
    // No call-quality telemetry to Twilio's insights gateway: the page's CSP allows signalling only.
    insights: false,
  };
  if (settings.bandwidthProfile) {
    options.bandwidthProfile = { video: { mode: settings.bandwidthProfile, dominantSpeakerPriority: "high" } };
  }
  if (input.roomName) options.name = input.roomName;
  return options;
}

/** The parts of `navigator` the low-end check reads (`deviceMemory` is Chromium only, in GB). */
export type NavigatorLike = {
  userAgent?: string;
  hardwareConcurrency?: number;
  deviceMemory?: number;
  userAgentData?: { mobile?: boolean };
};

/** A phone or tablet with at most 4 cores or 2 GB of memory. Unknown figures count as capable. */
export function isLowEndMobile(nav: NavigatorLike): boolean {
  const mobile = nav.userAgentData?.mobile ?? /Android|iPhone|iPod|iPad|Mobile/i.test(nav.userAgent ?? "");
  if (!mobile) return false;
  const cores = nav.hardwareConcurrency;
  const memory = nav.deviceMemory;
  const fewCores = typeof cores === "number" && cores > 0 && cores <= 4;
  const littleMemory = typeof memory === "number" && memory > 0 && memory <= 2;
  return fewCores || littleMemory;
}
