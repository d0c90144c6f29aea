// Call figures on the Janus backend, in one run: admission (and provider click) → first remote
// frame at the waiting patient, the waiting room hiding, Share screen → first screen frame, Janus CPU and memory in a 3-party call beside an idle
// room, and the join page's JavaScript size. The real join page (built from
// ui/vite.join.config.ts, Janus's WebSocket behind /janus-ws), Chromium pages with fake devices, a throwaway
// Janus with media on jp0. Run by bench/run calls (inside scripts/with-netns). Prints tables;
// asserts nothing; exits non-zero only when the infrastructure fails.
import { gzipSync } from "node:zlib";

import { launchChromium, openPage } from "../ui/e2e/calls/chromium.mjs";
import { JanusAdmin, startJanus, testClinic } from "../ui/e2e/calls/janus.mjs";
import { janusJoinLink, serveJoinSite } from "../ui/e2e/calls/join-site.mjs";
import { liveStreams, recordPeerConnections } from "../ui/e2e/calls/peer-stats.mjs";
import { MEDIA_INTERFACE, callsSkipReason, eventually } from "../ui/e2e/calls/support.mjs";
import { CLOCK_TICKS_PER_SECOND, cpuTicks, descendants, median, pssKiB, rssKiB } from "./lib/processes.mjs";

const JOINS = Number(process.env.BENCH_CALL_JOINS ?? 20);
const SHARES = Number(process.env.BENCH_CALL_SHARES ?? 10);
const CALL_S = Number(process.env.BENCH_CALL_SECONDS ?? 60);
const WINDOW_S = Math.min(5, CALL_S);
const PROVIDER = "dr-bench";
/** The clinic's key: the provider proves who they are, as the core's links let them. */
const CLINIC = testClinic();
const FIRST_ROOM = 7100;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const p95 = (values) => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.95) - 1];

/**
 * Init script: when things happen on a page (ms since the epoch, first time each): the click on
 * Join, the call view, Janus's answer to our join, the first Janus answer naming the provider,
 * the waiting room shown and hidden, each remote participant's first video frame shown
 * (requestVideoFrameCallback; 5–40 ms before getStats polled every 20 ms saw framesDecoded > 0).
 */
function markTimes(provider) {
  const marks = (window.__marks = {});
  const mark = (name, at = performance.now()) => (marks[name] ??= performance.timeOrigin + at);
  addEventListener("click", (event) => event.target.closest?.('[data-testid="join"]') && mark("click", event.timeStamp), true);
  // Every click on Share screen (not on Stop sharing).
  addEventListener("click", (event) => {
    const share = event.target.closest?.('[data-testid="share-screen"][aria-pressed="false"]');
    if (share) (window.__shareClicks ??= []).push(performance.timeOrigin + event.timeStamp);
  }, true);
  // Janus's messages on the page's WebSocket, timed as they arrive: our own join, the first naming the provider.
  const named = new RegExp(`"display":\\s*"${provider}[ "]`);
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        const at = performance.now();
        const text = String(event.data);
        if (/"videoroom":\s*"joined"/.test(text)) mark("joined", at);
        if (named.test(text)) mark("providerSeen", at);
      });
    }
  };
  new MutationObserver(() => {
    if (document.querySelector('[data-testid="call-view"]')) mark("callView");
    const room = document.querySelector('[data-testid="waiting-room"]');
    if (room && !room.hidden) mark("waiting");
    if (room?.hidden && marks.waiting) mark("waitingHidden");
    for (const video of document.querySelectorAll('[data-testid="remote-tile"] video')) {
      if (video.__watched) continue;
      video.__watched = true;
      const who = video.closest("[data-identity]").dataset.identity;
      video.requestVideoFrameCallback((_, frame) => mark(`frame:${who}`, frame.presentationTime));
    }
    // Each shared screen shown: its first frame.
    for (const video of document.querySelectorAll('[data-testid="screen-stage"] video')) {
      if (video.__watched) continue;
      video.__watched = true;
      video.requestVideoFrameCallback((_, frame) => (window.__screenFrames ??= []).push(performance.timeOrigin + frame.presentationTime));
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["hidden"] });
}

const marksOf = (page) => page.evaluate(() => window.__marks);

/** A page on `link`, at its device check (camera preview started). */
async function openLink(browser, link) {
  const page = await openPage(browser);
  await page.addInitScript(recordPeerConnections);
  await page.addInitScript(markTimes, PROVIDER);
  await page.goto(link);
  await page.locator('[data-testid="join"]:enabled').waitFor({ timeout: 20_000 });
  return page;
}

/** One join: a patient waits (a fresh page and room each time), the provider opens their link and clicks Join. */
async function timeJoin(browser, site, janus, admin, room) {
  await admin.createRoom(room);
  const link = (identity) => janusJoinLink(site.url, janus, { room, identity, provider: PROVIDER, clinic: CLINIC });
  const patient = await openLink(browser, link(`patient-${room}`));
  await patient.locator('[data-testid="join"]').click();
  await patient.locator('[data-testid="waiting-room"]').waitFor({ state: "visible", timeout: 20_000 });
  await sleep(1000);
  const provider = await openLink(browser, link(PROVIDER));
  await provider.locator('[data-testid="join"]').click();
  const [p, d] = await eventually(
    `room ${room}: no first frame at the patient, or the waiting room never hid`,
    async () => {
      const [p, d] = [await marksOf(patient), await marksOf(provider)];
      return p[`frame:${PROVIDER}`] && p.waitingHidden && p.providerSeen && d.callView && d.joined && [p, d];
    },
    20_000,
    50,
  );
  await provider.locator('[data-testid="leave"]').first().click();
  await admin.destroyRoom(room);
  await Promise.all([patient.context().close(), provider.context().close()]);
  const frame = p[`frame:${PROVIDER}`];
  return {
    admissionToFrame: frame - p.providerSeen,
    clickToFrame: frame - d.click,
    clickToConnect: d.callView - d.click,
    connectToFrame: frame - d.callView,
    joinedToHidden: p.waitingHidden - d.joined,
    callViewToHidden: p.waitingHidden - d.callView,
    seenToHidden: p.waitingHidden - p.providerSeen,
  };
}

/** The clinician shares a screen `rounds` times in one call: Share clicked → first screen frame shown at the patient. */
async function timeShares(browser, site, janus, admin, room, rounds) {
  await admin.createRoom(room);
  const link = (identity) => janusJoinLink(site.url, janus, { room, identity, provider: PROVIDER, clinic: CLINIC });
  const patient = await openLink(browser, link(`patient-${room}`));
  await patient.locator('[data-testid="join"]').click();
  const provider = await openLink(browser, link(PROVIDER));
  await provider.locator('[data-testid="join"]').click();
  await eventually("the patient does not decode the provider", async () => (await marksOf(patient))[`frame:${PROVIDER}`], 20_000, 50);
  const share = provider.locator('[data-testid="share-screen"]');
  const times = [];
  for (let i = 0; i <= rounds; i++) {
    await share.click();
    const [clicked, shown] = await eventually(
      `share ${i}: no screen frame at the patient`,
      async () => {
        const [clicks, frames] = [await provider.evaluate(() => window.__shareClicks ?? []), await patient.evaluate(() => window.__screenFrames ?? [])];
        return clicks.length === i + 1 && frames.length === i + 1 && [clicks[i], frames[i]];
      },
      20_000,
      20,
    );
    console.log(i === 0 ? `warm-up share (not counted): ${(shown - clicked).toFixed(0)} ms` : `share ${i}: ${(shown - clicked).toFixed(0)} ms`);
    if (i > 0) times.push(shown - clicked);
    await share.click();
    await patient.locator('[data-testid="screen-stage"]').waitFor({ state: "detached", timeout: 15_000 });
    await sleep(500);
  }
  await admin.destroyRoom(room);
  await Promise.all([patient.context().close(), provider.context().close()]);
  return times;
}

/**
 * Janus's CPU (% of one core) and memory (KiB) per window of WINDOW_S over CALL_S, medians.
 * The admin session is closed first: Janus would time it out meanwhile (the next request opens another).
 */
async function janusUsage(pid, admin) {
  await admin.close();
  const windows = [];
  for (let i = 0; i < Math.max(1, Math.round(CALL_S / WINDOW_S)); i++) {
    const pids = descendants(pid);
    const [ticks, started] = [cpuTicks(pids), performance.now()];
    await sleep(WINDOW_S * 1000);
    const seconds = (performance.now() - started) / 1000;
    windows.push({ cpu: ((cpuTicks(pids) - ticks) / CLOCK_TICKS_PER_SECOND / seconds) * 100, pss: pssKiB(pids), rss: rssKiB(pids) });
  }
  const of = (key) => median(windows.map((w) => w[key]));
  return { cpu: of("cpu"), pss: of("pss"), rss: of("rss"), windows: windows.length };
}

/** Three pages in one call, each decoding both others, while Janus is measured. */
async function threePartyUsage(browser, site, janus, admin, room) {
  await admin.createRoom(room);
  const identities = [`patient-${room}`, PROVIDER, `interpreter-${room}`];
  const pages = [];
  for (const identity of identities) {
    const page = await openLink(browser, janusJoinLink(site.url, janus, { room, identity, provider: PROVIDER, clinic: CLINIC }));
    await page.locator('[data-testid="join"]').click();
    pages.push(page);
  }
  await eventually(
    "the three pages do not all decode both others",
    async () => {
      const marks = await Promise.all(pages.map(marksOf));
      return marks.every((m, i) => identities.every((who, j) => i === j || m[`frame:${who}`]));
    },
    30_000,
    200,
  );
  await sleep(5000);
  const usage = await janusUsage(janus.pid, admin);
  for (const [i, page] of pages.entries()) {
    const live = await liveStreams(page);
    if (live.video < 2 || live.audio < 2) throw new Error(`${identities[i]} no longer decodes both others: ${JSON.stringify(live)}`);
  }
  await admin.destroyRoom(room);
  await Promise.all(pages.map((page) => page.context().close()));
  return usage;
}

/** The built page's JS, raw and gzipped (each file alone, as served): first load and the lazy backends. */
function jsSizes(chunks) {
  const byName = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
  const closure = (roots, next, seen = new Set()) => {
    const stack = [...roots];
    while (stack.length) {
      const name = stack.pop();
      if (seen.has(name)) continue;
      seen.add(name);
      stack.push(...next(byName.get(name)));
    }
    return seen;
  };
  const firstLoad = closure(chunks.filter((c) => c.isEntry).map((c) => c.fileName), (c) => c.imports);
  const lazy = (module) => {
    const root = chunks.find((c) => c.facadeModuleId?.endsWith(module));
    if (!root) throw new Error(`no chunk for ${module}`);
    const loaded = closure([root.fileName], (c) => [...c.imports, ...c.dynamicImports], new Set(firstLoad));
    return [...loaded].filter((name) => !firstLoad.has(name));
  };
  const size = (names) => ({
    files: names.length,
    raw: names.reduce((sum, name) => sum + Buffer.byteLength(byName.get(name).code), 0),
    gzip: names.reduce((sum, name) => sum + gzipSync(byName.get(name).code).length, 0),
  });
  return { firstLoad: size([...firstLoad]), janus: size(lazy("/src/video/janus/index.ts")), twilio: size(lazy("/src/video/twilio.ts")) };
}

const noNamespace = callsSkipReason("bench/calls.mjs");
if (noNamespace) throw new Error(noNamespace);
const startedAt = Date.now();
const janus = await startJanus({ mediaInterface: MEDIA_INTERFACE, ws: true });
const admin = new JanusAdmin(janus);
let site;
let browser;
const joins = [];
let idle;
let call;
let sizes;
let shares;
try {
  site = await serveJoinSite(janus, { services: { janusServer: "/janus-ws", janusClinicianKey: CLINIC.joinPageKey } });
  sizes = jsSizes(site.chunks);
  browser = await launchChromium();

  await admin.createRoom(FIRST_ROOM - 1);
  console.log(`Janus, an empty room: ${CALL_S} s…`);
  idle = await janusUsage(janus.pid, admin);
  await admin.destroyRoom(FIRST_ROOM - 1);

  for (let i = 0; i <= JOINS; i++) {
    const join = await timeJoin(browser, site, janus, admin, FIRST_ROOM + i);
    const line = Object.entries(join).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", ");
    console.log(i === 0 ? `warm-up join (not counted): ${line} ms` : `join ${i}: ${line} ms`);
    if (i > 0) joins.push(join);
  }

  shares = await timeShares(browser, site, janus, admin, FIRST_ROOM + JOINS + 2, SHARES);

  console.log(`Janus, three pages in a call: ${CALL_S} s…`);
  call = await threePartyUsage(browser, site, janus, admin, FIRST_ROOM + JOINS + 1);
} finally {
  await browser?.close();
  await site?.close();
  await admin.close();
  await janus.stop();
}

const ms = (value) => `${value.toFixed(0)} ms`.padStart(9);
const verdict = (value, limit) => (value <= limit ? "met" : "missed");
const row = (label, key, target = null) => {
  const values = joins.map((j) => j[key]);
  const [p50, high] = [median(values), p95(values)];
  const goal = target === null ? "" : `p95 <= ${target} ms  ${verdict(high, target)}`;
  console.log(`${label.padEnd(62)} ${ms(p50)} ${ms(high)}   ${goal}`);
};
console.log(`\n${JOINS} joins (a fresh waiting patient each)                           p50       p95   target`);
row("admission (the patient's page hears of the provider) → first frame", "admissionToFrame", 1000);
row("provider clicks Join → first provider frame at the patient", "clickToFrame", 1000);
row("  click → provider's connect resolved (call view shown)", "clickToConnect");
row("  connect resolved → first provider frame at the patient", "connectToFrame");
row("waiting room hidden, after Janus answered the provider's join", "joinedToHidden", 500);
row("  after the provider's call view showed (< 0: before)", "callViewToHidden");
row("  after the patient's page heard of the provider from Janus", "seenToHidden");
console.log(`\n${SHARES} screen shares in one call                                    p50       p95`);
console.log(`${"clinician clicks Share screen → first screen frame at the patient".padEnd(62)} ${ms(median(shares))} ${ms(p95(shares))}`);
console.log(`${"  beside: clicks Join → first camera frame (the joins above)".padEnd(62)} ${ms(median(joins.map((j) => j.clickToFrame)))} ${ms(p95(joins.map((j) => j.clickToFrame)))}`);

const mib = (kib) => `${(kib / 1024).toFixed(1)} MiB`.padStart(10);
console.log(`\nJanus, median of ${call.windows} × ${WINDOW_S} s          empty room   3-party call   ratio`);
console.log(`CPU, % of one core                 ${`${idle.cpu.toFixed(2)} %`.padStart(10)}   ${`${call.cpu.toFixed(2)} %`.padStart(12)}   ${(idle.cpu > 0 ? (call.cpu / idle.cpu).toFixed(1) : "n/a").padStart(5)}`);
console.log(`PSS                                ${mib(idle.pss)}   ${mib(call.pss).padStart(12)}   ${(call.pss / idle.pss).toFixed(2).padStart(5)}`);
console.log(`RSS                                ${mib(idle.rss)}   ${mib(call.rss).padStart(12)}   ${(call.rss / idle.rss).toFixed(2).padStart(5)}`);

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`.padStart(10);
console.log("\njoin page JavaScript (dist-join)          files        raw      gzip");
for (const [label, size] of [["first load", sizes.firstLoad], ["lazy: Janus backend (+ janus-gateway)", sizes.janus], ["lazy: Twilio backend (+ twilio-video)", sizes.twilio]]) {
  console.log(`${label.padEnd(40)} ${String(size.files).padStart(6)} ${kib(size.raw)} ${kib(size.gzip)}`);
}
console.log("  (gzip: node:zlib default level, each file alone; a chunk both lazy backends import counts in both)");
console.log(`\nwall time ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
