import { afterEach, describe, expect, it, vi } from "vitest";

import { FakeSession, type Outcome, fakeBackend } from "../test/fakeSession";
import { type EndKind, type VideoBackend, VideoSessionError } from "../video/session";
import { FakeRemoteParticipant, FakeRoom, dataTracks, fakeConnect, fakeCreateLocalTracks, twilioModule } from "../video/testing/twilioFakes";
import { twilioBackend } from "../video/twilio";
import { type ClinicConfig, defaultClinicConfig } from "./clinicConfig";

/** The clinic's file naming its Twilio account (the links below are for it). */
const clinicConfig = (): ClinicConfig => ({ ...defaultClinicConfig("https://visit.example.org/join"), services: { twilioAccountSid: ACCOUNT, janusServer: null, janusClinicianKey: null } });
import { NO_SERVICES } from "./clinicServices";
import { importIntakeKey, openIntake, readIntakeMessage, sealIntake } from "./intake";
import { INTAKE_RECEIPT_WAIT_MS, VisitFlow, type VisitState } from "./visitFlow";

const NOW = 1_795_361_400;
const ACCOUNT = "AC0123456789abcdef0123456789abcdef";
const PROVIDER = "dr-ana-ruiz";
const PATIENT = "patient-kqzmfwprxd";

const b64 = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const token = (identity: string, exp = NOW + 3600) =>
  `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ exp, grants: { identity, video: { room: "RM0123456789abcdef0123456789abcdef" } }, sub: ACCOUNT })}.c2ln`;
/** The visit's intake key, as the patient's and the clinician's links carry it. */
const INTAKE_KEY = "c2VhbGVkLWZvci10aGUtY2xpbmljaWFuLW9ubHktMTI";
const linkFor = (identity: string, { language = "en", provider = PROVIDER as string | null, exp = NOW + 3600, intakeKey = INTAKE_KEY as string | null } = {}) =>
  `#t=${token(identity, exp)}&l=${language}${provider === null ? "" : `&p=${provider}`}${intakeKey === null ? "" : `&k=${intakeKey}`}`;

/** What a sealed intake says, opened as the clinician does (null: not sealed with the key by `sender`). */
async function opened(text: string, sender = PATIENT) {
  const inner = await openIntake((await importIntakeKey(INTAKE_KEY))!, text, sender);
  return inner === null ? null : readIntakeMessage(inner);
}

async function sealed(message: unknown, sender = PATIENT) {
  return sealIntake((await importIntakeKey(INTAKE_KEY))!, JSON.stringify(message), sender);
}

/** Timers the test fires by hand. */
function manualTimers() {
  const pending = new Map<number, { callback: () => void; ms: number }>();
  let next = 1;
  return {
    pending,
    setTimeout: (callback: () => void, ms: number) => {
      pending.set(next, { callback, ms });
      return next++;
    },
    clearTimeout: (handle: unknown) => void pending.delete(handle as number),
    fireAll() {
      const due = [...pending.values()];
      pending.clear();
      for (const { callback } of due) callback();
    },
  };
}

type Setup = {
  fragment: string;
  sessions?: Outcome[];
  /** A real adapter instead of the fake sessions. */
  videoBackend?: VideoBackend;
  webRtc?: boolean;
  config?: ClinicConfig;
  now?: () => number;
};

function setup({ fragment, sessions = [], videoBackend, webRtc = true, config = clinicConfig(), now = () => NOW }: Setup) {
  const log: string[] = [];
  const location = { hash: fragment, pathname: "/join", search: "?clinic=north", href: `https://visit.example.org/join?clinic=north${fragment}` };
  const history = {
    state: null,
    replaceState: vi.fn((_data: unknown, _unused: string, url?: string | null) => {
      log.push(`replaceState ${url}`);
      location.hash = "";
    }),
  };
  const queue = [...sessions];
  const backend = fakeBackend(() => queue.shift() ?? new Error("no session prepared"));
  const timers = manualTimers();
  const loadConfig = vi.fn(async () => {
    log.push("loadConfig");
    return config;
  });
  const flow = new VisitFlow({
    location,
    history,
    nowUnix: () => {
      log.push("nowUnix");
      return now();
    },
    webRtcSupported: () => {
      log.push("webRtcSupported");
      return webRtc;
    },
    chooseBackend: async () => {
      log.push("chooseBackend");
      return videoBackend ?? backend;
    },
    loadConfig,
    lowEndMobile: false,
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
  });
  const states: VisitState[] = [];
  flow.subscribe((state) => states.push(state));
  return { flow, log, location, history, backend, timers, loadConfig, states };
}

const choice = { cameraId: "cam-1", microphoneId: "mic-1", withCamera: true };

function inCall(state: VisitState) {
  if (state.phase !== "in-call") throw new Error(`expected in-call, got ${state.phase}`);
  return state;
}

/** Started, through the device check and into the call on `session`. */
async function joined(identity: string, session: FakeSession, options: { provider?: string | null; language?: string; intakeKey?: string | null } = {}) {
  const env = setup({ fragment: linkFor(identity, options), sessions: [session] });
  await env.flow.start();
  if (identity.startsWith("patient-")) await vi.waitFor(() => expect(env.flow.state.config).not.toBeNull());
  await env.flow.join(choice);
  return env;
}

afterEach(() => {
  vi.restoreAllMocks();
});

/** Lets a release under way (the patient being let in), and a sealing or opening, finish. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 1));
};

describe("the link", () => {
  it("leaves the address bar before anything else happens, keeping the page's path and query", async () => {
    const { flow, log, location } = setup({ fragment: linkFor(PATIENT) });
    await flow.start();
    expect(log[0]).toBe("nowUnix");
    expect(log[1]).toBe("replaceState /join?clinic=north");
    expect(log.slice(2)).toEqual(["webRtcSupported", "loadConfig"]);
    expect(location.hash).toBe("");
    expect(flow.state).toMatchObject({ phase: "device-check", role: "patient", language: "en" });
  });

  it("leaves the address bar even when the link is unusable", async () => {
    const { flow, history } = setup({ fragment: "#t=not-a-token&l=es" });
    await flow.start();
    expect(history.replaceState).toHaveBeenCalledWith(null, "", "/join?clinic=north");
    expect(flow.state).toMatchObject({ phase: "problem", problem: "incomplete", language: "es", canRejoin: false });
  });

  it.each([
    ["an expired link", linkFor(PATIENT, { exp: NOW - 1 }), "expired"],
    ["no link at all", "", "incomplete"],
    ["a cut-off link", linkFor(PATIENT).slice(0, 40), "incomplete"],
  ])("%s shows its problem page", async (_name, fragment, problem) => {
    const { flow, backend } = setup({ fragment });
    await flow.start();
    expect(flow.state).toMatchObject({ phase: "problem", problem });
    expect(backend.connects).toEqual([]);
  });

  it("a browser without WebRTC gets the page saying which browsers work, in the link's language", async () => {
    const { flow, loadConfig } = setup({ fragment: linkFor(PATIENT, { language: "es" }), webRtc: false });
    await flow.start();
    expect(flow.state).toMatchObject({ phase: "problem", problem: "unsupported", language: "es" });
    expect(loadConfig).not.toHaveBeenCalled();
  });

  it("a Twilio token minted for another account is refused before anything is sent", async () => {
    const foreign = `#t=${b64({ alg: "HS256", typ: "JWT" })}.${b64({ exp: NOW + 3600, grants: { identity: PATIENT, video: { room: "RM0123456789abcdef0123456789abcdef" } }, sub: "ACffffffffffffffffffffffffffffffff" })}.c2ln&l=es&p=${PROVIDER}`;
    const { flow, backend, log } = setup({ fragment: foreign });
    await flow.start();
    expect(flow.state).toMatchObject({ phase: "problem", problem: "foreign", language: "es", canRejoin: false });
    await flow.join(choice);
    expect(backend.connects).toEqual([]);
    expect(log).not.toContain("chooseBackend");
  });

  it("a Janus link naming another server is refused; the clinic's own is used with the clinic's address", async () => {
    const janusFragment = (server: string) =>
      `#t=${encodeURIComponent(`${NOW + 600},janus.plugin.videoroom,room=1234:c2ln`)}&l=en&p=${PROVIDER}&b=janus&s=${encodeURIComponent(server)}&r=1234&i=${PATIENT}&c=${encodeURIComponent(`${NOW + 600},janus,janus.plugin.videoroom:c2ln`)}`;
    const config = { ...clinicConfig(), services: { twilioAccountSid: null, janusServer: "wss://visit.example.org/janus-ws", janusClinicianKey: `B${"A".repeat(86)}` } };
    const attacker = setup({ fragment: janusFragment("wss://janus.attacker.example/janus"), config });
    await attacker.flow.start();
    expect(attacker.flow.state).toMatchObject({ phase: "problem", problem: "foreign" });
    await attacker.flow.join(choice);
    expect(attacker.log).not.toContain("chooseBackend");

    const clinic = setup({ fragment: janusFragment("wss://visit.example.org/janus-ws/"), config, sessions: [new FakeSession(PATIENT, PROVIDER)] });
    await clinic.flow.start();
    expect(clinic.flow.state).toMatchObject({ phase: "device-check" });
    await clinic.flow.join(choice);
    expect(clinic.flow.state.phase).toBe("in-call");
  });

  it("a page whose clinic file names no video service connects nobody", async () => {
    const { flow, log } = setup({ fragment: linkFor(PATIENT), config: { ...clinicConfig(), services: NO_SERVICES } });
    await flow.start();
    expect(flow.state).toMatchObject({ phase: "problem", problem: "unconfigured" });
    await flow.join(choice);
    expect(log).not.toContain("chooseBackend");
  });

  it("a link that expired while the page was open is not used", async () => {
    let now = NOW;
    const { flow, backend } = setup({ fragment: linkFor(PATIENT, { exp: NOW + 60 }), now: () => now });
    await flow.start();
    now = NOW + 61;
    await flow.join(choice);
    expect(flow.state).toMatchObject({ phase: "problem", problem: "expired" });
    expect(backend.connects).toEqual([]);
  });
});

describe("connecting", () => {
  it("connects with the link's token, the clinician's identity and the devices chosen", async () => {
    const session = new FakeSession(PATIENT, PROVIDER);
    const { backend } = await joined(PATIENT, session);
    expect(backend.connects).toEqual([
      expect.objectContaining({
        token: token(PATIENT),
        providerIdentity: PROVIDER,
        expectedParticipants: 2,
        cameraDeviceId: "cam-1",
        microphoneDeviceId: "mic-1",
        withCamera: true,
      }),
    ]);
  });

  it.each<[EndKind, string, boolean]>([
    ["token_invalid", "invalid", false],
    ["room_completed", "ended", false],
    ["token_expired", "expired", false],
    ["room_full", "full", true],
    ["duplicate_identity", "elsewhere", true],
    ["network", "failed", true],
    ["other", "failed", true],
  ])("a connect refused with %s shows the %s page", async (kind, problem, canRejoin) => {
    const { flow } = setup({ fragment: linkFor(PATIENT), sessions: [new VideoSessionError({ kind, code: null, message: "refused" })] });
    await flow.start();
    await flow.join(choice);
    expect(flow.state).toMatchObject({ phase: "problem", problem, canRejoin });
  });

  it("a refused camera or microphone goes back to the device check, saying so", async () => {
    const { flow } = setup({
      fragment: linkFor(PATIENT),
      sessions: [new VideoSessionError({ kind: "media_permission", code: null, message: null })],
    });
    await flow.start();
    await flow.join(choice);
    expect(flow.state).toMatchObject({ phase: "device-check", mediaFailure: "media_permission" });
  });

  it("cancelling a connect under way goes back to the device check and hangs up what arrives", async () => {
    const session = new FakeSession(PATIENT, PROVIDER);
    let arrive: (session: FakeSession) => void = () => {};
    const { flow, backend } = setup({ fragment: linkFor(PATIENT), sessions: [new Promise((resolve) => (arrive = resolve))] });
    await flow.start();
    const joining = flow.join(choice);
    expect(flow.state.phase).toBe("connecting");
    await vi.waitFor(() => expect(backend.connects).toHaveLength(1));
    expect(backend.connects[0]?.signal?.aborted).toBe(false);
    flow.cancelJoin();
    expect(backend.connects[0]?.signal?.aborted).toBe(true);
    arrive(session);
    await joining;
    expect(flow.state).toMatchObject({ phase: "device-check", mediaFailure: null });
    expect(session.calls).toContain("disconnect");
  });
});

describe("the patient's waiting room", () => {
  it("waits held, is let in when the clinician joins, held again when they leave, let in on their return", async () => {
    const session = new FakeSession(PATIENT, PROVIDER);
    session.present("family-abcde");
    const { flow, backend } = await joined(PATIENT, session);
    expect(backend.connects[0]).toMatchObject({ held: true });
    expect(session.held).toBe(true);
    expect(inCall(flow.state)).toMatchObject({ waitingRoom: true, providerPresent: false, reconnecting: false });

    const provider = session.join(PROVIDER);
    // Shown until the media is released.
    expect(inCall(flow.state)).toMatchObject({ waitingRoom: true, providerPresent: true });
    await settle();
    expect(session.held).toBe(false);
    expect(inCall(flow.state)).toMatchObject({ waitingRoom: false, providerPresent: true });
    session.leave(provider);
    expect(session.held).toBe(true);
    expect(inCall(flow.state)).toMatchObject({ waitingRoom: true, providerPresent: false });
    session.join(PROVIDER);
    await settle();
    expect(inCall(flow.state)).toMatchObject({ waitingRoom: false, providerPresent: true });
    expect(session.calls).toEqual(["release", "hold", "release"]);
  });

  it("with the clinician there, waits until the service admits them; sent back, they wait again and are told why", async () => {
    const session = new FakeSession(PATIENT, PROVIDER);
    session.admitted = false;
    const { flow } = await joined(PATIENT, session);
    session.join(PROVIDER);
    await settle();
    expect(session.calls).toEqual([]);
    expect(inCall(flow.state)).toMatchObject({ waitingRoom: true, providerPresent: true, sentBack: false });

    session.setAdmitted(true);
    await settle();
    expect(inCall(flow.state)).toMatchObject({ waitingRoom: false, sentBack: false });
    session.setAdmitted(false);
    expect(session.held).toBe(true);
    expect(inCall(flow.state)).toMatchObject({ waitingRoom: true, providerPresent: true, sentBack: true });
    session.setAdmitted(true);
    await settle();
    expect(inCall(flow.state)).toMatchObject({ waitingRoom: false, sentBack: false });
    expect(session.calls).toEqual(["release", "hold", "release"]);
  });

  it("an admission withdrawn while the patient is being let in leaves them held", async () => {
    const session = new FakeSession(PATIENT, PROVIDER);
    const { flow } = await joined(PATIENT, session);
    session.join(PROVIDER);
    session.setAdmitted(false);
    await settle();
    expect(session.held).toBe(true);
    expect(session.calls).toEqual(["release", "hold"]);
    expect(inCall(flow.state)).toMatchObject({ waitingRoom: true, sentBack: false });
  });

  it("a camera that fails when the patient is let in sends them to the device check, hung up", async () => {
    const session = new FakeSession(PATIENT, PROVIDER);
    session.releaseFailure = new VideoSessionError({ kind: "media_permission", code: null, message: "denied" });
    const { flow } = await joined(PATIENT, session);
    session.join(PROVIDER);
    await settle();
    expect(flow.state).toMatchObject({ phase: "device-check", mediaFailure: "media_permission" });
    expect(session.calls).toEqual(["release", "disconnect"]);
  });

  it("a clinician who leaves while the patient is being let in finds them held again", async () => {
    const session = new FakeSession(PATIENT, PROVIDER);
    const { flow } = await joined(PATIENT, session);
    const provider = session.join(PROVIDER);
    session.leave(provider);
    await settle();
    expect(session.held).toBe(true);
    expect(session.calls).toEqual(["release", "hold"]);
    expect(inCall(flow.state).waitingRoom).toBe(true);
  });

  it("is not shown when the provider is already there", async () => {
    const session = new FakeSession(PATIENT, PROVIDER);
    session.present(PROVIDER);
    const { flow } = await joined(PATIENT, session);
    await settle();
    expect(inCall(flow.state)).toMatchObject({ waitingRoom: false, providerPresent: true });
  });

  it("others joining or leaving do not hide it; only the clinician of the link counts", async () => {
    const session = new FakeSession(PATIENT, PROVIDER);
    const { flow } = await joined(PATIENT, session);
    const interpreter = session.join("interpreter-zzyqx");
    session.join("dr-someone-else");
    expect(inCall(flow.state).waitingRoom).toBe(true);
    session.leave(interpreter);
    expect(inCall(flow.state).waitingRoom).toBe(true);
  });

  it("while the patient's own connection recovers: a banner, then the right room for who is there after", async () => {
    const session = new FakeSession(PATIENT, PROVIDER);
    const provider = session.present(PROVIDER);
    const { flow } = await joined(PATIENT, session);
    await settle();

    session.reconnecting();
    expect(inCall(flow.state)).toMatchObject({ reconnecting: true, waitingRoom: false });
    // The provider dropped while we were away: the room is told once we are back.
    session.remoteParticipants.delete(provider.sid);
    session.reconnected();
    expect(inCall(flow.state)).toMatchObject({ reconnecting: false, waitingRoom: true, providerPresent: false });

    session.reconnecting();
    session.join(PROVIDER);
    await settle();
    expect(inCall(flow.state)).toMatchObject({ reconnecting: true, waitingRoom: false });
    session.reconnected();
    expect(inCall(flow.state)).toMatchObject({ reconnecting: false, waitingRoom: false });
  });

  it("after the patient's connection is lost for good, rejoining lands in the right room", async () => {
    const first = new FakeSession(PATIENT, PROVIDER);
    const second = new FakeSession(PATIENT, PROVIDER);
    second.present(PROVIDER);
    const env = setup({ fragment: linkFor(PATIENT), sessions: [first, second] });
    await env.flow.start();
    await vi.waitFor(() => expect(env.flow.state.config).not.toBeNull());
    await env.flow.join(choice);
    expect(inCall(env.flow.state).waitingRoom).toBe(true);

    first.end({ kind: "network", code: 53001, message: "lost" });
    expect(env.flow.state).toMatchObject({ phase: "problem", problem: "connection_lost", canRejoin: true });
    await env.flow.rejoin();
    await settle();
    expect(inCall(env.flow.state)).toMatchObject({ session: second, waitingRoom: false, providerPresent: true });
    expect(env.backend.connects[1]).toMatchObject({ cameraDeviceId: "cam-1", microphoneDeviceId: "mic-1" });
  });

  it("ends on 'This visit has ended' when the room completes", async () => {
    const session = new FakeSession(PATIENT, PROVIDER);
    const { flow } = await joined(PATIENT, session);
    session.end({ kind: "room_completed", code: 53118, message: "Room completed" });
    expect(flow.state).toMatchObject({ phase: "problem", problem: "ended", canRejoin: false });
  });
});

describe("the patient's waiting room on Twilio: let in by what the service grants (the Twilio adapter on twilio-video-shaped fakes)", () => {
  /** The patient joined, answers written, with the clinician in the room and Twilio subscribing the patient to nothing. */
  async function waitingOnTwilio() {
    const room = new FakeRoom(PATIENT);
    const provider = new FakeRemoteParticipant("PA-dr", PROVIDER);
    provider.publish("audio", "MT-dr-a", false);
    provider.publish("video", "MT-dr-v", false);
    const data = provider.publish("data", "MT-dr-d", false);
    room.present(provider);
    const { connect } = fakeConnect(room);
    const createLocalTracks = fakeCreateLocalTracks();
    const env = setup({ fragment: linkFor(PATIENT), videoBackend: twilioBackend(async () => twilioModule(connect, createLocalTracks)) });
    await env.flow.start();
    await vi.waitFor(() => expect(env.flow.state.config).not.toBeNull());
    env.flow.setIntakeAnswer("reason", "Knee pain");
    await env.flow.join(choice);
    await settle();
    const session = inCall(env.flow.state).session;
    const admissions: boolean[] = [];
    session.on("admissionChanged", (admitted) => admissions.push(admitted));
    return { ...env, room, provider, data, connect, createLocalTracks, session, admissions, sent: dataTracks.at(-1)!.sent };
  }

  it("beside the clinician, waits held until Twilio subscribes it to them; sent back, held again and told why; brought back, let in again", async () => {
    const t = await waitingOnTwilio();
    expect(t.connect.mock.calls[0]![1]).toMatchObject({ automaticSubscription: false });
    expect(inCall(t.flow.state)).toMatchObject({ waitingRoom: true, providerPresent: true, sentBack: false });
    expect([t.session.admitted, t.session.held]).toEqual([false, true]);
    expect(t.createLocalTracks).not.toHaveBeenCalled();
    expect(t.sent).toEqual([]);

    // The console admits; the clinician's data track alone is enough.
    t.provider.subscribe(t.data);
    expect([t.session.admitted, t.admissions]).toEqual([true, [true]]);
    await settle();
    expect(t.createLocalTracks).toHaveBeenCalledOnce();
    expect(t.session.held).toBe(false);
    expect(inCall(t.flow.state)).toMatchObject({ waitingRoom: false, providerPresent: true, sentBack: false });
    expect(t.sent).toHaveLength(1);
    expect((await opened(t.sent[0]!))?.[0]?.answer).toBe("Knee pain");
    t.room.setSubscribeRules("include_all");
    expect(t.session.remoteParticipants.get("PA-dr")!.tracks.map((track) => track.kind)).toEqual(["audio", "video"]);

    // Sent back: the rules exclude all again.
    t.room.setSubscribeRules("exclude_all");
    expect(t.admissions).toEqual([true, false]);
    expect(t.session.held).toBe(true);
    expect(t.createLocalTracks.made[0]!.map((track) => track.isStopped)).toEqual([true, true]);
    expect([t.room.localParticipant.audioTracks.size, t.room.localParticipant.videoTracks.size]).toEqual([0, 0]);
    expect(inCall(t.flow.state)).toMatchObject({ waitingRoom: true, providerPresent: true, sentBack: true });

    // Brought back.
    t.room.setSubscribeRules("include_all");
    await settle();
    expect(t.admissions).toEqual([true, false, true]);
    expect(t.createLocalTracks).toHaveBeenCalledTimes(2);
    expect(t.session.held).toBe(false);
    expect(inCall(t.flow.state)).toMatchObject({ waitingRoom: false, providerPresent: true, sentBack: false });
  });

  it("the clinician leaving holds the patient again without ever saying they were sent back", async () => {
    const t = await waitingOnTwilio();
    t.room.setSubscribeRules("include_all");
    await settle();
    expect(t.session.held).toBe(false);
    const before = t.states.length;

    t.room.leave(t.provider);

    expect(t.session.held).toBe(true);
    expect(t.createLocalTracks.made[0]!.map((track) => track.isStopped)).toEqual([true, true]);
    expect(t.states.slice(before).map((state) => inCall(state).sentBack)).not.toContain(true);
    expect(inCall(t.flow.state)).toMatchObject({ waitingRoom: true, providerPresent: false, sentBack: false });
  });

  it("a namesake of the clinician whose tracks Twilio sends is not the clinician: the patient stays held and sends no answers", async () => {
    const t = await waitingOnTwilio();
    const namesake = new FakeRemoteParticipant("PA-x", `${PROVIDER} `);
    const audio = namesake.publish("audio", "MT-x-a", false);
    const data = namesake.publish("data", "MT-x-d", false);
    t.room.join(namesake);
    namesake.subscribe(data);
    namesake.subscribe(audio);
    await settle();

    expect(t.session.remoteParticipants.get("PA-x")?.role).toBe("unknown");
    expect([t.session.admitted, t.admissions, t.session.held]).toEqual([false, [], true]);
    expect(t.createLocalTracks).not.toHaveBeenCalled();
    expect(inCall(t.flow.state)).toMatchObject({ waitingRoom: true, providerPresent: true, sentBack: false });
    expect(t.sent).toEqual([]);
  });
});

describe("other guests", () => {
  it.each(["interpreter-zzyqx", "family-abcde", "caregiver-qwert"])("%s goes straight into the call, waiting for the clinician there", async (identity) => {
    const session = new FakeSession(identity, PROVIDER);
    const { flow, loadConfig, backend } = await joined(identity, session);
    expect(inCall(flow.state)).toMatchObject({ waitingRoom: false, providerPresent: false });
    expect(flow.state.role).toBe(identity.split("-")[0]);
    // Guests too: the clinic's file names the services their link may use.
    expect(loadConfig).toHaveBeenCalledTimes(1);
    expect(backend.connects[0]?.expectedParticipants).toBe(3);
    expect(backend.connects[0]?.held).toBe(false);

    session.join(PROVIDER);
    expect(inCall(flow.state)).toMatchObject({ waitingRoom: false, providerPresent: true });
  });

  it("a link without the clinician's identity lets nobody in by name", async () => {
    const session = new FakeSession(PATIENT, null);
    const { flow } = await joined(PATIENT, session, { provider: null });
    session.join("interpreter-zzyqx");
    session.join("dr-ana-ruiz");
    await settle();
    expect(inCall(flow.state)).toMatchObject({ waitingRoom: true, providerPresent: false });
    expect(session.held).toBe(true);
  });

  it("an impostor under the clinician's name is not the clinician: the patient stays held and sends no answers", async () => {
    const session = new FakeSession(PATIENT, PROVIDER);
    const { flow } = await joined(PATIENT, session);
    flow.setIntakeAnswer("reason", "Knee pain");
    session.join(PROVIDER, { unproven: true });
    await settle();
    expect(inCall(flow.state)).toMatchObject({ waitingRoom: true, providerPresent: false });
    expect(session.held).toBe(true);
    expect(session.sent).toEqual([]);
    session.join(PROVIDER);
    await settle();
    expect(inCall(flow.state)).toMatchObject({ waitingRoom: false, providerPresent: true });
    expect(session.sent).toHaveLength(1);
    expect((await opened(session.sent[0]!))?.[0]?.answer).toBe("Knee pain");
  });
});

describe("intake answers", () => {
  async function patientWithAnswers(session: FakeSession) {
    const env = await joined(PATIENT, session);
    env.flow.setIntakeAnswer("reason", "  Knee pain after a fall  ");
    env.flow.setIntakeAnswer("pharmacy", "Main St");
    return env;
  }

  it("go to the provider once per arrival, again when they rejoin", async () => {
    const session = new FakeSession(PATIENT, PROVIDER);
    const { flow } = await patientWithAnswers(session);
    expect(session.sent).toEqual([]);

    const provider = session.join(PROVIDER);
    await settle();
    expect(session.sent).toHaveLength(1);
    // Sealed: everyone in the room gets the text, only the visit's key opens it.
    expect(session.sent[0]).not.toContain("Knee");
    expect(readIntakeMessage(session.sent[0]!)).toBeNull();
    expect(await opened(session.sent[0]!)).toEqual([
      { id: "reason", question: "What would you like help with today?", answer: "Knee pain after a fall" },
      { id: "pharmacy", question: "Which pharmacy do you use?", answer: "Main St" },
    ]);
    expect(await opened(session.sent[0]!, "family-abcde")).toBeNull();
    session.join("interpreter-zzyqx");
    session.reconnecting();
    session.reconnected();
    expect(session.sent).toHaveLength(1);

    session.leave(provider);
    flow.setIntakeAnswer("medications", "Stopped ibuprofen");
    session.join(PROVIDER);
    await settle();
    expect(session.sent).toHaveLength(2);
    expect((await opened(session.sent[1]!))?.map((a) => a.id)).toEqual(["reason", "medications", "pharmacy"]);
  });

  it("go again, up to three times in all, until the provider confirms them", async () => {
    const session = new FakeSession(PATIENT, PROVIDER);
    const { timers } = await patientWithAnswers(session);
    const provider = session.join(PROVIDER);
    await settle();
    expect([...timers.pending.values()].map((t) => t.ms)).toEqual([INTAKE_RECEIPT_WAIT_MS]);
    timers.fireAll();
    await settle();
    expect(session.sent).toHaveLength(2);
    timers.fireAll();
    await settle();
    expect(session.sent).toHaveLength(3);
    timers.fireAll();
    await settle();
    expect(session.sent).toHaveLength(3);

    session.leave(provider);
    session.join(PROVIDER);
    await settle();
    expect(session.sent).toHaveLength(4);
    session.receive(JSON.stringify({ type: "visitdesk.intake-received", for: PATIENT }), [...session.remoteParticipants.values()][0]!);
    expect(timers.pending.size).toBe(0);
  });

  it("a receipt for someone else, or from someone not the provider, does not stop the resending", async () => {
    const session = new FakeSession(PATIENT, PROVIDER);
    const { timers } = await patientWithAnswers(session);
    session.join(PROVIDER);
    await settle();
    const family = session.join("family-abcde");
    session.receive(JSON.stringify({ type: "visitdesk.intake-received", for: PATIENT }), family);
    session.receive(JSON.stringify({ type: "visitdesk.intake-received", for: "patient-other" }), session.remoteParticipants.values().next().value!);
    expect(timers.pending.size).toBe(1);
  });

  it("a patient link without the visit's intake key sends nothing: in the clear everyone in the room would read it", async () => {
    const session = new FakeSession(PATIENT, PROVIDER);
    const { flow } = await joined(PATIENT, session, { intakeKey: null });
    flow.setIntakeAnswer("reason", "Knee pain");
    session.join(PROVIDER);
    await settle();
    expect(inCall(flow.state)).toMatchObject({ waitingRoom: false, providerPresent: true });
    expect(session.sent).toEqual([]);
  });

  it("nothing is sent when nothing was answered", async () => {
    const session = new FakeSession(PATIENT, PROVIDER);
    const { flow, timers } = await joined(PATIENT, session);
    flow.setIntakeAnswer("reason", "   ");
    session.join(PROVIDER);
    await settle();
    expect(session.sent).toEqual([]);
    expect(timers.pending.size).toBe(0);
  });

  it("stay out of the address bar, storage and the console", async () => {
    const consoleCalls = (["log", "info", "warn", "error", "debug"] as const).map((name) => vi.spyOn(console, name));
    const session = new FakeSession(PATIENT, PROVIDER);
    const { history } = await patientWithAnswers(session);
    session.join(PROVIDER);
    await settle();
    session.end({ kind: "network", code: 53001, message: null });

    const seen = JSON.stringify([history.replaceState.mock.calls, { ...localStorage }, { ...sessionStorage }, consoleCalls.map((spy) => spy.mock.calls)]);
    expect((await opened(session.sent[0]!))?.[0]?.answer).toBe("Knee pain after a fall");
    expect(seen).not.toContain("Knee pain");
  });
});

describe("the provider's side", () => {
  it("goes straight into the call, shows each patient's answers and confirms them", async () => {
    const session = new FakeSession(PROVIDER, PROVIDER);
    const { flow } = await joined(PROVIDER, session);
    expect(inCall(flow.state)).toMatchObject({ waitingRoom: false, intakes: [] });
    expect(flow.state.role).toBe("provider");

    const patient = session.join(PATIENT);
    const answers = [{ id: "reason", question: "What would you like help with today?", answer: "<b>Knee</b>" }];
    session.receive(await sealed({ type: "visitdesk.intake", answers }), patient);
    await settle();
    expect(inCall(flow.state).intakes).toEqual([{ identity: PATIENT, answers }]);
    expect(session.sent).toEqual([JSON.stringify({ type: "visitdesk.intake-received", for: PATIENT })]);

    // A resend replaces.
    session.receive(await sealed({ type: "visitdesk.intake", answers: [] }), patient);
    await settle();
    expect(inCall(flow.state).intakes).toEqual([{ identity: PATIENT, answers: [] }]);
    // Ignored: other texts, answers in the clear, a patient's sealed answers passed on by someone
    // else (family, or another patient), answers sealed with another key.
    const family = session.join("family-abcde");
    const other = session.join("patient-otherone");
    const strangerKey = await crypto.subtle.importKey("raw", new Uint8Array(32).fill(7), { name: "AES-GCM" }, false, ["encrypt"]);
    session.receive("hello", patient);
    session.receive(JSON.stringify({ type: "visitdesk.intake", answers }), patient);
    session.receive(await sealed({ type: "visitdesk.intake", answers }), family);
    session.receive(await sealed({ type: "visitdesk.intake", answers }), other);
    session.receive(await sealIntake(strangerKey, JSON.stringify({ type: "visitdesk.intake", answers }), PATIENT), patient);
    await settle();
    expect(inCall(flow.state).intakes).toEqual([{ identity: PATIENT, answers: [] }]);
    expect(session.sent).toHaveLength(2);
  });
});

describe("leaving", () => {
  it("hangs up, says so, and can rejoin with the same devices", async () => {
    const first = new FakeSession(PATIENT, PROVIDER);
    const second = new FakeSession(PATIENT, PROVIDER);
    const env = setup({ fragment: linkFor(PATIENT), sessions: [first, second] });
    await env.flow.start();
    await env.flow.join(choice);
    env.flow.leave();
    expect(first.calls).toEqual(["disconnect"]);
    expect(env.flow.state.phase).toBe("left");
    expect(first.listenerCount("participantJoined")).toBe(0);

    await env.flow.rejoin();
    expect(inCall(env.flow.state).session).toBe(second);
  });
});
