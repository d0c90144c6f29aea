// A throwaway Janus for call tests (through scripts/janus-test-server), VideoRoom rooms made over
// its HTTP API with the admin key, and Janus signed tokens minted as the core mints them
// (src-tauri/crates/janus/src/token.rs: `payload:base64(HMAC-SHA1(secret, payload))`).
import { spawn } from "node:child_process";
import { createHmac, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

export const ROOT = resolve(import.meta.dirname, "../../..");
export const LAUNCHER = join(ROOT, "scripts/janus-test-server");
export const VIDEOROOM = "janus.plugin.videoroom";

export const unixNow = () => Math.floor(Date.now() / 1000);

/** `payload:signature`, the signature keyed with `secret`. */
export function signToken(secret, payload) {
  return `${payload}:${createHmac("sha1", secret).update(payload).digest("base64")}`;
}

export function coreToken(secret, expiresAt = unixNow() + 600) {
  return signToken(secret, `${expiresAt},janus,${VIDEOROOM}`);
}

export function roomToken(secret, room, expiresAt = unixNow() + 600) {
  return signToken(secret, `${expiresAt},${VIDEOROOM},room=${room}`);
}

/**
 * A clinic signing key, as the core's (src-tauri/crates/core/src/video/janus_proof.rs): the join
 * page key (an uncompressed P-256 point, base64url) and proofs over room, participant id,
 * identity and expiry, in the format ui/src/video/janus/clinicianProof.ts verifies.
 */
export function testClinic() {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = publicKey.export({ format: "jwk" });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, "base64url"), Buffer.from(jwk.y, "base64url")]);
  const intakeSecret = randomBytes(32);
  return {
    joinPageKey: point.toString("base64url"),
    /** The participant id the core would give the clinician in `room`. */
    participantId: (room) => 900_000 + room,
    /** The visit's intake key (`k`) for `room`. */
    intakeKey: (room) => createHmac("sha256", intakeSecret).update(String(room)).digest("base64url"),
    proof(room, participant, identity, expires = unixNow() + 600) {
      const message = ["visitdesk clinician proof v1", `room=${room}`, `participant=${participant}`, `identity=${identity}`, `expires=${expires}`].join("\n");
      return `${expires}.${sign("sha256", Buffer.from(message), { key: privateKey, dsaEncoding: "ieee-p1363" }).toString("base64url")}`;
    },
  };
}

/**
 * Starts Janus; resolves once it answers. `mediaInterface` (e.g. jp0) is where ICE candidates
 * are gathered. `stop()` kills it and removes its folder.
 */
export async function startJanus({ mediaInterface = null, ws = true, tries = 3 } = {}) {
  let lastError = null;
  for (let attempt = 0; attempt < tries; attempt++) {
    try {
      return await startOnce({ mediaInterface, ws });
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function startOnce({ mediaInterface, ws }) {
  const dir = mkdtempSync(join(tmpdir(), "visitdesk-janus-e2e-"));
  const tokenSecret = randomBytes(18).toString("base64url");
  const adminKey = randomBytes(18).toString("base64url");
  const env = { ...process.env, VISITDESK_JANUS_TOKEN_SECRET: tokenSecret, VISITDESK_JANUS_ADMIN_KEY: adminKey };
  delete env.VISITDESK_JANUS_MEDIA_IFACE;
  if (mediaInterface) env.VISITDESK_JANUS_MEDIA_IFACE = mediaInterface;
  const args = ["--dir", dir, ...(ws ? ["--ws"] : [])];
  const child = spawn(LAUNCHER, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.once("exit", resolve));

  const found = {};
  const ready = await new Promise((resolveReady) => {
    const timer = setTimeout(() => resolveReady(false), 20_000);
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      if (line === "JANUS_READY") {
        clearTimeout(timer);
        resolveReady(true);
      } else if (line === "JANUS_FAILED") {
        clearTimeout(timer);
        resolveReady(false);
      } else {
        const [key, ...value] = line.split("=");
        found[key] = value.join("=");
      }
    });
    lines.on("close", () => {
      clearTimeout(timer);
      resolveReady(false);
    });
  });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const killed = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 5_000))]);
    if (!killed) {
      child.kill("SIGKILL");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  if (!ready) {
    await stop();
    throw new Error(`Janus did not start: ${stderr.trim()}`);
  }
  return {
    http: found.JANUS_HTTP,
    ws: found.JANUS_WS ?? null,
    log: () => readFileSync(found.JANUS_LOG, "utf8"),
    pid: child.pid,
    tokenSecret,
    adminKey,
    stop,
  };
}

/** A plain client of Janus's HTTP API, as the core is: one session with VideoRoom attached. */
export class JanusAdmin {
  constructor(janus) {
    this.janus = janus;
    this.session = null;
    this.handle = null;
    this.secrets = {};
  }

  async post(path, body) {
    const response = await fetch(`${this.janus.http}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...body, transaction: randomBytes(6).toString("hex"), token: coreToken(this.janus.tokenSecret) }),
    });
    if (!response.ok) throw new Error(`Janus answered HTTP ${response.status}`);
    return response.json();
  }

  async open() {
    const session = await this.post("", { janus: "create" });
    if (session.janus !== "success") throw new Error(`no Janus session: ${JSON.stringify(session)}`);
    this.session = session.data.id;
    const handle = await this.post(`/${this.session}`, { janus: "attach", plugin: VIDEOROOM });
    if (handle.janus !== "success") throw new Error(`no VideoRoom handle: ${JSON.stringify(handle)}`);
    this.handle = handle.data.id;
  }

  /** A synchronous VideoRoom request; returns its `plugindata.data`. */
  async videoroom(body) {
    if (this.handle === null) await this.open();
    const answer = await this.post(`/${this.session}/${this.handle}`, { janus: "message", body });
    if (answer.janus !== "success") throw new Error(`VideoRoom ${body.request}: ${JSON.stringify(answer)}`);
    return answer.plugindata.data;
  }

  /** A room as the core makes them (crates/janus videoroom.rs): signed tokens, VP8/Opus, joins notified. */
  async createRoom(room, { publishers = 6, description = "e2e visit" } = {}) {
    const created = await this.videoroom({
      request: "create",
      room,
      description,
      publishers,
      videocodec: "vp8",
      audiocodec: "opus",
      notify_joining: true,
      signed_tokens: true,
      is_private: true,
      permanent: false,
      secret: (this.secrets[room] = randomBytes(12).toString("hex")),
      admin_key: this.janus.adminKey,
    });
    if (created.videoroom !== "created") throw new Error(`room ${room} not created: ${JSON.stringify(created)}`);
    return created.room;
  }

  /** Ends a room as the core does when a visit ends: everyone in it is told it was destroyed. */
  async destroyRoom(room) {
    const destroyed = await this.videoroom({ request: "destroy", room, secret: this.secrets[room], permanent: false });
    if (destroyed.videoroom !== "destroyed") throw new Error(`room ${room} not destroyed: ${JSON.stringify(destroyed)}`);
  }

  async participants(room) {
    const listed = await this.videoroom({ request: "listparticipants", room });
    return listed.participants ?? [];
  }

  async close() {
    if (this.session !== null) await this.post(`/${this.session}`, { janus: "destroy" }).catch(() => {});
    this.session = null;
    this.handle = null;
  }
}
