// A scripted Twilio for real-window tests: the Video and Api v2010 endpoints VisitDesk
// calls, on one loopback port, with participants the test makes arrive and leave.
// (Prism serves Twilio's contract but cannot script arrivals; the core's contract tests
// cover request shapes.)
import { createServer } from "node:http";

const hex = (n) => [...Array(n)].map(() => Math.floor(Math.random() * 16).toString(16)).join("");

export async function startTwilioStandIn() {
  const rooms = new Map(); // sid -> room
  const participants = new Map(); // room sid -> Map(identity -> participant)
  const messages = [];
  const requests = [];

  const roomBy = (key) => rooms.get(key) ?? [...rooms.values()].find((r) => r.unique_name === key && r.status === "in-progress");
  const page = (key, items) => ({ [key]: items, meta: { page: 0, page_size: 50, next_page_url: null, key } });

  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const url = new URL(req.url, "http://stand-in");
      const form = new URLSearchParams(body);
      requests.push({ method: req.method, path: url.pathname, at: Date.now() });
      const send = (status, json) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(json));
      };
      const notFound = () => send(404, { code: 20404, message: "The requested resource was not found", status: 404 });
      const parts = url.pathname.split("/").filter(Boolean);

      if (parts[0] === "v1" && parts[1] === "Rooms") {
        if (parts.length === 2 && req.method === "GET") return send(200, page("rooms", []));
        if (parts.length === 2 && req.method === "POST") {
          const room = { sid: `RM${hex(32)}`, unique_name: form.get("UniqueName"), status: "in-progress", type: "group" };
          rooms.set(room.sid, room);
          participants.set(room.sid, new Map());
          return send(201, room);
        }
        const room = roomBy(decodeURIComponent(parts[2]));
        if (!room) return notFound();
        if (parts.length === 3 && req.method === "GET") return send(200, room);
        if (parts.length === 3 && req.method === "POST") {
          room.status = form.get("Status") ?? room.status;
          return send(200, room);
        }
        const inRoom = participants.get(room.sid);
        if (parts[3] === "Participants" && parts.length === 4) {
          const status = url.searchParams.get("Status");
          const list = [...inRoom.values()].filter((p) => !status || p.status === status);
          return send(200, page("participants", list));
        }
        const participant = [...inRoom.values()].find((p) => p.sid === parts[4] || p.identity === decodeURIComponent(parts[4]));
        if (!participant) return notFound();
        if (parts[5] === "PublishedTracks") return send(200, page("published_tracks", participant.tracks));
        if (parts[5] === "SubscribeRules") {
          if (req.method === "POST") participant.subscribeRules = JSON.parse(form.get("Rules") ?? "null");
          const now = new Date().toISOString();
          const rules = participant.subscribeRules ?? [];
          return send(200, { participant_sid: participant.sid, room_sid: room.sid, rules, date_created: now, date_updated: now });
        }
        if (parts.length > 5) return notFound();
        if (req.method === "POST") {
          participant.status = "disconnected";
          return send(200, participant);
        }
        return send(200, participant);
      }
      if (parts[0] === "2010-04-01" && parts[3] === "Messages.json" && req.method === "POST") {
        const message = { sid: `SM${hex(32)}`, status: "queued", body: form.get("Body"), to: form.get("To") };
        messages.push(message);
        return send(201, { sid: message.sid, status: message.status });
      }
      if (parts[0] === "2010-04-01" && parts[3] === "Messages" && req.method === "GET") {
        const message = messages.find((m) => `${m.sid}.json` === parts[4]);
        // Delivered as soon as asked: the carrier is fast here.
        return message ? send(200, { sid: message.sid, status: "delivered" }) : notFound();
      }
      if (parts[0] === "2010-04-01" && parts[3] === "Calls.json" && req.method === "POST") {
        return send(201, { sid: `CA${hex(32)}`, status: "queued" });
      }
      notFound();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;

  /** The guest identity and room a texted link's token grants (the JWT's claims). */
  function grantOf(message) {
    const token = new URLSearchParams(message.body.split("#")[1]).get("t");
    const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
    return { identity: claims.grants.identity, roomSid: claims.grants.video.room };
  }

  return {
    url,
    messages,
    requests,
    grantOf,
    /** `identity` connects to the room, publishing camera and microphone when asked. */
    arrive(roomSid, identity, { camera = true, microphone = true } = {}) {
      const participant = {
        sid: `PA${hex(32)}`,
        identity,
        status: "connected",
        start_time: new Date().toISOString(),
        tracks: [
          ...(camera ? [{ sid: `MT${hex(32)}`, name: "camera", kind: "video", enabled: true }] : []),
          ...(microphone ? [{ sid: `MT${hex(32)}`, name: "microphone", kind: "audio", enabled: true }] : []),
        ],
      };
      participants.get(roomSid).set(identity, participant);
    },
    /** The subscribe rules VisitDesk last set for `identity`'s connection; undefined before any. */
    subscribeRules(roomSid, identity) {
      return participants.get(roomSid)?.get(identity)?.subscribeRules;
    },
    leave(roomSid, identity) {
      const participant = participants.get(roomSid)?.get(identity);
      if (participant) participant.status = "disconnected";
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
