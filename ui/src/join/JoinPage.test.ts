import { render, screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { BrowserKind } from "../lib/devices";
import { FakeSession, fakeBackend } from "../test/fakeSession";
import { type ClinicConfig, defaultClinicConfig } from "./clinicConfig";
import { importIntakeKey, openIntake, sealIntake } from "./intake";

/** The clinic's file naming its Twilio account (the links below are for it). */
const clinicConfig = (): ClinicConfig => ({ ...defaultClinicConfig("https://visit.example.org/join"), services: { twilioAccountSid: ACCOUNT, janusServer: null, janusClinicianKey: null } });
import JoinPage from "./JoinPage.svelte";
import { VisitFlow } from "./visitFlow";

const NOW = 1_795_361_400;
const ACCOUNT = "AC0123456789abcdef0123456789abcdef";
const PROVIDER = "dr-ana-ruiz";
const PATIENT = "patient-kqzmfwprxd";
const HOSTILE = "<img src=x onerror=alert(1)>";

const b64 = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const token = (identity: string, exp = NOW + 3600) =>
  `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ exp, grants: { identity, video: { room: "RM0123456789abcdef0123456789abcdef" } }, sub: ACCOUNT })}.c2ln`;
/** The visit's intake key, in the patient's and the clinician's links. */
const INTAKE_KEY = "c2VhbGVkLWZvci10aGUtY2xpbmljaWFuLW9ubHktMTI";
const intakeKey = () => importIntakeKey(INTAKE_KEY).then((key) => key!);
const linkFor = (identity: string, { language = "en", provider = PROVIDER, exp = NOW + 3600 } = {}) =>
  `#t=${token(identity, exp)}&l=${language}&p=${encodeURIComponent(provider)}&k=${INTAKE_KEY}`;

function fakeMedia(failure?: DOMException): MediaDevices {
  const track = (kind: "video" | "audio", deviceId: string) => ({ kind, stop: vi.fn(), getSettings: () => ({ deviceId }) });
  const video = track("video", "cam-1");
  const audio = track("audio", "mic-1");
  const stream = { getVideoTracks: () => [video], getAudioTracks: () => [audio], getTracks: () => [video, audio] };
  return {
    getUserMedia: vi.fn(async () => {
      if (failure) throw failure;
      return stream;
    }),
    enumerateDevices: vi.fn(async () => [
      { kind: "videoinput", deviceId: "cam-1", label: "Front camera" },
      { kind: "videoinput", deviceId: "cam-2", label: "Back camera" },
      { kind: "audioinput", deviceId: "mic-1", label: "Microphone" },
    ]),
    addEventListener: vi.fn(),
    removeEventListener: vi.fn(),
  } as unknown as MediaDevices;
}

type PageOptions = {
  sessions?: FakeSession[];
  webRtc?: boolean;
  failure?: DOMException;
  browser?: BrowserKind;
  config?: ClinicConfig;
  media?: MediaDevices;
};

function page(fragment: string, options: PageOptions = {}) {
  const queue = [...(options.sessions ?? [])];
  const backend = fakeBackend(() => queue.shift() ?? new Error("no session"));
  const flow = new VisitFlow({
    location: { hash: fragment, pathname: "/join", search: "", href: `https://visit.example.org/join${fragment}` },
    history: { state: null, replaceState: vi.fn() },
    nowUnix: () => NOW,
    webRtcSupported: () => options.webRtc ?? true,
    chooseBackend: async () => backend,
    loadConfig: async () => options.config ?? clinicConfig(),
    lowEndMobile: false,
    setTimeout: (callback, ms) => window.setTimeout(callback, ms),
    clearTimeout: (handle) => window.clearTimeout(handle as number),
  });
  void flow.start();
  const media = options.media ?? fakeMedia(options.failure);
  const view = render(JoinPage, { props: { flow, media, browser: options.browser ?? "chrome" } });
  return { flow, media, view, user: userEvent.setup() };
}

async function joinCall(user: ReturnType<typeof userEvent.setup>) {
  const join = await screen.findByTestId("join");
  await vi.waitFor(() => expect((join as HTMLButtonElement).disabled).toBe(false));
  await user.click(join);
}

afterEach(() => {
  document.documentElement.lang = "";
  Reflect.deleteProperty(navigator, "permissions");
  vi.restoreAllMocks();
});

describe("problem pages", () => {
  it("an expired link says so, in Spanish when the link is", () => {
    page(linkFor(PATIENT, { language: "es", exp: NOW - 5 }));
    const problem = screen.getByTestId("problem");
    expect(problem.dataset.problem).toBe("expired");
    expect(problem.textContent).toContain("Este enlace ha caducado");
    expect(problem.textContent).toContain("Pida uno nuevo a la clínica.");
    expect(document.documentElement.lang).toBe("es");
  });

  it("a cut-off link asks to open it again from the text message", () => {
    page("#t=abc");
    const problem = screen.getByTestId("problem");
    expect(problem.dataset.problem).toBe("incomplete");
    expect(problem.textContent).toContain("This link is not complete");
    expect(problem.textContent).toContain("Open it again from your text message.");
    expect(screen.queryByTestId("problem-action")).toBeNull();
  });

  it("a browser without WebRTC is told which browsers work", () => {
    page(linkFor(PATIENT), { webRtc: false });
    const problem = screen.getByTestId("problem");
    expect(problem.dataset.problem).toBe("unsupported");
    expect(within(problem).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "Chrome, Edge, Firefox or Safari, up to date, on a computer or Android phone",
      "Safari on iPhone or iPad",
    ]);
  });

  it("a visit that ended says so; a lost connection offers to rejoin", async () => {
    const session = new FakeSession("family-abcde", PROVIDER);
    const next = new FakeSession("family-abcde", PROVIDER);
    const { user, flow } = page(linkFor("family-abcde"), { sessions: [session, next] });
    await joinCall(user);
    await screen.findByTestId("call-view");
    session.end({ kind: "network", code: 53001, message: null });
    const problem = await screen.findByTestId("problem");
    expect(problem.dataset.problem).toBe("connection_lost");
    await user.click(screen.getByTestId("problem-action"));
    await screen.findByTestId("call-view");
    expect(flow.state.phase).toBe("in-call");
    next.end({ kind: "room_completed", code: 53118, message: null });
    expect((await screen.findByTestId("problem")).textContent).toContain("This visit has ended");
  });
});

describe("the device check", () => {
  it("a link for another clinic's account says so, with nothing asked of the camera", async () => {
    const { media } = page(linkFor(PATIENT, { language: "es" }), { config: { ...clinicConfig(), services: { twilioAccountSid: "ACffffffffffffffffffffffffffffffff", janusServer: null, janusClinicianKey: null } } });
    const problem = await screen.findByTestId("problem");
    expect(problem.dataset.problem).toBe("foreign");
    expect(within(problem).getByRole("heading").textContent).toBe("Este enlace no lo creó esta clínica");
    expect(media.getUserMedia).not.toHaveBeenCalled();
  });

  it("previews the camera, lists cameras, and joins with the chosen devices", async () => {
    const session = new FakeSession("family-abcde", PROVIDER);
    const { user, media } = page(linkFor("family-abcde"), { sessions: [session] });
    expect(await screen.findByTestId("device-check")).toBeTruthy();
    expect(await screen.findByTestId("camera-preview")).toBeTruthy();
    expect(await screen.findByRole("option", { name: "Back camera" })).toBeTruthy();
    expect(screen.getByTestId("mic-level").getAttribute("role")).toBe("meter");
    expect(media.getUserMedia).toHaveBeenCalledWith(expect.objectContaining({ video: expect.anything(), audio: true }));
    await joinCall(user);
    expect(await screen.findByTestId("call-view")).toBeTruthy();
  });

  it("a refused camera explains the fix for the browser in use and offers to join without it", async () => {
    page(linkFor(PATIENT, { language: "es" }), { failure: new DOMException("denied", "NotAllowedError"), browser: "safari-ios" });
    const problem = await screen.findByTestId("media-problem");
    expect(problem.textContent).toContain("Esta página no tiene permiso para usar su cámara ni su micrófono.");
    expect(screen.getByTestId("permission-help").textContent).toContain("toque aA");
    expect(screen.queryByTestId("join")).toBeNull();
    expect(screen.getByTestId("join-without-camera").textContent).toBe("Unirse sin cámara");
  });

  it("a camera blocked on its own still lets the microphone be checked", async () => {
    const query = vi.fn(async ({ name }: { name: string }) => ({ state: name === "microphone" ? "granted" : "denied" }));
    Object.defineProperty(navigator, "permissions", { value: { query }, configurable: true });
    const media = fakeMedia();
    const getUserMedia = vi.mocked(media.getUserMedia);
    getUserMedia.mockRejectedValueOnce(new DOMException("denied", "NotAllowedError"));
    page(linkFor(PATIENT), { browser: "chrome", media });
    const problem = await screen.findByTestId("media-problem");
    await vi.waitFor(() => expect(problem.textContent).toContain("This page is not allowed to use your camera."));
    expect(problem.textContent).not.toContain("microphone.");
    expect(getUserMedia.mock.calls.map(([constraints]) => Object.keys(constraints ?? {}).filter((k) => constraints?.[k as "audio"]))).toEqual([
      ["video", "audio"],
      ["audio"],
    ]);
  });

  it("a refused camera in desktop Firefox gets Firefox's steps", async () => {
    page(linkFor(PATIENT), { failure: new DOMException("denied", "NotAllowedError"), browser: "firefox" });
    expect((await screen.findByTestId("permission-help")).textContent).toContain("crossed-out camera");
  });
});

describe("the patient's waiting room", () => {
  it("shows welcome, calming image and intake until the clinician joins, and again when they drop", async () => {
    const session = new FakeSession(PATIENT, PROVIDER);
    const { user } = page(linkFor(PATIENT), { sessions: [session] });
    await joinCall(user);
    const room = await screen.findByTestId("waiting-room");
    expect(room.hidden).toBe(false);
    expect(screen.getByTestId("welcome").textContent).toBe("Welcome. Thank you for joining on time.");
    expect(screen.getByTestId("media-off").textContent).toBe("Your camera and microphone are off until your clinician lets you in.");
    expect(session.held).toBe(true);
    expect(screen.getByTestId("calming-media").getAttribute("src")).toBe("/calming.svg");
    expect(screen.queryByTestId("call-view")).toBeNull();

    await user.type(screen.getByTestId("intake-reason"), "Knee pain");
    const provider = session.join(PROVIDER);
    await vi.waitFor(() => expect(screen.getByTestId("waiting-room").hidden).toBe(true));
    const tile = await screen.findByTestId("remote-tile");
    expect(tile.dataset.identity).toBe(PROVIDER);
    expect(screen.getAllByTestId("leave")).toHaveLength(1);
    await vi.waitFor(() => expect(session.sent).toHaveLength(1));
    expect(session.sent[0]).not.toContain("Knee pain");
    expect(await openIntake(await intakeKey(), session.sent[0]!, PATIENT)).toContain("Knee pain");

    session.leave(provider);
    await vi.waitFor(() => expect(screen.getByTestId("waiting-room").hidden).toBe(false));
    expect(screen.queryByTestId("call-view")).toBeNull();
    expect((screen.getByTestId("intake-reason") as HTMLTextAreaElement).value).toBe("Knee pain");
    await user.click(screen.getByTestId("leave"));
    expect(session.calls).toContain("disconnect");
  });

  it("sent back by the clinician, the waiting room returns and says they will be brought back, in a live region", async () => {
    const session = new FakeSession(PATIENT, PROVIDER);
    const { user } = page(linkFor(PATIENT), { sessions: [session] });
    await joinCall(user);
    await screen.findByTestId("waiting-room");
    session.join(PROVIDER);
    await vi.waitFor(() => expect(screen.getByTestId("waiting-room").hidden).toBe(true));
    session.setAdmitted(false);
    await vi.waitFor(() => expect(screen.getByTestId("waiting-room").hidden).toBe(false));
    const status = screen.getByTestId("waiting-status");
    expect(status.getAttribute("role")).toBe("status");
    expect(status.textContent).toBe(
      "Your clinician moved you back to the waiting room for a moment and will bring you back shortly. Please keep this page open.",
    );
    expect(screen.queryByTestId("call-view")).toBeNull();
    expect(session.held).toBe(true);
    session.setAdmitted(true);
    await vi.waitFor(() => expect(screen.getByTestId("waiting-room").hidden).toBe(true));
  });

  it("pauses the clinic's calming video while the clinician is in the call", async () => {
    const play = vi.spyOn(HTMLMediaElement.prototype, "play").mockResolvedValue(undefined);
    const pause = vi.spyOn(HTMLMediaElement.prototype, "pause").mockReturnValue(undefined);
    const config = { ...clinicConfig(), calmingMedia: { kind: "video" as const, url: "/calm.mp4" } };
    const session = new FakeSession(PATIENT, PROVIDER);
    const { user } = page(linkFor(PATIENT), { sessions: [session], config });
    await joinCall(user);
    const video = (await screen.findByTestId("calming-media")) as HTMLVideoElement;
    expect(video.tagName).toBe("VIDEO");
    expect(video.muted).toBe(true);
    pause.mockClear();
    const provider = session.join(PROVIDER);
    await vi.waitFor(() => expect(pause).toHaveBeenCalled());
    expect(pause.mock.contexts.at(-1)).toBe(video);
    play.mockClear();
    session.leave(provider);
    await vi.waitFor(() => expect(play).toHaveBeenCalled());
    expect(play.mock.contexts.at(-1)).toBe(video);
  });

  it("shows a reconnecting banner while the patient's connection recovers", async () => {
    const session = new FakeSession(PATIENT, PROVIDER);
    const { user } = page(linkFor(PATIENT), { sessions: [session] });
    await joinCall(user);
    await screen.findByTestId("waiting-room");
    session.reconnecting();
    expect((await screen.findByTestId("reconnecting")).textContent).toContain("Reconnecting");
    session.reconnected();
    await vi.waitFor(() => expect(screen.queryByTestId("reconnecting")).toBeNull());
  });

  it("is in Spanish for a Spanish link", async () => {
    const session = new FakeSession(PATIENT, PROVIDER);
    const { user } = page(linkFor(PATIENT, { language: "es" }), { sessions: [session] });
    expect(await screen.findByText("Revise su cámara y su micrófono")).toBeTruthy();
    await joinCall(user);
    const room = await screen.findByTestId("waiting-room");
    expect(within(room).getByRole("heading", { level: 1 }).textContent).toBe("Sala de espera");
    expect(within(room).getByText("¿Qué farmacia usa?")).toBeTruthy();
    expect(within(room).getByTestId("media-off").textContent).toBe("Su cámara y su micrófono están apagados hasta que su profesional de salud le dé paso.");
    expect(screen.getByTestId("welcome").textContent).toBe("Bienvenido. Gracias por conectarse a tiempo.");
  });
});

describe("the call", () => {
  it("an interpreter goes straight in and sees that the clinician is not there yet, in Spanish", async () => {
    const session = new FakeSession("interpreter-zzyqx", PROVIDER);
    session.present(PATIENT);
    const { user } = page(linkFor("interpreter-zzyqx", { language: "es" }), { sessions: [session] });
    await joinCall(user);
    expect(screen.queryByTestId("waiting-room")).toBeNull();
    expect((await screen.findByTestId("call-notice")).textContent).toBe("Esperando a que se una el profesional de salud.");
    expect(screen.getByTestId("mute").textContent?.trim()).toBe("Silenciar");
    expect(screen.getByTestId("remote-tile").textContent).toContain("Paciente");
    session.join(PROVIDER);
    await vi.waitFor(() => expect(screen.queryByTestId("call-notice")).toBeNull());
  });

  it("renders identities with HTML in them as text", async () => {
    const session = new FakeSession(PATIENT, HOSTILE);
    const { user, view } = page(linkFor(PATIENT, { provider: HOSTILE }), { sessions: [session] });
    await joinCall(user);
    session.join(HOSTILE);
    const tile = await screen.findByTestId("remote-tile");
    expect(tile.dataset.identity).toBe(HOSTILE);
    expect(tile.textContent).toContain(HOSTILE);
    expect(view.container.querySelector('img[src="x"]')).toBeNull();
    expect(view.container.querySelector("[onerror]")).toBeNull();
  });

  it("mutes, stops video, and leaves", async () => {
    const session = new FakeSession("family-abcde", PROVIDER);
    const { user } = page(linkFor("family-abcde"), { sessions: [session] });
    await joinCall(user);
    const mute = await screen.findByTestId("mute");
    await user.click(mute);
    expect(session.calls).toContain("microphone false");
    expect(mute.getAttribute("aria-pressed")).toBe("true");
    expect(mute.textContent?.trim()).toBe("Unmute");
    await user.click(screen.getByTestId("camera"));
    expect(session.calls).toContain("camera false");
    await user.click(screen.getByTestId("leave"));
    expect(session.calls).toContain("disconnect");
    expect((await screen.findByTestId("left")).textContent).toContain("You left the visit");
  });

  it("highlights the dominant speaker and shows network quality when reported", async () => {
    const session = new FakeSession("family-abcde", PROVIDER);
    const provider = session.present(PROVIDER);
    const { user } = page(linkFor("family-abcde"), { sessions: [session] });
    await joinCall(user);
    const tile = await screen.findByTestId("remote-tile");
    expect(tile.classList.contains("dominant")).toBe(false);
    expect(within(tile).queryByTestId("network-quality")).toBeNull();
    session.speaker(provider);
    session.quality(provider, 2);
    await vi.waitFor(() => expect(screen.getByTestId("remote-tile").classList.contains("dominant")).toBe(true));
    expect(within(screen.getByTestId("remote-tile")).getByTestId("network-quality").dataset.level).toBe("2");
  });

  it("the provider sees the patient's intake answers as text", async () => {
    const session = new FakeSession(PROVIDER, PROVIDER);
    const { user, view } = page(linkFor(PROVIDER), { sessions: [session] });
    await joinCall(user);
    await screen.findByTestId("call-view");
    expect(screen.queryByTestId("waiting-room")).toBeNull();
    expect(screen.queryByTestId("call-notice")).toBeNull();
    const patient = session.join(PATIENT);
    const answers = JSON.stringify({ type: "visitdesk.intake", answers: [{ id: "reason", question: "Why?", answer: HOSTILE }] });
    session.receive(await sealIntake(await intakeKey(), answers, PATIENT), patient);
    const panel = await screen.findByTestId("intake-answers");
    await vi.waitFor(() => expect(panel.textContent).toContain(HOSTILE));
    expect(view.container.querySelector('img[src="x"]')).toBeNull();
  });
});
