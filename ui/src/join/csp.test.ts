// The join page's own CSP (join.html): the browser's last word on where the page may connect.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

import { describe, expect, it } from "vitest";

function directives(): Map<string, string[]> {
  const html = readFileSync(resolve(process.cwd(), "join.html"), "utf8");
  const content = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? "";
  const entries = content.split(";").map((d) => d.trim().split(/\s+/));
  return new Map(entries.filter((e) => e[0]).map(([name, ...values]) => [name as string, values]));
}

describe("the join page's CSP", () => {
  it("connects only to its own origin and Twilio's signalling, never to any https:/wss: host", () => {
    expect(directives().get("connect-src")).toEqual(["'self'", "wss://*.vss.twilio.com"]);
  });

  it("runs only its own scripts and posts no forms", () => {
    const csp = directives();
    expect(csp.get("script-src")).toEqual(["'self'"]);
    expect(csp.get("form-action")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'none'"]);
  });
});
