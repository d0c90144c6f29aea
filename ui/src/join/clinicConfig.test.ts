import { readFileSync } from "node:fs";
import { resolve } from "node:path";

import { describe, expect, it } from "vitest";

import { DEFAULT_CONFIG_JSON, calmingMediaOf, defaultClinicConfig, loadClinicConfig, parseClinicConfig } from "./clinicConfig";

const PAGE = "https://visit.example.org/join";

describe("the clinic's join page config", () => {
  it("the file shipped beside the page is the built-in default", () => {
    const shipped = JSON.parse(readFileSync(resolve(process.cwd(), "public-join/visitdesk-join.json"), "utf8"));
    expect(shipped).toEqual(DEFAULT_CONFIG_JSON);
    expect(parseClinicConfig(shipped, PAGE)).toEqual(defaultClinicConfig(PAGE));
    expect(defaultClinicConfig(PAGE).calmingMedia).toEqual({ kind: "image", url: "/calming.svg" });
  });

  it("takes same-origin images and videos, relative or from the site's root", () => {
    expect(calmingMediaOf("media/calm.mp4", "https://visit.example.org/clinic/join")).toEqual({ kind: "video", url: "/clinic/media/calm.mp4" });
    expect(calmingMediaOf("/calm.webm", PAGE)).toEqual({ kind: "video", url: "/calm.webm" });
    expect(calmingMediaOf("lake.JPG", PAGE)).toEqual({ kind: "image", url: "/lake.JPG" });
  });

  it.each([
    "https://cdn.example.com/calm.mp4",
    "https://visit.example.org/calm.mp4",
    "//cdn.example.com/calm.mp4",
    "/.//cdn.example.com/calm.mp4",
    "./..//cdn.example.com/calm.mp4",
    "media/..//cdn.example.com/calm.png",
    "javascript:alert(1)//.png",
    "data:image/svg+xml,<svg/>",
    "\\\\cdn.example.com\\calm.mp4",
    "calm.html",
    "",
    42,
  ])("refuses %s", (path) => {
    expect(calmingMediaOf(path, PAGE)).toBeNull();
  });

  it("reads welcome texts and questions per language; what is missing or wrong is the default's", () => {
    const config = parseClinicConfig(
      {
        welcome: { en: "Hi from North Clinic", es: 7 },
        calmingMedia: "https://tracker.example.com/pixel.png",
        intake: {
          en: [
            { id: "reason", question: "Why today?" },
            { id: "reason", question: "Duplicate id" },
            { id: "bad id!", question: "Bad id" },
            { id: "empty", question: "  " },
          ],
          es: "not a list",
        },
      },
      PAGE,
    );
    expect(config.welcome).toEqual({ en: "Hi from North Clinic", es: DEFAULT_CONFIG_JSON.welcome.es });
    expect(config.calmingMedia).toBeNull();
    expect(config.intake.en).toEqual([{ id: "reason", question: "Why today?" }]);
    expect(config.intake.es).toEqual(DEFAULT_CONFIG_JSON.intake.es);
  });

  it("a clinic may turn the calming media and the questions off", () => {
    const config = parseClinicConfig({ calmingMedia: null, intake: { en: [], es: [] } }, PAGE);
    expect(config.calmingMedia).toBeNull();
    expect(config.intake).toEqual({ en: [], es: [] });
  });

  it("loads the file from beside the page, and falls back to the default when it cannot", async () => {
    const asked: string[] = [];
    const ok = (async (url: string) => {
      asked.push(url);
      return new Response(JSON.stringify({ welcome: { en: "Hello", es: "Hola" } }));
    }) as typeof fetch;
    expect((await loadClinicConfig("https://visit.example.org/clinic/join?x=1", ok)).welcome.en).toBe("Hello");
    expect(asked).toEqual(["https://visit.example.org/clinic/visitdesk-join.json"]);

    const missing = (async () => new Response("", { status: 404 })) as typeof fetch;
    const broken = (async () => new Response("{not json")) as typeof fetch;
    const offline = (async () => Promise.reject(new TypeError("Failed to fetch"))) as typeof fetch;
    for (const fetcher of [missing, broken, offline]) expect(await loadClinicConfig(PAGE, fetcher)).toEqual(defaultClinicConfig(PAGE));
  });
});
