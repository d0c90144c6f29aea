// The call test page: the Janus adapter (ui/src/video/janus/) on `window.visitdeskCall`, every
// remote track shown in a <video>/<audio> element, and what the test reads back: events, texts,
// decoded frames (getVideoPlaybackQuality, requestVideoFrameCallback), received audio (getStats),
// what getUserMedia was asked for (and the tracks it gave), the SDP each connection offered or
// answered, and the bytes received per participant; `release`/`hold` for a call connected held.

import { type JanusBackendConfig, janusBackend } from "../../../src/video/janus";
import type { MediaTrack, RemoteParticipant, VideoConnectOptions, VideoSession } from "../../../src/video/session";
import { VideoSessionError } from "../../../src/video/session";

// Every peer connection janus.js makes, for getStats.
const peerConnections: RTCPeerConnection[] = [];
const NativePeerConnection = window.RTCPeerConnection;
window.RTCPeerConnection = class extends NativePeerConnection {
  constructor(configuration?: RTCConfiguration) {
    super(configuration);
    peerConnections.push(this);
  }
} as typeof RTCPeerConnection;

// What getUserMedia is asked for, and the tracks it gives (wrapping any init script's stand-in).
const asked: Array<{ audio: boolean; video: boolean }> = [];
const capturedTracks: MediaStreamTrack[] = [];
const nativeGetUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
navigator.mediaDevices.getUserMedia = async (constraints?: MediaStreamConstraints) => {
  asked.push({ audio: Boolean(constraints?.audio), video: Boolean(constraints?.video) });
  const stream = await nativeGetUserMedia(constraints);
  capturedTracks.push(...stream.getTracks());
  return stream;
};

type ElementEntry = { sid: string; identity: string; trackId: string; element: HTMLMediaElement; subscribedAt: number };

const media = document.getElementById("media")!;
const events: string[] = [];
const messages: Array<{ text: string; from: string }> = [];
const elements = new Map<string, ElementEntry>();
/** Every received MediaStreamTrack id ever shown, and whose it was (kept after it is hidden). */
const trackOwners = new Map<string, string>();
/** Per remote sid: ms from our connect() call to its first decoded video frame, and from its trackSubscribed. */
const firstFrame: Record<string, { sinceConnect: number; sinceSubscribed: number }> = {};
let session: VideoSession | null = null;
let connectStartedAt = 0;

function show(track: MediaTrack, participant: RemoteParticipant): void {
  const key = `${participant.sid}:${track.kind}:${track.id}`;
  if (elements.has(key)) return;
  const element = document.createElement(track.kind === "video" ? "video" : "audio");
  // Remote audio plays (to headless Chromium's null output): Chromium counts received audio
  // energy (getStats totalAudioEnergy) only for audio it plays out.
  element.muted = track.kind === "video";
  element.dataset.sid = participant.sid;
  element.dataset.trackId = track.id;
  media.append(element);
  track.attach(element);
  const entry: ElementEntry = {
    sid: participant.sid,
    identity: participant.identity,
    trackId: (element.srcObject as MediaStream).getTracks()[0]!.id,
    element,
    subscribedAt: performance.now(),
  };
  elements.set(key, entry);
  trackOwners.set(entry.trackId, participant.sid);
  void element.play().catch(() => {});
  if (element instanceof HTMLVideoElement) {
    element.requestVideoFrameCallback(() => {
      const now = performance.now();
      firstFrame[participant.sid] ??= { sinceConnect: now - connectStartedAt, sinceSubscribed: now - entry.subscribedAt };
    });
  }
}

function hide(track: MediaTrack, participant: RemoteParticipant): void {
  const key = `${participant.sid}:${track.kind}:${track.id}`;
  const entry = elements.get(key);
  if (!entry) return;
  track.detach(entry.element);
  entry.element.remove();
  elements.delete(key);
}

async function connect(config: Omit<JanusBackendConfig, "load">, options: Omit<VideoConnectOptions, "signal">) {
  connectStartedAt = performance.now();
  try {
    const connected = await janusBackend({ ...config, debug: new URLSearchParams(location.search).has("debug") }).connect(options);
    session = connected;
    const connectMs = performance.now() - connectStartedAt;
    events.push(`connected as ${connected.localParticipant.sid}`);
    for (const participant of connected.remoteParticipants.values()) {
      for (const track of participant.tracks) show(track, participant);
    }
    connected.on("participantJoined", (p) => events.push(`participantJoined ${p.identity} (${p.tracks.length} tracks)`));
    connected.on("participantLeft", (p) => events.push(`participantLeft ${p.identity} (${p.tracks.length} tracks)`));
    connected.on("trackSubscribed", (t, p) => {
      events.push(`trackSubscribed ${t.kind} of ${p.identity}`);
      show(t, p);
    });
    connected.on("trackUnsubscribed", (t, p) => {
      events.push(`trackUnsubscribed ${t.kind} of ${p.identity}`);
      hide(t, p);
    });
    connected.on("reconnecting", (r) => events.push(`reconnecting ${r.kind}`));
    connected.on("reconnected", () => events.push("reconnected"));
    connected.on("disconnected", (r) => events.push(`disconnected ${r.kind}`));
    connected.on("dominantSpeakerChanged", (p) => events.push(`dominantSpeakerChanged ${p?.identity ?? "nobody"}`));
    connected.on("messageReceived", (text, p) => messages.push({ text, from: p.identity }));
    return { ok: true as const, sid: connected.localParticipant.sid, connectMs };
  } catch (error) {
    if (error instanceof VideoSessionError) return { ok: false as const, kind: error.kind, code: error.code, message: error.message };
    return { ok: false as const, kind: "thrown", code: null, message: String(error) };
  }
}

function snapshot() {
  return {
    state: session?.state ?? null,
    held: session?.held ?? null,
    captured: capturedTracks.map((t) => ({ kind: t.kind, readyState: t.readyState })),
    peerConnections: peerConnections.length,
    localSid: session?.localParticipant.sid ?? null,
    localNetworkQuality: session?.localParticipant.networkQualityLevel ?? null,
    local: session && {
      cameraEnabled: session.localParticipant.cameraEnabled,
      microphoneEnabled: session.localParticipant.microphoneEnabled,
      tracks: session.localParticipant.tracks.map((t) => ({ kind: t.kind, enabled: t.isEnabled })),
    },
    asked: [...asked],
    dominantSpeaker: session?.dominantSpeaker?.identity ?? null,
    remotes: [...(session?.remoteParticipants.values() ?? [])].map((p) => ({
      sid: p.sid,
      identity: p.identity,
      role: p.role,
      networkQuality: p.networkQualityLevel,
      tracks: p.tracks.map((t) => ({ kind: t.kind, id: t.id, enabled: t.isEnabled, screen: t.isScreen === true })),
    })),
    events: [...events],
    messages: [...messages],
    firstFrame: { ...firstFrame },
  };
}

type Received = {
  videoFrames: number;
  width: number;
  height: number;
  framesDecoded: number;
  audioSamples: number;
  audioEnergy: number;
  audioPackets: number;
  audioConcealed: number;
  audioLevel: number;
};

/** What this page receives from each remote participant, by sid. */
async function received(): Promise<Record<string, Received>> {
  const inbound = new Map<string, Record<string, number>>();
  for (const pc of peerConnections) {
    if (pc.connectionState === "closed") continue;
    const report = await pc.getStats();
    report.forEach((entry: Record<string, unknown>) => {
      if (entry.type === "inbound-rtp" && typeof entry.trackIdentifier === "string") inbound.set(entry.trackIdentifier, entry as Record<string, number>);
    });
  }
  const result: Record<string, Received> = {};
  for (const entry of elements.values()) {
    const row = (result[entry.sid] ??= {
      videoFrames: 0,
      width: 0,
      height: 0,
      framesDecoded: 0,
      audioSamples: 0,
      audioEnergy: 0,
      audioPackets: 0,
      audioConcealed: 0,
      audioLevel: 0,
    });
    const stats = inbound.get(entry.trackId) ?? {};
    if (entry.element instanceof HTMLVideoElement) {
      row.videoFrames = entry.element.getVideoPlaybackQuality().totalVideoFrames;
      row.width = entry.element.videoWidth;
      row.height = entry.element.videoHeight;
      row.framesDecoded = stats.framesDecoded ?? 0;
    } else {
      row.audioSamples = stats.totalSamplesReceived ?? 0;
      row.audioEnergy = stats.totalAudioEnergy ?? 0;
      row.audioPackets = stats.packetsReceived ?? 0;
      row.audioConcealed = stats.concealedSamples ?? 0;
      row.audioLevel = stats.audioLevel ?? 0;
    }
  }
  return result;
}

/** What this page sends: per kind, the outbound-rtp layers (simulcast rids), frames encoded. */
async function sent() {
  const layers: Array<{ kind: string; rid: string | null; framesEncoded: number; frameWidth: number; bytesSent: number; audioEnergy?: number }> = [];
  for (const pc of peerConnections) {
    if (pc.connectionState === "closed") continue;
    const report = await pc.getStats();
    report.forEach((entry: Record<string, unknown>) => {
      if (entry.type === "media-source" && entry.kind === "audio") {
        layers.push({ kind: "microphone", rid: null, framesEncoded: 0, frameWidth: 0, bytesSent: 0, audioEnergy: Number(entry.totalAudioEnergy ?? 0) });
      }
      if (entry.type !== "outbound-rtp") return;
      layers.push({
        kind: String(entry.kind),
        rid: typeof entry.rid === "string" ? entry.rid : null,
        framesEncoded: Number(entry.framesEncoded ?? 0),
        frameWidth: Number(entry.frameWidth ?? 0),
        bytesSent: Number(entry.bytesSent ?? 0),
      });
    });
  }
  return layers;
}

/**
 * Per remote sid, what arrived on every track ever received from them: bytes and decoded frames,
 * from inbound-rtp (open connections), whether or not the track is still shown.
 */
async function inboundTotals(): Promise<Record<string, { audioBytes: number; videoBytes: number; framesDecoded: number }>> {
  const totals: Record<string, { audioBytes: number; videoBytes: number; framesDecoded: number }> = {};
  for (const pc of peerConnections) {
    if (pc.connectionState === "closed") continue;
    const report = await pc.getStats();
    report.forEach((entry: Record<string, unknown>) => {
      const sid = entry.type === "inbound-rtp" ? trackOwners.get(String(entry.trackIdentifier)) : undefined;
      if (!sid) return;
      const row = (totals[sid] ??= { audioBytes: 0, videoBytes: 0, framesDecoded: 0 });
      if (entry.kind === "audio") row.audioBytes += Number(entry.bytesReceived ?? 0);
      else row.videoBytes += Number(entry.bytesReceived ?? 0);
      row.framesDecoded += Number(entry.framesDecoded ?? 0);
    });
  }
  return totals;
}

/** `release()`, as `connect` reports: ok, or the error's kind and message. */
async function release() {
  try {
    await session?.release();
    return { ok: true as const };
  } catch (error) {
    if (error instanceof VideoSessionError) return { ok: false as const, kind: error.kind, code: error.code, message: error.message };
    return { ok: false as const, kind: "thrown", code: null, message: String(error) };
  }
}

/** Each open connection's local description: the publisher's offer, the subscriber's answer. */
function localDescriptions() {
  return peerConnections
    .filter((pc) => pc.connectionState !== "closed" && pc.localDescription)
    .map((pc) => ({ type: pc.localDescription!.type, sdp: pc.localDescription!.sdp }));
}

declare global {
  interface Window {
    visitdeskCall: {
      connect: typeof connect;
      snapshot: typeof snapshot;
      received: typeof received;
      sent: typeof sent;
      localDescriptions: typeof localDescriptions;
      inboundTotals: typeof inboundTotals;
      release: typeof release;
      hold(): void;
      send(text: string): void;
      setCamera(enabled: boolean): void;
      shareScreen(): Promise<string | null>;
      stopScreenShare(): void;
      disconnect(): void;
    };
  }
}

window.visitdeskCall = {
  connect,
  snapshot,
  received,
  sent,
  localDescriptions,
  inboundTotals,
  release,
  hold: () => session?.hold(),
  send: (text) => session?.sendMessage(text),
  setCamera: (enabled) => session?.setCameraEnabled(enabled),
  disconnect: () => session?.disconnect(),
  async shareScreen() {
    try {
      await session?.shareScreen();
      return null;
    } catch (error) {
      return String(error);
    }
  },
  stopScreenShare: () => session?.stopScreenShare(),
};
