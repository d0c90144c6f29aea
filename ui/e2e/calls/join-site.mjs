// The join page (ui/vite.join.config.ts) built and served as a clinic hosts it, Janus's WebSocket
// transport behind `/janus-ws` on the page's origin, and Janus join links in the format
// ui/src/join/link.ts reads.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { build } from "vite";

import { ROOT, coreToken, roomToken } from "./janus.mjs";
import { serveFolder } from "./static-server.mjs";

/**
 * Builds the page into a scratch folder and serves it: `/janus-ws` passed on to Janus's WebSocket
 * transport, and visitdesk-join.json naming `/janus-ws` as the
 * clinic's Janus (or `services`). Resolves to `{ url, chunks, requests, setServices(), close() }`;
 * `chunks` are the build's JS chunks (Rollup output), `requests` every URL the site was asked
 * for; `setServices` rewrites `videoServices`, as the clinic does once the console shows its key.
 */
export async function serveJoinSite(janus, { services = { janusServer: "/janus-ws" }, websockets = {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "visitdesk-join-site-"));
  const built = await build({ configFile: join(ROOT, "ui/vite.join.config.ts"), root: join(ROOT, "ui"), build: { outDir: dir }, logLevel: "warn" });
  const chunks = (Array.isArray(built) ? built[0] : built).output.filter((file) => file.type === "chunk");
  const shipped = JSON.parse(readFileSync(join(dir, "visitdesk-join.json"), "utf8"));
  const setServices = (videoServices) => writeFileSync(join(dir, "visitdesk-join.json"), JSON.stringify({ ...shipped, videoServices }));
  setServices(services);
  const site = await serveFolder(dir, { websockets: { ...(janus?.ws ? { "/janus-ws": janus.ws } : {}), ...websockets } });
  return {
    url: site.url,
    chunks,
    requests: site.requests,
    setServices,
    close: async () => {
      await site.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The address browsers use for the served site's Janus: its WebSocket transport, on the page's origin. */
export const janusBrowserUrl = (siteUrl) => `ws://${new URL(siteUrl).host}/janus-ws`;

/**
 * A Janus join link for `identity` in `room`, as the core writes them (tokens signed with janus's
 * secret). With `clinic` (janus.mjs `testClinic()`): the clinician's link gets their participant
 * id and proof, and the patient's and the clinician's the visit's intake key.
 */
export function janusJoinLink(siteUrl, janus, { room, identity, provider, language = "en", server = janusBrowserUrl(siteUrl), clinic = null }) {
  const params = new URLSearchParams({
    t: roomToken(janus.tokenSecret, room),
    l: language,
    p: provider,
    b: "janus",
    s: server,
    r: String(room),
    i: identity,
    c: coreToken(janus.tokenSecret),
  });
  if (clinic && (identity === provider || identity.startsWith("patient-"))) params.set("k", clinic.intakeKey(room));
  if (clinic && identity === provider) {
    params.set("j", String(clinic.participantId(room)));
    params.set("v", clinic.proof(room, clinic.participantId(room), identity));
  }
  return `${siteUrl}join.html#${params}`;
}
