// The release app in a real window (Xvfb), driven through tauri-driver and WebKitWebDriver,
// with a real, unlocked Secret Service and Prism serving Twilio's Video spec as the Twilio
// stand-in. Run through scripts/test, which prepares all of that.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { keychainSecret, press, shot, startDriver, withApp } from "./harness.mjs";

const TWILIO = process.env.VISITDESK_PRISM_VIDEO_URL;
const SECRET = "Zq8vN2mK5xR7tY1wB4cD6fG9hJ3kL0pA";
const GOOD = {
  account_sid: "AC0123456789abcdef0123456789abcdef",
  api_key_sid: "SK0123456789abcdef0123456789abcdef",
  api_key_secret: SECRET,
  display_name: "Dr. Ana Ruiz",
  join_page_url: "https://visit.example-clinic.org/join",
};

let session;

before(async () => {
  if (!TWILIO) throw new Error("VISITDESK_PRISM_VIDEO_URL names the Twilio stand-in (scripts/test starts Prism)");
  session = await startDriver({
    logName: "app-window.log",
    env: { VISITDESK_TWILIO_VIDEO_URL: TWILIO, VISITDESK_MOCK_CAPTURE_DEVICES: "1" },
  });
});

after(() => session?.driver.kill());

function settingsFile() {
  const path = join(process.env.XDG_DATA_HOME, "org.visitdesk.console", "settings.json");
  return existsSync(path) ? readFileSync(path, "utf8") : "";
}

test("first run: a bad SID is refused, good values are saved to the keychain", async () => {
  await withApp("first-run", async (browser) => {
    await browser.$('[data-testid="setup-form"]').waitForDisplayed({ timeout: 30_000 });
    await shot(browser, "01-setup");

    await browser.$("#field-account_sid").setValue("AC123");
    await press(browser, "#field-api_key_sid");
    const sidError = browser.$('[data-testid="error-account_sid"]');
    await browser.waitUntil(async () => (await sidError.getText()).includes("this one has 3 after AC"), {
      timeout: 10_000,
      timeoutMsg: "the Account SID error did not show",
    });
    await shot(browser, "02-setup-bad-sid");

    for (const [field, value] of Object.entries(GOOD)) await browser.$(`#field-${field}`).setValue(value);
    assert.equal(await browser.$("#field-identity").getValue(), "dr-ana-ruiz", "identity suggested from the name");
    await press(browser, "#field-identity"); // leaves the last field; the form revalidates
    await browser.waitUntil(async () => (await sidError.getText()) === "", {
      timeout: 10_000,
      timeoutMsg: "the Account SID error did not clear once the SID was corrected",
    });
    await press(browser, '[data-testid="save-setup"]');
    const name = browser.$('[data-testid="provider-name"]');
    await name.waitForDisplayed({ timeout: 20_000 });
    assert.equal(await name.getText(), "Dr. Ana Ruiz");
    await shot(browser, "03-console");

    // This WebKitGTK: getUserMedia with the mock devices, no RTCPeerConnection.
    const labels = await browser.executeAsync((done) => {
      navigator.mediaDevices
        .getUserMedia({ audio: true, video: true })
        .then((stream) => {
          const found = stream.getTracks().map((t) => t.label);
          stream.getTracks().forEach((t) => t.stop());
          done(found);
        })
        .catch((e) => done([`error ${e.name}: ${e.message}`]));
    });
    assert.ok(labels.includes("Mock video device 1") && labels.includes("Mock audio device 1"), JSON.stringify(labels));
    const hasPeerConnection = await browser.execute(() => typeof RTCPeerConnection === "function");
    const support = await browser.$('[data-testid="call-support"]').getText();
    assert.equal(support.includes("open each call in your web browser"), !hasPeerConnection, support);
  });
  assert.equal(keychainSecret(), SECRET, "secret-tool finds the secret in the keyring");
  const settings = settingsFile();
  assert.ok(settings.includes("dr-ana-ruiz"), `settings were saved: ${settings}`);
  assert.ok(!settings.includes(SECRET), "the secret is not in the settings file");
});

test("relaunch: opens on the console from the keychain; sign-out removes the secret", async () => {
  await withApp("relaunch", async (browser) => {
    const name = browser.$('[data-testid="provider-name"]');
    await name.waitForDisplayed({ timeout: 30_000 });
    assert.equal(await name.getText(), "Dr. Ana Ruiz");
    await shot(browser, "04-console-relaunched");

    await press(browser, '[data-testid="open-settings"]');
    await press(browser, '[data-testid="settings-test-connection"]');
    const outcome = browser.$('[data-testid="settings-outcome"]');
    await outcome.waitForDisplayed({ timeout: 20_000 });
    assert.equal(await outcome.getText(), "Twilio accepted the saved credentials.");
    await shot(browser, "05-settings");

    await press(browser, '[data-testid="sign-out"]');
    await press(browser, '[data-testid="confirm-sign-out"]');
    await browser.$('[data-testid="setup-form"]').waitForDisplayed({ timeout: 20_000 });
    assert.equal(await browser.$("#field-display_name").getValue(), "Dr. Ana Ruiz", "profile kept for the form");
    assert.equal(await browser.$("#field-api_key_secret").getValue(), "", "the secret is never sent back");
    await shot(browser, "06-signed-out");
  });
  assert.equal(keychainSecret(), null, "sign-out removed the keychain entry");
  assert.ok(!settingsFile().includes(GOOD.api_key_sid), "the account was forgotten");
});

test("the app's log never contains the secret", async () => {
  await new Promise((r) => setTimeout(r, 200));
  const log = readFileSync(session.logPath, "utf8");
  assert.ok(log.includes("VisitDesk starting"), "the app's own log was captured");
  assert.ok(!log.includes(SECRET), "the secret appeared in the app log");
});
