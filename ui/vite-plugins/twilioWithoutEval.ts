import type { Plugin } from "vite";

/**
 * twilio-video builds `new Function("url", "return import(url)")` when it loads (for noise
 * cancellation plugins, unused here). The CSP forbids eval, so that throws and the library
 * never loads. Swap it for a function that declines.
 */
export function twilioWithoutEval(): Plugin {
  const FUNCTION = "new Function('url', 'return import(url);')";
  return {
    name: "visitdesk-twilio-without-eval",
    transform(code, id) {
      if (!/twilio-video[\\/]es5[\\/]util[\\/]dynamicimport\.js$/.test(id)) return null;
      if (!code.includes(FUNCTION)) this.error("twilio-video's dynamicimport.js changed: check it still needs no eval");
      return code.replace(FUNCTION, "(url) => Promise.reject(new Error(`Not loaded under this page's CSP: ${url}`))");
    },
  };
}
