// The managed policy as the screens show it: which settings IT manages, whether each is
// locked, and what to say about it. The core (policy.rs) enforces the policy; this module
// only decides what is read-only and how the lock is labelled.
import type { InviteMethod, ManagedSetting, PolicySetting, PolicyView } from "../generated/bindings";

/** No policy on this computer: every setting is the provider's. */
export const NO_POLICY: PolicyView = {
  source: null,
  managed_by: null,
  problem: null,
  settings: [],
  allowed_invite_methods: ["sms", "phone_dial_in", "copy_link"],
};

/** Each managed setting in the provider's words, for "replaces your choice for: …". */
export const SETTING_LABEL: Record<PolicySetting, string> = {
  join_page_url: "Patient join page",
  video: "Video service",
  recording_allowed: "Recording",
  invite_methods: "Invite methods",
  sms_sender: "SMS sender",
  update_url: "Update checks",
  update_channel: "Update channel",
  admission: "Letting patients in",
};

/** Who manages this computer, as the core names them (never blank). */
export function managedBy(policy: PolicyView): string {
  return policy.managed_by?.trim() || "your IT department";
}

/** `text` with its first letter capitalised, for names that start a sentence. */
function sentenceStart(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function managedSetting(policy: PolicyView, setting: PolicySetting): ManagedSetting | undefined {
  return policy.settings.find((managed) => managed.setting === setting);
}

/** Whether the screen shows `setting` read-only. */
export function isLocked(policy: PolicyView, setting: PolicySetting): boolean {
  return managedSetting(policy, setting)?.locked === true;
}

/** What to show beside a managed setting: a lock, or IT's suggestion; null when IT does not manage it. */
export function policyNote(policy: PolicyView, setting: PolicySetting): { locked: boolean; text: string } | null {
  const managed = managedSetting(policy, setting);
  if (!managed) return null;
  return managed.locked
    ? { locked: true, text: `Locked by ${managedBy(policy)}` }
    : { locked: false, text: `Suggested by ${managedBy(policy)}; yours to change.` };
}

/** The id of a setting's PolicyNote; empty when IT does not manage it. */
export function policyNoteId(policy: PolicyView, setting: PolicySetting): string {
  return managedSetting(policy, setting) ? `policy-${setting}` : "";
}

/** An input's `aria-describedby`: its own `ids`, then its setting's PolicyNote when there is one. */
export function describedBy(ids: string, policy: PolicyView, setting?: PolicySetting): string {
  return [ids, setting ? policyNoteId(policy, setting) : ""].filter(Boolean).join(" ");
}

/** "Example Hospital IT's policy replaces your choice for: Recording, SMS sender." or null. */
export function overridesNotice(policy: PolicyView): string | null {
  const replaced = policy.settings.filter((managed) => managed.overrides_yours).map((managed) => SETTING_LABEL[managed.setting]);
  if (replaced.length === 0) return null;
  return `${sentenceStart(managedBy(policy))}'s policy replaces your choice for: ${replaced.join(", ")}.`;
}

/** Why an invite method cannot be chosen, or null when it can. */
export function inviteMethodBlocked(policy: PolicyView, method: InviteMethod): string | null {
  return policy.allowed_invite_methods.includes(method) ? null : `Turned off by ${managedBy(policy)}`;
}
