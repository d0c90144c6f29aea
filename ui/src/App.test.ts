import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import App from "./App.svelte";
import type { AppState } from "./generated/bindings";
import { CLINIC, READY, fakePlatform, policyOf } from "./test/fakePlatform";

describe("App", () => {
  it("renders a provider name with markup as text", async () => {
    const hostile: AppState = { ...READY, profile: { ...READY.profile, display_name: "<img src=x onerror=alert(1)>" } };
    render(App, { props: { platform: fakePlatform({ appState: vi.fn(async () => hostile) }) } });
    const name = await screen.findByTestId("provider-name");
    expect(name.textContent).toBe("<img src=x onerror=alert(1)>");
    expect(name.querySelector("img")).toBeNull();
  });

  it("opens on setup when the core says so", async () => {
    const platform = fakePlatform({
      appState: vi.fn(async (): Promise<AppState> => ({
        kind: "needs_setup",
        prefill: { account_sid: "", api_key_sid: "", display_name: "", identity: "", join_page_url: "", api_key_secret_in_keychain: false },
        notice: null,
      })),
    });
    render(App, { props: { platform } });
    expect(await screen.findByTestId("setup-form")).toBeTruthy();
  });

  it("explains a locked keychain and retries", async () => {
    const appState = vi
      .fn()
      .mockResolvedValueOnce({ kind: "keychain_problem", error: { code: "keychain_locked", message: "The system keychain is locked.", fields: [], service: null } })
      .mockResolvedValueOnce(READY);
    render(App, { props: { platform: fakePlatform({ appState }) } });
    expect((await screen.findByTestId("keychain-problem")).textContent).toContain("Your keychain is locked");
    await userEvent.setup().click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByTestId("provider-name")).toBeTruthy();
  });

  it("signs out from settings after confirmation and returns to a prefilled setup", async () => {
    const platform = fakePlatform();
    const user = userEvent.setup();
    render(App, { props: { platform } });
    await user.click(await screen.findByTestId("open-settings"));
    await user.click(screen.getByTestId("sign-out"));
    expect(platform.signOut).not.toHaveBeenCalled();
    await user.click(screen.getByTestId("confirm-sign-out"));
    await waitFor(() => expect(platform.signOut).toHaveBeenCalledTimes(1));
    expect(await screen.findByTestId("setup-form")).toBeTruthy();
    expect((document.getElementById("field-display_name") as HTMLInputElement).value).toBe("Dr. Ana Ruiz");
  });

  it("tests the saved connection from settings", async () => {
    const platform = fakePlatform();
    const user = userEvent.setup();
    render(App, { props: { platform } });
    await user.click(await screen.findByTestId("open-settings"));
    await user.click(screen.getByTestId("settings-test-connection"));
    expect((await screen.findByTestId("settings-outcome")).textContent).toBe("Twilio accepted the saved credentials.");
  });

  it("edits the clinic's settings on the Settings dialog's Clinic tab", async () => {
    const platform = fakePlatform({ clinicSettings: vi.fn(async () => structuredClone(CLINIC)) });
    const user = userEvent.setup();
    render(App, { props: { platform } });
    await user.click(await screen.findByTestId("open-settings"));
    expect(screen.queryByTestId("clinic-settings-form")).toBeNull();
    await user.click(screen.getByRole("tab", { name: "Clinic" }));
    expect(screen.getByRole("tab", { name: "Clinic" }).getAttribute("aria-selected")).toBe("true");
    expect(((await screen.findByLabelText("Caller ID for dial-in calls")) as HTMLInputElement).value).toBe("+14155550100");
    await user.click(screen.getByRole("button", { name: "Close" }));
    expect(screen.queryByTestId("settings")).toBeNull();
  });

  it("shows the keychain problem when the clinic's Janus secrets cannot be saved", async () => {
    const locked = { code: "keychain_locked" as const, message: "The system keychain is locked.", fields: [], service: null };
    const platform = fakePlatform({
      clinicSettings: vi.fn(async () => ({ ...CLINIC, video: { kind: "janus" as const, api_url: "https://j.example/janus", browser_url: "wss://j.example/ws" } })),
      saveClinicSettings: vi.fn(async (settings) => settings),
      saveJanusSecrets: vi.fn(async () => Promise.reject(locked)),
    });
    const user = userEvent.setup();
    render(App, { props: { platform } });
    await user.click(await screen.findByTestId("open-settings"));
    await user.click(screen.getByRole("tab", { name: "Clinic" }));
    await user.type(await screen.findByLabelText("VideoRoom admin key"), "admin-key-1");
    await user.click(screen.getByTestId("save-clinic-settings"));
    expect((await screen.findByTestId("keychain-problem")).textContent).toContain("Your keychain is locked");
  });

  describe("under IT's managed policy", () => {
    const PROBLEM =
      "VisitDesk could not use the IT policy at /etc/visitdesk/policy.json: line 3, column 2: expected `,` or `}`. Until it is fixed, every setting IT may manage is locked: recording and update checks are off and invites are by copied link only.";
    const unusable = policyOf(
      [["join_page_url", true], ["video", true], ["recording_allowed", true, true], ["invite_methods", true], ["sms_sender", true], ["update_url", true, true], ["update_channel", true]],
      { managed_by: "your IT department", problem: PROBLEM, allowed_invite_methods: ["copy_link"] },
    );

    it("alerts at the top of the console when the policy file cannot be used, and lists what it replaces", async () => {
      render(App, { props: { platform: fakePlatform({ managedPolicy: vi.fn(async () => unusable) }) } });
      const alert = await screen.findByTestId("policy-problem");
      expect(alert.getAttribute("role")).toBe("alert");
      expect(alert.textContent).toBe(PROBLEM);
      expect(screen.getByTestId("policy-overrides").textContent).toBe("Your IT department's policy replaces your choice for: Recording, Update checks.");
      // Above everything the console shows.
      expect(alert.compareDocumentPosition(screen.getByTestId("todays-visits")) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    });

    it("alerts at the top of the setup screen too", async () => {
      const platform = fakePlatform({
        managedPolicy: vi.fn(async () => unusable),
        appState: vi.fn(async (): Promise<AppState> => ({
          kind: "needs_setup",
          prefill: { account_sid: "", api_key_sid: "", display_name: "", identity: "", join_page_url: "https://visit.hospital.example/join", api_key_secret_in_keychain: false },
          notice: null,
        })),
      });
      render(App, { props: { platform } });
      await screen.findByTestId("setup-form");
      expect(screen.getByRole("alert").textContent).toBe(PROBLEM);
      expect((document.getElementById("field-join_page_url") as HTMLInputElement).disabled).toBe(true);
    });

    it("opens the console with the clinic settings IT locked read-only", async () => {
      const platform = fakePlatform({
        managedPolicy: vi.fn(async () => policyOf([["join_page_url", true], ["recording_allowed", true]])),
        clinicSettings: vi.fn(async () => structuredClone(CLINIC)),
      });
      const user = userEvent.setup();
      render(App, { props: { platform } });
      await user.click(await screen.findByTestId("open-settings"));
      expect(screen.getByTestId("policy-note-join_page_url").textContent).toContain("Locked by Example Hospital IT");
      await user.click(screen.getByRole("tab", { name: "Clinic" }));
      expect(((await screen.findByLabelText("Record visits")) as HTMLInputElement).disabled).toBe(true);
      expect(screen.getByTestId("policy-note-recording_allowed").textContent).toContain("Locked by Example Hospital IT");
    });

    it("opens without a policy view when the core cannot give one", async () => {
      const managedPolicy = vi.fn(async () => Promise.reject({ code: "settings_failed", message: "unreadable", fields: [], service: null }));
      render(App, { props: { platform: fakePlatform({ managedPolicy }) } });
      expect(await screen.findByTestId("provider-name")).toBeTruthy();
      expect(screen.queryByRole("alert")).toBeNull();
    });
  });
});
