import { describe, expect, it } from "vitest";

import type { AppError, Invite } from "../generated/bindings";
import { actionsFor, dayRange, failedOutcome, formFromDraft, fromInputs, sentOutcome, toInputs } from "./visits";

const error = (over: Partial<AppError>): AppError => ({ code: "internal", message: "", fields: [], service: null, ...over });

const invite: Invite = {
  id: "i1", visit_id: "v1", role: "patient", method: "sms", purpose: "join", to_masked: "+1********71",
  to_e164: "+14155552671", guest_identity: "patient-abc", status: "sent", twilio_sid: "SM1", error_code: null,
  error_message: null, created_at: 0, updated_at: 0,
};

describe("visits logic", () => {
  it("spans one local day, and the date and time inputs round-trip", () => {
    const { from, to } = dayRange(new Date(2026, 10, 22, 15, 30));
    expect(to - from).toBe(86_400);
    expect(new Date(from * 1000).getHours()).toBe(0);
    const at = fromInputs("2026-11-22", "15:30");
    expect(at).toBeGreaterThanOrEqual(from);
    expect(toInputs(at)).toEqual({ date: "2026-11-22", time: "15:30" });
    expect(fromInputs("22/11/2026", "15:30")).toBeNaN();
    expect(formFromDraft({ name: "A", mobile: "1", date: "", time: "" }).scheduled_at).toBe(0);
  });

  it("offers only what a visit's status allows", () => {
    expect(actionsFor("scheduled")).toContain("invite_patient");
    expect(actionsFor("in_visit")).toEqual(["join", "invite_guest", "end", "edit"]);
    expect(actionsFor("completed")).toEqual([]);
    expect(actionsFor("cancelled")).toEqual([]);
  });

  it("says sent, failed with Twilio's own code and message, or unknown", () => {
    expect(sentOutcome({ invite, link: null }).text).toBe("Invitation texted to the patient (+1********71).");
    const link = sentOutcome({ invite: { ...invite, method: "copy_link", role: "family" }, link: "https://j#t" });
    expect(link.link).toBe("https://j#t");
    const twilio = failedOutcome(
      error({ code: "service_error", message: "x", service: { service: "twilio", status: 400, code: 21211, message: "Invalid 'To' Phone Number", more_info: null } }),
    );
    expect(twilio).toMatchObject({ tone: "error", text: "Twilio error 21211: Invalid 'To' Phone Number" });
    const janus = failedOutcome(
      error({ code: "service_error", message: "x", service: { service: "janus", status: 0, code: 433, message: "Unauthorized (wrong admin_key)", more_info: null } }),
    );
    expect(janus).toMatchObject({ tone: "error", text: "Janus error 433: Unauthorized (wrong admin_key)" });
    const unknown = failedOutcome(error({ code: "invite_outcome_unknown", message: "Twilio did not answer within 15 s." }));
    expect(unknown.tone).toBe("warning");
    expect(unknown.text).toMatch(/^Unknown — check before resending\./);
    const field = failedOutcome(error({ code: "invalid_input", fields: [{ field: "phone", message: "This number is too short." }] }));
    expect(field.text).toBe("This number is too short.");
  });
});
