// Every word the join page shows, in English and Spanish. `satisfies` keeps both complete.

import type { CallStrings } from "../call/callStrings";
import type { BrowserKind, MediaProblem } from "../lib/devices";
import type { Language } from "./link";
import type { ProblemKind } from "./visitFlow";

export type { CallStrings };

export type ProblemText = { title: string; body: string };

export type JoinStrings = {
  pageTitle: string;
  problems: Record<ProblemKind, ProblemText>;
  tryAgain: string;
  unsupportedBrowsers: string[];
  loading: string;
  deviceCheck: {
    title: string;
    intro: string;
    camera: string;
    microphone: string;
    cameraPreview: string;
    micLevel: string;
    speakNow: string;
    starting: string;
    noCamera: string;
    join: string;
    joinWithoutCamera: string;
    retry: string;
    problem: Record<MediaProblem, (what: "camera" | "microphone" | "both") => string>;
    deniedHelp: Record<BrowserKind, string>;
    deniedComputerHelp: string;
    tapToTestMicrophone: string;
  };
  connecting: string;
  cancel: string;
  waitingRoom: {
    title: string;
    connected: string;
    /** Said plainly while waiting: nothing of the patient's camera or microphone is in use. */
    mediaOff: string;
    /** Instead of `connected` when the clinician sent the patient back for a moment. */
    sentBack: string;
    calmingImage: string;
    intakeTitle: string;
    intakeHint: string;
    leave: string;
  };
  reconnectingBanner: string;
  left: ProblemText;
  rejoin: string;
  intakePanel: { title: string; none: string; from: (role: string) => string };
  call: CallStrings;
};

const en = {
  pageTitle: "Your video visit",
  problems: {
    expired: { title: "This link has expired", body: "Ask the clinic for a new one." },
    incomplete: { title: "This link is not complete", body: "Open it again from your text message." },
    foreign: {
      title: "This link was not made by this clinic",
      body: "For your privacy, this page did not connect you. Open the link from your clinic's text message, or call the clinic.",
    },
    unconfigured: {
      title: "Video visits are not set up on this page",
      body: "The clinic has not finished setting up this page, so it did not connect you. Please call the clinic.",
    },
    invalid: { title: "This link is not valid for this visit", body: "Open the newest link the clinic sent you, or ask the clinic for a new one." },
    ended: { title: "This visit has ended", body: "You can close this page. If you still need help, contact the clinic." },
    unsupported: {
      title: "This browser cannot make video calls",
      body: "Open your link again in one of these browsers:",
    },
    full: { title: "This visit is full", body: "Too many people are in the call. Ask the clinic for help, or try again later." },
    elsewhere: { title: "You joined from another screen", body: "This link is now open in another tab or on another device. Close it there, or rejoin here." },
    connection_lost: { title: "The connection was lost", body: "Check your Wi-Fi or mobile data, then rejoin." },
    failed: { title: "We could not connect you", body: "Check your internet connection and try again. If it keeps happening, contact the clinic." },
  },
  tryAgain: "Try again",
  unsupportedBrowsers: ["Chrome, Edge, Firefox or Safari, up to date, on a computer or Android phone", "Safari on iPhone or iPad"],
  loading: "Getting ready…",
  deviceCheck: {
    title: "Check your camera and microphone",
    intro: "Make sure you can see yourself and that the bar moves when you speak.",
    camera: "Camera",
    microphone: "Microphone",
    cameraPreview: "Your camera",
    micLevel: "Microphone level",
    speakNow: "Say something: the bar should move.",
    starting: "Starting your camera and microphone…",
    noCamera: "No camera picture.",
    join: "Join",
    joinWithoutCamera: "Join without camera",
    retry: "Try again",
    problem: {
      denied: (what) =>
        `This page is not allowed to use your ${what === "both" ? "camera and microphone" : what}.`,
      not_found: (what) => `No ${what === "both" ? "camera or microphone" : what} was found. Plug one in, or pick another.`,
      in_use: (what) =>
        `Your ${what === "both" ? "camera and microphone are" : `${what} is`} busy. Close other apps that use ${what === "microphone" ? "it" : "the camera"} (like other video calls), then try again.`,
      other: (what) => `Your ${what === "both" ? "camera and microphone" : what} could not start. Try again.`,
    },
    deniedHelp: {
      chrome: "To allow it: click the icon at the left of the address bar, set Camera and Microphone to Allow, then reload this page.",
      edge: "To allow it: click the lock icon at the left of the address bar, choose Permissions for this site, set Camera and Microphone to Allow, then reload this page.",
      firefox: "To allow it: click the crossed-out camera or microphone icon in the address bar, remove the block, then reload this page and choose Allow.",
      "safari-mac": "To allow it: in the menu bar choose Safari → Settings for This Website, set Camera and Microphone to Allow, then reload this page.",
      "safari-ios": "To allow it: tap aA at the left of the address bar, tap Website Settings, set Camera and Microphone to Allow, then reload this page. If that does not help, open the Settings app → Safari → Camera and Microphone, and choose Ask or Allow.",
      "chrome-android": "To allow it: tap the icon at the left of the address bar, tap Permissions, turn on Camera and Microphone, then reload this page. If Chrome itself is blocked, open Settings → Apps → Chrome → Permissions.",
      other: "To allow it: open this site's settings in your browser, allow the camera and microphone, then reload this page.",
    },
    deniedComputerHelp:
      "If your browser already allows it, your computer may block the browser: on a Mac open System Settings → Privacy & Security → Camera (and Microphone); on Windows open Settings → Privacy & security → Camera (and Microphone).",
    tapToTestMicrophone: "Tap here to test the microphone",
  },
  connecting: "Joining your visit…",
  cancel: "Cancel",
  waitingRoom: {
    title: "Waiting room",
    connected: "You are connected. Your clinician will join you here soon — please keep this page open.",
    mediaOff: "Your camera and microphone are off until your clinician lets you in.",
    sentBack: "Your clinician moved you back to the waiting room for a moment and will bring you back shortly. Please keep this page open.",
    calmingImage: "A calm landscape",
    intakeTitle: "While you wait",
    intakeHint: "Your answers go only to your clinician, when the visit starts. You can skip any question.",
    leave: "Leave",
  },
  reconnectingBanner: "Reconnecting… please keep this page open.",
  left: { title: "You left the visit", body: "If you left by mistake, you can rejoin." },
  rejoin: "Rejoin",
  intakePanel: { title: "Intake answers", none: "No answers yet.", from: (role) => `From the ${role.toLowerCase()}` },
  call: {
    you: "You",
    roles: { provider: "Clinician", patient: "Patient", interpreter: "Interpreter", family: "Family", caregiver: "Caregiver", unknown: "Guest" },
    mute: "Mute",
    unmute: "Unmute",
    cameraOff: "Stop video",
    cameraOn: "Start video",
    devices: "Devices",
    camera: "Camera",
    microphone: "Microphone",
    leave: "Leave",
    reconnecting: "Reconnecting…",
    waitingForClinician: "Waiting for the clinician to join.",
    speaking: "speaking",
    noVideo: "Camera off",
    networkQuality: (level) => `Connection: ${level} of 5`,
    switchFailed: "That device could not start. Pick another.",
    controls: "Call controls",
    participants: "People in the call",
    chat: {
      open: "Chat",
      title: "Chat",
      none: "No messages yet.",
      label: "Message to everyone in the call",
      send: "Send",
      failed: "The message could not be sent. Try again.",
      unread: (count) => `${count} unread`,
      newFrom: (who) => `New message from ${who}.`,
    },
    screen: {
      share: "Share screen",
      stop: "Stop sharing",
      unavailable: "Screen sharing is not available here",
      refused: "Screen sharing was not allowed.",
      failed: "The screen could not be shared. Try again.",
      of: (who) => `${who}'s screen`,
    },
    changes: {
      joined: (who) => `${who} joined the call.`,
      left: (who) => `${who} left the call.`,
      muted: (who) => `${who} muted their microphone.`,
      unmuted: (who) => `${who} turned their microphone on.`,
      camera_off: (who) => `${who} turned their camera off.`,
      camera_on: (who) => `${who} turned their camera on.`,
    },
    lobby: {
      waiting: "Waiting to be let in",
      sentBack: "In the waiting room",
      admit: "Admit",
      sendBack: "Send back to waiting room",
      admitted: (who) => `${who} let in.`,
      wasSentBack: (who) => `${who} sent back to the waiting room.`,
    },
  },
} satisfies JoinStrings;

const es = {
  pageTitle: "Su consulta por video",
  problems: {
    expired: { title: "Este enlace ha caducado", body: "Pida uno nuevo a la clínica." },
    incomplete: { title: "Este enlace no está completo", body: "Ábralo de nuevo desde su mensaje de texto." },
    foreign: {
      title: "Este enlace no lo creó esta clínica",
      body: "Para proteger su privacidad, esta página no lo conectó. Abra el enlace del mensaje de texto de su clínica o llame a la clínica.",
    },
    unconfigured: {
      title: "Las consultas por video no están configuradas en esta página",
      body: "La clínica no ha terminado de configurar esta página, así que no lo conectó. Llame a la clínica, por favor.",
    },
    invalid: { title: "Este enlace no es válido para esta consulta", body: "Abra el enlace más reciente que le envió la clínica, o pida uno nuevo." },
    ended: { title: "Esta consulta ha terminado", body: "Puede cerrar esta página. Si aún necesita ayuda, comuníquese con la clínica." },
    unsupported: {
      title: "Este navegador no puede hacer videollamadas",
      body: "Abra su enlace de nuevo en uno de estos navegadores:",
    },
    full: { title: "Esta consulta está llena", body: "Hay demasiadas personas en la llamada. Pida ayuda a la clínica o vuelva a intentarlo más tarde." },
    elsewhere: { title: "Se unió desde otra pantalla", body: "Este enlace está abierto en otra pestaña o en otro dispositivo. Ciérrelo allí, o vuelva a unirse aquí." },
    connection_lost: { title: "Se perdió la conexión", body: "Revise su Wi-Fi o sus datos móviles y vuelva a unirse." },
    failed: { title: "No pudimos conectarle", body: "Revise su conexión a internet e inténtelo de nuevo. Si sigue pasando, comuníquese con la clínica." },
  },
  tryAgain: "Intentar de nuevo",
  unsupportedBrowsers: ["Chrome, Edge, Firefox o Safari, actualizados, en una computadora o un teléfono Android", "Safari en iPhone o iPad"],
  loading: "Preparando…",
  deviceCheck: {
    title: "Revise su cámara y su micrófono",
    intro: "Asegúrese de que se ve en la pantalla y de que la barra se mueve cuando habla.",
    camera: "Cámara",
    microphone: "Micrófono",
    cameraPreview: "Su cámara",
    micLevel: "Nivel del micrófono",
    speakNow: "Diga algo: la barra debe moverse.",
    starting: "Encendiendo su cámara y su micrófono…",
    noCamera: "No hay imagen de la cámara.",
    join: "Unirse",
    joinWithoutCamera: "Unirse sin cámara",
    retry: "Intentar de nuevo",
    problem: {
      denied: (what) =>
        `Esta página no tiene permiso para usar ${what === "both" ? "su cámara ni su micrófono" : what === "camera" ? "su cámara" : "su micrófono"}.`,
      not_found: (what) =>
        `No se encontró ${what === "both" ? "cámara ni micrófono" : what === "camera" ? "ninguna cámara" : "ningún micrófono"}. Conecte uno o elija otro.`,
      in_use: (what) =>
        `${what === "both" ? "Su cámara y su micrófono están ocupados" : what === "camera" ? "Su cámara está ocupada" : "Su micrófono está ocupado"}. Cierre otras aplicaciones que lo usen (como otras videollamadas) e inténtelo de nuevo.`,
      other: (what) =>
        `${what === "both" ? "Su cámara y su micrófono no pudieron encenderse" : what === "camera" ? "Su cámara no pudo encenderse" : "Su micrófono no pudo encenderse"}. Inténtelo de nuevo.`,
    },
    deniedHelp: {
      chrome: "Para permitirlo: haga clic en el icono a la izquierda de la barra de direcciones, ponga Cámara y Micrófono en Permitir y vuelva a cargar esta página.",
      edge: "Para permitirlo: haga clic en el candado a la izquierda de la barra de direcciones, elija Permisos para este sitio, ponga Cámara y Micrófono en Permitir y vuelva a cargar esta página.",
      firefox: "Para permitirlo: haga clic en el icono tachado de cámara o micrófono en la barra de direcciones, quite el bloqueo, vuelva a cargar esta página y elija Permitir.",
      "safari-mac": "Para permitirlo: en la barra de menús elija Safari → Ajustes de este sitio web, ponga Cámara y Micrófono en Permitir y vuelva a cargar esta página.",
      "safari-ios": "Para permitirlo: toque aA a la izquierda de la barra de direcciones, toque Ajustes del sitio web, ponga Cámara y Micrófono en Permitir y vuelva a cargar esta página. Si no funciona, abra la app Ajustes → Safari → Cámara y Micrófono, y elija Preguntar o Permitir.",
      "chrome-android": "Para permitirlo: toque el icono a la izquierda de la barra de direcciones, toque Permisos, active Cámara y Micrófono y vuelva a cargar esta página. Si Chrome está bloqueado, abra Ajustes → Aplicaciones → Chrome → Permisos.",
      other: "Para permitirlo: abra los ajustes de este sitio en su navegador, permita la cámara y el micrófono y vuelva a cargar esta página.",
    },
    deniedComputerHelp:
      "Si su navegador ya lo permite, puede que su computadora bloquee el navegador: en una Mac abra Ajustes del Sistema → Privacidad y seguridad → Cámara (y Micrófono); en Windows abra Configuración → Privacidad y seguridad → Cámara (y Micrófono).",
    tapToTestMicrophone: "Toque aquí para probar el micrófono",
  },
  connecting: "Entrando a su consulta…",
  cancel: "Cancelar",
  waitingRoom: {
    title: "Sala de espera",
    connected: "Está conectado. Su profesional de salud se unirá aquí pronto; por favor, mantenga esta página abierta.",
    mediaOff: "Su cámara y su micrófono están apagados hasta que su profesional de salud le dé paso.",
    sentBack: "Su profesional de salud le pasó un momento a la sala de espera y le hará volver en breve. Por favor, mantenga esta página abierta.",
    calmingImage: "Un paisaje tranquilo",
    intakeTitle: "Mientras espera",
    intakeHint: "Sus respuestas llegan solo a su profesional de salud, cuando empiece la consulta. Puede saltarse cualquier pregunta.",
    leave: "Salir",
  },
  reconnectingBanner: "Reconectando… por favor, mantenga esta página abierta.",
  left: { title: "Salió de la consulta", body: "Si salió por error, puede volver a unirse." },
  rejoin: "Volver a unirse",
  intakePanel: { title: "Respuestas de admisión", none: "Aún no hay respuestas.", from: (role) => `De: ${role.toLowerCase()}` },
  call: {
    you: "Usted",
    roles: { provider: "Profesional de salud", patient: "Paciente", interpreter: "Intérprete", family: "Familiar", caregiver: "Cuidador", unknown: "Invitado" },
    mute: "Silenciar",
    unmute: "Activar micrófono",
    cameraOff: "Apagar video",
    cameraOn: "Encender video",
    devices: "Dispositivos",
    camera: "Cámara",
    microphone: "Micrófono",
    leave: "Salir",
    reconnecting: "Reconectando…",
    waitingForClinician: "Esperando a que se una el profesional de salud.",
    speaking: "hablando",
    noVideo: "Cámara apagada",
    networkQuality: (level) => `Conexión: ${level} de 5`,
    switchFailed: "Ese dispositivo no pudo encenderse. Elija otro.",
    controls: "Controles de la llamada",
    participants: "Personas en la llamada",
    chat: {
      open: "Mensajes",
      title: "Mensajes de la llamada",
      none: "Aún no hay mensajes.",
      label: "Mensaje para todos en la llamada",
      send: "Enviar",
      failed: "No se pudo enviar el mensaje. Inténtelo de nuevo.",
      unread: (count) => `${count} sin leer`,
      newFrom: (who) => `Nuevo mensaje de: ${who}.`,
    },
    screen: {
      share: "Compartir pantalla",
      stop: "Dejar de compartir",
      unavailable: "Aquí no se puede compartir la pantalla",
      refused: "No se permitió compartir la pantalla.",
      failed: "No se pudo compartir la pantalla. Inténtelo de nuevo.",
      of: (who) => `Pantalla de: ${who}`,
    },
    changes: {
      joined: (who) => `${who} se unió a la llamada.`,
      left: (who) => `${who} salió de la llamada.`,
      muted: (who) => `${who} silenció su micrófono.`,
      unmuted: (who) => `${who} activó su micrófono.`,
      camera_off: (who) => `${who} apagó su cámara.`,
      camera_on: (who) => `${who} encendió su cámara.`,
    },
    lobby: {
      waiting: "Esperando para entrar",
      sentBack: "En la sala de espera",
      admit: "Dejar entrar",
      sendBack: "Enviar a la sala de espera",
      admitted: (who) => `${who}: ha entrado.`,
      wasSentBack: (who) => `${who}: enviado a la sala de espera.`,
    },
  },
} satisfies JoinStrings;

export const STRINGS: Record<Language, JoinStrings> = { en, es };

export function stringsFor(language: Language): JoinStrings {
  return STRINGS[language];
}
