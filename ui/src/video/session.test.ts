import { describe, expect, it, vi } from "vitest";

import { TypedEmitter } from "./emitter";
import { identityFromToken, providerIdentityFromToken, roleOf, toNetworkQualityLevel } from "./session";

function jwt(claims: object): string {
  const bytes = new TextEncoder().encode(JSON.stringify(claims));
  const base64 = btoa(String.fromCharCode(...bytes));
  return `e30.${base64.replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")}.sig`;
}

describe("roleOf", () => {
  it("reads a guest's role from the identity prefix, as the core does", () => {
    expect(roleOf("patient-kqzmfwprxd", "dr-ana")).toBe("patient");
    expect(roleOf("interpreter-abc", "dr-ana")).toBe("interpreter");
    expect(roleOf("family-abc", "dr-ana")).toBe("family");
    expect(roleOf("caregiver-abc", "dr-ana")).toBe("caregiver");
  });

  it("the provider by exact identity, even one that looks like a guest's", () => {
    expect(roleOf("dr-ana", "dr-ana")).toBe("provider");
    expect(roleOf("family-doctor", "family-doctor")).toBe("provider");
    expect(roleOf("dr-ana", null)).toBe("unknown");
  });

  it("anything else is unknown", () => {
    for (const identity of ["patient", "Patient-abc", "provider-x", "dr-ana-preflight", "-patient", "toString-x", ""]) {
      expect(roleOf(identity, "dr-ana"), identity).toBe("unknown");
    }
  });
});

describe("identities in tokens", () => {
  it("reads grants.identity, non-ASCII included", () => {
    expect(identityFromToken(jwt({ grants: { identity: "dr-ana-ruiz", video: {} } }))).toBe("dr-ana-ruiz");
    expect(identityFromToken(jwt({ grants: { identity: "医生-李" } }))).toBe("医生-李");
    // Base64url: this one's payload has "-" and "_" where base64 has "+" and "/".
    const url = jwt({ grants: { identity: "dr-ñoño~ruiz" } });
    expect(url.split(".")[1]).toMatch(/[-_]/);
    expect(identityFromToken(url)).toBe("dr-ñoño~ruiz");
  });

  it("null for a token without one or not a JWT", () => {
    expect(identityFromToken(jwt({ grants: {} }))).toBeNull();
    expect(identityFromToken("not a token")).toBeNull();
    expect(identityFromToken("a.!!!.c")).toBeNull();
  });

  it("a token names the provider only when its identity is not a guest's", () => {
    expect(providerIdentityFromToken(jwt({ grants: { identity: "dr-ana-ruiz" } }))).toBe("dr-ana-ruiz");
    expect(providerIdentityFromToken(jwt({ grants: { identity: "patient-kqzmfwprxd" } }))).toBeNull();
  });
});

describe("network quality levels", () => {
  it("keeps 0 to 5, rounds and clamps others, drops what is not a number", () => {
    expect([0, 3, 5].map(toNetworkQualityLevel)).toEqual([0, 3, 5]);
    expect([-1, 2.6, 9].map(toNetworkQualityLevel)).toEqual([0, 3, 5]);
    expect([null, undefined, Number.NaN].map(toNetworkQualityLevel)).toEqual([null, null, null]);
  });
});

describe("TypedEmitter", () => {
  it("calls listeners with the event's arguments until removed", () => {
    const emitter = new TypedEmitter<{ level: [who: string, level: number]; done: [] }>();
    const levels = vi.fn();
    const off = emitter.on("level", levels);
    emitter.emit("level", "a", 3);
    off();
    emitter.emit("level", "b", 4);
    expect(levels.mock.calls).toEqual([["a", 3]]);
    expect(emitter.listenerCount("level")).toBe(0);
  });

  it("a throwing listener is reported and the others still run", () => {
    const reported: unknown[] = [];
    const emitter = new TypedEmitter<{ done: [] }>((error) => reported.push(error));
    const after = vi.fn();
    emitter.on("done", () => {
      throw new Error("bad listener");
    });
    emitter.on("done", after);
    emitter.emit("done");
    expect(after).toHaveBeenCalledOnce();
    expect(reported).toEqual([new Error("bad listener")]);
  });
});
