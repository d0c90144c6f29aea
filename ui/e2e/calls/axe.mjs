// axe-core (npm) run in a Chromium page against WCAG 2.1 A and AA. Playwright's evaluate goes
// through DevTools, which a page's CSP does not govern: the join page keeps its own CSP.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/** What axe finds on the page as it is now: each rule broken, with up to five of its elements. */
export async function axeViolations(page) {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
    return result.violations.map((violation) => ({
      rule: violation.id,
      impact: violation.impact,
      elements: violation.nodes.slice(0, 5).map((node) => `${node.target.join(" ")}: ${node.failureSummary}`),
    }));
  }, WCAG_21_AA);
}

/** Fails with axe's findings when the page breaks a WCAG 2.1 AA rule axe checks. */
export async function assertAccessible(page, what) {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `${what}: axe finds ${JSON.stringify(violations, null, 2)}`);
}
