// Debian's Chromium driven by playwright-core, with fake camera and microphone, its files in
// a scratch folder (never the home folder). Flags from shared/FACTS.md.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { chromium } from "playwright-core";

export const CHROMIUM = process.env.VISITDESK_CHROMIUM ?? "/usr/bin/chromium";

const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--use-fake-ui-for-media-stream",
  "--use-fake-device-for-media-stream",
  "--disable-features=WebRtcHideLocalIpsWithMdns",
  // Remote audio may play without a click, as it does in the app once the user has joined.
  "--autoplay-policy=no-user-gesture-required",
];

/** A headless Chromium; `close()` also removes its scratch folder. */
export async function launchChromium() {
  const scratch = mkdtempSync(join(tmpdir(), "visitdesk-chromium-"));
  const env = {
    ...process.env,
    HOME: scratch,
    TMPDIR: scratch,
    XDG_CONFIG_HOME: join(scratch, "config"),
    XDG_CACHE_HOME: join(scratch, "cache"),
    XDG_DATA_HOME: join(scratch, "data"),
  };
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS, env });
  const close = browser.close.bind(browser);
  browser.close = async () => {
    await close();
    rmSync(scratch, { recursive: true, force: true });
  };
  return browser;
}

/**
 * A desktop or phone-sized page that may use the camera and microphone, in a context of its own.
 * `page.problems` collects its uncaught errors and console errors, for a failing test to show.
 */
export async function openPage(browser, { phone = false } = {}) {
  const context = await browser.newContext({
    permissions: ["camera", "microphone"],
    ...(phone ? { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 } : { viewport: { width: 1280, height: 800 } }),
  });
  const page = await context.newPage();
  page.problems = [];
  page.on("pageerror", (error) => page.problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") page.problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  return page;
}
