import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import type { AppError, Invite, InviteRequest, JoinInfo, Visit } from "../generated/bindings";
import { INTAKE_KEY, fakePlatform, policyOf } from "../test/fakePlatform";
import { FakeSession, fakeBackend } from "../test/fakeSession";
import VisitsPanel from "./VisitsPanel.svelte";

const at = (hours: number, minutes = 0) => {
  const d = new Date();
  d.setHours(hours, minutes, 0, 0);
  return Math.floor(d.getTime() / 1000);
};

function visit(over: Partial<Visit> = {}): Visit {
  return {
    id: "v1", patient_display_name: "Ada Lovelace", patient_mobile: "+14155552671", scheduled_at: at(15, 30),
    status: "scheduled", room: null, created_at: 0, updated_at: 0, ...over,
  };
}

function sentInvite(request: InviteRequest): Invite {
  return {
    id: "i1", visit_id: request.visit_id, role: request.role, method: request.method, purpose: "join",
    to_masked: request.method === "copy_link" ? null : "+1********71", to_e164: null, guest_identity: "patient-x",
    status: "sent", twilio_sid: "SM1", error_code: null, error_message: null, created_at: 0, updated_at: 0,
  };
}

const appError = (over: Partial<AppError>): AppError => ({ code: "internal", message: "", fields: [], service: null, ...over });

function renderPanel(overrides: Parameters<typeof fakePlatform>[0] = {}, extra: Record<string, unknown> = {}) {
  const platform = fakePlatform({ listVisits: vi.fn(async () => [visit()]), ...overrides });
  const onKeychainProblem = vi.fn();
  render(VisitsPanel, { props: { platform, onKeychainProblem, ...extra } });
  return { platform, onKeychainProblem, user: userEvent.setup() };
}

describe("Visits panel", () => {
  it("shows a designed empty state, not a blank list", async () => {
    renderPanel({ listVisits: vi.fn(async () => []) });
    expect(await screen.findByTestId("visits-empty")).toHaveProperty("textContent", expect.stringContaining("No visits on this day."));
  });

  it("shows loading, then an error that can be retried", async () => {
    const listVisits = vi
      .fn()
      .mockRejectedValueOnce(appError({ code: "visits_database_failed", message: "The disk is full." }))
      .mockResolvedValueOnce([visit()]);
    const { user } = renderPanel({ listVisits });
    expect(screen.getByTestId("visits-loading")).toBeTruthy();
    const failure = await screen.findByTestId("visits-error");
    expect(failure.textContent).toContain("The disk is full.");
    await user.click(within(failure).getByRole("button", { name: "Try again" }));
    expect(await screen.findByText("Ada Lovelace")).toBeTruthy();
  });

  it("renders a patient name with markup as text", async () => {
    renderPanel({ listVisits: vi.fn(async () => [visit({ patient_display_name: "<img src=x onerror=alert(1)>" })]) });
    const name = await screen.findByTestId("visit-name");
    expect(name.textContent).toBe("<img src=x onerror=alert(1)>");
    expect(document.querySelector("img")).toBeNull();
  });

  it("hands a locked keychain to the app", async () => {
    const locked = appError({ code: "keychain_locked", message: "The system keychain is locked." });
    const { onKeychainProblem } = renderPanel({ listVisits: vi.fn(async () => Promise.reject(locked)) });
    await waitFor(() => expect(onKeychainProblem).toHaveBeenCalledWith(locked));
  });

  /** A core that keeps what it is given: listVisits answers with the visits created in its range. */
  function keepingCore() {
    const created: Visit[] = [];
    const listVisits = vi.fn(async (from: number, to: number) => created.filter((v) => v.scheduled_at >= from && v.scheduled_at < to));
    const createVisit = vi
      .fn()
      .mockRejectedValueOnce(
        appError({ code: "invalid_input", fields: [{ field: "patient_mobile", message: "This is not a valid US number (3 digits)." }] }),
      )
      .mockImplementation(async (form) => {
        const made = visit({ id: `v${created.length + 2}`, patient_display_name: form.patient_display_name, scheduled_at: form.scheduled_at });
        created.push(made);
        return made;
      });
    return { listVisits, createVisit };
  }

  async function addGraceHopper(user: ReturnType<typeof userEvent.setup>) {
    await user.click(await screen.findByTestId("add-visit"));
    await user.type(screen.getByLabelText("Patient's name"), "Grace Hopper");
    await user.type(screen.getByLabelText("Patient's mobile number"), "555");
    await user.click(screen.getByTestId("save-visit"));
    expect((await screen.findByTestId("error-patient_mobile")).textContent).toBe("This is not a valid US number (3 digits).");
    await user.clear(screen.getByLabelText("Patient's mobile number"));
    await user.type(screen.getByLabelText("Patient's mobile number"), "(415) 555-2671");
    await user.click(screen.getByTestId("save-visit"));
  }

  it.each([
    ["at noon: for today", new Date(2026, 11, 3, 12, 0), "Thursday, December 3"],
    ["just before midnight: for tomorrow, and the list goes there", new Date(2026, 11, 3, 23, 52), "Friday, December 4"],
  ])("adds a visit, showing the core's field messages first (%s)", async (_when, now, dayShown) => {
    vi.useFakeTimers({ toFake: ["Date"], now });
    const scrolled = vi.fn();
    Element.prototype.scrollIntoView = scrolled; // jsdom has no layout
    try {
      const core = keepingCore();
      const { user } = renderPanel(core);
      await addGraceHopper(user);
      expect(await screen.findByText("Grace Hopper")).toBeTruthy();
      expect(screen.queryByTestId("visit-dialog")).toBeNull();
      expect(screen.getByTestId("visits-day").textContent).toContain(dayShown);
      // The new visit is shown and given focus, wherever it landed.
      await waitFor(() => expect(document.activeElement?.getAttribute("data-visit-id")).toBe("v2"));
      expect(scrolled).toHaveBeenCalled();
      expect(core.createVisit.mock.calls[1]![0]).toMatchObject({ patient_display_name: "Grace Hopper", patient_mobile: "(415) 555-2671" });
    } finally {
      vi.useRealTimers();
    }
  });

  it("texts the patient and says it was sent", async () => {
    const inviteGuest = vi.fn(async (request: InviteRequest) => ({ invite: sentInvite(request), link: null }));
    const { user } = renderPanel({ inviteGuest });
    await user.click(await screen.findByTestId("invite-patient"));
    await user.selectOptions(screen.getByLabelText("Language of the text"), "es");
    await user.click(screen.getByTestId("send-invite"));
    expect((await screen.findByTestId("visit-outcome")).textContent).toContain("Invitation texted to the patient (+1********71).");
    expect(inviteGuest).toHaveBeenCalledWith({
      visit_id: "v1", role: "patient", method: "sms", phone: null, language: "es", confirm_resend: false,
    });
  });

  it("follows a text's delivery as Twilio reports it", async () => {
    const inviteGuest = vi.fn(async (request: InviteRequest) => ({ invite: sentInvite(request), link: null }));
    const smsDelivery = vi.fn(async () => ({
      invite_id: "i1", status: "undelivered", settled: true, error_code: 30003, error_message: "Unreachable destination handset",
    }));
    const { user } = renderPanel({ inviteGuest, smsDelivery });
    await user.click(await screen.findByTestId("invite-patient"));
    await user.click(screen.getByTestId("send-invite"));
    const delivery = await screen.findByTestId("sms-delivery", {}, { timeout: 4000 });
    expect(delivery.textContent).toBe("Not delivered (Twilio error 30003: Unreachable destination handset). Check the number, or send the link another way.");
    expect(smsDelivery).toHaveBeenCalledWith("v1", "i1");
    expect(smsDelivery).toHaveBeenCalledTimes(1); // settled: no more asking
  });

  it("shows Twilio's code and message when a text fails", async () => {
    const failure = appError({
      code: "service_error",
      message: "Twilio error 21610",
      service: { service: "twilio", status: 400, code: 21610, message: "Attempt to send to unsubscribed recipient", more_info: null },
    });
    const { user } = renderPanel({ inviteGuest: vi.fn(async () => Promise.reject(failure)) });
    await user.click(await screen.findByTestId("invite-patient"));
    await user.click(screen.getByTestId("send-invite"));
    const outcome = await screen.findByTestId("visit-outcome");
    expect(outcome.textContent).toContain("Twilio error 21610: Attempt to send to unsubscribed recipient");
    expect(outcome.className).toContain("error");
  });

  it("marks a timed-out text unknown, and resends only after the provider confirms", async () => {
    const inviteGuest = vi
      .fn()
      .mockRejectedValueOnce(appError({ code: "invite_outcome_unknown", message: "Twilio did not answer within 15 s." }))
      .mockRejectedValueOnce(appError({ code: "resend_needs_confirmation", message: "An earlier attempt to +1********71 timed out." }))
      .mockImplementationOnce(async (request: InviteRequest) => ({ invite: sentInvite(request), link: null }));
    const { user } = renderPanel({ inviteGuest });
    await user.click(await screen.findByTestId("invite-patient"));
    await user.click(screen.getByTestId("send-invite"));
    expect((await screen.findByTestId("visit-outcome")).textContent).toContain("Unknown — check before resending.");

    await user.click(screen.getByTestId("invite-patient"));
    await user.click(screen.getByTestId("send-invite"));
    await user.click(await screen.findByTestId("send-anyway"));
    await waitFor(() => expect(screen.getByTestId("visit-outcome").textContent).toContain("Invitation texted"));
    expect(inviteGuest.mock.calls.map((call) => call[0].confirm_resend)).toEqual([false, false, true]);
  });

  it("dials an interpreter in with the number typed", async () => {
    const inviteGuest = vi.fn(async (request: InviteRequest) => ({ invite: sentInvite(request), link: null }));
    const { user } = renderPanel({ inviteGuest });
    await user.click(await screen.findByRole("button", { name: "Invite interpreter / guest" }));
    await user.click(screen.getByLabelText("Phone call (dial-in)"));
    await user.type(screen.getByTestId("invite-phone"), "+44 20 7946 0018");
    await user.click(screen.getByRole("button", { name: "Call now" }));
    await screen.findByTestId("visit-outcome");
    expect(inviteGuest).toHaveBeenCalledWith(
      expect.objectContaining({ role: "interpreter", method: "phone_dial_in", phone: "+44 20 7946 0018" }),
    );
  });

  it("offers only the invite methods IT allows", async () => {
    const inviteGuest = vi.fn(async (request: InviteRequest) => ({ invite: sentInvite(request), link: "https://visit.example.org/join#t=x" }));
    const policy = policyOf([["invite_methods", true]], { allowed_invite_methods: ["copy_link"] });
    const { user } = renderPanel({ inviteGuest }, { policy });
    await user.click(await screen.findByTestId("invite-patient"));
    expect((screen.getByLabelText("Text message") as HTMLInputElement).disabled).toBe(true);
    expect(screen.getByTestId("invite-method-blocked-sms").textContent).toBe("Turned off by Example Hospital IT");
    await user.click(screen.getByTestId("send-invite"));
    await screen.findByTestId("visit-outcome");
    expect(inviteGuest).toHaveBeenCalledWith(expect.objectContaining({ role: "patient", method: "copy_link" }));
  });

  it("shows the core's refusal of an invite method IT does not allow", async () => {
    const refused = appError({
      code: "invite_method_not_allowed",
      message: "Sending text messages is turned off by Example Hospital IT. Nothing was sent; use another way to reach them.",
    });
    const { user } = renderPanel({ inviteGuest: vi.fn(async () => Promise.reject(refused)) });
    await user.click(await screen.findByTestId("invite-patient"));
    await user.click(screen.getByTestId("send-invite"));
    const outcome = await screen.findByTestId("visit-outcome");
    expect(outcome.textContent).toContain(refused.message);
    expect(outcome.className).toContain("error");
  });

  it("cancels a visit only after confirmation", async () => {
    // The core's list follows the cancellation.
    let stored = [visit()];
    const cancelVisit = vi.fn(async (id: string) => {
      stored = [visit({ id, status: "cancelled" })];
      return stored[0]!;
    });
    const { user } = renderPanel({ cancelVisit, listVisits: vi.fn(async () => stored) });
    await user.click(await screen.findByRole("button", { name: "Cancel" }));
    expect(cancelVisit).not.toHaveBeenCalled();
    await user.click(screen.getByRole("button", { name: "Cancel visit" }));
    await waitFor(() => expect(screen.getByTestId("visit-status").textContent).toBe("Cancelled"));
    expect(screen.queryByTestId("invite-patient")).toBeNull();
  });

  it("shows the visit an arrival notification was clicked for, switching back to today", async () => {
    let showVisit: ((request: { visit_id: string }) => void) | undefined;
    const onFocusVisit = vi.fn(async (handler: (request: { visit_id: string }) => void) => {
      showVisit = handler;
      return () => {};
    });
    const listVisits = vi.fn(async (from: number) =>
      from <= at(12) ? [visit(), visit({ id: "v2", patient_display_name: "Grace Hopper", scheduled_at: at(16) })] : [],
    );
    const scrolled = vi.fn();
    Element.prototype.scrollIntoView = scrolled; // jsdom has no layout
    const { user } = renderPanel({ listVisits, onFocusVisit });
    await screen.findByText("Grace Hopper");
    await user.click(screen.getByRole("button", { name: "Next day" }));
    await screen.findByTestId("visits-empty");

    showVisit!({ visit_id: "v2" });
    const row = await waitFor(() => {
      const focused = document.querySelector<HTMLElement>('[data-testid="visit-row"][data-focused="true"]');
      expect(focused).not.toBeNull();
      return focused!;
    });
    expect(row.dataset.visitId).toBe("v2");
    expect(document.activeElement).toBe(row);
    expect(within(row).getByTestId("visit-name").textContent).toBe("Grace Hopper");
    expect(document.querySelectorAll('[data-focused="true"]')).toHaveLength(1);
    expect(scrolled.mock.contexts[0]).toBe(row);
  });

  it("opens the call in the browser when this webview has no WebRTC, and says so", async () => {
    const openVisitInBrowser = vi.fn(async () => {});
    const startVisit = vi.fn();
    const platform = fakePlatform({ listVisits: vi.fn(async () => [visit({ status: "waiting" })]), openVisitInBrowser, startVisit });
    render(VisitsPanel, { props: { platform, onKeychainProblem: vi.fn(), callsInWindow: false } });
    await userEvent.setup().click(await screen.findByRole("button", { name: "Join visit" }));
    expect(await screen.findByTestId("visit-outcome")).toHaveProperty("textContent", expect.stringContaining("The call opened in your web browser"));
    expect(openVisitInBrowser).toHaveBeenCalledWith("v1");
    expect(startVisit).not.toHaveBeenCalled();
  });

  it("runs the call in this window when the webview has WebRTC, then shows the refreshed list", async () => {
    const info: JoinInfo = {
      visit_id: "v1", room_name: "visit-v1", target: { service: "twilio", room_sid: "RM1" }, identity: "dr-ana-ruiz", token: "twilio.access.token",
      expires_at: 0, join_url: "https://visit.example.org/join#t=x", intake_key: INTAKE_KEY,
    };
    const session = new FakeSession("dr-ana-ruiz", "dr-ana-ruiz");
    const backend = fakeBackend(() => session);
    const listVisits = vi.fn().mockResolvedValueOnce([visit({ status: "waiting" })]).mockResolvedValue([visit({ status: "completed" })]);
    const openVisitInBrowser = vi.fn();
    const platform = fakePlatform({ listVisits, openVisitInBrowser, startVisit: vi.fn(async () => info), visitInvites: vi.fn(async () => []) });
    render(VisitsPanel, { props: { platform, onKeychainProblem: vi.fn(), callsInWindow: true, chooseBackend: async () => backend } });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Join visit" }));

    expect(within(await screen.findByTestId("provider-call")).getByTestId("call-view")).toBeTruthy();
    expect(platform.startVisit).toHaveBeenCalledWith("v1");
    expect(openVisitInBrowser).not.toHaveBeenCalled();

    await user.click(screen.getByTestId("leave"));
    expect(screen.queryByTestId("provider-call")).toBeNull();
    expect(session.calls).toContain("disconnect");
    await waitFor(() => expect(screen.getByTestId("visit-status").textContent).toBe("Completed"));
  });

  it("says plainly when no browser could be opened", async () => {
    const failure = appError({ code: "browser_unavailable", message: "VisitDesk could not open your web browser (xdg-open: not found)." });
    const platform = fakePlatform({
      listVisits: vi.fn(async () => [visit({ status: "waiting" })]),
      openVisitInBrowser: vi.fn(async () => Promise.reject(failure)),
    });
    render(VisitsPanel, { props: { platform, onKeychainProblem: vi.fn(), callsInWindow: false } });
    await userEvent.setup().click(await screen.findByRole("button", { name: "Join visit" }));
    expect(await screen.findByTestId("visit-outcome")).toHaveProperty("textContent", expect.stringContaining("xdg-open: not found"));
  });
});
