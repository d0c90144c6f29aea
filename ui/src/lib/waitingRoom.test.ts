import { describe, expect, it } from "vitest";

import type { VisitPresence } from "../generated/bindings";
import { addRejoinNotice, admissionAction, applyEvent, describePresence, deviceWords, fromSnapshot, guestWords, rejoinNotice, rejoinWords, waitingCount } from "./waitingRoom";
import { timeOfDay } from "./visits";

const base: VisitPresence = {
  visit_id: "v1", scheduled_at: 1_795_361_400, state: { kind: "not_arrived" }, patient_identity: null,
  provider_present: false, guests: [], devices: { camera_on: null, microphone_on: null }, delayed: false,
  delay_reason: null, checked_at_unix: 1_795_361_000, admission: null, admission_by_console: false,
};

describe("waiting-room logic", () => {
  it("follows an arrival, a delay, recovery, the provider joining and the patient leaving", () => {
    let p = fromSnapshot([base]);
    expect(describePresence(p.v1!, 1_795_361_100).headline).toBe("Not yet arrived");
    p = applyEvent(p, { kind: "patient_arrived", visit_id: "v1", identity: "patient-x", since_unix: 1_795_361_100 }, 1_795_361_100);
    expect(waitingCount(p)).toBe(1);
    expect(describePresence(p.v1!, 1_795_361_100 + 7 * 60 + 5).detail).toBe("waiting 7 min");
    expect(describePresence(p.v1!, 1_795_361_100 + 59).detail).toBe("just arrived");

    p = applyEvent(p, { kind: "status_delayed", visit_id: "v1", retry_in_seconds: 8, reason: "rate_limited" }, 1_795_361_200);
    const delayed = describePresence(p.v1!, 1_795_361_200);
    expect(delayed.headline).toBe("Status delayed, retrying");
    expect(delayed.detail).toContain("Last known: waiting");
    expect(waitingCount(p)).toBe(0);

    p = applyEvent(p, { kind: "status_restored", visit_id: "v1" }, 1_795_361_210);
    p = applyEvent(p, { kind: "provider_joined", visit_id: "v1" }, 1_795_361_220);
    expect(describePresence(p.v1!, 1_795_361_220).headline).toBe("In visit");
    p = applyEvent(p, { kind: "patient_left", visit_id: "v1", identity: "patient-x" }, 1_795_361_300);
    expect(p.v1!.state.kind).toBe("left");
    p = applyEvent(p, { kind: "monitoring_stopped", visit_id: "v1" }, 1_795_361_400);
    expect(p.v1).toBeUndefined();
  });

  it("names guests by role and devices only when the patient's client reports them", () => {
    const p = { ...base, guests: [{ identity: "interpreter-abc", role: "interpreter" as const }, { identity: "someone", role: null }] };
    expect(guestWords(p)).toBe("Also here: Interpreter, someone");
    expect(deviceWords(base)).toBeNull();
    expect(deviceWords({ ...base, devices: { camera_on: true, microphone_on: false } })).toBe("Camera on · Microphone off");
  });

  it("says checking before the first successful check", () => {
    expect(describePresence({ ...base, checked_at_unix: null }, 0).headline).toBe("Checking…");
  });

  it("tells of someone removed who came back, without changing who is present", () => {
    const p = fromSnapshot([base]);
    const event = { kind: "removed_rejoined", visit_id: "v1", identity: "interpreter-abc", role: "interpreter", removed: true } as const;
    expect(applyEvent(p, event, 1_795_361_500)).toBe(p);
    expect(rejoinNotice({ kind: "status_restored", visit_id: "v1" }, 1)).toBeNull();

    const at = 1_795_361_500;
    const removed = rejoinNotice(event, at)!;
    expect(rejoinWords(removed, "Ada López")).toBe(
      `Someone you removed (interpreter) tried to rejoin Ada López's visit and was removed again at ${timeOfDay(at)}.`,
    );
    expect(rejoinWords({ ...removed, role: null }, undefined)).toBe(
      `Someone you removed tried to rejoin a visit and was removed again at ${timeOfDay(at)}.`,
    );
    const failed = rejoinNotice({ ...event, identity: "family-xyz", role: "family", removed: false }, at)!;
    expect(rejoinWords(failed, "Ada López")).toBe(
      `Someone you removed (family member) is trying to rejoin Ada López's visit (${timeOfDay(at)}). VisitDesk could not remove them yet and tries again within seconds.`,
    );

    // One notice per visit and person: a later word replaces the earlier one, newest first.
    let notices = addRejoinNotice([], removed);
    notices = addRejoinNotice(notices, failed);
    notices = addRejoinNotice(notices, { ...failed, removed: true, atUnix: at + 5 });
    expect(notices.map((n) => [n.key, n.removed])).toEqual([["v1 family-xyz", true], ["v1 interpreter-abc", true]]);
  });

  it("offers Admit or Send back only where the console holds the patient, and counts a patient not let in as waiting", () => {
    const arrived: VisitPresence = { ...base, state: { kind: "in_visit", since_unix: 1_795_361_100 }, provider_present: true, patient_identity: "patient-x" };
    expect(admissionAction({ ...arrived, admission: "waiting", admission_by_console: false })).toBeNull();
    expect(admissionAction({ ...arrived, admission: null, admission_by_console: true })).toBeNull();
    expect(admissionAction({ ...arrived, admission: "waiting", admission_by_console: true, delayed: true })).toBeNull();
    expect(admissionAction({ ...arrived, admission: "waiting", admission_by_console: true })?.decision).toBe("admit");
    expect(admissionAction({ ...arrived, admission: "sent_back", admission_by_console: true })?.decision).toBe("admit");
    expect(admissionAction({ ...arrived, admission: "admitted", admission_by_console: true })?.decision).toBe("send_back");

    let p = fromSnapshot([{ ...arrived, admission: "waiting", admission_by_console: true }]);
    expect(describePresence(p.v1!, 1_795_361_200).headline).toBe("Waiting to be let in");
    expect(waitingCount(p)).toBe(1);
    p = applyEvent(p, { kind: "admission_changed", visit_id: "v1", admission: "admitted" }, 1_795_361_210);
    expect(describePresence(p.v1!, 1_795_361_210).headline).toBe("In visit");
    expect(waitingCount(p)).toBe(0);
    p = applyEvent(p, { kind: "admission_changed", visit_id: "v1", admission: "sent_back" }, 1_795_361_220);
    expect(describePresence(p.v1!, 1_795_361_220).headline).toBe("Sent back to the waiting room");
    expect(waitingCount(p)).toBe(1);
    p = applyEvent(p, { kind: "patient_left", visit_id: "v1", identity: "patient-x" }, 1_795_361_300);
    expect(p.v1!.admission).toBeNull();
    expect(admissionAction(p.v1!)).toBeNull();
  });
});
