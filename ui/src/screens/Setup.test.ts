import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import type { AppError, SetupPrefill } from "../generated/bindings";
import { GOOD_VALUES, READY, fakePlatform, policyOf } from "../test/fakePlatform";
import Setup from "./Setup.svelte";

function renderSetup(platform = fakePlatform(), extra: Record<string, unknown> = {}) {
  const onSaved = vi.fn();
  const onKeychainProblem = vi.fn();
  render(Setup, { props: { platform, prefill: null, notice: null, onSaved, onKeychainProblem, ...extra } });
  return { platform, onSaved, onKeychainProblem, user: userEvent.setup() };
}

const field = (name: string) => document.getElementById(`field-${name}`) as HTMLInputElement;
const errorText = (name: string) => screen.getByTestId(`error-${name}`).textContent?.trim() ?? "";

async function fillGood(user: ReturnType<typeof userEvent.setup>) {
  for (const [name, value] of Object.entries(GOOD_VALUES)) {
    await user.clear(field(name));
    await user.type(field(name), value);
  }
}

describe("Setup screen", () => {
  it("shows the core's message for a bad SID when the field is left, and only for that field", async () => {
    const { user } = renderSetup();
    await user.type(field("account_sid"), "AC123");
    await fireEvent.blur(field("account_sid"));
    await waitFor(() => expect(errorText("account_sid")).toBe("The Account SID is AC followed by 32 hexadecimal characters."));
    expect(field("account_sid").getAttribute("aria-invalid")).toBe("true");
    expect(errorText("api_key_sid")).toBe("");
  });

  it("suggests an identity from the name until the provider edits it", async () => {
    const { user } = renderSetup();
    await user.type(field("display_name"), "Dr. Ana Ruiz");
    expect(field("identity").value).toBe("dr-ana-ruiz");
    await user.clear(field("identity"));
    await user.type(field("identity"), "aruiz");
    await user.type(field("display_name"), " MD");
    expect(field("identity").value).toBe("aruiz");
  });

  it("on save with errors, shows every field's message and focuses the first", async () => {
    const { user, platform } = renderSetup();
    await user.click(screen.getByTestId("save-setup"));
    await waitFor(() => expect(errorText("join_page_url")).toBe("The join page must start with https://."));
    expect(errorText("account_sid")).not.toBe("");
    expect(document.activeElement).toBe(field("account_sid"));
    expect(platform.saveSetup).not.toHaveBeenCalled();
  });

  it("saves good values and hands the outcome up", async () => {
    const { user, platform, onSaved } = renderSetup();
    await fillGood(user);
    await user.click(screen.getByTestId("save-setup"));
    await waitFor(() => expect(onSaved).toHaveBeenCalledWith({ state: READY, warning: null }));
    expect(platform.saveSetup).toHaveBeenCalledWith({ ...GOOD_VALUES, identity: "dr-ana-ruiz" });
  });

  it("keeps the form and shows Twilio's rejection", async () => {
    const rejected: AppError = {
      code: "service_credentials_rejected",
      message: "Twilio rejected these credentials (Twilio 20003: Authenticate).",
      fields: [],
      service: { service: "twilio", status: 401, code: 20003, message: "Authenticate", more_info: null },
    };
    const { user, onSaved } = renderSetup(fakePlatform({ saveSetup: vi.fn(async () => Promise.reject(rejected)) }));
    await fillGood(user);
    await user.click(screen.getByTestId("save-setup"));
    await waitFor(() => expect(screen.getByTestId("setup-outcome").textContent).toContain("Twilio rejected these credentials"));
    expect(screen.getByRole("alert")).toBeTruthy();
    expect(onSaved).not.toHaveBeenCalled();
    expect(field("account_sid").value).toBe(GOOD_VALUES.account_sid);
  });

  it("reports a working connection test", async () => {
    const { user, platform } = renderSetup();
    await fillGood(user);
    await user.click(screen.getByTestId("test-connection"));
    await waitFor(() => expect(screen.getByTestId("setup-outcome").querySelector("p")?.textContent).toBe("Twilio accepted these credentials."));
    expect(platform.testConnection).toHaveBeenCalledTimes(1);
  });

  it("hands keychain problems to the app instead of showing them inline", async () => {
    const locked: AppError = { code: "keychain_locked", message: "The system keychain is locked", fields: [], service: null };
    const { user, onKeychainProblem } = renderSetup(fakePlatform({ saveSetup: vi.fn(async () => Promise.reject(locked)) }));
    await fillGood(user);
    await user.click(screen.getByTestId("save-setup"));
    await waitFor(() => expect(onKeychainProblem).toHaveBeenCalledWith(locked));
  });

  it("shows the core's notice, as text", () => {
    renderSetup(fakePlatform(), { notice: "The API Key Secret is no longer in this computer's keychain. <b>x</b>" });
    expect(screen.getByTestId("setup-notice").textContent).toContain("<b>x</b>");
  });

  describe("with a secret IT put in the keychain", () => {
    const PROVISIONED: SetupPrefill = {
      account_sid: GOOD_VALUES.account_sid,
      api_key_sid: GOOD_VALUES.api_key_sid,
      display_name: "",
      identity: "",
      join_page_url: GOOD_VALUES.join_page_url,
      api_key_secret_in_keychain: true,
    };

    it("says so and saves with the secret left blank", async () => {
      const { user, platform, onSaved } = renderSetup(fakePlatform(), { prefill: PROVISIONED });
      expect(screen.getByText("Your IT department stored the API Key Secret in this computer's keychain; leave this blank to use it.")).toBeTruthy();
      await user.type(field("display_name"), "Dr. Ana Ruiz");
      await fireEvent.blur(field("api_key_secret"));
      await user.click(screen.getByTestId("save-setup"));
      await waitFor(() => expect(onSaved).toHaveBeenCalledWith({ state: READY, warning: null }));
      expect(platform.saveSetup).toHaveBeenCalledWith({ ...GOOD_VALUES, api_key_secret: "", identity: "dr-ana-ruiz" });
      expect(errorText("api_key_secret")).toBe("");
    });

    it("still checks a secret the provider types instead", async () => {
      const { user, platform } = renderSetup(fakePlatform(), { prefill: PROVISIONED });
      await user.type(field("display_name"), "Dr. Ana Ruiz");
      await user.type(field("api_key_secret"), "short");
      await user.click(screen.getByTestId("save-setup"));
      await waitFor(() => expect(errorText("api_key_secret")).toBe("An API Key Secret is 32 letters and digits."));
      expect(platform.saveSetup).not.toHaveBeenCalled();
    });

    it("requires the secret when IT put none in the keychain", async () => {
      const { user, platform } = renderSetup(fakePlatform(), { prefill: { ...PROVISIONED, api_key_secret_in_keychain: false } });
      await user.type(field("display_name"), "Dr. Ana Ruiz");
      await user.click(screen.getByTestId("save-setup"));
      await waitFor(() => expect(errorText("api_key_secret")).toBe("An API Key Secret is 32 letters and digits."));
      expect(platform.saveSetup).not.toHaveBeenCalled();
      expect(screen.queryByText(/leave this blank to use it/)).toBeNull();
    });
  });

  describe("under IT's managed policy", () => {
    it("shows a locked join page read-only, says who locked it, and saves it as given", async () => {
      const prefill: SetupPrefill = {
        account_sid: "", api_key_sid: "", display_name: "", identity: "", join_page_url: "https://visit.hospital.example/join", api_key_secret_in_keychain: false,
      };
      const { user, platform } = renderSetup(fakePlatform(), { prefill, policy: policyOf([["join_page_url", true]]) });
      expect(field("join_page_url").disabled).toBe(true);
      expect(field("join_page_url").value).toBe("https://visit.hospital.example/join");
      expect(screen.getByTestId("policy-note-join_page_url").textContent).toContain("Locked by Example Hospital IT");
      expect(field("join_page_url").getAttribute("aria-describedby")).toContain("policy-join_page_url");
      for (const name of ["account_sid", "api_key_sid", "api_key_secret", "display_name"] as const) {
        expect(field(name).disabled).toBe(false);
        await user.type(field(name), GOOD_VALUES[name]);
      }
      await user.click(screen.getByTestId("save-setup"));
      await waitFor(() => expect(platform.saveSetup).toHaveBeenCalledWith({ ...GOOD_VALUES, identity: "dr-ana-ruiz", join_page_url: "https://visit.hospital.example/join" }));
    });

    it("keeps a suggested join page editable", () => {
      renderSetup(fakePlatform(), { policy: policyOf([["join_page_url", false]]) });
      expect(field("join_page_url").disabled).toBe(false);
      expect(screen.getByTestId("policy-note-join_page_url").textContent).toContain("Suggested by Example Hospital IT");
    });

    it("alerts when the policy file cannot be used, as text", () => {
      const problem = "VisitDesk could not use the IT policy at /etc/visitdesk/policy.json: line 3, column 2: expected `,` or `}`. <b>Until</b> it is fixed, every setting IT may manage is locked.";
      renderSetup(fakePlatform(), { policy: policyOf([["join_page_url", true]], { managed_by: "your IT department", problem }) });
      const alert = screen.getByRole("alert");
      expect(alert.textContent).toBe(problem);
      expect(alert.querySelector("b")).toBeNull();
      expect(screen.getByTestId("policy-note-join_page_url").textContent).toContain("Locked by your IT department");
    });

    it("shows the core's refusal of a locked join page", async () => {
      const refused: AppError = {
        code: "setting_locked",
        message: "The join page address is managed by Example Hospital IT and cannot be changed here. Nothing was saved.",
        fields: [],
        service: null,
      };
      const { user, onSaved } = renderSetup(fakePlatform({ saveSetup: vi.fn(async () => Promise.reject(refused)) }));
      await fillGood(user);
      await user.click(screen.getByTestId("save-setup"));
      await waitFor(() => expect(screen.getByTestId("setup-outcome").textContent).toContain(refused.message));
      expect(onSaved).not.toHaveBeenCalled();
      expect(field("api_key_secret").value).toBe(GOOD_VALUES.api_key_secret);
    });
  });
});
