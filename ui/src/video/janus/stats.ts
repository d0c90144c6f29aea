// Stats, in calls of 3 or more: network quality from getStats's packet loss and round trip time,
// and the dominant speaker from the loudest audio received, unless VideoRoom says who talks.

import type { NetworkQualityLevel, Participant } from "../session";
import { type JanusCall } from "./call";
import { textOf } from "./messages";
import type { JanusLocal, JanusRemote } from "./participants";
import { errorText } from "./problems";
import type { Publishing } from "./publishing";
import type { Subscriptions } from "./subscriptions";

const DEFAULT_STATS_INTERVAL_MS = 2_000;

/**
 * A 0–5 level from the share of packets lost (0–1) and the round trip time (seconds, when
 * known), coarsely after Twilio's scale: 5 below 1 % loss and 150 ms.
 */
export function qualityLevel(lossFraction: number, rttSeconds: number | null): NetworkQualityLevel {
  let level: NetworkQualityLevel = lossFraction >= 0.2 ? 1 : lossFraction >= 0.1 ? 2 : lossFraction >= 0.05 ? 3 : lossFraction >= 0.01 ? 4 : 5;
  if (rttSeconds !== null) {
    const cap: NetworkQualityLevel = rttSeconds > 0.6 ? 2 : rttSeconds > 0.3 ? 3 : rttSeconds > 0.15 ? 4 : 5;
    level = Math.min(level, cap) as NetworkQualityLevel;
  }
  return level;
}

type StatsEntry = Record<string, unknown> & { type?: unknown };

function numberOf(entry: StatsEntry, key: string): number | null {
  const value = entry[key];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function entriesOf(report: RTCStatsReport | Map<string, unknown>): StatsEntry[] {
  const entries: StatsEntry[] = [];
  report.forEach((value: unknown) => {
    if (value && typeof value === "object") entries.push(value as StatsEntry);
  });
  return entries;
}

export class Stats {
  readonly #call: JanusCall;
  readonly #publishing: Publishing;
  readonly #subscriptions: Subscriptions;
  readonly #loudest: (remote: JanusRemote) => void;
  #timer: ReturnType<typeof setInterval> | null = null;
  #busy = false;
  #previous = new Map<string, { lost: number; received: number; energy: number; duration: number }>();
  #talkingEventsSeen = false;

  /** `loudest`: who speaks now, by what we receive. */
  constructor(call: JanusCall, publishing: Publishing, subscriptions: Subscriptions, loudest: (remote: JanusRemote) => void) {
    this.#call = call;
    this.#publishing = publishing;
    this.#subscriptions = subscriptions;
    this.#loudest = loudest;
  }

  /** Reads stats from now on, if the call's settings want either. */
  start(): void {
    const { settings, config } = this.#call;
    if (settings.dominantSpeaker || settings.networkQuality) {
      this.#timer = setInterval(() => void this.#read(), config.statsIntervalMs ?? DEFAULT_STATS_INTERVAL_MS);
    }
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
  }

  /** VideoRoom's own talking events (rooms with `audiolevel_event`) win over our estimate. */
  talkingEventSeen(): void {
    this.#talkingEventsSeen = true;
  }

  async #read(): Promise<void> {
    const call = this.#call;
    if (this.#busy || call.phase !== "connected") return;
    this.#busy = true;
    try {
      const subscriberPc = this.#subscriptions.handle?.webrtcStuff?.pc;
      const publisherPc = this.#publishing.handle?.webrtcStuff?.pc;
      const [received, sent] = await Promise.all([subscriberPc?.getStats() ?? null, publisherPc?.getStats() ?? null]);
      if (call.phase !== "connected") return;
      if (received) this.#received(entriesOf(received));
      if (sent && call.settings.networkQuality && call.local) {
        let lost: number | null = null;
        let rtt: number | null = null;
        for (const entry of entriesOf(sent)) {
          if (entry.type !== "remote-inbound-rtp") continue;
          const fraction = numberOf(entry, "fractionLost");
          if (fraction !== null) lost = Math.max(lost ?? 0, fraction);
          const roundTrip = numberOf(entry, "roundTripTime");
          if (roundTrip !== null) rtt = Math.max(rtt ?? 0, roundTrip);
        }
        if (lost !== null || rtt !== null) this.#quality(call.local, qualityLevel(lost ?? 0, rtt));
      }
    } catch (error) {
      call.log("getStats failed", errorText(error));
    } finally {
      this.#busy = false;
    }
  }

  #received(entries: StatsEntry[]): void {
    const perFeed = new Map<number, { lost: number; received: number; loudness: number }>();
    for (const entry of entries) {
      if (entry.type !== "inbound-rtp") continue;
      const mid = textOf(entry.mid);
      const stream = mid === null ? undefined : this.#subscriptions.stream(mid);
      if (!mid || !stream?.active || stream.feedId === null) continue;
      const now = {
        lost: numberOf(entry, "packetsLost") ?? 0,
        received: numberOf(entry, "packetsReceived") ?? 0,
        energy: numberOf(entry, "totalAudioEnergy") ?? 0,
        duration: numberOf(entry, "totalSamplesDuration") ?? 0,
      };
      const before = this.#previous.get(`${stream.feedId}/${mid}`);
      this.#previous.set(`${stream.feedId}/${mid}`, now);
      if (!before) continue;
      const feed = perFeed.get(stream.feedId) ?? { lost: 0, received: 0, loudness: 0 };
      feed.lost += Math.max(0, now.lost - before.lost);
      feed.received += Math.max(0, now.received - before.received);
      const seconds = now.duration - before.duration;
      // Root mean square of the interval's audio: the energy is the integral of the level squared.
      if (stream.type === "audio" && seconds > 0) feed.loudness = Math.sqrt(Math.max(0, now.energy - before.energy) / seconds);
      perFeed.set(stream.feedId, feed);
    }
    const { settings, participants } = this.#call;
    let loudest: JanusRemote | null = null;
    let loudness = 0.01; // below this, nobody is speaking
    for (const [feedId, feed] of perFeed) {
      const remote = participants.get(String(feedId));
      if (!remote) continue;
      if (settings.networkQuality && feed.lost + feed.received > 0) {
        this.#quality(remote, qualityLevel(feed.lost / (feed.lost + feed.received), null));
      }
      if (feed.loudness > loudness) {
        loudness = feed.loudness;
        loudest = remote;
      }
    }
    if (settings.dominantSpeaker && !this.#talkingEventsSeen && loudest) this.#loudest(loudest);
  }

  #quality(participant: JanusLocal | JanusRemote, level: NetworkQualityLevel): void {
    if (participant.networkQualityLevel === level) return;
    participant.networkQualityLevel = level;
    this.#call.emit("networkQualityChanged", participant as Participant, level);
  }
}
