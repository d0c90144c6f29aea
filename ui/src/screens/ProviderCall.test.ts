import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import type { AppError, Invite, InviteRequest, JoinInfo, PolicyView, Visit, WaitingRoomEvent } from "../generated/bindings";
import { importIntakeKey, intakeMessage, intakeReceipt, sealIntake } from "../join/intake";
import { INTAKE_KEY, fakePlatform, policyOf } from "../test/fakePlatform";
import { FakeSession, fakeBackend } from "../test/fakeSession";
import type { CallDestination } from "../video/backend";
import type { EndReason } from "../video/session";
import ProviderCall from "./ProviderCall.svelte";

const PROVIDER = "dr-ana-ruiz";
const PATIENT = "patient-kqzmfwprxd";
const INTERPRETER = "interpreter-mvbtzqwhpd";
const HOSTILE = "<img src=x onerror=alert(1)>";

const VISIT: Visit = {
  id: "v1", patient_display_name: "Ada Lovelace", patient_mobile: "+14155552671", scheduled_at: 1_795_361_400,
  status: "waiting", room: { service: "twilio", unique_name: "visit-v1", sid: "RM0123456789abcdef0123456789abcdef" }, created_at: 0, updated_at: 0,
};

const TWILIO_INFO: JoinInfo = {
  visit_id: "v1", room_name: "visit-v1", identity: PROVIDER, target: { service: "twilio", room_sid: "RM0123456789abcdef0123456789abcdef" },
  token: "twilio.access.token", expires_at: 1_795_368_600, join_url: "https://visit.example.org/join#t=x", intake_key: INTAKE_KEY,
};

const JANUS_SERVER = "https://clinic.example.org/janus";
const JANUS_CORE_TOKEN = "1795368600,janus,janus.plugin.videoroom:c2ln";
const JANUS_PROOF = "1795368600.c2lnbmF0dXJl";
const JANUS_INFO: JoinInfo = {
  ...TWILIO_INFO, token: "1795368600,janus.plugin.videoroom,room=4815162342:c2ln",
  target: { service: "janus", server: JANUS_SERVER, room_id: 4815162342, core_token: JANUS_CORE_TOKEN, participant_id: 3141592653, proof: JANUS_PROOF, admission: "explicit" },
};

function invite(role: Invite["role"], over: Partial<Invite> = {}): Invite {
  return {
    id: `i-${role}`, visit_id: "v1", role, method: "sms", purpose: "join", to_masked: "+1********71", to_e164: null,
    guest_identity: null, status: "sent", twilio_sid: "SM1", error_code: null, error_message: null, created_at: 0, updated_at: 0, ...over,
  };
}

const appError = (over: Partial<AppError>): AppError => ({ code: "internal", message: "", fields: [], service: null, ...over });

type Options = {
  info?: JoinInfo;
  invites?: Invite[];
  visit?: Visit;
  session?: FakeSession;
  platform?: Parameters<typeof fakePlatform>[0];
  policy?: PolicyView;
};

function renderCall(options: Options = {}) {
  const session = options.session ?? new FakeSession(PROVIDER, PROVIDER);
  const backend = fakeBackend(() => session);
  const chooseBackend = vi.fn(async (_call: CallDestination) => backend);
  const platform = fakePlatform({
    startVisit: vi.fn(async () => options.info ?? TWILIO_INFO),
    visitInvites: vi.fn(async () => options.invites ?? [invite("patient")]),
    ...options.platform,
  });
  const onClose = vi.fn();
  render(ProviderCall, {
    props: { platform, visit: options.visit ?? VISIT, onClose, onKeychainProblem: vi.fn(), chooseBackend, ...(options.policy ? { policy: options.policy } : {}) },
  });
  return { session, backend, chooseBackend, platform, onClose, user: userEvent.setup() };
}

const inCall = () => screen.findByTestId("call-view");

describe("The provider's call in the console", () => {
  it("joins a Twilio visit with the Twilio backend and the two-person settings", async () => {
    const { chooseBackend, backend, session } = renderCall();
    await inCall();
    expect(chooseBackend).toHaveBeenCalledWith({ target: { service: "twilio", room_sid: "RM0123456789abcdef0123456789abcdef" }, identity: PROVIDER });
    expect(backend.connects).toEqual([
      expect.objectContaining({ token: TWILIO_INFO.token, providerIdentity: PROVIDER, expectedParticipants: 2, lowEndMobile: false }),
    ]);
    expect(screen.getByTestId("local-tile").dataset.role).toBe("provider");
    expect(session.calls).not.toContain("disconnect");
  });

  it("joins a Janus visit on the clinic's server, expecting three people when an interpreter was invited", async () => {
    const { chooseBackend, backend } = renderCall({ info: JANUS_INFO, invites: [invite("patient"), invite("interpreter")] });
    await inCall();
    expect(chooseBackend).toHaveBeenCalledWith({
      target: { service: "janus", server: JANUS_SERVER, room_id: 4815162342, core_token: JANUS_CORE_TOKEN, participant_id: 3141592653, proof: JANUS_PROOF, admission: "explicit" }, identity: PROVIDER,
    });
    expect(backend.connects[0]).toMatchObject({ token: JANUS_INFO.token, expectedParticipants: 3 });
  });

  it("does not count an invite that failed", async () => {
    const { backend } = renderCall({ invites: [invite("patient"), invite("interpreter", { status: "failed" })] });
    await inCall();
    expect(backend.connects[0]?.expectedParticipants).toBe(2);
  });

  it("shows the core's message when the visit cannot start, and tries again on request", async () => {
    const failure = appError({
      code: "service_error", message: "Twilio refused the request.",
      service: { service: "twilio", status: 429, code: 53205, message: "Room creation rate limit exceeded", more_info: null },
    });
    const startVisit = vi.fn().mockRejectedValueOnce(failure).mockResolvedValueOnce(TWILIO_INFO);
    const { user } = renderCall({ platform: { startVisit } });
    expect((await screen.findByTestId("call-over")).textContent).toContain("Room creation rate limit exceeded");
    await user.click(screen.getByTestId("rejoin"));
    await inCall();
    expect(startVisit).toHaveBeenCalledTimes(2);
  });

  it("Leave hangs up here only: the visit is not ended", async () => {
    const endVisit = vi.fn();
    const { session, onClose, user } = renderCall({ platform: { endVisit } });
    await inCall();
    await user.click(screen.getByTestId("leave"));
    expect(session.calls).toContain("disconnect");
    expect(endVisit).not.toHaveBeenCalled();
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it("ends the visit for everyone only after confirmation, then hangs up", async () => {
    const log: string[] = [];
    const endVisit = vi.fn(async (id: string) => {
      log.push(`end ${id}`);
      return { ...VISIT, status: "completed" as const };
    });
    const { session, onClose, user } = renderCall({ platform: { endVisit } });
    await inCall();
    const disconnect = session.disconnect.bind(session);
    session.disconnect = () => {
      log.push("disconnect");
      disconnect();
    };
    await user.click(screen.getByTestId("end-for-everyone"));
    expect(screen.getByRole("alertdialog", { name: "End the visit for everyone?" })).toBeTruthy();
    expect(endVisit).not.toHaveBeenCalled();
    await user.click(screen.getByTestId("confirm-end-visit"));
    await waitFor(() => expect(onClose).toHaveBeenCalledTimes(1));
    expect(log).toEqual(["end v1", "disconnect"]);
  });

  it("keeps the call and shows the message when ending the visit fails", async () => {
    const failure = appError({
      code: "service_error", message: "Twilio refused the request.",
      service: { service: "twilio", status: 400, code: 53112, message: "Room is not in-progress", more_info: null },
    });
    const endVisit = vi.fn(async () => Promise.reject(failure));
    const { session, onClose, user } = renderCall({ platform: { endVisit } });
    await inCall();
    await user.click(screen.getByTestId("end-for-everyone"));
    await user.click(screen.getByTestId("confirm-end-visit"));
    expect((await screen.findByTestId("call-outcome")).textContent).toContain("Room is not in-progress");
    expect(screen.getByTestId("call-view")).toBeTruthy();
    expect(session.calls).not.toContain("disconnect");
    expect(onClose).not.toHaveBeenCalled();
  });

  it("closes quietly when the room completes while the visit is being ended", async () => {
    const { session, onClose, user } = renderCall({
      platform: {
        endVisit: vi.fn(async () => {
          session.end({ kind: "room_completed", code: 53118, message: "Room completed" });
          return { ...VISIT, status: "completed" as const };
        }),
      },
    });
    await inCall();
    await user.click(screen.getByTestId("end-for-everyone"));
    await user.click(screen.getByTestId("confirm-end-visit"));
    await waitFor(() => expect(onClose).toHaveBeenCalledTimes(1));
    expect(screen.queryByTestId("call-over")).toBeNull();
  });

  it("removes the participant the clinician saw, by their connection's id, after confirmation", async () => {
    const session = new FakeSession(PROVIDER, PROVIDER);
    session.present(PATIENT);
    const interpreter = session.present(INTERPRETER);
    const removeParticipant = vi.fn(async () => {});
    const { user } = renderCall({ session, platform: { removeParticipant } });
    await inCall();
    await user.click(screen.getByRole("button", { name: "Remove Interpreter" }));
    expect(within(screen.getByTestId("confirm-remove")).getByText(INTERPRETER)).toBeTruthy();
    expect(removeParticipant).not.toHaveBeenCalled();
    await user.click(screen.getByTestId("confirm-remove-participant"));
    expect(removeParticipant).toHaveBeenCalledWith("v1", interpreter.sid);
    expect(interpreter.sid).not.toBe(INTERPRETER);
    expect((await screen.findByTestId("call-outcome")).textContent).toContain("Interpreter was removed");
  });

  it("keeps the participant when the removal is not confirmed", async () => {
    const session = new FakeSession(PROVIDER, PROVIDER);
    session.present(PATIENT);
    const removeParticipant = vi.fn(async () => {});
    const { user } = renderCall({ session, platform: { removeParticipant } });
    await inCall();
    await user.click(screen.getByRole("button", { name: "Remove Patient" }));
    await user.click(within(screen.getByTestId("confirm-remove")).getByRole("button", { name: "Keep" }));
    expect(screen.queryByTestId("confirm-remove")).toBeNull();
    expect(removeParticipant).not.toHaveBeenCalled();
  });

  it("drops the removal question when that participant leaves first", async () => {
    const session = new FakeSession(PROVIDER, PROVIDER);
    const interpreter = session.present(INTERPRETER);
    const { user } = renderCall({ session });
    await inCall();
    await user.click(screen.getByRole("button", { name: "Remove Interpreter" }));
    session.leave(interpreter);
    await waitFor(() => expect(screen.queryByTestId("confirm-remove")).toBeNull());
  });

  it("invites an interpreter from inside the call", async () => {
    const inviteGuest = vi.fn(async (request: InviteRequest) => ({ invite: invite(request.role), link: null }));
    const { user } = renderCall({ platform: { inviteGuest } });
    await inCall();
    await user.click(screen.getByTestId("invite-interpreter"));
    const dialog = await screen.findByTestId("invite-dialog");
    await user.type(within(dialog).getByTestId("invite-phone"), "+14155550123");
    await user.click(within(dialog).getByTestId("send-invite"));
    expect(inviteGuest).toHaveBeenCalledWith({
      visit_id: "v1", role: "interpreter", method: "sms", phone: "+14155550123", language: "en", confirm_resend: false,
    });
    expect((await screen.findByTestId("call-outcome")).textContent).toContain("Invitation texted to the interpreter");
    expect(screen.queryByTestId("invite-dialog")).toBeNull();
    expect(screen.getByTestId("call-view")).toBeTruthy();
  });

  it("offers only the invite methods IT allows from inside the call", async () => {
    const { user } = renderCall({ policy: policyOf([["invite_methods", true]], { allowed_invite_methods: ["phone_dial_in"] }) });
    await inCall();
    await user.click(screen.getByTestId("invite-interpreter"));
    const dialog = await screen.findByTestId("invite-dialog");
    expect((within(dialog).getByLabelText("Text message") as HTMLInputElement).disabled).toBe(true);
    expect((within(dialog).getByLabelText("Copy link") as HTMLInputElement).disabled).toBe(true);
    expect((within(dialog).getByLabelText("Phone call (dial-in)") as HTMLInputElement).checked).toBe(true);
    expect(within(dialog).getByTestId("invite-method-blocked-copy_link").textContent).toBe("Turned off by Example Hospital IT");
  });

  /** `answer` to one question, as the patient's page sends it: sealed with the visit's intake key as `sender`'s. */
  async function sealedAnswer(answer: string, sender: string, intakeKey = TWILIO_INFO.intake_key): Promise<string> {
    const key = await importIntakeKey(intakeKey);
    if (!key) throw new Error(`not an intake key: ${intakeKey}`);
    return sealIntake(key, intakeMessage([{ id: "reason", question: "What brings you in?" }], new Map([["reason", answer]]))!, sender);
  }

  it("shows the patient's sealed intake answers as text and sends a receipt", async () => {
    const session = new FakeSession(PROVIDER, PROVIDER);
    const patient = session.present(PATIENT);
    renderCall({ session });
    await inCall();
    session.receive(await sealedAnswer(HOSTILE, PATIENT), patient);
    const panel = await screen.findByTestId("intake-answers");
    await waitFor(() => expect(panel.textContent).toContain(HOSTILE));
    expect(panel.textContent).toContain("What brings you in?");
    expect(panel.querySelector("img")).toBeNull();
    expect(session.sent).toEqual([intakeReceipt(PATIENT)]);
  });

  it("shows no intake answers sent in the clear, sealed with another key or as someone else", async () => {
    const session = new FakeSession(PROVIDER, PROVIDER);
    const patient = session.present(PATIENT);
    const other = session.present("patient-othermzqkfw");
    renderCall({ session });
    await inCall();
    const clear = intakeMessage([{ id: "reason", question: "What brings you in?" }], new Map([["reason", "Sent in the clear"]]))!;
    session.receive(clear, patient);
    session.receive(await sealedAnswer("Sealed with another key", PATIENT, "A".repeat(43)), patient);
    session.receive(await sealedAnswer("Sealed as another patient", other.identity), patient);
    // Then answers the console can open, from the other patient: once they show, the others were handled.
    await new Promise((settled) => setTimeout(settled, 20));
    session.receive(await sealedAnswer("Opened", other.identity), other);
    const panel = await screen.findByTestId("intake-answers");
    await waitFor(() => expect(panel.textContent).toContain("Opened"));
    await new Promise((settled) => setTimeout(settled, 20));
    for (const refused of ["Sent in the clear", "Sealed with another key", "Sealed as another patient"]) {
      expect(panel.textContent).not.toContain(refused);
    }
    expect(session.sent).toEqual([intakeReceipt(other.identity)]);
  });

  it("ignores intake answers from anyone but a patient", async () => {
    const session = new FakeSession(PROVIDER, PROVIDER);
    const interpreter = session.present(INTERPRETER);
    renderCall({ session });
    await inCall();
    session.receive(await sealedAnswer("Spoofed", INTERPRETER), interpreter);
    await new Promise((settled) => setTimeout(settled, 20));
    expect(screen.getByTestId("intake-answers").textContent).not.toContain("Spoofed");
    expect(session.sent).toEqual([]);
  });

  it("renders a patient name and an identity with markup as text", async () => {
    const session = new FakeSession(PROVIDER, PROVIDER);
    session.present(HOSTILE);
    const { user } = renderCall({ session, visit: { ...VISIT, patient_display_name: HOSTILE } });
    await inCall();
    expect(screen.getByTestId("call-patient-name").textContent).toBe(HOSTILE);
    expect(screen.getByTestId("remote-tile").textContent).toContain(HOSTILE);
    await user.click(screen.getByRole("button", { name: "Remove Guest" }));
    expect(screen.getByTestId("confirm-remove").textContent).toContain(HOSTILE);
    expect(document.querySelector("img")).toBeNull();
  });

  it.each<[EndReason, string, boolean]>([
    [{ kind: "token_expired", code: 20104, message: "Access Token expired" }, "Your pass for this call expired", true],
    [{ kind: "room_completed", code: 53118, message: "Room completed" }, "The visit has ended", false],
    [{ kind: "network", code: 53001, message: "Signaling connection disconnected" }, "The connection was lost", true],
  ])("says in plain words why the call ended: %o", async (reason, words, canRejoin) => {
    const { session, onClose, user } = renderCall();
    await inCall();
    session.end(reason);
    const over = await screen.findByTestId("call-over");
    expect(over.textContent).toContain(words);
    expect(over.textContent).not.toContain(String(reason.code));
    expect(screen.queryByTestId("rejoin") !== null).toBe(canRejoin);
    await user.click(screen.getByTestId("back-to-visits"));
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it("keeps the waiting room count in sight", async () => {
    renderCall({
      platform: {
        waitingRoom: vi.fn(async () => [
          {
            visit_id: "v2", scheduled_at: 0, state: { kind: "waiting" as const, since_unix: 0 }, patient_identity: "patient-x",
            provider_present: false, guests: [], devices: { camera_on: null, microphone_on: null }, delayed: false,
            delay_reason: null, checked_at_unix: null, admission: "waiting" as const, admission_by_console: true,
          },
        ]),
      },
    });
    await waitFor(() => expect(screen.getByTestId("call-waiting-count").textContent).toBe("Waiting room: 1"));
  });

  it("says, in the call, when someone removed from this visit tries to rejoin; not for another visit", async () => {
    let emit: ((event: WaitingRoomEvent) => void) | null = null;
    const { user } = renderCall({
      platform: {
        onWaitingRoomEvent: vi.fn(async (listener: (event: WaitingRoomEvent) => void) => {
          emit = listener;
          return () => {};
        }),
      },
    });
    await inCall();
    await waitFor(() => expect(emit).not.toBeNull());
    const notice = screen.getByTestId("call-rejoin");
    expect(notice.getAttribute("role")).toBe("status");
    emit!({ kind: "removed_rejoined", visit_id: "v2", identity: INTERPRETER, role: "interpreter", removed: true });
    expect(notice.textContent?.trim()).toBe("");
    emit!({ kind: "removed_rejoined", visit_id: "v1", identity: INTERPRETER, role: "interpreter", removed: true });
    await waitFor(() => expect(notice.textContent).toContain("Someone you removed (interpreter) tried to rejoin Ada Lovelace's visit and was removed again"));
    await user.click(within(notice).getByRole("button", { name: "Dismiss" }));
    expect(notice.textContent?.trim()).toBe("");
  });

  it("lets the clinician send the patient back and admit them again from the call, and says so", async () => {
    let emit: ((event: WaitingRoomEvent) => void) | null = null;
    const decideAdmission = vi.fn(async () => {});
    const { user } = renderCall({
      platform: {
        decideAdmission,
        waitingRoom: vi.fn(async () => [
          {
            visit_id: "v1", scheduled_at: 0, state: { kind: "in_visit" as const, since_unix: 0 }, patient_identity: "patient-x",
            provider_present: true, guests: [], devices: { camera_on: null, microphone_on: null }, delayed: false,
            delay_reason: null, checked_at_unix: 0, admission: "admitted" as const, admission_by_console: true,
          },
        ]),
        onWaitingRoomEvent: vi.fn(async (listener: (event: WaitingRoomEvent) => void) => {
          emit = listener;
          return () => {};
        }),
      },
    });
    await inCall();
    const button = await screen.findByTestId("call-admission");
    expect(button.textContent).toBe("Send back to waiting room");
    await user.click(button);
    expect(decideAdmission).toHaveBeenCalledWith("v1", "send_back");
    const note = screen.getByTestId("call-admission-note");
    expect(note.getAttribute("role")).toBe("status");
    await waitFor(() => expect(note.textContent).toBe("Ada Lovelace is being sent back to the waiting room."));
    emit!({ kind: "admission_changed", visit_id: "v1", admission: "sent_back" });
    await waitFor(() => expect(screen.getByTestId("call-admission").textContent).toBe("Admit"));
    expect(note.textContent).toBe("");
    await user.click(screen.getByTestId("call-admission"));
    expect(decideAdmission).toHaveBeenLastCalledWith("v1", "admit");
  });
});
