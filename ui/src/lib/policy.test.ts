import { describe, expect, it } from "vitest";

import { policyOf } from "../test/fakePlatform";
import { NO_POLICY, describedBy, inviteMethodBlocked, isLocked, overridesNotice, policyNote } from "./policy";

describe("the managed policy's labels", () => {
  const policy = policyOf([
    ["recording_allowed", true, true],
    ["sms_sender", true, true],
    ["video", false],
    ["update_channel", true, false],
  ]);

  it("says who locked a setting, and who suggests an unlocked one", () => {
    expect(policyNote(policy, "recording_allowed")).toEqual({ locked: true, text: "Locked by Example Hospital IT" });
    expect(policyNote(policy, "video")).toEqual({ locked: false, text: "Suggested by Example Hospital IT; yours to change." });
    expect(policyNote(policy, "join_page_url")).toBeNull();
    expect(isLocked(policy, "video")).toBe(false);
    expect(isLocked(policy, "update_channel")).toBe(true);
    expect(isLocked(NO_POLICY, "update_channel")).toBe(false);
  });

  it("lists the provider's choices the policy replaces, in the policy's order", () => {
    expect(overridesNotice(policy)).toBe("Example Hospital IT's policy replaces your choice for: Recording, SMS sender.");
    expect(overridesNotice(policyOf([["video", true, false]]))).toBeNull();
    expect(overridesNotice(NO_POLICY)).toBeNull();
  });

  it("names the IT department when the policy does not say who manages it", () => {
    const unnamed = policyOf([["recording_allowed", true, true]], { managed_by: null });
    expect(policyNote(unnamed, "recording_allowed")?.text).toBe("Locked by your IT department");
    expect(overridesNotice(unnamed)).toBe("Your IT department's policy replaces your choice for: Recording.");
  });

  it("gives the reason an invite method cannot be chosen", () => {
    const linksOnly = policyOf([["invite_methods", true]], { allowed_invite_methods: ["copy_link"] });
    expect(inviteMethodBlocked(linksOnly, "sms")).toBe("Turned off by Example Hospital IT");
    expect(inviteMethodBlocked(linksOnly, "copy_link")).toBeNull();
    expect(inviteMethodBlocked(NO_POLICY, "phone_dial_in")).toBeNull();
  });

  it("points an input at its setting's note only when there is one", () => {
    expect(describedBy("hint error", policy, "video")).toBe("hint error policy-video");
    expect(describedBy("hint error", policy, "join_page_url")).toBe("hint error");
    expect(describedBy("", policy, "video")).toBe("policy-video");
    expect(describedBy("hint", policy)).toBe("hint");
  });
});
