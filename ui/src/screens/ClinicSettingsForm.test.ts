import { cleanup, render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import type { AppError, ClinicSettings, PolicyView } from "../generated/bindings";
import { NO_POLICY } from "../lib/policy";
import { CLINIC, JOIN_PAGE_KEY, fakePlatform, policyOf } from "../test/fakePlatform";
import ClinicSettingsForm from "./ClinicSettingsForm.svelte";

const appError = (over: Partial<AppError>): AppError => ({ code: "internal", message: "", fields: [], service: null, ...over });

function renderForm(overrides: Parameters<typeof fakePlatform>[0] = {}, clinic: ClinicSettings = CLINIC, policy: PolicyView = NO_POLICY) {
  const platform = fakePlatform({
    clinicSettings: vi.fn(async () => structuredClone(clinic)),
    saveClinicSettings: vi.fn(async (settings: ClinicSettings) => settings),
    ...overrides,
  });
  const onKeychainProblem = vi.fn();
  render(ClinicSettingsForm, { props: { platform, policy, onKeychainProblem } });
  return { platform, onKeychainProblem, user: userEvent.setup() };
}

const input = (label: string) => screen.getByLabelText(label) as HTMLInputElement;

describe("Clinic settings form", () => {
  it("shows loading, then the current values", async () => {
    renderForm();
    expect(screen.getByTestId("clinic-loading")).toBeTruthy();
    await screen.findByTestId("clinic-settings-form");
    expect(input("A Messaging Service").checked).toBe(true);
    expect(input("Messaging Service SID").value).toBe("MG0123456789abcdef0123456789abcdef");
    expect(input("Caller ID for dial-in calls").value).toBe("+14155550100");
    expect(input("Default country").value).toBe("US");
    expect((screen.getByLabelText("Language of texts") as HTMLSelectElement).value).toBe("es");
    expect(input("Twilio (default)").checked).toBe(true);
    expect(input("Participants per room").value).toBe("4");
    expect(input("Guest links valid (minutes)").value).toBe("240");
    expect(input("Provider links valid (minutes)").value).toBe("120");
    expect(input("Record visits").checked).toBe(false);
    expect(screen.queryByLabelText("Janus API address")).toBeNull();
  });

  it("shows a load failure with a way to try again", async () => {
    const clinicSettings = vi
      .fn()
      .mockRejectedValueOnce(appError({ code: "settings_failed", message: "The settings file is unreadable." }))
      .mockResolvedValueOnce(structuredClone(CLINIC));
    const { user } = renderForm({ clinicSettings });
    expect((await screen.findByTestId("clinic-load-error")).textContent).toContain("The settings file is unreadable.");
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByTestId("clinic-settings-form")).toBeTruthy();
  });

  it("shows the Janus addresses and secrets only when the clinic's own server is chosen", async () => {
    const { user } = renderForm();
    await screen.findByTestId("clinic-settings-form");
    await user.click(screen.getByLabelText("The clinic's own server (Janus)"));
    expect(input("Janus API address").value).toBe("");
    expect(screen.getByText("Where VisitDesk talks to Janus, e.g. https://video.yourclinic.org/janus")).toBeTruthy();
    expect(input("Address for patients' browsers")).toBeTruthy();
    expect(input("VideoRoom admin key").type).toBe("password");
    expect(input("token_auth_secret").type).toBe("password");
    await user.click(screen.getByLabelText("Twilio (default)"));
    expect(screen.queryByLabelText("Janus API address")).toBeNull();
  });

  it("saves the whole settings object with the Janus service, keeping what it does not edit", async () => {
    const { platform, user } = renderForm();
    await screen.findByTestId("clinic-settings-form");
    await user.click(screen.getByLabelText("The clinic's own server (Janus)"));
    await user.type(input("Janus API address"), "https://video.clinic.org/janus");
    await user.type(input("Address for patients' browsers"), "wss://video.clinic.org/janus-ws");
    await user.clear(input("Participants per room"));
    await user.type(input("Participants per room"), "6");
    await user.selectOptions(screen.getByLabelText("Language of texts"), "en");
    await user.click(screen.getByTestId("save-clinic-settings"));

    await waitFor(() => expect(platform.saveClinicSettings).toHaveBeenCalledTimes(1));
    expect(platform.saveClinicSettings).toHaveBeenCalledWith({
      ...CLINIC,
      sms_language: "en",
      max_participants: 6,
      video: { kind: "janus", api_url: "https://video.clinic.org/janus", browser_url: "wss://video.clinic.org/janus-ws" },
    });
    expect(platform.saveJanusSecrets).not.toHaveBeenCalled();
    expect((await screen.findByTestId("clinic-outcome")).textContent).toContain("The clinic settings were saved.");
  });

  it("sends only the chosen SMS sender", async () => {
    const { platform, user } = renderForm();
    await screen.findByTestId("clinic-settings-form");
    await user.click(screen.getByLabelText("A Twilio number"));
    await user.type(input("Twilio number for texts"), "+14155550123");
    await user.click(screen.getByTestId("save-clinic-settings"));
    await waitFor(() =>
      expect(platform.saveClinicSettings).toHaveBeenCalledWith(
        expect.objectContaining({ messaging_service_sid: null, sms_from: "+14155550123" }),
      ),
    );
  });

  it("sends typed Janus secrets to the keychain, then forgets them", async () => {
    const saveJanusSecrets = vi.fn(async () => {});
    const { platform, user } = renderForm({ saveJanusSecrets }, { ...CLINIC, video: { kind: "janus", api_url: "https://j.example/janus", browser_url: "wss://j.example/ws" } });
    await screen.findByTestId("clinic-settings-form");
    await user.type(input("VideoRoom admin key"), "admin-key-1");
    await user.type(input("token_auth_secret"), "token-secret-1");
    await user.click(screen.getByTestId("save-clinic-settings"));

    await waitFor(() => expect(saveJanusSecrets).toHaveBeenCalledWith({ admin_key: "admin-key-1", token_auth_secret: "token-secret-1" }));
    await waitFor(() => expect(input("VideoRoom admin key").value).toBe(""));
    expect(input("token_auth_secret").value).toBe("");
    expect(screen.getByTestId("clinic-secrets-hint").textContent).toContain("Saved in this computer's keychain");
    // The secrets never travel with the settings.
    expect(JSON.stringify(vi.mocked(platform.saveClinicSettings).mock.calls)).not.toContain("admin-key-1");

    // Saving again without typing them leaves the keychain alone.
    await user.click(screen.getByTestId("save-clinic-settings"));
    await waitFor(() => expect(platform.saveClinicSettings).toHaveBeenCalledTimes(2));
    expect(saveJanusSecrets).toHaveBeenCalledTimes(1);
  });

  it("shows the core's field messages next to their fields", async () => {
    const saveClinicSettings = vi.fn(async () =>
      Promise.reject(
        appError({
          code: "invalid_input",
          message: "2 fields need attention.",
          fields: [
            { field: "default_region", message: "“XX” is not a two-letter country code such as US, GB or MX." },
            { field: "video_api_url", message: "The address must start with http://, https://." },
          ],
        }),
      ),
    );
    const saveJanusSecrets = vi.fn(async () =>
      Promise.reject(
        appError({
          code: "invalid_input",
          message: "One field needs attention.",
          fields: [{ field: "janus_token_secret", message: "The token_auth_secret is empty; copy it from the Janus configuration." }],
        }),
      ),
    );
    const { user } = renderForm({ saveClinicSettings, saveJanusSecrets });
    await screen.findByTestId("clinic-settings-form");
    await user.clear(input("Default country"));
    await user.type(input("Default country"), "XX");
    await user.click(screen.getByLabelText("The clinic's own server (Janus)"));
    await user.type(input("Janus API address"), "ftp://video");
    await user.type(input("VideoRoom admin key"), "admin-key-1");
    await user.click(screen.getByTestId("save-clinic-settings"));

    expect((await screen.findByTestId("clinic-error-default_region")).textContent).toContain("“XX” is not a two-letter country code");
    expect(screen.getByTestId("clinic-error-video_api_url").textContent).toBe("The address must start with http://, https://.");
    expect(screen.getByTestId("clinic-error-janus_token_secret").textContent).toContain("The token_auth_secret is empty");
    expect(screen.getByTestId("clinic-error-caller_id").textContent).toBe("");
    expect(input("Default country").getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(input("Default country"));
    expect(screen.getByTestId("clinic-outcome").textContent).toContain("2 fields need attention.");
    // A rejected secret stays typed so it can be corrected.
    expect(input("VideoRoom admin key").value).toBe("admin-key-1");
  });

  it("puts a message for a field it does not show in the notice", async () => {
    const saveClinicSettings = vi.fn(async () =>
      Promise.reject(
        appError({ code: "invalid_input", message: "One field needs attention.", fields: [{ field: "sms_texts", message: "The invite text must contain {link}." }] }),
      ),
    );
    const { user } = renderForm({ saveClinicSettings });
    await screen.findByTestId("clinic-settings-form");
    await user.click(screen.getByTestId("save-clinic-settings"));
    expect((await screen.findByTestId("clinic-outcome")).textContent).toContain("The invite text must contain {link}.");
  });

  it("refuses an empty number box without asking the core", async () => {
    const { platform, user } = renderForm();
    await screen.findByTestId("clinic-settings-form");
    await user.clear(input("Guest links valid (minutes)"));
    await user.click(screen.getByTestId("save-clinic-settings"));
    expect((await screen.findByTestId("clinic-error-guest_token_ttl_minutes")).textContent).toBe("Enter a whole number.");
    expect(platform.saveClinicSettings).not.toHaveBeenCalled();
  });

  it("shows another error with the core's message", async () => {
    const saveClinicSettings = vi.fn(async () =>
      Promise.reject(appError({ code: "settings_failed", message: "VisitDesk could not write its settings file: the disk is full." })),
    );
    const { user } = renderForm({ saveClinicSettings });
    await screen.findByTestId("clinic-settings-form");
    await user.click(screen.getByTestId("save-clinic-settings"));
    const outcome = await screen.findByTestId("clinic-outcome");
    expect(outcome.textContent).toContain("VisitDesk could not write its settings file: the disk is full.");
    expect(outcome.getAttribute("role")).toBe("alert");
  });

  it("hands a keychain problem to the app and forgets the typed secrets", async () => {
    const locked = appError({ code: "keychain_locked", message: "The system keychain is locked." });
    const { onKeychainProblem, user } = renderForm(
      { saveJanusSecrets: vi.fn(async () => Promise.reject(locked)) },
      { ...CLINIC, video: { kind: "janus", api_url: "https://j.example/janus", browser_url: "wss://j.example/ws" } },
    );
    await screen.findByTestId("clinic-settings-form");
    await user.type(input("VideoRoom admin key"), "admin-key-1");
    await user.click(screen.getByTestId("save-clinic-settings"));
    await waitFor(() => expect(onKeychainProblem).toHaveBeenCalledWith(locked));
    expect(input("VideoRoom admin key").value).toBe("");
  });

  it("warns that recordings hold PHI when recording is on", async () => {
    const { platform, user } = renderForm();
    await screen.findByTestId("clinic-settings-form");
    expect(screen.queryByTestId("clinic-record-warning")).toBeNull();
    await user.click(screen.getByLabelText("Record visits"));
    expect(screen.getByTestId("clinic-record-warning").textContent).toContain("PHI");
    await user.click(screen.getByTestId("save-clinic-settings"));
    await waitFor(() => expect(platform.saveClinicSettings).toHaveBeenCalledWith(expect.objectContaining({ record_participants: true })));
  });

  it("renders markup in a saved value and in a message as text", async () => {
    const markup = "<img src=x onerror=alert(1)>";
    const saveClinicSettings = vi.fn(async () => Promise.reject(appError({ code: "service_error", message: `Twilio said ${markup}` })));
    const { user } = renderForm({ saveClinicSettings }, { ...CLINIC, caller_id: markup });
    await screen.findByTestId("clinic-settings-form");
    expect(input("Caller ID for dial-in calls").value).toBe(markup);
    await user.click(screen.getByTestId("save-clinic-settings"));
    expect((await screen.findByTestId("clinic-outcome")).textContent).toContain(`Twilio said ${markup}`);
    expect(document.querySelector("img")).toBeNull();
  });

  describe("under IT's managed policy", () => {
    const JANUS = { kind: "janus" as const, api_url: "https://video.hospital.example/janus", browser_url: "wss://video.hospital.example/ws" };
    const note = (setting: string) => screen.getByTestId(`policy-note-${setting}`);

    it("shows locked settings read-only, each with who locked it", async () => {
      const policy = policyOf([["sms_sender", true], ["video", true], ["recording_allowed", true], ["update_url", true], ["update_channel", true]]);
      renderForm({}, { ...CLINIC, video: JANUS }, policy);
      await screen.findByTestId("clinic-settings-form");
      for (const label of ["A Messaging Service", "A Twilio number", "Messaging Service SID"]) expect(input(label).disabled).toBe(true);
      for (const label of ["Twilio (default)", "The clinic's own server (Janus)", "Janus API address", "Address for patients' browsers"])
        expect(input(label).disabled).toBe(true);
      expect(input("Record visits").disabled).toBe(true);
      expect(input("Check for updates").disabled).toBe(true);
      expect(input("Update feed address").disabled).toBe(true);
      expect((screen.getByLabelText("Channel") as HTMLSelectElement).disabled).toBe(true);
      for (const setting of ["sms_sender", "video", "recording_allowed", "update_url", "update_channel"])
        expect(note(setting).textContent?.trim()).toBe("🔒 Locked by Example Hospital IT");
      expect(input("Messaging Service SID").getAttribute("aria-describedby")).toContain("policy-sms_sender");
      // What IT does not manage stays editable, and so do the Janus secrets the provider must type.
      expect(input("Caller ID for dial-in calls").disabled).toBe(false);
      expect(input("VideoRoom admin key").disabled).toBe(false);
      expect(input("Participants per room").disabled).toBe(false);
    });

    it("keeps an unlocked managed setting editable, with IT's suggestion noted", async () => {
      const { platform, user } = renderForm({}, CLINIC, policyOf([["recording_allowed", false], ["video", false]]));
      await screen.findByTestId("clinic-settings-form");
      expect(input("Record visits").disabled).toBe(false);
      expect(note("recording_allowed").textContent).toContain("Suggested by Example Hospital IT");
      expect(note("recording_allowed").textContent).not.toContain("Locked");
      await user.click(input("The clinic's own server (Janus)"));
      expect(input("Janus API address").disabled).toBe(false);
      await user.click(input("Record visits"));
      await user.click(screen.getByTestId("save-clinic-settings"));
      await waitFor(() => expect(platform.saveClinicSettings).toHaveBeenCalledWith(expect.objectContaining({ record_participants: true })));
    });

    it("saves a locked setting as loaded, so the core has nothing to refuse", async () => {
      const { platform, user } = renderForm({}, { ...CLINIC, video: JANUS }, policyOf([["video", true], ["sms_sender", true]]));
      await screen.findByTestId("clinic-settings-form");
      await user.clear(input("Caller ID for dial-in calls"));
      await user.type(input("Caller ID for dial-in calls"), "+14155550199");
      await user.click(screen.getByTestId("save-clinic-settings"));
      await waitFor(() => expect(platform.saveClinicSettings).toHaveBeenCalledTimes(1));
      expect(platform.saveClinicSettings).toHaveBeenCalledWith({ ...CLINIC, video: JANUS, caller_id: "+14155550199" });
    });

    it("lists the provider's own choices the policy replaces", async () => {
      renderForm({}, CLINIC, policyOf([["recording_allowed", true, true], ["sms_sender", true, true], ["video", true, false]]));
      await screen.findByTestId("clinic-settings-form");
      expect(screen.getByTestId("policy-overrides").textContent).toBe(
        "Example Hospital IT's policy replaces your choice for: Recording, SMS sender.",
      );
    });

    it("shows the core's refusal of a locked setting and keeps what was typed", async () => {
      const refused = appError({
        code: "setting_locked",
        message: "The SMS sender is managed by Example Hospital IT and cannot be changed here. Nothing was saved.",
      });
      const { user } = renderForm({ saveClinicSettings: vi.fn(async () => Promise.reject(refused)) });
      await screen.findByTestId("clinic-settings-form");
      await user.clear(input("Caller ID for dial-in calls"));
      await user.type(input("Caller ID for dial-in calls"), "+14155550199");
      await user.click(screen.getByTestId("save-clinic-settings"));
      const outcome = await screen.findByTestId("clinic-outcome");
      expect(outcome.textContent).toContain("The SMS sender is managed by Example Hospital IT and cannot be changed here. Nothing was saved.");
      expect(outcome.getAttribute("role")).toBe("alert");
      expect(input("Caller ID for dial-in calls").value).toBe("+14155550199");
      expect(input("Messaging Service SID").value).toBe(CLINIC.messaging_service_sid);
    });

    it("renders markup in who manages the computer as text", async () => {
      renderForm({}, CLINIC, policyOf([["recording_allowed", true, true]], { managed_by: "<b>IT</b>" }));
      await screen.findByTestId("clinic-settings-form");
      expect(note("recording_allowed").textContent).toContain("Locked by <b>IT</b>");
      expect(screen.getByTestId("policy-overrides").textContent).toContain("<b>IT</b>'s policy replaces");
      expect(document.querySelector("b")).toBeNull();
    });
  });

  describe("Letting patients in", () => {
    it("saves explicit admission, and shows it read-only when IT locks it", async () => {
      const { platform, user } = renderForm();
      await screen.findByTestId("clinic-settings-form");
      const select = screen.getByLabelText("Let waiting patients in") as HTMLSelectElement;
      expect(select.value).toBe("on_join");
      await user.selectOptions(select, "explicit");
      await user.click(screen.getByTestId("save-clinic-settings"));
      await waitFor(() => expect(platform.saveClinicSettings).toHaveBeenCalledWith({ ...CLINIC, admission: "explicit" }));
      cleanup();

      renderForm({}, { ...CLINIC, admission: "explicit" }, policyOf([["admission", true]]));
      await screen.findByTestId("clinic-settings-form");
      const locked = screen.getByLabelText("Let waiting patients in") as HTMLSelectElement;
      expect([locked.value, locked.disabled]).toEqual(["explicit", true]);
      expect(screen.getByTestId("policy-note-admission").textContent?.trim()).toBe("🔒 Locked by Example Hospital IT");
    });
  });

  describe("Updates", () => {
    it("shows and saves whether, where and which channel to check", async () => {
      const { platform, user } = renderForm();
      await screen.findByTestId("clinic-settings-form");
      expect(input("Check for updates").checked).toBe(true);
      expect(input("Update feed address").value).toBe("");
      expect((screen.getByLabelText("Channel") as HTMLSelectElement).value).toBe("stable");
      await user.type(input("Update feed address"), "https://updates.hospital.example/visitdesk");
      await user.selectOptions(screen.getByLabelText("Channel"), "beta");
      expect(screen.getByTestId("update-unsaved")).toBeTruthy();
      await user.click(screen.getByTestId("save-clinic-settings"));
      await waitFor(() =>
        expect(platform.saveClinicSettings).toHaveBeenCalledWith({
          ...CLINIC,
          updates: { check: true, feed_url: "https://updates.hospital.example/visitdesk", channel: "beta" },
        }),
      );
      await waitFor(() => expect(screen.queryByTestId("update-unsaved")).toBeNull());

      await user.click(input("Check for updates"));
      await user.clear(input("Update feed address"));
      await user.click(screen.getByTestId("save-clinic-settings"));
      await waitFor(() =>
        expect(platform.saveClinicSettings).toHaveBeenLastCalledWith({ ...CLINIC, updates: { check: false, feed_url: null, channel: "beta" } }),
      );
    });

    it("shows the core's message for the feed address next to it", async () => {
      const saveClinicSettings = vi.fn(async () =>
        Promise.reject(
          appError({
            code: "invalid_input",
            message: "One field needs attention.",
            fields: [{ field: "update_feed_url", message: "The update address must start with https:// (this one starts with http://)." }],
          }),
        ),
      );
      const { user } = renderForm({ saveClinicSettings });
      await screen.findByTestId("clinic-settings-form");
      await user.type(input("Update feed address"), "http://updates.hospital.example");
      await user.click(screen.getByTestId("save-clinic-settings"));
      expect((await screen.findByTestId("clinic-error-update_feed_url")).textContent).toBe(
        "The update address must start with https:// (this one starts with http://).",
      );
      expect(document.activeElement).toBe(input("Update feed address"));
    });

    it("checks for updates from the section", async () => {
      const checkForUpdate = vi.fn(async () => ({ status: "up_to_date" as const, current_version: "1.4.0" }));
      const { user } = renderForm({ checkForUpdate });
      await screen.findByTestId("clinic-settings-form");
      await user.click(screen.getByRole("button", { name: "Check for updates" }));
      expect((await screen.findByTestId("update-result")).textContent).toContain("VisitDesk is up to date (version 1.4.0).");
      expect(screen.getByTestId("current-version").textContent).toContain("VisitDesk 1.4.0");
    });
  });

  describe("join page key", () => {
    const JANUS: ClinicSettings = { ...CLINIC, video: { kind: "janus", api_url: "https://j.example/janus", browser_url: "wss://j.example/ws" } };

    it("shows the key read-only on Janus, with a Copy button a keyboard reaches and where the key goes", async () => {
      const { platform, user } = renderForm({}, JANUS);
      const key = (await screen.findByLabelText("Join page key")) as HTMLInputElement;
      expect(platform.janusJoinPageKey).toHaveBeenCalledTimes(1);
      expect(key.value).toBe(JOIN_PAGE_KEY);
      expect(key.readOnly).toBe(true);
      const hint = document.getElementById(key.getAttribute("aria-describedby") ?? "");
      expect(hint?.textContent?.trim()).toBe("Put it in the join page's visitdesk-join.json as videoServices.janusClinicianKey.");

      key.focus();
      await user.tab();
      const copy = screen.getByRole("button", { name: "Copy join page key" });
      expect(document.activeElement).toBe(copy);
      await user.keyboard("{Enter}");
      await waitFor(() => expect(screen.getByTestId("clinic-join-page-key-copy").textContent).toContain("Copied."));
      expect(await navigator.clipboard.readText()).toBe(JOIN_PAGE_KEY);

      await user.click(screen.getByLabelText("Twilio (default)"));
      expect(screen.queryByLabelText("Join page key")).toBeNull();
    });

    it("says the key needs the token secret, asks nothing on Twilio, and shows the key once the secrets are saved", async () => {
      const janusJoinPageKey = vi
        .fn()
        .mockRejectedValueOnce(appError({ code: "not_configured", message: "The Janus token secret is not saved on this computer." }))
        .mockResolvedValue(JOIN_PAGE_KEY);
      const { user } = renderForm({ janusJoinPageKey, saveJanusSecrets: vi.fn(async () => {}) });
      await screen.findByTestId("clinic-settings-form");
      expect(janusJoinPageKey).not.toHaveBeenCalled();

      await user.click(screen.getByLabelText("The clinic's own server (Janus)"));
      expect((await screen.findByTestId("clinic-join-page-key-missing")).textContent).toContain(
        "The join page key shows here once the token_auth_secret is saved.",
      );
      expect(screen.queryByLabelText("Join page key")).toBeNull();

      await user.type(input("Janus API address"), "https://video.clinic.org/janus");
      await user.type(input("Address for patients' browsers"), "wss://video.clinic.org/janus-ws");
      await user.type(input("VideoRoom admin key"), "admin-key-1");
      await user.type(input("token_auth_secret"), "token-secret-1");
      await user.click(screen.getByTestId("save-clinic-settings"));
      expect(((await screen.findByLabelText("Join page key")) as HTMLInputElement).value).toBe(JOIN_PAGE_KEY);
      expect(janusJoinPageKey).toHaveBeenCalledTimes(2);
      expect(screen.queryByTestId("clinic-join-page-key-missing")).toBeNull();
    });

    it("shows why the key could not be read", async () => {
      const janusJoinPageKey = vi.fn(async () => Promise.reject(appError({ code: "keychain_locked", message: "The keychain is locked." })));
      renderForm({ janusJoinPageKey }, JANUS);
      expect((await screen.findByTestId("clinic-join-page-key-missing")).textContent).toContain(
        "The join page key could not be read. The keychain is locked.",
      );
    });
  });
});
