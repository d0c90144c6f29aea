// Shared by the window tests: tauri-driver, app sessions, screenshots (each checked by axe-core),
// the keyring.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

import { remote } from "webdriverio";

export const ROOT = resolve(import.meta.dirname, "../..");
export const APP = process.env.VISITDESK_APP ?? join(ROOT, "target/release/visitdesk");
export const ARTIFACTS = process.env.VISITDESK_ARTIFACTS ?? join(ROOT, "artifacts");
export const SHOTS = join(ARTIFACTS, "screenshots");
export const KEYCHAIN_SERVICE = `org.visitdesk.e2e.${process.pid}`;

async function waitForDriver(port) {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const status = await (await fetch(`http://127.0.0.1:${port}/status`)).json();
      if (status?.value?.ready) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`tauri-driver did not become ready on 127.0.0.1:${port} within 10 s`);
}

/** Starts tauri-driver; the app it launches inherits `env` and logs to `logName`.
 * `application` is the binary the sessions will open (checked here; pass it to withApp too). */
export async function startDriver({ env, logName, port = 4444, application = APP }) {
  if (!existsSync(application)) throw new Error(`the app is not there: ${application}`);
  mkdirSync(SHOTS, { recursive: true });
  const logPath = join(ARTIFACTS, logName);
  const log = createWriteStream(logPath);
  const driver = spawn("tauri-driver", ["--port", String(port), "--native-port", String(port + 100)], {
    env: { ...process.env, VISITDESK_KEYCHAIN_SERVICE: KEYCHAIN_SERVICE, VISITDESK_LOG: "debug", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  driver.stdout.pipe(log);
  driver.stderr.pipe(log);
  await waitForDriver(port);
  return { driver, logPath, port };
}

export function openApp(port = 4444, application = APP) {
  return remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "warn",
    capabilities: { "tauri:options": { application }, "wdio:enforceWebDriverClassic": true },
  });
}

export async function shot(browser, name) {
  // A screenshot right after an action can show the previous frame.
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  await browser.saveScreenshot(join(SHOTS, `${name}.png`));
  // Every state worth a screenshot is checked against WCAG 2.1 AA as well.
  const found = await axeViolations(browser);
  assert.deepEqual(found, [], `${name}: axe finds ${JSON.stringify(found, null, 2)}`);
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** What axe-core finds in the window now against WCAG 2.1 A and AA: each rule broken, with up to five elements. */
export async function axeViolations(browser) {
  await browser.execute(AXE_SOURCE);
  return browser.executeAsync((done) => {
    window.axe
      .run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }, resultTypes: ["violations"] })
      .then((result) => done(result.violations.map((v) => ({ rule: v.id, elements: v.nodes.slice(0, 5).map((n) => `${n.target.join(" ")}: ${n.failureSummary}`) }))))
      .catch((error) => done([{ rule: "axe failed", elements: [String(error)] }]));
  });
}

/** What libsecret's own tool finds for one of our entries; null when nothing is stored. */
export function keychainSecret(account = "twilio-api-key-secret") {
  try {
    return execFileSync("secret-tool", ["lookup", "service", KEYCHAIN_SERVICE, "username", account], {
      encoding: "utf8",
    });
  } catch {
    return null;
  }
}

/** Clicks an element after centring it: WebKitWebDriver's click misses elements at the
 * viewport's edge (it lands on whatever is under the computed point). */
export async function press(browser, selector) {
  const element = browser.$(selector);
  await element.waitForDisplayed({ timeout: 20_000 });
  await element.scrollIntoView({ block: "center" });
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  await element.click();
}

/** Opens the app, runs `steps`, keeps a screenshot named FAILED-<name> if they throw, and
 * always ends the session (which quits the app). */
export async function withApp(name, steps, port = 4444, application = APP) {
  const browser = await openApp(port, application);
  try {
    await steps(browser);
  } catch (error) {
    await shot(browser, `FAILED-${name}`).catch(() => {});
    throw error;
  } finally {
    await browser.deleteSession();
  }
}

/** Calls a core command the way the UI does: through the isolation frame and the ACL.
 * Resolves to `{ ok }` or `{ rejected }` (a key named `error` would read as a WebDriver error). */
export function command(browser, name, args) {
  return browser.executeAsync(
    (name, args, done) => {
      window.__TAURI_INTERNALS__.invoke(name, args).then(
        (value) => done({ ok: value }),
        (reason) => done({ rejected: reason }),
      );
    },
    name,
    args,
  );
}
