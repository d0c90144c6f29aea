// The patient and guest join page: a static site of its own in dist-join (not in the app's dist).
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { type Plugin, defineConfig } from "vite";

import { twilioWithoutEval } from "./vite-plugins/twilioWithoutEval";

/**
 * The dev server only: Vite injects component styles as <style> elements, and pre-bundles
 * twilio-video without the plugin below. The built page keeps the strict policy.
 */
function devCsp(): Plugin {
  return {
    name: "visitdesk-join-dev-csp",
    apply: "serve",
    transformIndexHtml: (html) =>
      html
        .replace("default-src 'self';", "default-src 'self';\n        style-src 'self' 'unsafe-inline';")
        .replace("script-src 'self';", "script-src 'self' 'unsafe-eval';"),
  };
}

export default defineConfig({
  plugins: [svelte(), devCsp(), twilioWithoutEval()],
  clearScreen: false,
  publicDir: "public-join",
  // Relative asset URLs: the clinic may host the page under any path.
  base: "./",
  server: { port: 5174, strictPort: true, host: "localhost" },
  build: {
    outDir: "dist-join",
    emptyOutDir: true,
    target: "es2022",
    // No inline scripts or eval: the CSP allows only 'self'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    rolldownOptions: { input: { join: "join.html" } },
  },
});
