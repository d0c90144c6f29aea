// Janus signed tokens (`token_auth_secret`), as src-tauri/crates/janus/src/token.rs mints them:
//   core token  `<expiry>,janus,janus.plugin.videoroom:<signature>`   opens a Janus session
//   room token  `<expiry>,janus.plugin.videoroom,room=<id>:<signature>`   joins one VideoRoom
// The expiry is in Unix seconds. Read, not verified: Janus checks the signature.
// No other import: the join page (ui/src/join/link.ts) reads its links with this.

/** The expiry (Unix seconds) a Janus signed token starts with, or null when it starts with none. */
export function janusTokenExpiry(token: string): number | null {
  const match = /^(\d{1,15}),/.exec(token);
  return match ? Number(match[1]) : null;
}

/** The room a VideoRoom token names (`…,room=<id>:sig`), or null. */
export function roomFromToken(token: string): number | null {
  const colon = token.lastIndexOf(":");
  const payload = colon > 0 ? token.slice(0, colon) : token;
  const match = /(?:^|,)room=(\d{1,16})(?:,|$)/.exec(payload);
  return match ? Number(match[1]) : null;
}
