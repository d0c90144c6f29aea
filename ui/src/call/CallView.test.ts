// The call view's Admit and Send back, where the clinician's call lets patients in itself (Janus).

import { render, screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { stringsFor } from "../join/i18n";
import { FakeSession } from "../test/fakeSession";
import { type CallLobby, type LobbyState, type RemoteParticipant, VideoSessionError } from "../video/session";
import CallView from "./CallView.svelte";

const PROVIDER = "dr-ana-ruiz";

/** A lobby that keeps each patient's state and tells the session when it changes. */
function lobbyOf(session: FakeSession, mode: CallLobby["mode"]): CallLobby & { decided: string[] } {
  const states = new Map<string, LobbyState>();
  const set = (sid: string, state: LobbyState) => {
    states.set(sid, state);
    session.lobbyChanged();
  };
  return {
    mode,
    decided: [],
    stateOf: (p: RemoteParticipant) => (p.role === "patient" ? (states.get(p.sid) ?? (mode === "on_join" ? "admitted" : "waiting")) : null),
    admit(sid) {
      this.decided.push(`admit ${sid}`);
      set(sid, "admitted");
    },
    sendBack(sid) {
      this.decided.push(`send back ${sid}`);
      set(sid, "sent_back");
    },
  };
}

function renderCall(mode: CallLobby["mode"], language: "en" | "es" = "en") {
  const session = new FakeSession(PROVIDER, PROVIDER);
  const lobby = lobbyOf(session, mode);
  session.lobby = lobby;
  render(CallView, { props: { session, text: stringsFor(language).call, onLeave: () => {}, media: undefined } });
  return { session, lobby };
}

describe("the clinician's lobby in the call", () => {
  it("explicit Admit: the waiting patient's tile says so and is let in by keyboard; Send back follows; each is announced", async () => {
    const user = userEvent.setup();
    const { session, lobby } = renderCall("explicit");
    const patient = session.join("patient-abcdefgh");
    session.join("interpreter-abcdefgh");
    const tiles = await screen.findAllByTestId("remote-tile");
    expect(tiles).toHaveLength(2);
    expect(screen.getAllByTestId("lobby-decision")).toHaveLength(1);
    expect(screen.getByTestId("lobby-state").textContent).toBe("Waiting to be let in");

    const admit = screen.getByRole("button", { name: "Admit" });
    admit.focus();
    await user.keyboard("{Enter}");
    expect(lobby.decided).toEqual([`admit ${patient.sid}`]);
    expect(screen.getByTestId("lobby-note").textContent).toBe("Patient let in.");
    expect(screen.queryByTestId("lobby-state")).toBeNull();

    await user.click(screen.getByRole("button", { name: "Send back to waiting room" }));
    expect(lobby.decided).toEqual([`admit ${patient.sid}`, `send back ${patient.sid}`]);
    expect(screen.getByTestId("lobby-state").textContent).toBe("In the waiting room");
    expect(screen.getByTestId("lobby-note").textContent).toBe("Patient sent back to the waiting room.");
    expect(screen.getByTestId("lobby-note").getAttribute("role")).toBe("status");
  });

  it("admit-on-join in Spanish: the patient is in, with Send back offered; no buttons without a lobby", async () => {
    const { session } = renderCall("on_join", "es");
    session.join("patient-abcdefgh");
    expect(await screen.findByRole("button", { name: "Enviar a la sala de espera" })).toBeTruthy();
    expect(screen.queryByTestId("lobby-state")).toBeNull();
  });

  it("who joins, leaves, mutes or turns their camera is announced in a live region", async () => {
    const session = new FakeSession(PROVIDER, PROVIDER);
    render(CallView, { props: { session, text: stringsFor("en").call, onLeave: () => {}, media: undefined } });
    const announced = () => screen.getByTestId("call-announcement").textContent?.trim();
    expect(announced()).toBe("");
    const interpreter = session.join("interpreter-abcdefgh");
    await screen.findByText("Interpreter joined the call.");
    session.turn(interpreter, "audio", false);
    await screen.findByText("Interpreter muted their microphone.");
    session.turn(interpreter, "video", false);
    expect(await screen.findByText("Interpreter turned their camera off.")).toBe(screen.getByTestId("call-announcement"));
    expect(screen.getByTestId("call-announcement").getAttribute("role")).toBe("status");
    session.leave(interpreter);
    await screen.findByText("Interpreter left the call.");
  });

  it("a call without a lobby (Twilio, guests) shows no Admit or Send back", async () => {
    const session = new FakeSession("interpreter-abcdefgh", PROVIDER);
    render(CallView, { props: { session, text: stringsFor("en").call, onLeave: () => {}, media: undefined } });
    session.join("patient-abcdefgh");
    const tile = await screen.findByTestId("remote-tile");
    expect(within(tile.parentElement!).queryByTestId("lobby-decision")).toBeNull();
  });
});

describe("screen sharing in the call", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("a shared screen shows large, labelled, with the sharer's camera among the tiles; it goes when they stop", async () => {
    const session = new FakeSession("patient-abcdefgh", PROVIDER);
    render(CallView, { props: { session, text: stringsFor("en").call, onLeave: () => {}, media: undefined } });
    const clinician = session.join(PROVIDER);
    expect(screen.queryByTestId("screen-stage")).toBeNull();
    const shared = session.shareFrom(clinician);
    const stage = await screen.findByTestId("screen-stage");
    expect(stage.querySelector("video")?.getAttribute("aria-label")).toBe("Clinician's screen");
    expect(screen.getAllByTestId("remote-tile")).toHaveLength(1);
    expect(screen.queryByTestId("share-screen")).toBeNull();
    expect(shared.isScreen).toBe(true);
    session.unshareFrom(clinician);
    await vi.waitFor(() => expect(screen.queryByTestId("screen-stage")).toBeNull());
  });

  it("the clinician shares and stops from the controls; a refusal is said; where capture is impossible the button says so", async () => {
    const user = userEvent.setup();
    const session = new FakeSession(PROVIDER, PROVIDER);
    const { unmount } = render(CallView, { props: { session, text: stringsFor("en").call, onLeave: () => {}, media: undefined, screenShare: true } });
    const unavailable = screen.getByTestId("share-screen");
    expect([unavailable.textContent?.trim(), (unavailable as HTMLButtonElement).disabled]).toEqual(["Screen sharing is not available here", true]);
    unmount();

    vi.stubGlobal("navigator", { ...navigator, mediaDevices: { getDisplayMedia: vi.fn() } });
    render(CallView, { props: { session, text: stringsFor("en").call, onLeave: () => {}, media: undefined, screenShare: true } });
    const share = screen.getByRole("button", { name: "Share screen" });
    session.shareFailure = new VideoSessionError({ kind: "media_permission", code: null, message: "no" });
    await user.click(share);
    expect(screen.getByTestId("share-problem").textContent?.trim()).toBe("Screen sharing was not allowed.");
    await user.click(share);
    expect(screen.getByRole("button", { name: "Stop sharing" }).getAttribute("aria-pressed")).toBe("true");
    await user.click(screen.getByRole("button", { name: "Stop sharing" }));
    expect(session.calls.filter((call) => call.includes("screen"))).toEqual(["share screen", "share screen", "stop screen share"]);
    expect(screen.getByTestId("share-problem").textContent?.trim()).toBe("");
  });
});
