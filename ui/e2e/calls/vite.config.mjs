// Builds the call test page (page/index.html + adapter-page.ts), which puts the Janus adapter on
// `window`: ui/e2e/calls/janus-adapter.test.mjs builds it with `build({ configFile, build: { outDir } })`.
import { fileURLToPath } from "node:url";

import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL("./page", import.meta.url)),
  base: "./",
  logLevel: "warn",
  clearScreen: false,
  build: { target: "es2022", emptyOutDir: true, minify: false, modulePreload: { polyfill: false } },
});
