// The release app in a real window (Xvfb), driven through tauri-driver and WebKitWebDriver,
// with a real, unlocked Secret Service and Prism serving Twilio's Video spec as the Twilio
// stand-in. Run through scripts/test, which prepares all of that.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { command, keychainSecret, press, shot, startDriver, withApp } from "./harness.mjs";

const TWILIO = process.env.VISITDESK_PRISM_VIDEO_URL;
const TWILIO_API = process.env.VISITDESK_PRISM_API_URL;
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
  if (!TWILIO || !TWILIO_API) {
    throw new Error("VISITDESK_PRISM_VIDEO_URL and VISITDESK_PRISM_API_URL name the Twilio stand-ins (scripts/test starts Prism)");
  }
  session = await startDriver({
    logName: "app-window.log",
    env: { VISITDESK_TWILIO_VIDEO_URL: TWILIO, VISITDESK_TWILIO_API_URL: TWILIO_API, VISITDESK_MOCK_CAPTURE_DEVICES: "1" },
  });
});

after(() => session?.driver.kill());

function dataFile(name) {
  return join(process.env.XDG_DATA_HOME, "org.visitdesk.console", name);
}

function settingsFile() {
  const path = dataFile("settings.json");
  return existsSync(path) ? readFileSync(path, "utf8") : "";
}

const PATIENT = "Ada <img src=x onerror=alert(1)> Lovelace";
const PATIENT_DIGITS = "4155552671";

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

test("visits: stored encrypted under a keychain key, invited through Twilio's contract, audited", async () => {
  let token = "";
  await withApp("visits", async (browser) => {
    await browser.$('[data-testid="provider-name"]').waitForDisplayed({ timeout: 30_000 });
    await browser.$('[data-testid="visits-empty"]').waitForDisplayed({ timeout: 20_000 });
    await shot(browser, "07-visits-empty");
    const settings = await command(browser, "clinic_settings", {});
    const saved = await command(browser, "save_clinic_settings", {
      settings: { ...settings.ok, sms_from: "(415) 555-0188", caller_id: "+14155550188" },
    });
    assert.equal(saved.ok?.sms_from, "+14155550188", JSON.stringify(saved));

    // Through the screen: add a visit (name with markup), then text the patient.
    await press(browser, '[data-testid="add-visit"]');
    await browser.$("#visit-name").setValue(PATIENT);
    await browser.$("#visit-mobile").setValue("(415) 555-2671");
    await shot(browser, "08-add-visit");
    await press(browser, '[data-testid="save-visit"]');
    const row = browser.$('[data-testid="visit-row"]');
    await row.waitForDisplayed({ timeout: 20_000 });
    assert.equal(await row.$('[data-testid="visit-name"]').getText(), PATIENT, "the name shows as text");
    assert.equal(await browser.execute(() => document.querySelectorAll(".visit img").length), 0, "no markup rendered");
    await press(browser, '[data-testid="invite-patient"]');
    await press(browser, '[data-testid="send-invite"]');
    const outcome = browser.$('[data-testid="visit-outcome"]');
    await outcome.waitForDisplayed({ timeout: 20_000 });
    assert.match(await outcome.getText(), /Invitation texted to the patient \(\+1\*{8}71\)/);
    await browser.waitUntil(async () => (await row.$('[data-testid="visit-status"]').getText()) === "Invited", {
      timeout: 10_000,
      timeoutMsg: "the visit did not show as invited",
    });
    await shot(browser, "09-visit-invited");

    // Through the core's commands, as the later screens will call them.
    const scheduledAt = Math.floor(Date.now() / 1000) + 3600;
    const created = await command(browser, "create_visit", {
      form: { patient_display_name: PATIENT, patient_mobile: "(415) 555-2671", scheduled_at: scheduledAt },
    });
    assert.ok(created.ok, JSON.stringify(created));
    assert.equal(created.ok.patient_mobile, `+1${PATIENT_DIGITS}`);
    const bad = await command(browser, "create_visit", {
      form: { patient_display_name: "Bo", patient_mobile: "415-CALL-NOW", scheduled_at: scheduledAt },
    });
    assert.equal(bad.rejected?.code, "invalid_input", JSON.stringify(bad));
    assert.match(bad.rejected.fields[0].message, /“C” does not belong/);

    const sms = await command(browser, "invite_guest", {
      request: { visit_id: created.ok.id, role: "patient", method: "sms", phone: null, language: "es", confirm_resend: false },
    });
    assert.equal(sms.ok?.invite.status, "sent", JSON.stringify(sms));
    const link = await command(browser, "invite_guest", {
      request: { visit_id: created.ok.id, role: "interpreter", method: "copy_link", phone: null, language: null, confirm_resend: false },
    });
    assert.match(link.ok?.link ?? "", /^https:\/\/visit\.example-clinic\.org\/join#t=ey[\w.-]+&l=en&p=dr-ana-ruiz$/, JSON.stringify(link));
    token = new URLSearchParams(link.ok.link.split("#")[1]).get("t");

    const today = await command(browser, "list_visits", { from: scheduledAt - 60, to: scheduledAt + 60 });
    assert.deepEqual(today.ok?.map((v) => [v.patient_display_name, v.status]), [[PATIENT, "invited"]]);
    const audit = await command(browser, "verify_audit_log", {});
    // Screen: created, room, SMS. Commands: created, room, SMS, link.
    assert.equal(audit.ok?.entries, 7, JSON.stringify(audit));
  });
  const key = keychainSecret("visits-database-key");
  assert.match(key ?? "", /^[0-9a-f]{64}$/, "the database key is in the Secret Service");
  const database = readFileSync(dataFile("visits.db"));
  assert.ok(!database.subarray(0, 16).toString("latin1").startsWith("SQLite format 3"), "the database is encrypted");
  for (const file of ["visits.db", "visits.db-wal"].map(dataFile).filter(existsSync)) {
    const bytes = readFileSync(file).toString("latin1");
    assert.ok(!bytes.includes("Lovelace") && !bytes.includes(PATIENT_DIGITS), `PHI in plain text in ${file}`);
  }
  const log = readFileSync(session.logPath, "utf8");
  for (const leak of ["Lovelace", PATIENT_DIGITS, token, key]) {
    assert.ok(!log.includes(leak), `the app log holds ${leak.slice(0, 12)}…`);
  }
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
