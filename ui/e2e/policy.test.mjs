// IT's managed policy in a real window: the release app reads the system policy file
// (/etc/visitdesk/policy.json: no variable moves it), and the setup screen shows a malformed
// file as an alert, and a locked join page read-only with who manages it.
// Writes /etc/visitdesk/policy.json, so it needs root (CI) or passwordless sudo; any policy
// already there is put back afterwards. Run through scripts/test (keyring, Xvfb).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { shot, startDriver, withApp } from "./harness.mjs";

const POLICY = "/etc/visitdesk/policy.json";
const JOIN_PAGE = "https://visit.example-hospital.org/join";
const MANAGED_BY = "Example Hospital <b>IT</b>";

const asRoot = process.getuid?.() === 0 ? [] : ["sudo", "-n"];
function privileged(args) {
  const [command, ...rest] = [...asRoot, ...args];
  execFileSync(command, rest, { stdio: ["ignore", "ignore", "pipe"] });
}
function canWritePolicy() {
  try {
    privileged(["true"]);
    return true;
  } catch {
    return false;
  }
}
const skip = canWritePolicy() ? false : "needs root or passwordless sudo to write /etc/visitdesk/policy.json";

const scratch = mkdtempSync(join(tmpdir(), "visitdesk-policy-"));
let saved = null;
let session;

function placePolicy(text) {
  const file = join(scratch, "policy.json");
  writeFileSync(file, text);
  privileged(["install", "-D", "-m", "0644", file, POLICY]);
}

before(async () => {
  if (skip) return;
  if (existsSync(POLICY)) saved = readFileSync(POLICY, "utf8");
  session = await startDriver({ logName: "app-policy.log", port: 4454, env: { VISITDESK_WAITING_ROOM_MONITOR: "0" } });
});

after(() => {
  session?.driver.kill();
  if (skip) return;
  if (saved === null) privileged(["rm", "-f", POLICY]);
  else placePolicy(saved);
});

test("a malformed policy file is reported on the first screen", { skip }, async () => {
  placePolicy('{\n  "recording_allowed": { "value": false, "locked": true }\n  "video": {}\n}\n');
  await withApp(
    "policy-malformed",
    async (browser) => {
      const problem = browser.$('[data-testid="policy-problem"]');
      await problem.waitForDisplayed({ timeout: 30_000 });
      const text = await problem.getText();
      assert.match(text, /could not use the IT policy at \/etc\/visitdesk\/policy\.json: line 3, column 3/);
      assert.match(text, /every setting IT may manage is locked/);
      assert.equal(await browser.$('[data-testid="setup-form"]').isDisplayed(), true, "the app still starts");
      await shot(browser, "policy-01-malformed");
    },
    4454,
  );
});

test("a locked join page is filled in, read-only, and names who manages it (as text)", { skip }, async () => {
  placePolicy(
    JSON.stringify({
      managed_by: MANAGED_BY,
      join_page_url: { value: JOIN_PAGE, locked: true },
      recording_allowed: { value: false, locked: true },
    }),
  );
  await withApp(
    "policy-locked",
    async (browser) => {
      const field = browser.$("input[name=join_page_url]");
      await field.waitForDisplayed({ timeout: 30_000 });
      assert.equal(await field.getValue(), JOIN_PAGE);
      assert.equal(await field.isEnabled(), false, "locked: read-only");
      const note = browser.$('[data-testid="policy-note-join_page_url"]');
      assert.match(await note.getText(), /Locked by Example Hospital <b>IT<\/b>/);
      assert.equal(await browser.$('[data-testid="policy-note-join_page_url"] b').isExisting(), false, "no HTML");
      assert.equal(await browser.$('[data-testid="policy-problem"]').isExisting(), false);
      await shot(browser, "policy-02-locked-join-page");
    },
    4454,
  );
});
