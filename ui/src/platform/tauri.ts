// The one module that talks to Tauri. Command names match src-tauri/src/commands.rs.
import { invoke } from "@tauri-apps/api/core";

import type { Platform } from "./index";
import { toAppError } from "./index";

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
};
