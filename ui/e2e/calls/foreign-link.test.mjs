// Links the clinic did not make, tried on its real join page as an attacker would: a Janus link
// naming a stranger's HTTPS "Janus" on loopback, or another path of the clinic's own site, and a
// Twilio token for another account. The page must refuse each before it sends anything: the
// stranger's server sees no connection at all and the page never opens the camera.
// The pages run with the CSP bypassed, so only the page's own check stands in the way.
//
//   node --test ui/e2e/calls/foreign-link.test.mjs
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { axeViolations } from "./axe.mjs";
import { launchChromium } from "./chromium.mjs";
import { testClinic } from "./janus.mjs";
import { janusBrowserUrl, janusJoinLink, serveJoinSite } from "./join-site.mjs";

const CLINIC_ACCOUNT = "AC0123456789abcdef0123456789abcdef";
const OTHER_ACCOUNT = "ACfedcba9876543210fedcba9876543210";
const SECRET = "foreign-link-test-secret";
const janus = { tokenSecret: SECRET };
const clinic = testClinic();

/** An HTTPS server on loopback that counts every TCP connection made to it (a stranger's "Janus"). */
async function strangersServer() {
  const dir = mkdtempSync(join(tmpdir(), "visitdesk-stranger-"));
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
    "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")], { stdio: "ignore" });
  const server = createServer({ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) }, (_request, response) =>
    response.writeHead(200, { "content-type": "application/json" }).end('{"janus":"success","data":{"id":1}}'),
  );
  const seen = { connections: 0 };
  server.on("connection", () => seen.connections++);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `127.0.0.1:${server.address().port}`;
  return {
    seen,
    https: `https://${origin}/janus`,
    wss: `wss://${origin}/janus`,
    close: () => {
      server.closeAllConnections();
      rmSync(dir, { recursive: true, force: true });
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
/** A Twilio access token's shape (its signature is never checked by the page: Twilio does that). */
const twilioToken = (account) =>
  `${b64({ alg: "HS256", typ: "JWT", cty: "twilio-fpa;v=1" })}.${b64({
    jti: `SK0123456789abcdef0123456789abcdef-${Math.floor(Date.now() / 1000)}`,
    grants: { identity: "patient-kqzmfwprxd", video: { room: "RM0123456789abcdef0123456789abcdef" } },
    iat: Math.floor(Date.now() / 1000),
    exp: Math.floor(Date.now() / 1000) + 3600,
    iss: "SK0123456789abcdef0123456789abcdef",
    sub: account,
  })}.c2lnbmF0dXJl`;
const twilioLink = (siteUrl, account) => `${siteUrl}join.html#${new URLSearchParams({ t: twilioToken(account), l: "en", p: "dr-ana-ruiz" })}`;

/** Counts the page's calls for the camera and microphone and its peer connections. */
function countMediaUse() {
  window.__mediaUse = { getUserMedia: 0, peerConnections: 0 };
  const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = (constraints) => {
    window.__mediaUse.getUserMedia++;
    return getUserMedia(constraints);
  };
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = function (...args) {
    window.__mediaUse.peerConnections++;
    return new Native(...args);
  };
}

describe("links the clinic did not make", () => {
  let site;
  let stranger;
  let chromium;

  before(async () => {
    stranger = await strangersServer();
    site = await serveJoinSite(null, { services: { janusServer: "/janus-ws", janusClinicianKey: clinic.joinPageKey, twilioAccountSid: CLINIC_ACCOUNT } });
    chromium = await launchChromium();
  });

  after(async () => {
    await chromium?.close();
    await site?.close();
    await stranger?.close();
  });

  /**
   * Opens `link` with the CSP off; presses Join if the page offers it (unless `join` is false:
   * Twilio's servers are not reachable from tests); returns what it showed and used.
   */
  async function attempt(link, { join: pressJoin = true } = {}) {
    const context = await chromium.newContext({ bypassCSP: true, ignoreHTTPSErrors: true, permissions: ["camera", "microphone"] });
    const page = await context.newPage();
    await page.addInitScript(countMediaUse);
    const sockets = [];
    page.on("websocket", (socket) => sockets.push(socket.url()));
    await page.goto(link);
    const shown = page.locator('[data-testid="problem"], [data-testid="device-check"]');
    await shown.first().waitFor({ timeout: 15_000 });
    const join = page.locator('[data-testid="join"]');
    if (pressJoin && (await join.count())) {
      await join.click();
      await page.waitForTimeout(2_000);
    }
    const shownProblem = page.locator('[data-testid="problem"]');
    const problem = (await shownProblem.count()) ? await shownProblem.getAttribute("data-problem") : null;
    const title = problem ? await page.locator("#problem-title").textContent() : null;
    const mediaUse = await page.evaluate(() => window.__mediaUse);
    const accessibility = await axeViolations(page);
    await context.close();
    return { problem, title, mediaUse, sockets, accessibility };
  }

  it("the clinic's own Janus link is let through and connects to the clinic's address (the checks below can see it)", async () => {
    const before = site.requests.length;
    const result = await attempt(janusJoinLink(site.url, janus, { room: 1234, identity: "patient-kqzmfwprxd", provider: "dr-ana-ruiz" }));
    assert.ok(result.mediaUse.getUserMedia > 0, "the device check used the camera");
    assert.deepEqual(result.sockets, [janusBrowserUrl(site.url)]);
    assert.ok(site.requests.slice(before).includes("/janus-ws"), `the site saw the WebSocket: ${site.requests.slice(before)}`);
  });

  const strangers = {
    "a stranger's HTTPS Janus": () => stranger.https,
    "a stranger's wss Janus": () => stranger.wss,
    "another path on the clinic's own site": () => `ws://${new URL(site.url).host}/evil-janus`,
  };
  for (const [what, server] of Object.entries(strangers)) {
    it(`a Janus link naming ${what} is refused before anything is sent`, async () => {
      const before = site.requests.length;
      const link = janusJoinLink(site.url, janus, { room: 1234, identity: "patient-kqzmfwprxd", provider: "dr-ana-ruiz", server: server() });
      const result = await attempt(link);
      const asked = site.requests.slice(before);
      assert.equal(stranger.seen.connections, 0, "the stranger's server was contacted");
      assert.deepEqual(asked.filter((url) => url.includes("janus") || url.includes("evil")), [], `the site was asked for ${asked}`);
      assert.deepEqual(result.sockets, []);
      assert.deepEqual(result.mediaUse, { getUserMedia: 0, peerConnections: 0 });
      assert.equal(result.problem, "foreign");
      assert.equal(result.title, "This link was not made by this clinic");
      assert.deepEqual(result.accessibility, [], "axe finds nothing on the refusal page (WCAG 2.1 AA)");
    });
  }

  it("a Twilio token minted for another account is refused before anything is sent; the clinic's account's goes on", async () => {
    const foreign = await attempt(twilioLink(site.url, OTHER_ACCOUNT));
    assert.equal(foreign.problem, "foreign");
    assert.deepEqual(foreign.accessibility, [], "axe finds nothing on the refusal page (WCAG 2.1 AA)");
    assert.deepEqual(foreign.mediaUse, { getUserMedia: 0, peerConnections: 0 });
    assert.deepEqual(foreign.sockets, []);

    const own = await attempt(twilioLink(site.url, CLINIC_ACCOUNT), { join: false });
    assert.notEqual(own.problem, "foreign");
    assert.ok(own.mediaUse.getUserMedia > 0, "the clinic's own link reached the device check");
  });
});
