// What the Updates section says about a check and an install. The shell checks, downloads
// and verifies (src-tauri/src/updates.rs); this module only words the outcome.
import type { AppError, PolicyView, UpdateCheck } from "../generated/bindings";
import { managedBy } from "./policy";

/** The sentence for a check's result. */
export function checkWords(result: UpdateCheck, policy: PolicyView): string {
  switch (result.status) {
    case "off":
      return result.managed
        ? `Update checks are turned off by ${managedBy(policy)}.`
        : "Update checks are turned off. Turn on “Check for updates” and save to check.";
    case "up_to_date":
      return `VisitDesk is up to date (version ${result.current_version}).`;
    case "available":
      return `VisitDesk ${result.version} is available.`;
  }
}

/** The day a release was published, when the feed gives one it can read ("2025-03-14 …"). */
export function publishedDay(published: string | null): string | null {
  return published?.trim().match(/^\d{4}-\d{2}-\d{2}/)?.[0] ?? null;
}

export function installedWords(version: string): string {
  return `VisitDesk ${version} is installed; restart VisitDesk to use it.`;
}

/**
 * Whether an update failure needs the provider's attention beyond the section: a file
 * whose signature does not match was refused (nothing installed) and IT should hear of it.
 */
export function isUpdateAlert(error: AppError): boolean {
  return error.code === "update_signature_invalid";
}
