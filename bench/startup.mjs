// Start-up and idle memory of VisitDesk beside a bare Tauri window, in the same run.
// Run by bench/run (inside a private keyring session under Xvfb). Prints a table.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { remote } from "../ui/node_modules/webdriverio/build/node.js";
import { ROOT, startDriver } from "../ui/e2e/harness.mjs";
import { descendants, median, pssKiB } from "./lib/processes.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const IDLE_MS = 10_000;
const SERVICE = "org.visitdesk.bench";
const apps = {
  "hello-tauri": join(ROOT, "target/release/hello-tauri"),
  visitdesk: join(ROOT, "target/release/visitdesk"),
};

function seedVisitDesk() {
  const dir = join(process.env.XDG_DATA_HOME, "org.visitdesk.console");
  mkdirSync(dir, { recursive: true });
  const settings = {
    version: 1,
    profile: { display_name: "Dr. Bench", identity: "dr-bench", join_page_url: "https://visit.example.org/join" },
    twilio: { account_sid: "AC0123456789abcdef0123456789abcdef", api_key_sid: "SK0123456789abcdef0123456789abcdef" },
  };
  writeFileSync(join(dir, "settings.json"), JSON.stringify({ settings }));
  execFileSync("secret-tool", ["store", "--label", "VisitDesk bench", "service", SERVICE, "username", "twilio-api-key-secret"], {
    input: "Zq8vN2mK5xR7tY1wB4cD6fG9hJ3kL0pA",
  });
}

async function measure(name, port) {
  const t0 = Date.now();
  const browser = await remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "error",
    capabilities: { "tauri:options": { application: apps[name] }, "wdio:enforceWebDriverClassic": true },
  });
  try {
    const painted = await browser.waitUntil(
      () =>
        browser.execute(() => {
          const mark = performance.getEntriesByName("visitdesk:console-painted")[0];
          return mark ? performance.timeOrigin + mark.startTime : false;
        }),
      { timeout: 30_000, interval: 20, timeoutMsg: `${name} never painted its main screen` },
    );
    const phases = await browser.execute(() =>
      Object.fromEntries(
        ["visitdesk:opening-state-requested", "visitdesk:opening-state-received"].map((name) => {
          const mark = performance.getEntriesByName(name)[0];
          return [name.split(":")[1], mark ? performance.timeOrigin + mark.startTime : null];
        }),
      ),
    );
    const pid = Number(execFileSync("pgrep", ["-n", "-f", `^${apps[name]}`], { encoding: "utf8" }).trim());
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + IDLE_MS - Date.now())));
    const since = (t) => (t === null ? null : t - t0);
    return {
      startMs: painted - t0,
      pssKiB: pssKiB(descendants(pid)),
      phases: { requested: since(phases["opening-state-requested"]), received: since(phases["opening-state-received"]) },
    };
  } finally {
    await browser.deleteSession();
  }
}

seedVisitDesk();
const session = await startDriver({ logName: "bench-driver.log", port: 4446, env: { VISITDESK_KEYCHAIN_SERVICE: SERVICE, VISITDESK_LOG: "warn" } });
const results = { "hello-tauri": [], visitdesk: [] };
try {
  for (let run = 0; run < RUNS; run++) {
    for (const name of Object.keys(apps)) results[name].push(await measure(name, session.port));
  }
} finally {
  session.driver.kill();
}

const summary = {};
for (const [name, runs] of Object.entries(results)) {
  summary[name] = { startMs: median(runs.map((r) => r.startMs)), pssMiB: median(runs.map((r) => r.pssKiB)) / 1024 };
  if (name === "visitdesk") {
    const phase = (key) => median(runs.map((r) => r.phases[key]));
    console.log(`visitdesk phases (median ms after launch): opening state requested ${phase("requested").toFixed(0)}, received ${phase("received").toFixed(0)}, console painted ${summary[name].startMs.toFixed(0)}`);
  }
  console.log(`${name}: start ms ${runs.map((r) => r.startMs.toFixed(0)).join(", ")}; PSS MiB ${runs.map((r) => (r.pssKiB / 1024).toFixed(1)).join(", ")}`);
}
const ratio = (key) => summary.visitdesk[key] / summary["hello-tauri"][key];
console.log(`\nmedian of ${RUNS}          hello-tauri   visitdesk   ratio   target`);
console.log(`start to first paint  ${summary["hello-tauri"].startMs.toFixed(0).padStart(8)} ms ${summary.visitdesk.startMs.toFixed(0).padStart(8)} ms ${ratio("startMs").toFixed(2).padStart(7)}   <= 1.20`);
console.log(`idle PSS after 10 s   ${summary["hello-tauri"].pssMiB.toFixed(1).padStart(7)} MiB ${summary.visitdesk.pssMiB.toFixed(1).padStart(7)} MiB ${ratio("pssMiB").toFixed(2).padStart(7)}   <= 1.30`);
