// The clinician's proof on Janus, where a display name is whatever a page sends. The core signs
// (src-tauri/crates/core/src/video/janus_proof.rs) the room, the participant id it gave the
// clinician, their identity and an expiry with the clinic's key; the clinician's page joins under
// that id with the display `<identity> <proof> admit:<ids>`. A page takes someone for the clinician
// only when the proof verifies with the join page key in the clinic's visitdesk-join.json. Janus
// refuses a second participant under an id in use, so a copied proof cannot stand beside the
// clinician, and only the clinician's own call can change that display: the ids after `admit:`
// are the patient connections it lets in (lobby.ts).

/** The proof a link carries (`v`): `<expires>.<ECDSA P-256 r‖s, base64url>`. */
export const PROOF_PATTERN = /^(\d{1,15})\.([A-Za-z0-9_-]{86})$/;

/** The clinic's join page key: an uncompressed P-256 point, base64url (65 bytes). */
export const JOIN_PAGE_KEY_PATTERN = /^[A-Za-z0-9_-]{87}$/;

export type ProofClaim = { room: number; participant: number; identity: string; proof: string };

const ADMITS_PREFIX = "admit:";
const PARTICIPANT_ID = /^\d{1,16}$/;

/** The display a page joins with: the identity, then its proof and whom it lets in when it has one. */
export function displayWithProof(identity: string, proof: string | null | undefined, admits: readonly string[] = []): string {
  return proof ? `${identity} ${proof} ${ADMITS_PREFIX}${admits.join(",")}` : identity;
}

export type Display = { identity: string; proof: string | null; admits: ReadonlySet<string> };

/** A display split into the identity, the proof (null: none) and the participant ids it lets in. */
export function readDisplay(display: string): Display {
  const [identity = "", proof = null, admitted = ""] = display.split(" ");
  const admits = admitted.startsWith(ADMITS_PREFIX) ? admitted.slice(ADMITS_PREFIX.length).split(",") : [];
  return { identity, proof, admits: new Set(admits.filter((id) => PARTICIPANT_ID.test(id))) };
}

/** Exactly the text the core signs. */
export function proofMessage(room: number, participant: number, identity: string, expires: number): string {
  return ["visitdesk clinician proof v1", `room=${room}`, `participant=${participant}`, `identity=${identity}`, `expires=${expires}`].join("\n");
}

function base64UrlBytes(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The join page key as a WebCrypto key, or null when it is not one. */
export async function importJoinPageKey(text: string | null | undefined): Promise<CryptoKey | null> {
  if (!text || !JOIN_PAGE_KEY_PATTERN.test(text)) return null;
  const raw = base64UrlBytes(text);
  if (raw.length !== 65 || raw[0] !== 4) return null;
  try {
    return await crypto.subtle.importKey("raw", raw, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  } catch {
    return null;
  }
}

/** True when `claim.proof` is the clinic's signature over this room, participant and identity, unexpired at `nowUnix`. */
export async function proofHolds(key: CryptoKey, claim: ProofClaim, nowUnix: number): Promise<boolean> {
  const match = PROOF_PATTERN.exec(claim.proof);
  if (!match) return false;
  const expires = Number(match[1]);
  if (expires <= nowUnix) return false;
  const message = new TextEncoder().encode(proofMessage(claim.room, claim.participant, claim.identity, expires));
  try {
    return await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, base64UrlBytes(match[2] ?? ""), message);
  } catch {
    return false;
  }
}

/**
 * The proofs of those who claim to be the clinician in one room, each checked once. `verdict`
 * answers at once when it knows, else null and calls `checked` when it does.
 */
export class ClinicianChecks {
  /** Every check under way, in any call (tests wait for them). */
  static readonly #underWay = new Set<Promise<void>>();
  readonly #key: Promise<CryptoKey | null>;
  readonly #room: number;
  readonly #now: () => number;
  readonly #verdicts = new Map<string, boolean>();
  readonly #pending = new Set<Promise<void>>();

  constructor(joinPageKey: string | null | undefined, room: number, now: () => number) {
    this.#key = importJoinPageKey(joinPageKey);
    this.#room = room;
    this.#now = now;
  }

  verdict(participant: number, identity: string, proof: string, checked: () => void): boolean | null {
    const claim = { room: this.#room, participant, identity, proof };
    const key = JSON.stringify(claim);
    const known = this.#verdicts.get(key);
    if (known !== undefined) return known;
    const check = this.#key
      .then((clinicKey) => (clinicKey ? proofHolds(clinicKey, claim, this.#now()) : false))
      .then((holds) => {
        this.#verdicts.set(key, holds);
        this.#pending.delete(check);
        checked();
      });
    this.#pending.add(check);
    ClinicianChecks.#underWay.add(check);
    void check.finally(() => ClinicianChecks.#underWay.delete(check));
    return null;
  }

  /** Resolves when every check under way in any call has its verdict. */
  static async allSettled(): Promise<void> {
    while (ClinicianChecks.#underWay.size > 0) await Promise.all([...ClinicianChecks.#underWay]);
  }

  /** Resolves when every check begun so far has its verdict. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }
}
