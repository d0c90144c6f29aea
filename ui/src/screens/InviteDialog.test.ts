import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import type { InviteMethod, PolicyView, Visit } from "../generated/bindings";
import { NO_POLICY } from "../lib/policy";
import { policyOf } from "../test/fakePlatform";
import InviteDialog from "./InviteDialog.svelte";

const VISIT: Visit = {
  id: "v1", patient_display_name: "Ada Lovelace", patient_mobile: "+14155552671", scheduled_at: 1_795_361_400,
  status: "scheduled", room: null, created_at: 0, updated_at: 0,
};

const allowing = (methods: InviteMethod[], over: Partial<PolicyView> = {}) =>
  policyOf([["invite_methods", true]], { allowed_invite_methods: methods, ...over });

function renderDialog(mode: "patient" | "guest" | "running_late", policy: PolicyView = NO_POLICY) {
  const onChoose = vi.fn();
  render(InviteDialog, { props: { visit: VISIT, mode, policy, onChoose, onClose: vi.fn() } });
  return { onChoose, user: userEvent.setup() };
}

const radio = (label: string) => screen.getByLabelText(label) as HTMLInputElement;

describe("Invite dialog under IT's policy", () => {
  it("offers every way when there is no policy", () => {
    renderDialog("guest");
    for (const label of ["Text message", "Phone call (dial-in)", "Copy link"]) expect(radio(label).disabled).toBe(false);
    expect(radio("Text message").checked).toBe(true);
    expect(screen.queryByTestId("invite-method-blocked-sms")).toBeNull();
  });

  it("disables the ways IT does not allow, says why, and starts on one it does", async () => {
    const { onChoose, user } = renderDialog("guest", allowing(["copy_link"]));
    expect(radio("Text message").disabled).toBe(true);
    expect(radio("Phone call (dial-in)").disabled).toBe(true);
    expect(radio("Copy link").disabled).toBe(false);
    expect(radio("Copy link").checked).toBe(true);
    expect(screen.getByTestId("invite-method-blocked-sms").textContent).toBe("Turned off by Example Hospital IT");
    expect(screen.getByTestId("invite-method-blocked-phone_dial_in").textContent).toBe("Turned off by Example Hospital IT");
    expect(radio("Text message").getAttribute("aria-describedby")).toBe("invite-method-blocked-sms");
    await user.click(screen.getByRole("button", { name: "Create link" }));
    expect(onChoose).toHaveBeenCalledWith(expect.objectContaining({ kind: "invite", method: "copy_link", phone: null }));
  });

  it("sends nothing when none of the dialog's ways is allowed", async () => {
    const { onChoose, user } = renderDialog("patient", allowing(["phone_dial_in"]));
    expect(radio("Text message").disabled).toBe(true);
    expect(radio("Copy link").disabled).toBe(true);
    expect(screen.getByTestId("invite-blocked").textContent).toBe("None of these ways to invite is allowed by Example Hospital IT.");
    const send = screen.getByTestId("send-invite") as HTMLButtonElement;
    expect(send.disabled).toBe(true);
    await user.click(send);
    expect(onChoose).not.toHaveBeenCalled();
  });

  it("refuses a running-late text when texts are not allowed", () => {
    renderDialog("running_late", allowing(["copy_link"]));
    expect(screen.getByTestId("invite-blocked").textContent).toContain("Running-late texts are turned off by Example Hospital IT");
    expect((screen.getByTestId("send-invite") as HTMLButtonElement).disabled).toBe(true);
  });

  it("renders markup in who manages the computer as text", () => {
    renderDialog("guest", allowing(["copy_link"], { managed_by: "<b>IT</b>" }));
    expect(screen.getByTestId("invite-method-blocked-sms").textContent).toBe("Turned off by <b>IT</b>");
    expect(document.querySelector("b")).toBeNull();
  });
});
