// The call view's words. The join page's come from join/i18n.ts (English and Spanish); the
// console can pass `stringsFor("en").call`.

import type { ParticipantRole } from "../video/session";

export type CallStrings = {
  you: string;
  roles: Record<ParticipantRole, string>;
  mute: string;
  unmute: string;
  cameraOff: string;
  cameraOn: string;
  devices: string;
  camera: string;
  microphone: string;
  leave: string;
  reconnecting: string;
  waitingForClinician: string;
  speaking: string;
  noVideo: string;
  networkQuality: (level: number) => string;
  switchFailed: string;
  controls: string;
  participants: string;
  chat: {
    open: string;
    title: string;
    none: string;
    label: string;
    send: string;
    failed: string;
    unread: (count: number) => string;
    /** Announced while the panel is closed, with the sender's role label. */
    newFrom: (who: string) => string;
  };
  screen: {
    share: string;
    stop: string;
    /** Where the webview cannot capture a screen: said on the button itself. */
    unavailable: string;
    refused: string;
    failed: string;
    /** The shared screen's label, with the sharer's role label. */
    of: (who: string) => string;
  };
  /** Announced in the call's live region, with the person's role label. */
  changes: Record<"joined" | "left" | "muted" | "unmuted" | "camera_off" | "camera_on", (who: string) => string>;
  /** The clinician's Admit and Send back in the call (Janus). */
  lobby: {
    waiting: string;
    sentBack: string;
    admit: string;
    sendBack: string;
    /** Announced once done, with the patient's label. */
    admitted: (who: string) => string;
    wasSentBack: (who: string) => string;
  };
};

