import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { fakePlatform } from "../test/fakePlatform";
import DeviceChecks from "./DeviceChecks.svelte";

const props = (extra: Record<string, unknown> = {}) => ({ props: { platform: fakePlatform(), callsInWindow: false, ...extra } });

type Listener = () => void;

function fakeMedia(getUserMedia: () => Promise<MediaStream>) {
  const listeners: Listener[] = [];
  let devices = [{ kind: "videoinput", deviceId: "cam1", label: "Mock video device 1" }];
  const media = {
    getUserMedia: vi.fn(getUserMedia),
    enumerateDevices: vi.fn(async () => devices),
    addEventListener: (_: string, listener: Listener) => listeners.push(listener),
    removeEventListener: vi.fn(),
  };
  Object.defineProperty(navigator, "mediaDevices", { value: media, configurable: true });
  return {
    media,
    plug(label: string) {
      devices = [...devices, { kind: "videoinput", deviceId: `cam${devices.length + 1}`, label }];
      listeners.forEach((l) => l());
    },
  };
}

function cameraStream(width: number, height: number): MediaStream {
  const track = { label: "Mock video device 1", stop: vi.fn(), getSettings: () => ({ width, height, frameRate: 24 }) };
  return { getVideoTracks: () => [track], getAudioTracks: () => [], getTracks: () => [track] } as unknown as MediaStream;
}

afterEach(() => {
  Reflect.deleteProperty(navigator, "mediaDevices");
});

describe("Device checks", () => {
  it("shows the camera and the resolution it gave", async () => {
    fakeMedia(async () => cameraStream(1280, 720));
    render(DeviceChecks, props());
    await userEvent.setup().click(screen.getByTestId("check-camera"));
    expect((await screen.findByTestId("camera-result")).textContent).toBe("Mock video device 1: 1280x720 at 24 fps");
  });

  it("explains a denied camera and how to allow it", async () => {
    fakeMedia(async () => Promise.reject(new DOMException("denied", "NotAllowedError")));
    render(DeviceChecks, props());
    await userEvent.setup().click(screen.getByTestId("check-camera"));
    expect((await screen.findByTestId("camera-error")).textContent).toMatch(/^VisitDesk is not allowed to use the camera\. To allow it,/);
  });

  it("grades the network from Twilio's preflight, with the numbers on hover", async () => {
    fakeMedia(async () => cameraStream(1280, 720));
    const platform = fakePlatform();
    const runPreflight = vi.fn(async () => ({ rttMs: 250, jitterMs: 12, packetLossPercent: 0.2 }));
    render(DeviceChecks, props({ platform, callsInWindow: true, runPreflight }));
    await userEvent.setup().click(screen.getByTestId("test-network"));
    const result = await screen.findByTestId("network-result");
    expect(result.textContent?.trim()).toMatch(/^Fair:/);
    expect(result.getAttribute("title")).toBe("Round trip 250 ms, jitter 12 ms, packet loss 0.2 %");
    expect(runPreflight).toHaveBeenCalledWith("header.claims.signature");
  });

  it("says the network test needs WebRTC where the webview lacks it", async () => {
    fakeMedia(async () => cameraStream(1280, 720));
    render(DeviceChecks, props());
    expect(screen.getByTestId("network-unsupported").textContent).toContain("needs WebRTC");
    expect(screen.queryByTestId("test-network")).toBeNull();
  });

  it("updates the camera list when a camera is plugged in", async () => {
    const { plug } = fakeMedia(async () => cameraStream(640, 480));
    render(DeviceChecks, props());
    await vi.waitFor(() => expect(screen.queryByText("Camera")).toBeTruthy());
    expect(screen.queryByRole("combobox")).toBeNull();
    plug("USB Camera");
    expect(await screen.findByRole("option", { name: "USB Camera" })).toBeTruthy();
  });
});
