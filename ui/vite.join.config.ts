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

/**
 * A clinic whose Janus is not behind the page's own origin names it at build time:
 * `VISITDESK_JANUS_ORIGIN=wss://video.clinic.example npm run build:join` adds that one origin to
 * the CSP's connect-src. Anything but a bare wss: origin stops the build.
 */
function clinicJanusOrigin(origin = process.env.VISITDESK_JANUS_ORIGIN ?? ""): Plugin {
  const value = origin.trim();
  if (value !== "") {
    const url = URL.canParse(value) ? new URL(value) : null;
    if (!url || url.protocol !== "wss:" || url.origin !== value.replace(/\/$/, "")) {
      throw new Error(`VISITDESK_JANUS_ORIGIN must be a wss:// origin with no path, like wss://video.clinic.example (got “${value}”).`);
    }
  }
  return {
    name: "visitdesk-join-janus-origin",
    transformIndexHtml: (html) => (value === "" ? html : html.replace("connect-src 'self'", `connect-src 'self' ${new URL(value).origin}`)),
  };
}

export default defineConfig({
  plugins: [svelte(), devCsp(), clinicJanusOrigin(), twilioWithoutEval()],
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
