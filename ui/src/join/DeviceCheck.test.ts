// The join page's device check on its own: a device with no camera at all.

import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import DeviceCheck from "./DeviceCheck.svelte";
import { stringsFor } from "./i18n";

/** A phone or computer with a microphone and no camera: asking for video fails as browsers do. */
function noCameraMedia(): MediaDevices {
  const audio = { kind: "audio", stop: vi.fn(), getSettings: () => ({ deviceId: "mic-1" }) };
  const stream = { getVideoTracks: () => [], getAudioTracks: () => [audio], getTracks: () => [audio] };
  return {
    getUserMedia: vi.fn(async (constraints: MediaStreamConstraints) => {
      if (constraints.video) throw new DOMException("Requested device not found", "NotFoundError");
      return stream;
    }),
    enumerateDevices: vi.fn(async () => [{ kind: "audioinput", deviceId: "mic-1", label: "Microphone" }]),
    addEventListener: vi.fn(),
    removeEventListener: vi.fn(),
  } as unknown as MediaDevices;
}

describe("the device check on a device with no camera", () => {
  it("never asks for video, says no camera was found, and joins without one", async () => {
    const media = noCameraMedia();
    const onJoin = vi.fn();
    render(DeviceCheck, { props: { text: stringsFor("en"), browser: "chrome", mediaFailure: null, onJoin, media } });

    const join = await screen.findByTestId("join-without-camera");
    await vi.waitFor(() => expect((join as HTMLButtonElement).disabled).toBe(false));
    expect(vi.mocked(media.getUserMedia).mock.calls.map(([constraints]) => constraints)).toEqual([{ audio: true, video: false }]);
    expect(screen.getByTestId("media-problem").textContent).toContain("No camera was found.");
    expect(screen.queryByTestId("join")).toBeNull();
    expect(join.classList.contains("primary")).toBe(true);

    await userEvent.setup().click(join);
    expect(onJoin).toHaveBeenCalledExactlyOnceWith({ cameraId: null, microphoneId: "mic-1", withCamera: false });
  });
});
