// Generated from src-tauri/src/command_list.rs by `VISITDESK_UPDATE_BINDINGS=1 cargo test -p visitdesk --lib generated`.
// Do not edit by hand.

import type { AdmissionDecision, AppState, AuditEntry, AuditReport, ClinicSettings, ConnectionCheck, FieldError, Invite, InviteRequest, InviteSent, JanusSecretsForm, JoinInfo, PolicyView, PreflightToken, RunningLateRequest, SaveOutcome, SetupForm, SmsDelivery, UpdateCheck, UpdateInstalled, Visit, VisitForm, VisitPresence } from "./bindings";

/** Each command's name and argument names, in order, keyed by the method that calls it. */
export const COMMANDS = {
  appState: { name: "app_state", args: [] },
  checkSetupForm: { name: "check_setup_form", args: ["form"] },
  testConnection: { name: "test_connection", args: ["form"] },
  testSavedConnection: { name: "test_saved_connection", args: [] },
  saveSetup: { name: "save_setup", args: ["form"] },
  signOut: { name: "sign_out", args: [] },
  clinicSettings: { name: "clinic_settings", args: [] },
  saveClinicSettings: { name: "save_clinic_settings", args: ["settings"] },
  saveJanusSecrets: { name: "save_janus_secrets", args: ["form"] },
  janusJoinPageKey: { name: "janus_join_page_key", args: [] },
  listVisits: { name: "list_visits", args: ["from", "to"] },
  createVisit: { name: "create_visit", args: ["form"] },
  editVisit: { name: "edit_visit", args: ["id", "form"] },
  cancelVisit: { name: "cancel_visit", args: ["id"] },
  markNoShow: { name: "mark_no_show", args: ["id"] },
  startVisit: { name: "start_visit", args: ["visitId"] },
  openVisitInBrowser: { name: "open_visit_in_browser", args: ["visitId"] },
  endVisit: { name: "end_visit", args: ["visitId"] },
  removeParticipant: { name: "remove_participant", args: ["visitId", "participant"] },
  inviteGuest: { name: "invite_guest", args: ["request"] },
  sendRunningLate: { name: "send_running_late", args: ["request"] },
  visitInvites: { name: "visit_invites", args: ["visitId"] },
  smsDelivery: { name: "sms_delivery", args: ["visitId", "inviteId"] },
  preflightToken: { name: "preflight_token", args: [] },
  auditLog: { name: "audit_log", args: [] },
  verifyAuditLog: { name: "verify_audit_log", args: [] },
  waitingRoom: { name: "waiting_room", args: [] },
  decideAdmission: { name: "decide_admission", args: ["visitId", "decision"] },
  managedPolicy: { name: "managed_policy", args: [] },
  checkForUpdate: { name: "check_for_update", args: [] },
  installUpdate: { name: "install_update", args: [] },
} as const;

/** One method per command; the platform implements them all. */
export interface Commands {
  /** The screen to open with: setup, the console, or a keychain problem. */
  appState(): Promise<AppState>;
  /** The setup form's field errors, without saving anything. */
  checkSetupForm(form: SetupForm): Promise<Array<FieldError>>;
  testConnection(form: SetupForm): Promise<ConnectionCheck>;
  testSavedConnection(): Promise<ConnectionCheck>;
  saveSetup(form: SetupForm): Promise<SaveOutcome>;
  signOut(): Promise<AppState>;
  clinicSettings(): Promise<ClinicSettings>;
  saveClinicSettings(settings: ClinicSettings): Promise<ClinicSettings>;
  /** Keeps a Janus server's admin key and token secret in the keychain. */
  saveJanusSecrets(form: JanusSecretsForm): Promise<void>;
  /** The clinic's join page key, for the join page's `visitdesk-join.json` (`videoServices.janusClinicianKey`): derived from the saved Janus token secret. Rejects with `not_configured` when none is saved. */
  janusJoinPageKey(): Promise<string>;
  /** Visits scheduled in [from, to), unix seconds. */
  listVisits(from: number, to: number): Promise<Array<Visit>>;
  createVisit(form: VisitForm): Promise<Visit>;
  editVisit(id: string, form: VisitForm): Promise<Visit>;
  cancelVisit(id: string): Promise<Visit>;
  markNoShow(id: string): Promise<Visit>;
  startVisit(visitId: string): Promise<JoinInfo>;
  /** Starts the visit and opens the call in the system browser (webviews without WebRTC). */
  openVisitInBrowser(visitId: string): Promise<void>;
  endVisit(visitId: string): Promise<Visit>;
  removeParticipant(visitId: string, participant: string): Promise<void>;
  /** Rejects with `invite_outcome_unknown` or `service_*` when the text or call did not clearly go out. */
  inviteGuest(request: InviteRequest): Promise<InviteSent>;
  sendRunningLate(request: RunningLateRequest): Promise<Invite>;
  visitInvites(visitId: string): Promise<Array<Invite>>;
  /** Twilio's delivery status of a texted invite. */
  smsDelivery(visitId: string, inviteId: string): Promise<SmsDelivery>;
  /** A short-lived token for Twilio's network preflight. */
  preflightToken(): Promise<PreflightToken>;
  auditLog(): Promise<Array<AuditEntry>>;
  verifyAuditLog(): Promise<AuditReport>;
  /** The waiting room as the monitor last saw it. */
  waitingRoom(): Promise<Array<VisitPresence>>;
  /** The clinician lets the waiting patient in, or sends them back to the waiting room. Rejects with `visit_state_conflict` without the patient, or on Janus. */
  decideAdmission(visitId: string, decision: AdmissionDecision): Promise<void>;
  /** What IT's policy manages on this computer, against the provider's own saved settings. */
  managedPolicy(): Promise<PolicyView>;
  /** Asks the update feed (from the saved settings) whether a newer VisitDesk exists. */
  checkForUpdate(): Promise<UpdateCheck>;
  /** Downloads the update the last check found, verifies its signature and installs it; it takes effect on restart. Rejects with `update_signature_invalid` when nothing was installed. */
  installUpdate(): Promise<UpdateInstalled>;
}
