import { describe, expect, it } from "vitest";

import { callSettings, isLowEndMobile, twilioConnectOptions } from "./callSettings";

const desktop = { lowEndMobile: false };
const lowEndPhone = { lowEndMobile: true };

describe("Twilio connect options from the blueprint", () => {
  it("two people: 1280x720 at 24 fps, VP8 without simulcast, no bandwidth profile", () => {
    const options = twilioConnectOptions({ expectedParticipants: 2, ...desktop });
    expect(options.video).toEqual({ width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 24 } });
    expect(options.audio).toBe(true);
    expect(options.preferredVideoCodecs).toEqual([{ codec: "VP8", simulcast: false }]);
    expect(options).not.toHaveProperty("bandwidthProfile");
    expect(options.dominantSpeaker).toBe(false);
    expect(options.networkQuality).toBe(false);
    expect(options).not.toHaveProperty("name");
  });

  it.each([3, 4, 6])("%i people: VP8 simulcast, collaboration profile, dominant speaker, network quality", (count) => {
    const options = twilioConnectOptions({ expectedParticipants: count, ...desktop });
    expect(options.video).toEqual({ width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 24 } });
    expect(options.preferredVideoCodecs).toEqual([{ codec: "VP8", simulcast: true }]);
    expect(options.bandwidthProfile).toEqual({ video: { mode: "collaboration", dominantSpeakerPriority: "high" } });
    expect(options.dominantSpeaker).toBe(true);
    expect(options.networkQuality).toEqual({ local: 1, remote: 1 });
  });

  it("counts of one or two get the two-person settings", () => {
    expect(twilioConnectOptions({ expectedParticipants: 1, ...desktop })).toEqual(
      twilioConnectOptions({ expectedParticipants: 2, ...desktop }),
    );
  });

  it("a low-end phone captures 640x480, whatever the group size", () => {
    const two = twilioConnectOptions({ expectedParticipants: 2, ...lowEndPhone });
    expect(two.video).toEqual({ width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24 } });
    expect(two.preferredVideoCodecs).toEqual([{ codec: "VP8", simulcast: false }]);
    expect(two).not.toHaveProperty("bandwidthProfile");

    const group = twilioConnectOptions({ expectedParticipants: 4, ...lowEndPhone });
    expect(group.video).toEqual({ width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24 } });
    expect(group.preferredVideoCodecs).toEqual([{ codec: "VP8", simulcast: true }]);
    expect(group.bandwidthProfile).toEqual({ video: { mode: "collaboration", dominantSpeakerPriority: "high" } });
  });

  it("uses the chosen camera and microphone and the given room", () => {
    const options = twilioConnectOptions({
      expectedParticipants: 2,
      ...desktop,
      cameraDeviceId: "cam-2",
      microphoneDeviceId: "mic-3",
      roomName: "RM123",
    });
    expect(options.video).toMatchObject({ deviceId: { exact: "cam-2" }, width: { ideal: 1280 } });
    expect(options.audio).toEqual({ deviceId: { exact: "mic-3" } });
    expect(options.name).toBe("RM123");
  });
});

describe("backend-neutral call settings", () => {
  it("describes both call sizes for another backend", () => {
    expect(callSettings(2, desktop)).toEqual({
      roomType: "group",
      video: { width: 1280, height: 720, frameRate: 24, codec: "VP8", simulcast: false },
      bandwidthProfile: null,
      dominantSpeaker: false,
      networkQuality: false,
    });
    expect(callSettings(3, lowEndPhone)).toEqual({
      roomType: "group",
      video: { width: 640, height: 480, frameRate: 24, codec: "VP8", simulcast: true },
      bandwidthProfile: "collaboration",
      dominantSpeaker: true,
      networkQuality: true,
    });
  });
});

describe("isLowEndMobile", () => {
  const android = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36";
  const iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
  const mac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15";

  it("a phone with few cores or little memory is low-end", () => {
    expect(isLowEndMobile({ userAgent: android, hardwareConcurrency: 4, deviceMemory: 4 })).toBe(true);
    expect(isLowEndMobile({ userAgent: android, hardwareConcurrency: 8, deviceMemory: 2 })).toBe(true);
    expect(isLowEndMobile({ userAgent: iphone, hardwareConcurrency: 2 })).toBe(true);
  });

  it("a capable phone, a desktop, or unknown figures are not", () => {
    expect(isLowEndMobile({ userAgent: android, hardwareConcurrency: 8, deviceMemory: 8 })).toBe(false);
    expect(isLowEndMobile({ userAgent: mac, hardwareConcurrency: 2, deviceMemory: 1 })).toBe(false);
    expect(isLowEndMobile({ userAgent: iphone })).toBe(false);
    expect(isLowEndMobile({})).toBe(false);
  });

  it("trusts userAgentData.mobile over the user agent string", () => {
    expect(isLowEndMobile({ userAgent: mac, userAgentData: { mobile: true }, hardwareConcurrency: 4 })).toBe(true);
    expect(isLowEndMobile({ userAgent: android, userAgentData: { mobile: false }, hardwareConcurrency: 2 })).toBe(false);
  });
});
