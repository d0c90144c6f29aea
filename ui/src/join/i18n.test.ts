import { describe, expect, it } from "vitest";

import { STRINGS } from "./i18n";

/** Every text in a strings tree, functions called with a sample argument, by path. */
function texts(value: unknown, path = ""): Map<string, string> {
  const found = new Map<string, string>();
  if (typeof value === "string") found.set(path, value);
  else if (typeof value === "function") {
    for (const sample of ["camera", "microphone", "both"]) found.set(`${path}(${sample})`, String(value(sample)));
  } else if (Array.isArray(value)) value.forEach((item, i) => texts(item, `${path}[${i}]`).forEach((v, k) => found.set(k, v)));
  else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) texts(item, `${path}.${key}`).forEach((v, k) => found.set(k, v));
  }
  return found;
}

describe("the join page's strings", () => {
  it("English and Spanish have the same texts, none empty", () => {
    const en = texts(STRINGS.en);
    const es = texts(STRINGS.es);
    expect([...es.keys()]).toEqual([...en.keys()]);
    for (const [key, text] of [...en, ...es]) expect(text.trim(), key).not.toBe("");
  });

  it("Spanish is translated, not copied", () => {
    const en = texts(STRINGS.en);
    const same = [...texts(STRINGS.es)].filter(([key, text]) => en.get(key) === text).map(([key]) => key);
    // Browser names and the like are the same in both.
    expect(same).toEqual([]);
  });
});
