import { describe, expect, it, vi } from "vitest";

import {
  SilenceWatch,
  browserKind,
  describeResolution,
  listDevices,
  mediaErrorMessage,
  mediaProblemOf,
  rmsLevel,
  testToneBytes,
  testToneWav,
  watchDevices,
} from "./devices";

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

  it("sorts getUserMedia failures into what the user can do about them", () => {
    expect(mediaProblemOf(new DOMException("", "NotAllowedError"))).toBe("denied");
    expect(mediaProblemOf(new DOMException("", "SecurityError"))).toBe("denied");
    expect(mediaProblemOf(new DOMException("", "OverconstrainedError"))).toBe("not_found");
    expect(mediaProblemOf(new DOMException("", "NotReadableError"))).toBe("in_use");
    expect(mediaProblemOf(new Error("boom"))).toBe("other");
    expect(mediaProblemOf("nope")).toBe("other");
  });

  it.each([
    ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36", 0, "chrome"],
    ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0", 0, "edge"],
    ["Mozilla/5.0 (Macintosh; Intel Mac OS X 14.6; rv:131.0) Gecko/20100101 Firefox/131.0", 0, "firefox"],
    ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15", 0, "safari-mac"],
    ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15", 5, "safari-ios"],
    ["Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1", 5, "safari-ios"],
    ["Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/130.0 Mobile/15E148 Safari/604.1", 5, "safari-ios"],
    ["Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36", 5, "chrome-android"],
    ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/130.0.0.0 Safari/537.36", 0, "chrome"],
  ] as const)("names the browser for permission help: %s", (userAgent, touchPoints, kind) => {
    expect(browserKind(userAgent, touchPoints)).toBe(kind);
  });

  it("watches cameras and microphones as they are plugged in, until stopped", async () => {
    let devices = [{ kind: "videoinput", deviceId: "a", label: "Front" }];
    const listeners = new Set<() => void>();
    const media = {
      enumerateDevices: async () => devices,
      addEventListener: (_: string, listener: () => void) => listeners.add(listener),
      removeEventListener: (_: string, listener: () => void) => listeners.delete(listener),
    } as unknown as MediaDevices;
    const seen: string[] = [];
    const stop = watchDevices(({ cameras, microphones }) => seen.push(`${cameras.length} cameras, ${microphones.length} microphones`), media);
    await vi.waitFor(() => expect(seen).toEqual(["1 cameras, 0 microphones"]));
    devices = [...devices, { kind: "audioinput", deviceId: "m", label: "Headset" }];
    listeners.forEach((listener) => listener());
    await vi.waitFor(() => expect(seen).toEqual(["1 cameras, 0 microphones", "1 cameras, 1 microphones"]));
    stop();
    expect(listeners.size).toBe(0);
  });
});
