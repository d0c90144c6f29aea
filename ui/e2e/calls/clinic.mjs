// The clinic both whole-visit tests set up through the console's own commands: the clinician's
// profile and Twilio account (the stand-in answers it), then video on the test's Janus, whose
// join page key the clinic copies into its visitdesk-join.json.
import assert from "node:assert/strict";

import { janusBrowserUrl } from "./join-site.mjs";

/** `invoke(command, args)` resolves to the command's answer (the test's own way to reach the core). */
export async function setUpJanusClinic(invoke, { site, janus }) {
  await invoke("save_setup", {
    form: {
      account_sid: "AC0123456789abcdef0123456789abcdef",
      api_key_sid: "SK0123456789abcdef0123456789abcdef",
      api_key_secret: "Zq8vN2mK5xR7tY1wB4cD6fG9hJ3kL0pA",
      display_name: "Dr. Ana Ruiz",
      identity: "dr-ana-ruiz",
      join_page_url: `${site.url}join.html`,
    },
  });
  const clinic = await invoke("clinic_settings", {});
  await invoke("save_clinic_settings", { settings: { ...clinic, video: { kind: "janus", api_url: janus.http, browser_url: janusBrowserUrl(site.url) } } });
  await invoke("save_janus_secrets", { form: { admin_key: janus.adminKey, token_auth_secret: janus.tokenSecret } });
  const janusClinicianKey = await invoke("janus_join_page_key", {});
  assert.match(janusClinicianKey, /^[A-Za-z0-9_-]{87}$/);
  site.setServices({ janusServer: "/janus-ws", janusClinicianKey });
}
