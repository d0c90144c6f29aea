// The join link's fragment, as the core writes it (src-tauri/crates/core/src/invites.rs):
//   #t=<token>&l=<en|es>&p=<provider>               Twilio: the token is an access token (JWT)
//   #t=<token>&l=es&p=<provider>&b=janus&s=<url>&r=<room>&i=<identity>&c=<core token>
//                                                  Janus: t joins the room, c opens a session
// `p` is the clinician's identity in calls: who the patient's waiting room waits for.
// Browsers never send the fragment to a server; the page removes it from the address bar.

import { jwtClaims } from "../lib/jwt";
import { janusTokenExpiry } from "../video/janus/token";

export type Language = "en" | "es";

type Common = { token: string; identity: string; room: string; expiresAt: number; language: Language; provider: string | null };

/** `account`: the token's `sub`, the Twilio account it was minted for. */
export type JoinLink = (Common & { backend: "twilio"; account: string }) | (Common & { backend: "janus"; server: string; coreToken: string });

export type LinkProblem = "missing" | "malformed" | "expired";

export type LinkReading = { ok: JoinLink } | { problem: LinkProblem; language: Language };

function language(params: URLSearchParams): Language {
  return params.get("l") === "es" ? "es" : "en";
}

/** A Twilio access token's identity, room, expiry and account, read (not verified: Twilio does that). */
function twilioClaims(token: string): { identity: string; room: string; expiresAt: number; account: string } | null {
  const claims = jwtClaims(token);
  const grants = claims?.grants as { identity?: unknown; video?: { room?: unknown } } | undefined;
  const { identity } = grants ?? {};
  const room = grants?.video?.room;
  const exp = claims?.exp;
  const account = claims?.sub;
  if (typeof identity !== "string" || typeof room !== "string" || typeof exp !== "number" || typeof account !== "string") return null;
  return { identity, room, expiresAt: exp, account };
}

export function readJoinLink(fragment: string, nowUnix: number): LinkReading {
  const params = new URLSearchParams(fragment.replace(/^#/, ""));
  const lang = language(params);
  const token = params.get("t");
  if (!token) return { problem: fragment.replace(/^#/, "") === "" ? "missing" : "malformed", language: lang };
  const backend = params.get("b") ?? "twilio";
  const provider = params.get("p");
  if (provider !== null && (provider === "" || provider.length > 128 || /\p{Cc}/u.test(provider))) return { problem: "malformed", language: lang };
  let link: JoinLink;
  if (backend === "twilio") {
    const claims = twilioClaims(token);
    if (!claims) return { problem: "malformed", language: lang };
    link = { backend, token, ...claims, language: lang, provider };
  } else if (backend === "janus") {
    const server = params.get("s") ?? "";
    const room = params.get("r") ?? "";
    const identity = params.get("i") ?? "";
    const coreToken = params.get("c") ?? "";
    const expiresAt = janusTokenExpiry(token);
    const valid =
      /^(wss?|https?):\/\//.test(server) && /^\d+$/.test(room) && /^[a-z][a-z0-9-]*$/.test(identity) && janusTokenExpiry(coreToken) !== null;
    if (!valid || expiresAt === null) return { problem: "malformed", language: lang };
    link = { backend, token, identity, room, server, coreToken, expiresAt, language: lang, provider };
  } else {
    return { problem: "malformed", language: lang };
  }
  return link.expiresAt <= nowUnix ? { problem: "expired", language: lang } : { ok: link };
}
