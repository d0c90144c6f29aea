// Tauri's isolation pattern: every IPC message from the UI passes through this sandboxed
// frame before it reaches the core. Only the commands the console uses go through.
const ALLOWED_COMMANDS = new Set([
  "app_state",
  "check_setup_form",
  "test_connection",
  "test_saved_connection",
  "save_setup",
  "sign_out",
  "clinic_settings",
  "save_clinic_settings",
  "save_janus_secrets",
  "list_visits",
  "create_visit",
  "edit_visit",
  "cancel_visit",
  "mark_no_show",
  "start_visit",
  "open_visit_in_browser",
  "end_visit",
  "remove_participant",
  "invite_guest",
  "send_running_late",
  "visit_invites",
  "sms_delivery",
  "preflight_token",
  "audit_log",
  "verify_audit_log",
  "waiting_room",
  "managed_policy",
  "check_for_update",
  "install_update",
]);

window.__TAURI_ISOLATION_HOOK__ = (payload) => {
  const command = payload && payload.cmd;
  if (typeof command === "string" && !command.startsWith("plugin:") && !ALLOWED_COMMANDS.has(command)) {
    throw new Error(`VisitDesk isolation: command ${command} is not allowed`);
  }
  return payload;
};
