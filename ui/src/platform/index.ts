// The UI's only view of the desktop. Screens receive a Platform; tests pass a fake one.
// Only ./tauri.ts imports @tauri-apps/*.
import type {
  AppError,
  AppState,
  ConnectionCheck,
  FieldError,
  SaveOutcome,
  SetupForm,
} from "../generated/bindings";

export interface Platform {
  appState(): Promise<AppState>;
  checkSetupForm(form: SetupForm): Promise<FieldError[]>;
  testConnection(form: SetupForm): Promise<ConnectionCheck>;
  testSavedConnection(): Promise<ConnectionCheck>;
  saveSetup(form: SetupForm): Promise<SaveOutcome>;
  signOut(): Promise<AppState>;
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
