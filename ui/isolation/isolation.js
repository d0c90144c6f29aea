// Tauri's isolation pattern: every IPC message from the UI passes through this sandboxed
// frame before it reaches the core. Only the commands the console uses go through:
// ALLOWED_COMMANDS, from allowed-commands.js (generated from src-tauri/src/command_list.rs).
/* global ALLOWED_COMMANDS */
window.__TAURI_ISOLATION_HOOK__ = (payload) => {
  const command = payload && payload.cmd;
  if (typeof command === "string" && !command.startsWith("plugin:") && !ALLOWED_COMMANDS.has(command)) {
    throw new Error(`VisitDesk isolation: command ${command} is not allowed`);
  }
  return payload;
};
