// The join page as one state machine: link → device check → call (with the patient's waiting
// room while no provider is in it) → left or a problem page. Svelte only renders its state.

import {
  type EndReason,
  type ParticipantRole,
  type RemoteParticipant,
  type VideoBackend,
  type VideoSession,
  VideoSessionError,
  roleOf,
} from "../video/session";
import type { ClinicConfig } from "./clinicConfig";
import { linkForThisClinic } from "./clinicServices";
import { IntakeInbox, MAX_ANSWER, type ReceivedIntake, importIntakeKey, intakeMessage, readIntakeReceipt, sealIntake } from "./intake";
import { type JoinLink, type Language, readJoinLink } from "./link";

/** Each has its own page; `data-problem` carries the kind. */
export type ProblemKind =
  | "expired"
  | "incomplete"
  | "foreign"
  | "unconfigured"
  | "invalid"
  | "ended"
  | "unsupported"
  | "full"
  | "elsewhere"
  | "connection_lost"
  | "failed";

export type MediaFailure = "media_permission" | "media_unavailable";

export type JoinChoice = { cameraId: string | null; microphoneId: string | null; withCamera: boolean };

type Common = { language: Language; role: ParticipantRole; config: ClinicConfig | null };

export type VisitState = Common &
  (
    | { phase: "starting" }
    | { phase: "problem"; problem: ProblemKind; canRejoin: boolean }
    | { phase: "device-check"; mediaFailure: MediaFailure | null }
    | { phase: "connecting" }
    | {
        phase: "in-call";
        session: VideoSession;
        providerPresent: boolean;
        /** The patient's waiting room: shown until they are let in (their media held till then). */
        waitingRoom: boolean;
        /**
         * The patient was let in during this connection and is held again while a provider is
         * still here: the clinician sent them back (`VideoSession.admitted` withdrawn), as
         * opposed to having left. The waiting room can then say they will be brought back shortly.
         */
        sentBack: boolean;
        reconnecting: boolean;
        /** What patients sent (the provider's side only). */
        intakes: ReceivedIntake[];
      }
    | { phase: "left" }
  );

export type VisitFlowDeps = {
  location: { hash: string; href: string; pathname: string; search: string };
  history: { state: unknown; replaceState(data: unknown, unused: string, url?: string | null): void };
  nowUnix(): number;
  webRtcSupported(): boolean;
  chooseBackend(link: JoinLink): Promise<VideoBackend>;
  loadConfig(): Promise<ClinicConfig>;
  lowEndMobile: boolean;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

/** Without a receipt the answers go again this long after, up to `INTAKE_SENDS` times in all. */
export const INTAKE_RECEIPT_WAIT_MS = 4000;
export const INTAKE_SENDS = 3;

const PROBLEM_BY_END: Partial<Record<EndReason["kind"], ProblemKind>> = {
  room_completed: "ended",
  token_expired: "expired",
  token_invalid: "invalid",
  room_full: "full",
  duplicate_identity: "elsewhere",
  network: "connection_lost",
};

/** Problems a new connect may cure. */
const REJOINABLE: ReadonlySet<ProblemKind> = new Set(["full", "elsewhere", "connection_lost", "failed"]);

function reasonOf(error: unknown): EndReason {
  if (error instanceof VideoSessionError) return { kind: error.kind, code: error.code, message: error.message };
  return { kind: "other", code: null, message: null };
}

export class VisitFlow {
  readonly #deps: VisitFlowDeps;
  readonly #listeners = new Set<(state: VisitState) => void>();
  #state: VisitState = { phase: "starting", language: "en", role: "unknown", config: null };
  #link: JoinLink | null = null;
  #choice: JoinChoice | null = null;
  #connecting: AbortController | null = null;
  #session: VideoSession | null = null;
  #unlisten: Array<() => void> = [];
  #providerSids = new Set<string>();
  #reconnecting = false;
  readonly #answers = new Map<string, string>();
  #inbox = new IntakeInbox(null);
  /** The visit's intake key (the patient's side): without it the answers are not sent. */
  #intakeKey: Promise<CryptoKey | null> = Promise.resolve(null);
  #resendTimer: unknown = null;
  /** A release under way (the patient being let in). */
  #releasing: Promise<void> | null = null;
  /** The patient has been let in during this connection. */
  #wasLetIn = false;

  constructor(deps: VisitFlowDeps) {
    this.#deps = deps;
  }

  get state(): VisitState {
    return this.#state;
  }

  /** Calls `listener` with the state now and on every change; returns a function that stops it. */
  subscribe(listener: (state: VisitState) => void): () => void {
    this.#listeners.add(listener);
    listener(this.#state);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Reads the link and takes it out of the address bar and history before anything else; then
   * reads the clinic's file, and goes on only with a link for a service the clinic named.
   */
  async start(): Promise<void> {
    const { location, history } = this.#deps;
    const pageUrl = location.href.split("#")[0] ?? "";
    const reading = readJoinLink(location.hash, this.#deps.nowUnix());
    history.replaceState(history.state, "", `${location.pathname}${location.search}`);
    if ("problem" in reading) {
      const problem = reading.problem === "expired" ? "expired" : "incomplete";
      this.#set({ ...this.#state, phase: "problem", problem, canRejoin: false, language: reading.language });
      return;
    }
    const language = reading.ok.language;
    if (!this.#deps.webRtcSupported()) {
      this.#set({ ...this.#state, phase: "problem", problem: "unsupported", canRejoin: false, language });
      return;
    }
    this.#set({ ...this.#state, language });
    const config = await this.#deps.loadConfig();
    const checked = linkForThisClinic(reading.ok, config.services, pageUrl);
    if ("problem" in checked) {
      this.#set({ phase: "problem", problem: checked.problem, canRejoin: false, language, role: "unknown", config });
      return;
    }
    const link = checked.ok;
    this.#link = link;
    this.#inbox = new IntakeInbox(link.intakeKey);
    this.#intakeKey = importIntakeKey(link.intakeKey);
    this.#set({ phase: "device-check", mediaFailure: null, language, role: this.roleOf(link.identity), config });
  }

  async join(choice: JoinChoice): Promise<void> {
    const link = this.#link;
    const phase = this.#state.phase;
    if (!link || (phase !== "device-check" && phase !== "problem" && phase !== "left")) return;
    this.#choice = choice;
    if (link.expiresAt <= this.#deps.nowUnix()) {
      this.#set({ ...this.#state, phase: "problem", problem: "expired", canRejoin: false });
      return;
    }
    const connecting = new AbortController();
    this.#connecting = connecting;
    this.#set({ ...this.#state, phase: "connecting" });
    const role = this.#state.role;
    let session: VideoSession;
    try {
      const backend = await this.#deps.chooseBackend(link);
      if (connecting.signal.aborted) return;
      session = await backend.connect({
        token: link.token,
        providerIdentity: link.provider,
        expectedParticipants: role === "patient" || role === "provider" ? 2 : 3,
        lowEndMobile: this.#deps.lowEndMobile,
        cameraDeviceId: choice.withCamera ? choice.cameraId : null,
        microphoneDeviceId: choice.microphoneId,
        withCamera: choice.withCamera,
        // The patient waits held: nothing captured, sent or received until let in.
        held: role === "patient",
        signal: connecting.signal,
      });
    } catch (error) {
      if (!connecting.signal.aborted) this.#failed(reasonOf(error), "connecting");
      return;
    } finally {
      if (this.#connecting === connecting) this.#connecting = null;
    }
    if (connecting.signal.aborted) {
      session.disconnect();
      return;
    }
    this.#attach(session);
  }

  /** Stops a connect under way and goes back to the device check. */
  cancelJoin(): void {
    if (this.#state.phase !== "connecting") return;
    this.#connecting?.abort();
    this.#connecting = null;
    this.#set({ ...this.#state, phase: "device-check", mediaFailure: null });
  }

  /** Joins again with the devices chosen last time. */
  rejoin(): Promise<void> {
    if (!this.#choice) {
      this.#set({ ...this.#state, phase: "device-check", mediaFailure: null });
      return Promise.resolve();
    }
    return this.join(this.#choice);
  }

  leave(): void {
    const session = this.#session;
    this.#detach();
    session?.disconnect();
    this.#set({ ...this.#state, phase: "left" });
  }

  /** The page is going away: hang up without a goodbye page. */
  dispose(): void {
    this.#connecting?.abort();
    const session = this.#session;
    this.#detach();
    session?.disconnect();
  }

  /** The patient's draft answer; kept in memory only. */
  setIntakeAnswer(id: string, answer: string): void {
    this.#answers.set(id, answer.slice(0, MAX_ANSWER));
  }

  intakeAnswer(id: string): string {
    return this.#answers.get(id) ?? "";
  }

  #set(state: VisitState): void {
    this.#state = state;
    for (const listener of [...this.#listeners]) listener(state);
  }

  /** This page's own role from its link: the link's `p` is the provider. */
  roleOf(identity: string): ParticipantRole {
    // A link without `p`: the provider is whoever has no guest prefix, as the core issues them.
    const provider = this.#link?.provider ?? null;
    const isProvider = provider !== null ? identity === provider : roleOf(identity, null) === "unknown";
    return isProvider ? "provider" : roleOf(identity, null);
  }

  #failed(reason: EndReason, when: "connecting" | "in-call"): void {
    if (reason.kind === "media_permission" || reason.kind === "media_unavailable") {
      this.#set({ ...this.#state, phase: "device-check", mediaFailure: reason.kind });
      return;
    }
    if (reason.kind === "left") {
      this.#set({ ...this.#state, phase: "left" });
      return;
    }
    // A connect that never got through is "could not connect", not "connection lost".
    const problem = reason.kind === "network" && when === "connecting" ? "failed" : (PROBLEM_BY_END[reason.kind] ?? "failed");
    this.#set({ ...this.#state, phase: "problem", problem, canRejoin: REJOINABLE.has(problem) });
  }

  #attach(session: VideoSession): void {
    this.#session = session;
    this.#reconnecting = session.state === "reconnecting";
    this.#providerSids = new Set();
    const sync = () => this.#syncProviders();
    this.#unlisten = [
      session.on("participantJoined", sync),
      session.on("participantLeft", sync),
      session.on("reconnecting", () => {
        this.#reconnecting = true;
        this.#publish();
      }),
      session.on("reconnected", () => {
        this.#reconnecting = false;
        sync();
      }),
      session.on("disconnected", (reason) => {
        this.#detach();
        this.#failed(reason, "in-call");
      }),
      session.on("messageReceived", (text, from) => this.#messageReceived(text, from)),
      session.on("admissionChanged", sync),
    ];
    sync();
  }

  #detach(): void {
    for (const unlisten of this.#unlisten) unlisten();
    this.#unlisten = [];
    this.#session = null;
    this.#reconnecting = false;
    this.#providerSids = new Set();
    this.#releasing = null;
    this.#wasLetIn = false;
    this.#stopResending();
  }

  /**
   * Who of the providers is here now. A patient is let in while one is here and the service
   * admits them (`VideoSession.admitted`): media released, then their answers sent. They are
   * held again, back in the waiting room, when none is left or the clinician sends them back.
   */
  #syncProviders(): void {
    const session = this.#session;
    if (!session) return;
    // The adapter's role, not a name: Twilio's verified identity, or the clinic's proof on Janus.
    const present = new Set([...session.remoteParticipants.values()].filter((p) => p.role === "provider").map((p) => p.sid));
    const arrived = [...present].some((sid) => !this.#providerSids.has(sid));
    this.#providerSids = present;
    if (present.size === 0) this.#stopResending();
    if (this.#state.role === "patient") {
      const letIn = present.size > 0 && session.admitted;
      if (!letIn && !session.held && !this.#releasing) {
        session.hold();
        this.#stopResending();
      }
      if (letIn && session.held) void this.#letIn(session);
      else if (letIn && arrived && !this.#releasing) this.#sendIntake(INTAKE_SENDS);
    }
    this.#publish();
  }

  /** Releases the patient's media; a camera or microphone that fails sends them to the device check. */
  async #letIn(session: VideoSession): Promise<void> {
    if (this.#releasing) return;
    const releasing = session.release();
    this.#releasing = releasing;
    try {
      await releasing;
    } catch (error) {
      if (this.#session !== session) return;
      this.#detach();
      session.disconnect();
      this.#failed(reasonOf(error), "connecting");
      return;
    } finally {
      if (this.#releasing === releasing) this.#releasing = null;
    }
    if (this.#session !== session) return;
    if (this.#providerSids.size === 0 || !session.admitted) session.hold();
    else {
      this.#wasLetIn = true;
      this.#sendIntake(INTAKE_SENDS);
    }
    this.#publish();
  }

  #publish(): void {
    const session = this.#session;
    if (!session) return;
    const providerPresent = this.#providerSids.size > 0;
    this.#set({
      language: this.#state.language,
      role: this.#state.role,
      config: this.#state.config,
      phase: "in-call",
      session,
      providerPresent,
      waitingRoom: this.#state.role === "patient" && (session.held || this.#releasing !== null),
      sentBack: this.#state.role === "patient" && this.#wasLetIn && providerPresent && !session.admitted,
      reconnecting: this.#reconnecting,
      intakes: this.#inbox.intakes,
    });
  }

  #sendIntake(sends: number): void {
    this.#stopResending();
    const questions = this.#state.config?.intake[this.#state.language] ?? [];
    const message = intakeMessage(questions, this.#answers);
    const session = this.#session;
    const sender = this.#link?.identity;
    if (!message || !session || !sender) return;
    // Sealed: everyone in the room gets the data channel's texts; only the clinician can read these.
    void this.#intakeKey.then(async (key) => {
      if (!key) return;
      const sealed = await sealIntake(key, message, sender);
      if (this.#session !== session || this.#providerSids.size === 0) return;
      try {
        session.sendMessage(sealed);
      } catch {
        // Not logged: the message is PHI. The resend below tries again.
      }
    });
    if (sends > 1) {
      this.#resendTimer = this.#deps.setTimeout(() => {
        this.#resendTimer = null;
        if (this.#providerSids.size > 0) this.#sendIntake(sends - 1);
      }, INTAKE_RECEIPT_WAIT_MS);
    }
  }

  #stopResending(): void {
    if (this.#resendTimer !== null) this.#deps.clearTimeout(this.#resendTimer);
    this.#resendTimer = null;
  }

  #messageReceived(text: string, from: RemoteParticipant): void {
    const role = this.#state.role;
    if (role === "patient" && from.role === "provider" && readIntakeReceipt(text) === this.#link?.identity) {
      this.#stopResending();
    } else if (role === "provider") {
      const session = this.#session;
      void this.#inbox.receive(text, from.identity).then((receipt) => {
        if (receipt === null || this.#session !== session || !session) return;
        try {
          session.sendMessage(receipt);
        } catch {
          // Without a receipt the patient's page sends the answers again.
        }
        this.#publish();
      });
    }
  }
}
