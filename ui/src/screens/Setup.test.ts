import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import type { AppError } from "../generated/bindings";
import { GOOD_VALUES, READY, fakePlatform } from "../test/fakePlatform";
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
      code: "twilio_credentials_rejected",
      message: "Twilio rejected these credentials (Twilio 20003: Authenticate).",
      fields: [],
      twilio: { status: 401, code: 20003, message: "Authenticate", more_info: null },
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
    const locked: AppError = { code: "keychain_locked", message: "The system keychain is locked", fields: [], twilio: null };
    const { user, onKeychainProblem } = renderSetup(fakePlatform({ saveSetup: vi.fn(async () => Promise.reject(locked)) }));
    await fillGood(user);
    await user.click(screen.getByTestId("save-setup"));
    await waitFor(() => expect(onKeychainProblem).toHaveBeenCalledWith(locked));
  });

  it("shows the core's notice, as text", () => {
    renderSetup(fakePlatform(), { notice: "The API Key Secret is no longer in this computer's keychain. <b>x</b>" });
    expect(screen.getByTestId("setup-notice").textContent).toContain("<b>x</b>");
  });
});
