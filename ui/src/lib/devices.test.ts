import { describe, expect, it } from "vitest";

import { SilenceWatch, describeResolution, listDevices, mediaErrorMessage, rmsLevel, testToneBytes, testToneWav } from "./devices";

describe("device checks logic", () => {
  it("compares the obtained resolution with the 1280x720 target", () => {
    expect(describeResolution({ width: 1280, height: 720, frameRate: 24 })).toEqual({ text: "1280x720 at 24 fps", meetsTarget: true });
    const low = describeResolution({ width: 640, height: 480, frameRate: null });
    expect(low.meetsTarget).toBe(false);
    expect(low.text).toContain("below the 1280x720 target");
  });

  it("warns after 5 s of silence, and forgets silence once something is heard", () => {
    const watch = new SilenceWatch(0);
    expect(watch.update(0, 4999)).toBe(false);
    expect(watch.update(0.001, 5000)).toBe(true);
    expect(watch.update(0.2, 5100)).toBe(false);
    expect(watch.update(0, 9000)).toBe(false);
    expect(watch.update(0, 13_900)).toBe(false);
    expect(watch.update(0, 14_000)).toBe(true);
    expect(rmsLevel(new Float32Array([0.5, -0.5]))).toBeCloseTo(0.5);
  });

  it("tells the provider how to allow the camera on their OS", () => {
    const denied = new DOMException("Permission denied", "NotAllowedError");
    expect(mediaErrorMessage(denied, "camera", "macos")).toContain("System Settings → Privacy & Security → Camera");
    expect(mediaErrorMessage(denied, "microphone", "windows")).toContain("Settings → Privacy & security → Microphone");
    expect(mediaErrorMessage(new DOMException("", "NotReadableError"), "camera", "linux")).toContain("in use by another app");
    expect(mediaErrorMessage(new DOMException("", "NotFoundError"), "microphone", "linux")).toContain("No microphone was found");
  });

  it("labels devices before permission, and makes a playable tone", async () => {
    const media = {
      enumerateDevices: async () => [
        { kind: "videoinput", deviceId: "a", label: "" },
        { kind: "videoinput", deviceId: "b", label: "USB Camera" },
        { kind: "audioinput", deviceId: "c", label: "" },
      ],
    } as unknown as MediaDevices;
    expect(await listDevices("videoinput", media)).toEqual([
      { id: "a", label: "Camera 1" },
      { id: "b", label: "USB Camera" },
    ]);
    expect(testToneWav(0.1, 8000).size).toBe(44 + 800 * 2);
    const bytes = new Uint8Array(testToneBytes(0.1, 8000));
    expect(String.fromCharCode(...bytes.slice(0, 4), ...bytes.slice(8, 12))).toBe("RIFFWAVE");
  });
});
