// The one module that talks to Tauri. Command names match src-tauri/src/commands.rs.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";

import type { VisitFocusRequest, WaitingRoomEvent } from "../generated/bindings";
import type { Platform } from "./index";
import { toAppError } from "./index";

/** The event the shell emits for each waiting-room change (src-tauri/src/monitor_events.rs). */
const WAITING_ROOM_EVENT = "waiting-room";
/** The event the shell emits when an arrival notification is clicked (src-tauri/src/arrival_alert.rs). */
const FOCUS_VISIT_EVENT = "focus-visit";

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (thrown) {
    throw toAppError(thrown);
  }
}

export const tauriPlatform: Platform = {
  appState: () => call("app_state"),
  checkSetupForm: (form) => call("check_setup_form", { form }),
  testConnection: (form) => call("test_connection", { form }),
  testSavedConnection: () => call("test_saved_connection"),
  saveSetup: (form) => call("save_setup", { form }),
  signOut: () => call("sign_out"),
  clinicSettings: () => call("clinic_settings"),
  saveClinicSettings: (settings) => call("save_clinic_settings", { settings }),
  saveJanusSecrets: (form) => call("save_janus_secrets", { form }),
  openVisitInBrowser: (visitId) => call("open_visit_in_browser", { visitId }),
  listVisits: (from, to) => call("list_visits", { from, to }),
  createVisit: (form) => call("create_visit", { form }),
  editVisit: (id, form) => call("edit_visit", { id, form }),
  cancelVisit: (id) => call("cancel_visit", { id }),
  markNoShow: (id) => call("mark_no_show", { id }),
  startVisit: (visitId) => call("start_visit", { visitId }),
  preflightToken: () => call("preflight_token"),
  endVisit: (visitId) => call("end_visit", { visitId }),
  removeParticipant: (visitId, participant) => call("remove_participant", { visitId, participant }),
  inviteGuest: (request) => call("invite_guest", { request }),
  sendRunningLate: (request) => call("send_running_late", { request }),
  visitInvites: (visitId) => call("visit_invites", { visitId }),
  smsDelivery: (visitId, inviteId) => call("sms_delivery", { visitId, inviteId }),
  auditLog: () => call("audit_log"),
  verifyAuditLog: () => call("verify_audit_log"),
  waitingRoom: () => call("waiting_room"),
  onWaitingRoomEvent: (handler) => listen<WaitingRoomEvent>(WAITING_ROOM_EVENT, (event) => handler(event.payload)),
  onFocusVisit: (handler) => listen<VisitFocusRequest>(FOCUS_VISIT_EVENT, (event) => handler(event.payload)),
  managedPolicy: () => call("managed_policy"),
  checkForUpdate: () => call("check_for_update"),
  installUpdate: () => call("install_update"),
};
