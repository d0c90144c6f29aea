// The release app in a real window on a session with no Secret Service at all: it must
// say so plainly and write no credentials anywhere. scripts/test runs it inside
// `scripts/with-keyring missing`.
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { shot, startDriver, withApp } from "./harness.mjs";

let session;

before(async () => {
  session = await startDriver({ logName: "app-keychain-missing.log", port: 4445 });
});

after(() => session?.driver.kill());

test("no Secret Service: a clear keychain screen, no fallback file", async () => {
  await withApp("keychain-missing", async (browser) => {
    const problem = browser.$('[data-testid="keychain-problem"]');
    await problem.waitForDisplayed({ timeout: 30_000 });
    const text = await problem.getText();
    assert.ok(text.includes("No system keychain found"), text);
    assert.ok(text.includes("install and start one") || text.includes("Install and start one"), text);
    await shot(browser, "07-keychain-missing");
  }, session.port);
  const dataDir = join(process.env.XDG_DATA_HOME, "org.visitdesk.console");
  const files = existsSync(dataDir) ? readdirSync(dataDir, { withFileTypes: true }).filter((e) => e.isFile()) : [];
  for (const file of files) {
    const text = readFileSync(join(dataDir, file.name), "utf8");
    assert.ok(!text.includes("api_key_secret") && !text.includes("twilio"), `${file.name} holds no credentials`);
  }
});
