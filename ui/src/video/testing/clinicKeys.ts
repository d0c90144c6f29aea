// A clinic signing key for tests, made with WebCrypto: proofs signed as the core signs them
// (the core's own output is checked against a fixture in clinicianProof.test.ts).

import { displayWithProof, proofMessage } from "../janus/clinicianProof";

const clinicKeys = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
const strangerKeys = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);

export function base64Url(bytes: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** The test clinic's join page key, as visitdesk-join.json carries it. */
export const TEST_JOIN_PAGE_KEY = base64Url(await crypto.subtle.exportKey("raw", clinicKeys.publicKey));

/** A proof (`<expires>.<signature>`) for this room, participant and identity; `stranger`: signed with another key. */
export async function signProof(room: number, participant: number, identity: string, expires: number, { stranger = false } = {}): Promise<string> {
  const key = (stranger ? strangerKeys : clinicKeys).privateKey;
  const message = new TextEncoder().encode(proofMessage(room, participant, identity, expires));
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, message);
  return `${expires}.${base64Url(signature)}`;
}

/** The proofs `identity` joins with under each id from `first` to `last`: signed for `room`. */
export async function provenIds(room: number, identity: string, expires: number, first: number, last: number): Promise<Map<number, string>> {
  const proofs = new Map<number, string>();
  for (let id = first; id <= last; id++) proofs.set(id, await signProof(room, id, identity, expires));
  return proofs;
}

export { displayWithProof };
