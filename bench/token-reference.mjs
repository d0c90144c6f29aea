// Reference for the token benchmark: Twilio's official helper library (npm `twilio`)
// minting the same Video token on one thread. Usage: node bench/token-reference.mjs RUNS COUNT
import { createRequire } from "node:module";

const require = createRequire(new URL("../ui/package.json", import.meta.url));
const { AccessToken } = require("twilio").jwt;
const [runs = 5, count = 50000] = process.argv.slice(2).map(Number);

const rates = [];
for (let run = 0; run < runs; run++) {
  const started = process.hrtime.bigint();
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const token = new AccessToken(
      "AC0123456789abcdef0123456789abcdef",
      "SK0123456789abcdef0123456789abcdef",
      "abcdefghijklmnopqrstuvwxyz012345",
      { identity: "patient-kqzmfwprxd", ttl: 4 * 3600 },
    );
    token.addGrant(new AccessToken.VideoGrant({ room: "RM0123456789abcdef0123456789abcdef" }));
    bytes += token.toJwt().length;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (bytes < count * 100) throw new Error("no tokens were minted");
  rates.push(count / seconds);
}
rates.sort((a, b) => a - b);
const mid = Math.floor(rates.length / 2);
const median = rates.length % 2 ? rates[mid] : (rates[mid - 1] + rates[mid]) / 2;
console.log(`tokens_per_second_median ${median.toFixed(0)}`);
