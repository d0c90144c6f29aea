import { describe, expect, it } from "vitest";

import { NO_SERVICES, clinicServicesOf, janusServerOf, linkForThisClinic } from "./clinicServices";
import type { JoinLink } from "./link";

const PAGE = "https://visit.clinic.example/join/join.html?x=1";
const ACCOUNT = "AC0123456789abcdef0123456789abcdef";
const OTHER_ACCOUNT = "ACffffffffffffffffffffffffffffffff";
const common = { token: "t", identity: "patient-abc", room: "1234", expiresAt: 2_000_000_000, language: "en" as const, provider: "dr-ana", intakeKey: null };
const twilioLink = (account: string): JoinLink => ({ ...common, backend: "twilio", account });
const janusLink = (server: string): JoinLink => ({ ...common, backend: "janus", server, coreToken: "c", participantId: null, proof: null, admission: null, clinicianKey: null });
const KEY = `B${"A".repeat(86)}`;
const CLINIC = { janusServer: "wss://visit.clinic.example/janus-ws", janusClinicianKey: KEY, twilioAccountSid: ACCOUNT };

describe("the clinic's Janus address", () => {
  it.each([
    ["/janus-ws", "wss://visit.clinic.example/janus-ws"],
    ["wss://video.clinic.example/janus/", "wss://video.clinic.example/janus"],
    ["wss://video.clinic.example:8989", "wss://video.clinic.example:8989"],
    ["ws://127.0.0.1:8188/", "ws://127.0.0.1:8188"],
  ])("%s is %s", (value, expected) => {
    expect(janusServerOf(value, PAGE)).toBe(expected);
  });

  it("a path on a page served over http (this computer) is ws:", () => {
    expect(janusServerOf("/janus-ws", "http://127.0.0.1:5174/join.html")).toBe("ws://127.0.0.1:5174/janus-ws");
  });

  it.each([
    ["https: (janus.js's long polls put the token in URLs)", "https://video.clinic.example/janus"],
    ["plain ws: across the network", "ws://video.clinic.example/janus"],
    ["protocol-relative", "//evil.example/janus"],
    ["backslashes", "/\\evil.example/janus"],
    ["credentials", "wss://user:pw@video.clinic.example/janus"],
    ["a query", "wss://video.clinic.example/janus?token=x"],
    ["not text", 42],
    ["empty", ""],
  ])("refuses %s", (_name, value) => {
    expect(janusServerOf(value, PAGE)).toBeNull();
  });
});

describe("the clinic's services", () => {
  it("reads both, and drops what is not one", () => {
    expect(clinicServicesOf({ janusServer: "/janus-ws", janusClinicianKey: KEY, twilioAccountSid: ACCOUNT }, PAGE)).toEqual(CLINIC);
    expect(clinicServicesOf({ janusServer: "/janus-ws", janusClinicianKey: "not a key", twilioAccountSid: ACCOUNT }, PAGE)).toEqual({ ...CLINIC, janusClinicianKey: null });
    expect(clinicServicesOf({ janusServer: "https://x.example/janus", twilioAccountSid: "SK0123456789abcdef0123456789abcdef" }, PAGE)).toEqual(NO_SERVICES);
    expect(clinicServicesOf(undefined, PAGE)).toEqual(NO_SERVICES);
  });
});

describe("a link on this clinic's page", () => {
  it("a Twilio token for the clinic's account is used", () => {
    expect(linkForThisClinic(twilioLink(ACCOUNT), CLINIC, PAGE)).toEqual({ ok: twilioLink(ACCOUNT) });
  });

  it("a Twilio token for another account is foreign", () => {
    expect(linkForThisClinic(twilioLink(OTHER_ACCOUNT), CLINIC, PAGE)).toEqual({ problem: "foreign" });
  });

  it("a Twilio link on a page that names only Janus is foreign", () => {
    expect(linkForThisClinic(twilioLink(ACCOUNT), { ...CLINIC, twilioAccountSid: null }, PAGE)).toEqual({ problem: "foreign" });
  });

  it("the clinic's Janus, however the link spells it, connects to the address the clinic wrote", () => {
    const reading = linkForThisClinic(janusLink("wss://VISIT.clinic.example:443/janus-ws/"), CLINIC, PAGE);
    expect(reading).toEqual({ ok: { ...janusLink("x"), server: "wss://visit.clinic.example/janus-ws", clinicianKey: KEY } });
  });

  it.each([
    ["another host", "wss://evil.example/janus-ws"],
    ["another path on the clinic's host", "wss://visit.clinic.example/other-janus"],
    ["the clinic's host over http", "https://visit.clinic.example/janus-ws"],
    ["a look-alike host", "wss://visit.clinic.example.evil.example/janus-ws"],
    ["credentials before the clinic's host", "wss://visit.clinic.example@evil.example/janus-ws"],
  ])("a Janus link naming %s is foreign", (_name, server) => {
    expect(linkForThisClinic(janusLink(server), CLINIC, PAGE)).toEqual({ problem: "foreign" });
  });

  it("a Janus link on a page that names only Twilio is foreign", () => {
    expect(linkForThisClinic(janusLink(CLINIC.janusServer), { ...CLINIC, janusServer: null }, PAGE)).toEqual({ problem: "foreign" });
  });

  it("a Janus link on a page without the clinic's join page key is refused: nobody could be told apart from the clinician", () => {
    expect(linkForThisClinic(janusLink(CLINIC.janusServer), { ...CLINIC, janusClinicianKey: null }, PAGE)).toEqual({ problem: "unconfigured" });
  });

  it("a page whose file names no service trusts no link", () => {
    expect(linkForThisClinic(twilioLink(ACCOUNT), NO_SERVICES, PAGE)).toEqual({ problem: "unconfigured" });
    expect(linkForThisClinic(janusLink(CLINIC.janusServer), NO_SERVICES, PAGE)).toEqual({ problem: "unconfigured" });
  });
});
