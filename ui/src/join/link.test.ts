import { describe, expect, it } from "vitest";

import { readJoinLink } from "./link";

const NOW = 1_795_361_400;
const ACCOUNT = "AC0123456789abcdef0123456789abcdef";
const b64 = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const jwt = (claims: unknown) => `${b64({ alg: "HS256", typ: "JWT", cty: "twilio-fpa;v=1" })}.${b64(claims)}.c2lnbmF0dXJl`;
const twilioToken = (exp: number) => jwt({ exp, grants: { identity: "patient-kqzmfwprxd", video: { room: "RM0123456789abcdef0123456789abcdef" } }, sub: ACCOUNT });

describe("join link", () => {
  it("reads a Twilio link: identity, room and expiry from the token, the language", () => {
    const reading = readJoinLink(`#t=${twilioToken(NOW + 3600)}&l=es&p=dr-ana-ruiz`, NOW);
    expect(reading).toEqual({
      ok: {
        backend: "twilio",
        account: ACCOUNT,
        token: twilioToken(NOW + 3600),
        identity: "patient-kqzmfwprxd",
        room: "RM0123456789abcdef0123456789abcdef",
        expiresAt: NOW + 3600,
        language: "es",
        provider: "dr-ana-ruiz",
        intakeKey: null,
      },
    });
    const key = "c2VhbGVkLWZvci10aGUtY2xpbmljaWFuLW9ubHktMTI";
    expect(readJoinLink(`#t=${twilioToken(NOW + 3600)}&p=dr-ana-ruiz&k=${key}`, NOW)).toMatchObject({ ok: { intakeKey: key } });
    expect(readJoinLink(`#t=${twilioToken(NOW + 3600)}&p=dr-ana-ruiz&k=short`, NOW)).toMatchObject({ problem: "malformed" });
  });

  it("reads a Janus link", () => {
    const token = `${NOW + 600},janus.plugin.videoroom,room=1234:c2ln`;
    const core = `${NOW + 600},janus,janus.plugin.videoroom:c2ln`;
    const fragment = `#t=${encodeURIComponent(token)}&l=en&b=janus&s=${encodeURIComponent("wss://video.clinic.example/janus")}&r=1234&i=interpreter-abcdef&c=${encodeURIComponent(core)}`;
    expect(readJoinLink(fragment, NOW)).toEqual({
      ok: {
        backend: "janus",
        token,
        identity: "interpreter-abcdef",
        room: "1234",
        server: "wss://video.clinic.example/janus",
        coreToken: core,
        expiresAt: NOW + 600,
        language: "en",
        provider: null,
        intakeKey: null,
        participantId: null,
        proof: null,
        admission: null,
        clinicianKey: null,
      },
    });
  });

  it("reads the clinician's participant id and proof from a Janus link, and refuses a malformed or lone one", () => {
    const token = encodeURIComponent(`${NOW + 600},janus.plugin.videoroom,room=1234:c2ln`);
    const core = encodeURIComponent(`${NOW + 600},janus,janus.plugin.videoroom:c2ln`);
    const base = `#t=${token}&b=janus&s=wss://j.example/janus&r=1234&i=dr-ana&p=dr-ana&c=${core}`;
    const proof = `${NOW + 600}.${"A".repeat(86)}`;
    expect(readJoinLink(`${base}&j=77&v=${proof}`, NOW)).toMatchObject({ ok: { participantId: 77, proof, admission: null, clinicianKey: null } });
    expect(readJoinLink(`${base}&j=77&v=${proof}&a=explicit`, NOW)).toMatchObject({ ok: { admission: "explicit" } });
    expect(readJoinLink(`${base}&j=77&v=${proof}&a=on_join`, NOW)).toMatchObject({ ok: { admission: "on_join" } });
    const malformed = [`&j=77`, `&v=${proof}`, `&j=x&v=${proof}`, `&j=0&v=${proof}`, `&j=77&v=${NOW}.short`, `&j=99999999999999999&v=${proof}`];
    // A mode only beside a proof, and only a known one.
    malformed.push(`&a=explicit`, `&j=77&v=${proof}&a=later`);
    for (const extra of malformed) {
      expect(readJoinLink(`${base}${extra}`, NOW), extra).toMatchObject({ problem: "malformed" });
    }
  });

  it("says a link has expired, in the link's language", () => {
    expect(readJoinLink(`#t=${twilioToken(NOW)}&l=es`, NOW)).toEqual({ problem: "expired", language: "es" });
    const core = encodeURIComponent(`${NOW + 60},janus,janus.plugin.videoroom:x`);
    expect(readJoinLink(`#t=${encodeURIComponent(`${NOW - 1},janus.plugin.videoroom,room=1:x`)}&b=janus&s=https://j.example/janus&r=1&i=family-ab&c=${core}`, NOW)).toEqual({
      problem: "expired",
      language: "en",
    });
  });

  it("reads a Janus link's expiry as the adapter does: a token with none is malformed, a late one expired", () => {
    const link = (token: string, core: string) =>
      readJoinLink(`#t=${encodeURIComponent(token)}&b=janus&s=https://j.example/janus&r=1&i=family-ab&c=${encodeURIComponent(core)}`, NOW);
    const core = `${NOW + 60},janus,janus.plugin.videoroom:x`;
    expect(link(`${NOW + 60},janus.plugin.videoroom,room=1:x`, core)).toMatchObject({ ok: { expiresAt: NOW + 60 } });
    expect(link("janus.plugin.videoroom,room=1:x", core)).toEqual({ problem: "malformed", language: "en" });
    expect(link(`${NOW + 60},janus.plugin.videoroom,room=1:x`, "janus,janus.plugin.videoroom:x")).toEqual({ problem: "malformed", language: "en" });
    expect(link(`${NOW - 1},janus.plugin.videoroom,room=1:x`, `${NOW - 1},janus,janus.plugin.videoroom:x`)).toEqual({ problem: "expired", language: "en" });
  });

  it("tells a missing fragment from a malformed one", () => {
    expect(readJoinLink("", NOW)).toEqual({ problem: "missing", language: "en" });
    for (const fragment of [
      "#hello",
      "#t=not-a-jwt",
      `#t=${jwt({ exp: NOW + 60 })}`,
      `#t=${twilioToken(NOW + 60)}&b=zoom`,
      `#t=${twilioToken(NOW + 60)}&p=`,
      `#t=${twilioToken(NOW + 60)}&p=dr%07ana`,
      `#t=${encodeURIComponent(`${NOW + 60},janus.plugin.videoroom,room=1:x`)}&b=janus&s=javascript:alert(1)&r=1&i=family-ab&c=1795361460,janus:x`,
      `#t=${encodeURIComponent(`${NOW + 60},janus.plugin.videoroom,room=1:x`)}&b=janus&s=https://j.example&r=1&i=family-ab`,
      `#t=${encodeURIComponent(`${NOW + 60},janus.plugin.videoroom,room=1:x`)}&b=janus&s=https://j.example&r=1&i=<b>x</b>`,
    ]) {
      expect(readJoinLink(fragment, NOW), fragment).toMatchObject({ problem: "malformed" });
    }
  });
});
