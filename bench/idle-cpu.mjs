// Idle CPU of the console with its timers running, beside a bare Tauri window, in one run.
// VisitDesk shows three of today's visits, two patients waiting (live "waiting N min"
// timers, the panel's snapshot sync) and the waiting-room monitor polling a scripted
// Twilio on loopback within its budget. Nothing touches either window while it is measured.
// Run by bench/run (inside a private keyring session under Xvfb). Prints a table.
import { execFileSync } from "node:child_process";
import { join } from "node:path";

import { remote } from "../ui/node_modules/webdriverio/build/node.js";
import { APP, ROOT, command, startDriver } from "../ui/e2e/harness.mjs";
import { startTwilioStandIn } from "../ui/e2e/twilio-stand-in.mjs";
import { CLOCK_TICKS_PER_SECOND, cpuTicks, descendants, median } from "./lib/processes.mjs";

const WINDOWS = Number(process.env.BENCH_IDLE_WINDOWS ?? 3);
const WINDOW_S = Number(process.env.BENCH_IDLE_WINDOW_S ?? 20);
const SETTLE_MS = 15_000;
const HELLO = join(ROOT, "target/release/hello-tauri");
const SETUP = {
  account_sid: "AC0123456789abcdef0123456789abcdef",
  api_key_sid: "SK0123456789abcdef0123456789abcdef",
  api_key_secret: "Zq8vN2mK5xR7tY1wB4cD6fG9hJ3kL0pA",
  display_name: "Dr. Bench",
  identity: "dr-bench",
  join_page_url: "https://visit.example.org/join",
};

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function open(application, port) {
  return remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "error",
    capabilities: { "tauri:options": { application }, "wdio:enforceWebDriverClassic": true },
  });
}

/** CPU use of the app's process tree, % of one core, per window of WINDOW_S seconds. */
async function cpuPercent(application) {
  const pid = Number(execFileSync("pgrep", ["-n", "-f", `^${application}`], { encoding: "utf8" }).trim());
  const samples = [];
  for (let i = 0; i < WINDOWS; i++) {
    const pids = descendants(pid);
    const before = cpuTicks(pids);
    await sleep(WINDOW_S * 1000);
    samples.push(((cpuTicks(pids) - before) / CLOCK_TICKS_PER_SECOND / WINDOW_S) * 100);
  }
  return samples;
}

async function ok(browser, name, args) {
  const answer = await command(browser, name, args);
  if (!answer.ok) throw new Error(`${name}: ${JSON.stringify(answer)}`);
  return answer.ok;
}

/** The console with today's visits and waiting patients, then measured. */
async function measureVisitDesk(port, twilio) {
  const browser = await open(APP, port);
  try {
    await browser.$('[data-testid="setup-form"]').waitForDisplayed({ timeout: 30_000 });
    await ok(browser, "save_setup", { form: SETUP });
    await ok(browser, "save_clinic_settings", { settings: { ...(await ok(browser, "clinic_settings", {})), sms_from: "+14155550188" } });
    const now = Math.floor(Date.now() / 1000);
    for (const [i, name] of ["Ada Lovelace", "Grace Hopper", "Katherine Johnson"].entries()) {
      const visit = await ok(browser, "create_visit", {
        form: { patient_display_name: name, patient_mobile: `(415) 555-267${i}`, scheduled_at: now + i * 600 },
      });
      await ok(browser, "invite_guest", {
        request: { visit_id: visit.id, role: "patient", method: "sms", phone: null, language: null, confirm_resend: false },
      });
    }
    await browser.refresh();
    await browser.$('[data-testid="visit-row"]').waitForDisplayed({ timeout: 20_000 });
    for (const message of twilio.messages.slice(0, 2)) {
      const { identity, roomSid } = twilio.grantOf(message);
      twilio.arrive(roomSid, identity);
    }
    await browser.waitUntil(async () => (await browser.$('[data-testid="waiting-count"]').getText().catch(() => "")) === "2", {
      timeout: 20_000,
      timeoutMsg: "the two patients never showed as waiting",
    });
    await sleep(SETTLE_MS);
    const requestsBefore = twilio.requests.length;
    const started = Date.now();
    const samples = await cpuPercent(APP);
    const perMinute = ((twilio.requests.length - requestsBefore) / (Date.now() - started)) * 60_000;
    return { samples, perMinute };
  } finally {
    await browser.deleteSession();
  }
}

async function measureHello(port) {
  const browser = await open(HELLO, port);
  try {
    await sleep(SETTLE_MS);
    return { samples: await cpuPercent(HELLO) };
  } finally {
    await browser.deleteSession();
  }
}

const twilio = await startTwilioStandIn();
const session = await startDriver({
  logName: "bench-idle-driver.log",
  port: 4447,
  env: { VISITDESK_TWILIO_VIDEO_URL: twilio.url, VISITDESK_TWILIO_API_URL: twilio.url, VISITDESK_LOG: "warn" },
});
let hello;
let visitdesk;
try {
  hello = await measureHello(session.port);
  visitdesk = await measureVisitDesk(session.port, twilio);
} finally {
  session.driver.kill();
  await twilio.close();
}

const format = (samples) => samples.map((s) => s.toFixed(2)).join(", ");
console.log(`hello-tauri: % of a core per ${WINDOW_S} s window: ${format(hello.samples)}`);
console.log(`visitdesk:   % of a core per ${WINDOW_S} s window: ${format(visitdesk.samples)}; monitor requests ${visitdesk.perMinute.toFixed(1)}/min`);
const [h, v] = [median(hello.samples), median(visitdesk.samples)];
console.log(`\nmedian of ${WINDOWS} × ${WINDOW_S} s       hello-tauri   visitdesk   ratio   target`);
console.log(`idle CPU, % of one core  ${h.toFixed(2).padStart(9)} % ${v.toFixed(2).padStart(9)} % ${(h > 0 ? (v / h).toFixed(1) : "n/a").padStart(7)}   visitdesk <= 1 %`);
console.log("  (VisitDesk: 3 visits today, 2 patients waiting, monitor polling a scripted Twilio; hello-tauri: one static heading)");
