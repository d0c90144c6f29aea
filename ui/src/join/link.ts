// The join link's fragment, as the core writes it (src-tauri/crates/core/src/invites.rs):
//   #t=<token>&l=<en|es>&p=<provider>               Twilio: the token is an access token (JWT)
//   #t=<token>&l=es&p=<provider>&b=janus&s=<url>&r=<room>&i=<identity>&c=<core token>
//                                                  Janus: t joins the room, c opens a session
//   …&k=<intake key>                               the patient's and the clinician's: seals the intake answers
//   …&j=<participant id>&v=<proof>&a=<mode>        the clinician's Janus link: the id they join
//                                                  under, the clinic's proof of it (clinicianProof.ts)
//                                                  and how their call lets patients in (on_join|explicit)
// `p` is the clinician's identity in calls: who the patient's waiting room waits for.
// Browsers never send the fragment to a server; the page removes it from the address bar.

import type { AdmissionMode } from "../generated/bindings";
import { jwtClaims } from "../lib/jwt";
import { PROOF_PATTERN } from "../video/janus/clinicianProof";
import { janusTokenExpiry } from "../video/janus/token";

export type Language = "en" | "es";

/** `intakeKey`: the visit's key for the intake answers (`k`), in the patient's and clinician's links only. */
type Common = { token: string; identity: string; room: string; expiresAt: number; language: Language; provider: string | null; intakeKey: string | null };

/**
 * `account`: the token's `sub`, the Twilio account it was minted for. `clinicianKey`: the clinic's
 * join page key, from its visitdesk-join.json (clinicServices.ts), never from the link.
 */
export type JoinLink =
  | (Common & { backend: "twilio"; account: string })
  | (Common & {
      backend: "janus";
      server: string;
      coreToken: string;
      participantId: number | null;
      proof: string | null;
      admission: AdmissionMode | null;
      clinicianKey: string | null;
    });

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
  const intakeKey = params.get("k");
  if (intakeKey !== null && !/^[A-Za-z0-9_-]{43}$/.test(intakeKey)) return { problem: "malformed", language: lang };
  const provider = params.get("p");
  if (provider !== null && (provider === "" || provider.length > 128 || /\p{Cc}/u.test(provider))) return { problem: "malformed", language: lang };
  let link: JoinLink;
  if (backend === "twilio") {
    const claims = twilioClaims(token);
    if (!claims) return { problem: "malformed", language: lang };
    link = { backend, token, ...claims, language: lang, provider, intakeKey };
  } else if (backend === "janus") {
    const server = params.get("s") ?? "";
    const room = params.get("r") ?? "";
    const identity = params.get("i") ?? "";
    const coreToken = params.get("c") ?? "";
    const expiresAt = janusTokenExpiry(token);
    const valid =
      /^(wss?|https?):\/\//.test(server) && /^\d+$/.test(room) && /^[a-z][a-z0-9-]*$/.test(identity) && janusTokenExpiry(coreToken) !== null;
    const participant = params.get("j");
    const proof = params.get("v");
    const participantId = participant !== null && /^\d{1,16}$/.test(participant) ? Number(participant) : null;
    const proofValid = proof === null ? participant === null : PROOF_PATTERN.test(proof) && participantId !== null && Number.isSafeInteger(participantId) && participantId > 0;
    const mode = params.get("a");
    const admission = mode === "on_join" || mode === "explicit" ? mode : null;
    if (!valid || !proofValid || expiresAt === null || (mode !== null && (admission === null || proof === null))) {
      return { problem: "malformed", language: lang };
    }
    link = { backend, token, identity, room, server, coreToken, expiresAt, language: lang, provider, intakeKey, participantId, proof, admission, clinicianKey: null };
  } else {
    return { problem: "malformed", language: lang };
  }
  return link.expiresAt <= nowUnix ? { problem: "expired", language: lang } : { ok: link };
}
