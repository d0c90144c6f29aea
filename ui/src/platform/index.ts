// The UI's only view of the desktop. Screens receive a Platform; tests pass a fake one.
// Only ./tauri.ts imports @tauri-apps/*.
import type {
  AppError,
  AppState,
  AuditEntry,
  AuditReport,
  ClinicSettings,
  ConnectionCheck,
  FieldError,
  Invite,
  InviteRequest,
  InviteSent,
  JanusSecretsForm,
  JoinInfo,
  PolicyView,
  PreflightToken,
  RunningLateRequest,
  SaveOutcome,
  SetupForm,
  SmsDelivery,
  UpdateCheck,
  UpdateInstalled,
  Visit,
  VisitForm,
  VisitFocusRequest,
  VisitPresence,
  WaitingRoomEvent,
} from "../generated/bindings";

export interface Platform {
  appState(): Promise<AppState>;
  checkSetupForm(form: SetupForm): Promise<FieldError[]>;
  testConnection(form: SetupForm): Promise<ConnectionCheck>;
  testSavedConnection(): Promise<ConnectionCheck>;
  saveSetup(form: SetupForm): Promise<SaveOutcome>;
  signOut(): Promise<AppState>;
  clinicSettings(): Promise<ClinicSettings>;
  saveClinicSettings(settings: ClinicSettings): Promise<ClinicSettings>;
  /** Keeps a Janus server's admin key and token secret in the keychain. */
  saveJanusSecrets(form: JanusSecretsForm): Promise<void>;
  /** Starts the visit and opens the call in the system browser (webviews without WebRTC). */
  openVisitInBrowser(visitId: string): Promise<void>;
  /** Visits scheduled in [from, to), unix seconds. */
  listVisits(from: number, to: number): Promise<Visit[]>;
  createVisit(form: VisitForm): Promise<Visit>;
  editVisit(id: string, form: VisitForm): Promise<Visit>;
  cancelVisit(id: string): Promise<Visit>;
  markNoShow(id: string): Promise<Visit>;
  startVisit(visitId: string): Promise<JoinInfo>;
  /** A short-lived token for Twilio's network preflight. */
  preflightToken(): Promise<PreflightToken>;
  endVisit(visitId: string): Promise<Visit>;
  removeParticipant(visitId: string, participant: string): Promise<void>;
  /** Rejects with code `invite_outcome_unknown` or `twilio_*` when the text or call did not clearly go out. */
  inviteGuest(request: InviteRequest): Promise<InviteSent>;
  sendRunningLate(request: RunningLateRequest): Promise<Invite>;
  visitInvites(visitId: string): Promise<Invite[]>;
  /** Twilio's delivery status of a texted invite. */
  smsDelivery(visitId: string, inviteId: string): Promise<SmsDelivery>;
  auditLog(): Promise<AuditEntry[]>;
  verifyAuditLog(): Promise<AuditReport>;
  /** The waiting room as the monitor last saw it. */
  waitingRoom(): Promise<VisitPresence[]>;
  /** Calls `handler` for each monitor event; resolves to a function that stops listening. */
  onWaitingRoomEvent(handler: (event: WaitingRoomEvent) => void): Promise<() => void>;
  /** Calls `handler` when the provider clicks an arrival notification; resolves to a function that stops listening. */
  onFocusVisit(handler: (request: VisitFocusRequest) => void): Promise<() => void>;
  /** What IT's policy manages on this computer, against the provider's own saved settings. */
  managedPolicy(): Promise<PolicyView>;
  /** Asks the update feed (from the saved settings) whether a newer VisitDesk exists. */
  checkForUpdate(): Promise<UpdateCheck>;
  /**
   * Downloads the update the last check found, verifies its signature and installs it; it
   * takes effect on restart. Rejects with `update_signature_invalid` when nothing was installed.
   */
  installUpdate(): Promise<UpdateInstalled>;
}

/** Every rejection from the platform is an AppError, whatever the core or IPC threw. */
export function toAppError(thrown: unknown): AppError {
  if (typeof thrown === "object" && thrown !== null && "code" in thrown && "message" in thrown) {
    const error = thrown as Partial<AppError>;
    return {
      code: error.code ?? "internal",
      message: String(error.message),
      fields: error.fields ?? [],
      twilio: error.twilio ?? null,
    };
  }
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return { code: "internal", message: `VisitDesk hit an internal error: ${message}`, fields: [], twilio: null };
}
