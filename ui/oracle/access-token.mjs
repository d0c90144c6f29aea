// Twilio's official helper library as the oracle for the core's access tokens.
// Reads one JSON case on stdin, prints the library's token for the same inputs and what
// a standard JWT verifier (jsonwebtoken) says of the core's token.
import { readFileSync } from "node:fs";
import jwt from "jsonwebtoken";
import twilio from "twilio";

const input = JSON.parse(readFileSync(0, "utf8"));
const { AccessToken } = twilio.jwt;
const options = { identity: input.identity, ttl: input.ttl };
if (input.nbf !== undefined) options.nbf = input.nbf;
const token = new AccessToken(input.accountSid, input.apiKeySid, input.secret, options);
token.addGrant(new AccessToken.VideoGrant(input.room === undefined ? {} : { room: input.room }));
const libraryToken = token.toJwt();

function verify(secret) {
  try {
    jwt.verify(input.coreToken, secret, { algorithms: ["HS256"], clockTolerance: 5 });
    return "accepted";
  } catch (error) {
    return `rejected: ${error.message}`;
  }
}

const decoded = jwt.decode(libraryToken, { complete: true });
process.stdout.write(
  JSON.stringify({
    header: decoded.header,
    payload: decoded.payload,
    withSecret: verify(input.secret),
    withWrongSecret: verify(input.wrongSecret),
  }),
);
