// The clinic's join-page settings: visitdesk-join.json next to the join page. A missing or
// broken file falls back to DEFAULT_CONFIG (whose only video service is a Janus behind this
// site's own /janus-ws); a bad field falls back on its own.

import { type ClinicServices, clinicServicesOf } from "./clinicServices";
import type { Language } from "./link";

export type IntakeQuestion = { id: string; question: string };

export type CalmingMedia = { kind: "image" | "video"; url: string };

export type ClinicConfig = {
  welcome: Record<Language, string>;
  /** Same-origin only; null when the clinic configured none (or something refused). */
  calmingMedia: CalmingMedia | null;
  intake: Record<Language, IntakeQuestion[]>;
  /** The only video services this page connects to. */
  services: ClinicServices;
};

export const CONFIG_FILE = "visitdesk-join.json";

const MAX_TEXT = 500;
const MAX_QUESTIONS = 10;
const LANGUAGES: Language[] = ["en", "es"];

export const DEFAULT_CALMING_MEDIA = "calming.svg";

export const DEFAULT_CONFIG_JSON = {
  welcome: {
    en: "Welcome. Thank you for joining on time.",
    es: "Bienvenido. Gracias por conectarse a tiempo.",
  },
  calmingMedia: DEFAULT_CALMING_MEDIA,
  intake: {
    en: [
      { id: "reason", question: "What would you like help with today?" },
      { id: "medications", question: "Have you started or stopped any medicines since your last visit?" },
      { id: "pharmacy", question: "Which pharmacy do you use?" },
    ],
    es: [
      { id: "reason", question: "¿En qué le gustaría que le ayudemos hoy?" },
      { id: "medications", question: "¿Ha empezado o dejado algún medicamento desde su última consulta?" },
      { id: "pharmacy", question: "¿Qué farmacia usa?" },
    ],
  },
  videoServices: { janusServer: "/janus-ws", twilioAccountSid: null },
};

const IMAGE = /\.(svg|png|jpe?g|webp|gif|avif)$/i;
const VIDEO = /\.(mp4|webm|ogv|mov|m4v)$/i;

/**
 * A same-origin media path as a URL, resolved against the page; null for anything else:
 * absolute URLs (with a scheme), protocol-relative `//host/…` however it is spelled, backslashes,
 * unknown file types.
 */
export function calmingMediaOf(path: unknown, pageUrl: string): CalmingMedia | null {
  if (typeof path !== "string" || path === "" || path.length > 300) return null;
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith("//") || path.includes("\\")) return null;
  let url: URL;
  try {
    url = new URL(path, pageUrl);
  } catch {
    return null;
  }
  const page = new URL(pageUrl);
  if (url.origin !== page.origin || (url.protocol !== "https:" && url.protocol !== "http:")) return null;
  // `/.//host/v.mp4` resolves to the path `//host/v.mp4`, which a browser reads as another host.
  if (url.pathname.includes("//")) return null;
  const kind = IMAGE.test(url.pathname) ? "image" : VIDEO.test(url.pathname) ? "video" : null;
  return kind ? { kind, url: url.pathname + url.search } : null;
}

function text(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" && value.length <= MAX_TEXT ? value.trim() : null;
}

function questions(value: unknown): IntakeQuestion[] | null {
  if (!Array.isArray(value)) return null;
  const seen = new Set<string>();
  const result: IntakeQuestion[] = [];
  for (const item of value.slice(0, MAX_QUESTIONS)) {
    const { id, question } = (item ?? {}) as { id?: unknown; question?: unknown };
    const asked = text(question);
    if (typeof id !== "string" || !/^[a-z0-9_-]{1,40}$/i.test(id) || seen.has(id) || asked === null) continue;
    seen.add(id);
    result.push({ id, question: asked });
  }
  return result;
}

/** The clinic's file as a config, each field checked; what is wrong or missing is the default's. */
export function parseClinicConfig(json: unknown, pageUrl: string): ClinicConfig {
  const raw = (json && typeof json === "object" ? json : {}) as Record<string, unknown>;
  const welcome = (raw.welcome ?? {}) as Record<string, unknown>;
  const intake = (raw.intake ?? {}) as Record<string, unknown>;
  const config = {
    welcome: {} as Record<Language, string>,
    calmingMedia: "calmingMedia" in raw && raw.calmingMedia === null ? null : calmingMediaOf(raw.calmingMedia ?? DEFAULT_CALMING_MEDIA, pageUrl),
    intake: {} as Record<Language, IntakeQuestion[]>,
    services: clinicServicesOf(raw.videoServices, pageUrl),
  };
  for (const language of LANGUAGES) {
    config.welcome[language] = text(welcome[language]) ?? DEFAULT_CONFIG_JSON.welcome[language];
    config.intake[language] = questions(intake[language]) ?? DEFAULT_CONFIG_JSON.intake[language];
  }
  return config;
}

export function defaultClinicConfig(pageUrl: string): ClinicConfig {
  return parseClinicConfig(DEFAULT_CONFIG_JSON, pageUrl);
}

/** Fetches the clinic's file from beside the page; never rejects. */
export async function loadClinicConfig(pageUrl: string, fetcher: typeof fetch = fetch): Promise<ClinicConfig> {
  try {
    const response = await fetcher(new URL(CONFIG_FILE, pageUrl).href, { cache: "no-cache", credentials: "same-origin" });
    if (!response.ok) return defaultClinicConfig(pageUrl);
    return parseClinicConfig(await response.json(), pageUrl);
  } catch {
    return defaultClinicConfig(pageUrl);
  }
}
