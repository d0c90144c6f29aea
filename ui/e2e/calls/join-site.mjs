// The join page (ui/vite.join.config.ts) built and served as a clinic hosts it, Janus behind
// `/janus` on the page's origin, and Janus join links in the format ui/src/join/link.ts reads.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { build } from "vite";

import { ROOT, coreToken, roomToken } from "./janus.mjs";
import { serveFolder } from "./static-server.mjs";

/**
 * Builds the page into a scratch folder and serves it, `/janus` passed on to `janus`.
 * Resolves to `{ url, chunks, close() }`; `chunks` are the build's JS chunks (Rollup output).
 */
export async function serveJoinSite(janus) {
  const dir = mkdtempSync(join(tmpdir(), "visitdesk-join-site-"));
  const built = await build({ configFile: join(ROOT, "ui/vite.join.config.ts"), root: join(ROOT, "ui"), build: { outDir: dir }, logLevel: "warn" });
  const chunks = (Array.isArray(built) ? built[0] : built).output.filter((file) => file.type === "chunk");
  const site = await serveFolder(dir, { proxy: { "/janus": new URL(janus.http).origin } });
  return {
    url: site.url,
    chunks,
    close: async () => {
      await site.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Janus join link for `identity` in `room`, as the core writes them (tokens signed with janus's secret). */
export function janusJoinLink(siteUrl, janus, { room, identity, provider, language = "en" }) {
  const params = new URLSearchParams({
    t: roomToken(janus.tokenSecret, room),
    l: language,
    p: provider,
    b: "janus",
    s: `${new URL(siteUrl).origin}/janus`,
    r: String(room),
    i: identity,
    c: coreToken(janus.tokenSecret),
  });
  return `${siteUrl}join.html#${params}`;
}
