// Inbound media of a page's RTCPeerConnections, from getStats: what is decoded and received.

/** An init script (page.addInitScript): records every RTCPeerConnection the page makes. */
export function recordPeerConnections() {
  const Original = window.RTCPeerConnection;
  window.__peerConnections = [];
  window.RTCPeerConnection = class extends Original {
    constructor(...args) {
      super(...args);
      window.__peerConnections.push(this);
    }
  };
}

/** Inbound streams of open connections: decoded video frames and received audio bytes. */
export function inbound(page) {
  return page.evaluate(async () => {
    const streams = {};
    for (const [index, pc] of window.__peerConnections.entries()) {
      if (pc.connectionState === "closed") continue;
      (await pc.getStats()).forEach((report) => {
        if (report.type !== "inbound-rtp") return;
        streams[`${index}/${report.id}`] = { kind: report.kind, frames: report.framesDecoded ?? 0, bytes: report.bytesReceived ?? 0 };
      });
    }
    return streams;
  });
}

/** How many video streams are being decoded and audio streams received now (counts rising over `ms`). */
export async function liveStreams(page, ms = 1500) {
  const before = await inbound(page);
  await new Promise((r) => setTimeout(r, ms));
  const after = await inbound(page);
  let video = 0;
  let audio = 0;
  for (const [id, now] of Object.entries(after)) {
    const then = before[id] ?? { frames: 0, bytes: 0 };
    if (now.kind === "video" && now.frames > then.frames) video++;
    if (now.kind === "audio" && now.bytes > then.bytes) audio++;
  }
  return { video, audio };
}

/** An init script: records every track getUserMedia hands the page (the camera light's source). */
export function recordCaptures() {
  window.__captured = [];
  const devices = navigator.mediaDevices;
  const getUserMedia = devices.getUserMedia.bind(devices);
  devices.getUserMedia = async (constraints) => {
    const stream = await getUserMedia(constraints);
    window.__captured.push(...stream.getTracks());
    return stream;
  };
}

/** Captured tracks still live (camera or microphone in use). */
export function liveCaptures(page) {
  return page.evaluate(() => window.__captured.filter((track) => track.readyState === "live").map((track) => track.kind));
}

/** How many streams the page is sending now: outbound-rtp bytes rising over `ms`. */
export async function sendingStreams(page, ms = 1500) {
  const outbound = () =>
    page.evaluate(async () => {
      const streams = {};
      for (const [index, pc] of window.__peerConnections.entries()) {
        if (pc.connectionState === "closed") continue;
        (await pc.getStats()).forEach((report) => {
          if (report.type === "outbound-rtp") streams[`${index}/${report.id}`] = { kind: report.kind, bytes: report.bytesSent ?? 0 };
        });
      }
      return streams;
    });
  const before = await outbound();
  await new Promise((r) => setTimeout(r, ms));
  const after = await outbound();
  const rising = Object.entries(after).filter(([id, now]) => now.bytes > (before[id]?.bytes ?? 0));
  return { video: rising.filter(([, s]) => s.kind === "video").length, audio: rising.filter(([, s]) => s.kind === "audio").length };
}
