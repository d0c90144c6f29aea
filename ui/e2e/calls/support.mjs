// What the call tests share: the network namespace check and waiting for a condition.
import { execFileSync } from "node:child_process";

/** The veth end Janus gathers its media candidates on (scripts/with-netns). */
export const MEDIA_INTERFACE = process.env.VISITDESK_JANUS_MEDIA_IFACE ?? "jp0";

function hasInterface(name) {
  try {
    execFileSync("ip", ["link", "show", name], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * `false` inside the namespace; outside it, a skip reason when VISITDESK_CALLS_OPTIONAL=1, else
 * an error (without the namespace no media can flow, and a silent skip would hide that).
 */
export function callsSkipReason(test) {
  if (hasInterface(MEDIA_INTERFACE)) return false;
  if (process.env.VISITDESK_CALLS_OPTIONAL === "1") return `no ${MEDIA_INTERFACE} (VISITDESK_CALLS_OPTIONAL=1)`;
  throw new Error(`no ${MEDIA_INTERFACE} here: run scripts/with-netns -- … node --test ${test}`);
}

/** Polls `probe` until it returns a truthy value; throws `what` (with the last value) after `ms`. */
export async function eventually(what, probe, ms = 20_000, interval = 100) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) return last;
    await new Promise((r) => setTimeout(r, interval));
  }
  throw new Error(`${what} (last: ${JSON.stringify(last)})`);
}
