import { describe, expect, it } from "vitest";

import type { AppError } from "../generated/bindings";
import { policyOf } from "../test/fakePlatform";
import { NO_POLICY } from "./policy";
import { checkWords, installedWords, isUpdateAlert, publishedDay } from "./updates";

const error = (code: AppError["code"]): AppError => ({ code, message: "m", fields: [], service: null });

describe("update wording", () => {
  it("says who turned update checks off", () => {
    const managed = policyOf([["update_url", true]]);
    expect(checkWords({ status: "off", current_version: "1.2.0", managed: true }, managed)).toBe(
      "Update checks are turned off by Example Hospital IT.",
    );
    expect(checkWords({ status: "off", current_version: "1.2.0", managed: false }, NO_POLICY)).toContain("Turn on “Check for updates”");
  });

  it("words up to date and available", () => {
    expect(checkWords({ status: "up_to_date", current_version: "1.2.0" }, NO_POLICY)).toBe("VisitDesk is up to date (version 1.2.0).");
    const available = { status: "available", current_version: "1.2.0", version: "1.3.0", notes: null, published: null } as const;
    expect(checkWords(available, NO_POLICY)).toBe("VisitDesk 1.3.0 is available.");
    expect(installedWords("1.3.0")).toBe("VisitDesk 1.3.0 is installed; restart VisitDesk to use it.");
  });

  it("reads the day from the feed's date, or leaves it out", () => {
    expect(publishedDay("2025-03-14 09:30:00.0 +00:00:00")).toBe("2025-03-14");
    expect(publishedDay("2025-03-14T09:30:00Z")).toBe("2025-03-14");
    expect(publishedDay("last Tuesday")).toBeNull();
    expect(publishedDay(null)).toBeNull();
  });

  it("raises an alert only for a refused signature", () => {
    expect(isUpdateAlert(error("update_signature_invalid"))).toBe(true);
    expect(isUpdateAlert(error("update_unreachable"))).toBe(false);
    expect(isUpdateAlert(error("update_install_failed"))).toBe(false);
  });
});
