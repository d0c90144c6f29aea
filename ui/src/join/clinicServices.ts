// The video services the clinic named in visitdesk-join.json: the only ones this page ever
// connects to. A link naming any other Janus server or Twilio account is refused before the
// page sends anything (a crafted link must not stream a patient to a stranger).

import { JOIN_PAGE_KEY_PATTERN } from "../video/janus/clinicianProof";
import type { JoinLink } from "./link";

export type ClinicServices = {
  /** The clinic's Janus WebSocket address (wss:, or ws: on this computer); null: none. */
  janusServer: string | null;
  /**
   * The clinic's join page key (Settings → Video service in the console): on Janus, only who
   * proves to be the clinician with it is taken for them. Janus links need it.
   */
  janusClinicianKey: string | null;
  /** The clinic's Twilio Account SID; null: none. */
  twilioAccountSid: string | null;
};

export const NO_SERVICES: ClinicServices = { janusServer: null, janusClinicianKey: null, twilioAccountSid: null };

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);
const ACCOUNT_SID = /^AC[0-9a-f]{32}$/;

/**
 * A Janus address as the page compares and uses it, or null. A path on this site (`/janus-ws`)
 * becomes a WebSocket address on the page's origin. Only WebSockets: janus.js's HTTP transport
 * puts the session token in long-poll URLs, which web servers log.
 */
export function janusServerOf(value: unknown, pageUrl: string): string | null {
  if (typeof value !== "string" || value === "" || value.length > 300 || value.includes("\\")) return null;
  let url: URL;
  try {
    if (value.startsWith("/") && !value.startsWith("//")) {
      url = new URL(value, pageUrl);
      url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    } else {
      url = new URL(value);
    }
  } catch {
    return null;
  }
  const secure = url.protocol === "wss:" || (url.protocol === "ws:" && LOOPBACK_HOSTS.has(url.hostname));
  if (!secure || url.username || url.password || url.search || url.hash) return null;
  return url.href.replace(/\/$/, "");
}

/** The `videoServices` object of the clinic's file; what is wrong or missing is none. */
export function clinicServicesOf(value: unknown, pageUrl: string): ClinicServices {
  const raw = (value && typeof value === "object" ? value : {}) as Record<string, unknown>;
  const sid = raw.twilioAccountSid;
  const key = raw.janusClinicianKey;
  return {
    janusServer: janusServerOf(raw.janusServer, pageUrl),
    janusClinicianKey: typeof key === "string" && JOIN_PAGE_KEY_PATTERN.test(key) ? key : null,
    twilioAccountSid: typeof sid === "string" && ACCOUNT_SID.test(sid) ? sid : null,
  };
}

/** Why a link cannot be used on this page: made elsewhere, or the page names no service at all. */
export type ServiceProblem = "foreign" | "unconfigured";

/**
 * The link, its Janus address replaced by the clinic's own, when it is for a service the clinic
 * named; otherwise why not. Nothing here is sent anywhere.
 */
export function linkForThisClinic(link: JoinLink, services: ClinicServices, pageUrl: string): { ok: JoinLink } | { problem: ServiceProblem } {
  if (services.janusServer === null && services.twilioAccountSid === null) return { problem: "unconfigured" };
  if (link.backend === "twilio") {
    return services.twilioAccountSid !== null && link.account === services.twilioAccountSid ? { ok: link } : { problem: "foreign" };
  }
  const server = services.janusServer;
  if (server === null || janusServerOf(link.server, pageUrl) !== server) return { problem: "foreign" };
  // Without the clinic's key the page could not tell the clinician from anyone using their name.
  if (services.janusClinicianKey === null) return { problem: "unconfigured" };
  return { ok: { ...link, server, clinicianKey: services.janusClinicianKey } };
}
