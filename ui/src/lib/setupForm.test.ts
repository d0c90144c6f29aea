import { describe, expect, it } from "vitest";

import type { AppError } from "../generated/bindings";
import {
  emptyForm,
  firstInvalidField,
  isKeychainProblem,
  messagesByField,
  noticeFor,
  suggestIdentity,
  visibleMessages,
  withoutProvisionedSecret,
} from "./setupForm";

const error = (overrides: Partial<AppError>): AppError => ({ code: "internal", message: "m", fields: [], service: null, ...overrides });

describe("suggestIdentity", () => {
  it("turns a display name into a readable identity", () => {
    expect(suggestIdentity("Dr. Ana Ruiz")).toBe("dr-ana-ruiz");
    expect(suggestIdentity("  Nurse José Núñez-García ")).toBe("nurse-jose-nunez-garcia");
    expect(suggestIdentity("<img src=x>")).toBe("img-src-x");
    expect(suggestIdentity("")).toBe("");
    expect(suggestIdentity("a".repeat(200))).toHaveLength(64);
  });
});

describe("field messages", () => {
  const all = messagesByField([
    { field: "identity", message: "Enter an identity." },
    { field: "account_sid", message: "first" },
    { field: "account_sid", message: "second" },
  ]);

  it("keeps the first message per field", () => {
    expect(all.account_sid).toBe("first");
  });

  it("shows only touched fields until the form is submitted", () => {
    expect(visibleMessages(all, new Set(["identity"]), false)).toEqual({ identity: "Enter an identity." });
    expect(visibleMessages(all, new Set(), false)).toEqual({});
    expect(visibleMessages(all, new Set(), true)).toEqual(all);
  });

  it("focuses fields in form order, not error order", () => {
    expect(firstInvalidField(all)).toBe("account_sid");
    expect(firstInvalidField({})).toBeUndefined();
  });

  it("prefills everything but the secret", () => {
    const form = emptyForm({
      account_sid: "AC1", api_key_sid: "SK1", display_name: "D", identity: "i", join_page_url: "https://x", api_key_secret_in_keychain: true,
    });
    expect(form).toEqual({ account_sid: "AC1", api_key_sid: "SK1", api_key_secret: "", display_name: "D", identity: "i", join_page_url: "https://x" });
  });
});

describe("a secret IT put in the keychain", () => {
  const errors = [
    { field: "api_key_secret" as const, message: "Enter the API Key Secret." },
    { field: "identity" as const, message: "Enter an identity." },
  ];
  const form = { ...emptyForm(), api_key_secret: "" };

  it("lets a blank secret field use it", () => {
    expect(withoutProvisionedSecret(errors, form, true)).toEqual([errors[1]]);
  });

  it("still checks a typed secret, and a blank one when there is none in the keychain", () => {
    expect(withoutProvisionedSecret(errors, { ...form, api_key_secret: "short" }, true)).toEqual(errors);
    expect(withoutProvisionedSecret(errors, form, false)).toEqual(errors);
  });
});

describe("noticeFor branches on the error code", () => {
  it("warns, not fails, when Twilio cannot be reached", () => {
    expect(noticeFor(error({ code: "service_unreachable", message: "Cannot reach Twilio" })).tone).toBe("warning");
    expect(noticeFor(error({ code: "service_timeout", message: "no answer" })).tone).toBe("warning");
  });

  it("shows Twilio's own code and its help link", () => {
    const notice = noticeFor(
      error({
        code: "service_error",
        message: "Twilio error 20503: Service Unavailable (HTTP 503)",
        service: { service: "twilio", status: 503, code: 20503, message: "Service Unavailable", more_info: "https://www.twilio.com/docs/errors/20503" },
      }),
    );
    expect(notice).toEqual({
      tone: "error",
      text: "Twilio error 20503: Service Unavailable (HTTP 503)",
      detail: "More about this error: https://www.twilio.com/docs/errors/20503",
    });
  });

  it("points at the fields for invalid input", () => {
    expect(noticeFor(error({ code: "invalid_input", message: "2 fields need attention." })).text).toBe(
      "2 fields need attention. Check the highlighted fields.",
    );
  });

  it("recognises keychain problems", () => {
    expect(isKeychainProblem(error({ code: "keychain_locked" }))).toBe(true);
    expect(isKeychainProblem(error({ code: "service_error" }))).toBe(false);
  });
});
