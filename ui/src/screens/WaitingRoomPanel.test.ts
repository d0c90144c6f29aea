import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";

import type { Visit, VisitPresence, WaitingRoomEvent } from "../generated/bindings";
import { fakePlatform } from "../test/fakePlatform";
import WaitingRoomPanel from "./WaitingRoomPanel.svelte";

const now = Math.floor(Date.now() / 1000);
const visit: Visit = {
  id: "v1", patient_display_name: "<img src=x onerror=alert(1)>", patient_mobile: "+14155552671", scheduled_at: now,
  status: "invited", room: { service: "twilio", unique_name: "vd-x", sid: "RM1" }, created_at: 0, updated_at: 0,
};
const presence: VisitPresence = {
  visit_id: "v1", scheduled_at: now, state: { kind: "not_arrived" }, patient_identity: null, provider_present: false,
  guests: [], devices: { camera_on: null, microphone_on: null }, delayed: false, delay_reason: null, checked_at_unix: now,
  admission: null, admission_by_console: false,
};

function renderPanel(snapshot: VisitPresence = presence, decideAdmission = vi.fn(async () => {})) {
  let emit: (event: WaitingRoomEvent) => void = () => {};
  const onArrival = vi.fn();
  const platform = fakePlatform({
    listVisits: vi.fn(async () => [visit]),
    waitingRoom: vi.fn(async () => [snapshot]),
    decideAdmission,
    onWaitingRoomEvent: vi.fn(async (handler) => {
      emit = handler;
      return () => {};
    }),
  });
  render(WaitingRoomPanel, { props: { platform, onArrival } });
  return { emit: (event: WaitingRoomEvent) => emit(event), onArrival, decideAdmission };
}

describe("Waiting-room panel", () => {
  it("shows an arrival with the time and a count, and the name as text", async () => {
    const { emit, onArrival } = renderPanel();
    expect((await screen.findByTestId("presence-state")).textContent).toContain("Not yet arrived");
    expect(screen.getByText("<img src=x onerror=alert(1)>")).toBeTruthy();
    expect(document.querySelector("img")).toBeNull();
    emit({ kind: "patient_arrived", visit_id: "v1", identity: "patient-x", since_unix: now });
    await waitFor(() => expect(screen.getByTestId("presence-state").textContent).toMatch(/^Waiting since .+ · just arrived$/));
    expect(screen.getByTestId("waiting-count").textContent).toBe("1");
    expect(onArrival).toHaveBeenCalledWith("v1");
    emit({ kind: "devices_changed", visit_id: "v1", camera_on: true, microphone_on: true });
    await waitFor(() => expect(screen.getByTestId("presence-devices").textContent).toBe("Camera on · Microphone on"));
  });

  it("says the status is delayed instead of showing stale certainty", async () => {
    const { emit } = renderPanel();
    await screen.findByTestId("presence-state");
    emit({ kind: "patient_arrived", visit_id: "v1", identity: "patient-x", since_unix: now });
    emit({ kind: "status_delayed", visit_id: "v1", retry_in_seconds: 8, reason: "timeout" });
    await waitFor(() => expect(screen.getByTestId("presence-state").textContent).toContain("Status delayed, retrying"));
    expect(screen.queryByTestId("waiting-count")).toBeNull();
  });

  it("says, in a polite live region, that someone removed tried to rejoin and was removed again", async () => {
    const { emit, onArrival } = renderPanel();
    await screen.findByTestId("presence-state");
    const region = screen.getByTestId("rejoin-notices");
    expect(region.getAttribute("aria-live")).toBe("polite");
    expect(region.getAttribute("role")).toBe("status");
    expect(region.textContent?.trim()).toBe("");

    emit({ kind: "removed_rejoined", visit_id: "v1", identity: "interpreter-kqzmtrwxab", role: "interpreter", removed: false });
    const notice = await screen.findByTestId("rejoin-notice");
    expect(notice.textContent).toContain("Someone you removed (interpreter) is trying to rejoin <img src=x onerror=alert(1)>'s visit");
    expect(notice.textContent).toContain("could not remove them yet");
    expect(notice.classList.contains("warning")).toBe(true);
    expect(document.querySelector("img")).toBeNull();

    emit({ kind: "removed_rejoined", visit_id: "v1", identity: "interpreter-kqzmtrwxab", role: "interpreter", removed: true });
    await waitFor(() => expect(screen.getByTestId("rejoin-notice").textContent).toMatch(/tried to rejoin .+'s visit and was removed again at .+\./));
    expect(screen.getAllByTestId("rejoin-notice")).toHaveLength(1);
    expect(region.contains(screen.getByTestId("rejoin-notice"))).toBe(true);
    // Nobody arrived, and the visit's presence is unchanged.
    expect(onArrival).not.toHaveBeenCalled();
    expect(screen.getByTestId("presence-state").textContent).toContain("Not yet arrived");
    expect(screen.queryByText(/Also here/)).toBeNull();

    await fireEvent.click(screen.getByRole("button", { name: "Dismiss" }));
    await waitFor(() => expect(screen.queryByTestId("rejoin-notice")).toBeNull());
  });

  it("lets the clinician admit and send back a patient from the panel, by keyboard, and says what happened", async () => {
    const waiting: VisitPresence = {
      ...presence, state: { kind: "in_visit", since_unix: now }, patient_identity: "patient-x", provider_present: true,
      admission: "waiting", admission_by_console: true,
    };
    const { emit, decideAdmission } = renderPanel(waiting);
    const admit = await screen.findByTestId("admission-action");
    expect(admit.textContent).toBe("Admit");
    expect(screen.getByTestId("presence-state").textContent).toContain("Waiting to be let in");
    admit.focus();
    await fireEvent.click(admit);
    expect(decideAdmission).toHaveBeenCalledWith("v1", "admit");
    await waitFor(() => expect(screen.getByTestId("admission-note").textContent).toBe("<img src=x onerror=alert(1)> is being let in."));
    expect(screen.getByTestId("admission-note").getAttribute("role")).toBe("status");
    emit({ kind: "admission_changed", visit_id: "v1", admission: "admitted" });
    await waitFor(() => expect(screen.getByTestId("admission-action").textContent).toBe("Send back to waiting room"));
    expect(screen.getByTestId("admission-note").textContent).toBe("");
    await fireEvent.click(screen.getByTestId("admission-action"));
    expect(decideAdmission).toHaveBeenLastCalledWith("v1", "send_back");
  });

  it("shows the core's refusal of an admission as an error, and offers nothing on Janus", async () => {
    const waiting: VisitPresence = {
      ...presence, state: { kind: "waiting", since_unix: now }, patient_identity: "patient-x", admission: "waiting", admission_by_console: true,
    };
    const refuse = vi.fn(async () => {
      throw { code: "visit_state_conflict", message: "The patient is not in the visit's room now.", fields: [], service: null };
    });
    renderPanel(waiting, refuse);
    await fireEvent.click(await screen.findByTestId("admission-action"));
    await waitFor(() => expect(screen.getByTestId("admission-note").textContent).toBe("The patient is not in the visit's room now."));
    expect(screen.getByTestId("admission-note").className).toContain("error");
  });

  it("offers no Admit where only the join page holds the patient (Janus)", async () => {
    renderPanel({ ...presence, state: { kind: "waiting", since_unix: now }, patient_identity: "patient-x", admission: "waiting", admission_by_console: false });
    await screen.findByTestId("presence-state");
    expect(screen.queryByTestId("admission-action")).toBeNull();
  });
});
