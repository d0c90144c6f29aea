import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import type { AppError, PolicyView, UpdateCheck } from "../generated/bindings";
import { NO_POLICY } from "../lib/policy";
import type { Platform } from "../platform";
import { fakePlatform, policyOf } from "../test/fakePlatform";
import UpdateStatus from "./UpdateStatus.svelte";

const appError = (over: Partial<AppError>): AppError => ({ code: "internal", message: "", fields: [], service: null, ...over });

const AVAILABLE: UpdateCheck = {
  status: "available",
  current_version: "1.4.0",
  version: "1.5.0",
  notes: "Faster waiting room.\n<img src=x onerror=alert(1)>",
  published: "2025-03-14 09:30:00.0 +00:00:00",
};

function renderStatus(overrides: Partial<Platform>, policy: PolicyView = NO_POLICY) {
  const platform = fakePlatform(overrides);
  render(UpdateStatus, { props: { platform, policy } });
  return { platform, user: userEvent.setup() };
}

async function checkNow(user: ReturnType<typeof userEvent.setup>) {
  await user.click(screen.getByRole("button", { name: "Check for updates" }));
  return screen.findByTestId("update-result");
}

describe("Updates: check and install", () => {
  it("says who turned update checks off", async () => {
    const checkForUpdate = vi.fn(async (): Promise<UpdateCheck> => ({ status: "off", current_version: "1.4.0", managed: true }));
    const { user } = renderStatus({ checkForUpdate }, policyOf([["update_url", true]]));
    expect((await checkNow(user)).textContent?.trim()).toBe("Update checks are turned off by Example Hospital IT.");
    expect(screen.getByTestId("current-version").textContent).toContain("This computer runs VisitDesk 1.4.0.");
    expect(screen.queryByRole("button", { name: "Install update" })).toBeNull();
  });

  it("says checks are off in Settings when the provider turned them off", async () => {
    const checkForUpdate = vi.fn(async (): Promise<UpdateCheck> => ({ status: "off", current_version: "1.4.0", managed: false }));
    const { user } = renderStatus({ checkForUpdate });
    const result = await checkNow(user);
    expect(result.textContent).toContain("Update checks are turned off.");
    expect(result.textContent).not.toContain("IT");
  });

  it("says VisitDesk is up to date", async () => {
    const { user } = renderStatus({ checkForUpdate: vi.fn(async (): Promise<UpdateCheck> => ({ status: "up_to_date", current_version: "1.4.0" })) });
    expect(screen.getByTestId("current-version").textContent).not.toContain("1.4.0");
    expect((await checkNow(user)).textContent?.trim()).toBe("VisitDesk is up to date (version 1.4.0).");
    expect(screen.queryByRole("button", { name: "Install update" })).toBeNull();
  });

  it("shows an available update's version, day and notes (as text), then installs it", async () => {
    let finish: (value: { version: string }) => void = () => {};
    const installUpdate = vi.fn(() => new Promise<{ version: string }>((resolve) => (finish = resolve)));
    const { user } = renderStatus({ checkForUpdate: vi.fn(async () => AVAILABLE), installUpdate });
    const result = await checkNow(user);
    expect(result.textContent).toContain("VisitDesk 1.5.0 is available.");
    expect(result.textContent).toContain("Published 2025-03-14.");
    expect(screen.getByTestId("update-notes").textContent).toContain("<img src=x onerror=alert(1)>");
    expect(document.querySelector("img")).toBeNull();

    await user.click(screen.getByRole("button", { name: "Install update" }));
    expect((await screen.findByTestId("update-progress")).textContent).toContain("Downloading VisitDesk 1.5.0 and checking its signature");
    expect(screen.getByTestId("install-update").hasAttribute("disabled")).toBe(true);
    finish({ version: "1.5.0" });
    expect((await screen.findByTestId("update-installed")).textContent).toBe("VisitDesk 1.5.0 is installed; restart VisitDesk to use it.");
    expect(screen.queryByTestId("update-progress")).toBeNull();
    expect(screen.queryByRole("button", { name: "Install update" })).toBeNull();
    expect(installUpdate).toHaveBeenCalledTimes(1);
  });

  it("raises an alert with the core's message when the update's signature does not match, and claims no install", async () => {
    const refused = appError({
      code: "update_signature_invalid",
      message:
        "The update to VisitDesk 1.5.0 was refused: its signature does not match VisitDesk's publisher key. Nothing was installed and this version keeps working.",
    });
    const { user } = renderStatus({ checkForUpdate: vi.fn(async () => AVAILABLE), installUpdate: vi.fn(async () => Promise.reject(refused)) });
    await checkNow(user);
    await user.click(screen.getByRole("button", { name: "Install update" }));
    const alert = await screen.findByRole("alert");
    expect(alert.dataset.testid).toBe("update-alert");
    expect(alert.textContent).toContain(refused.message);
    expect(screen.queryByTestId("update-installed")).toBeNull();
    expect(document.body.textContent).not.toContain("is installed");
    expect(screen.queryByTestId("update-error")).toBeNull();
  });

  it("shows other failures inline, not as an alert", async () => {
    const unreachable = appError({ code: "update_unreachable", message: "VisitDesk could not reach its update server (timed out). Nothing was changed; try again later." });
    const { user } = renderStatus({ checkForUpdate: vi.fn(async () => Promise.reject(unreachable)) });
    await user.click(screen.getByRole("button", { name: "Check for updates" }));
    expect((await screen.findByTestId("update-error")).textContent).toBe(unreachable.message);
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.queryByTestId("update-result")).toBeNull();
  });

  it("shows an install failure inline and lets the provider try again", async () => {
    const failed = appError({ code: "update_install_failed", message: "The update to VisitDesk 1.5.0 was verified but could not be installed (disk full). This version keeps working." });
    const installUpdate = vi.fn().mockRejectedValueOnce(failed).mockResolvedValueOnce({ version: "1.5.0" });
    const { user } = renderStatus({ checkForUpdate: vi.fn(async () => AVAILABLE), installUpdate });
    await checkNow(user);
    await user.click(screen.getByRole("button", { name: "Install update" }));
    expect((await screen.findByTestId("update-error")).textContent).toBe(failed.message);
    expect(screen.queryByRole("alert")).toBeNull();
    await user.click(screen.getByRole("button", { name: "Install update" }));
    await waitFor(() => expect(screen.getByTestId("update-installed")).toBeTruthy());
    expect(screen.queryByTestId("update-error")).toBeNull();
  });
});
