// Subscriptions: one multistream subscriber handle receives every other publisher's streams,
// updated as they come and go, and our views of each participant's tracks follow what it
// receives (`trackSubscribed`, `trackUnsubscribed`). Held, there is no subscriber at all.

import { type JanusCall } from "./call";
import { arrayOf, idOf, textOf } from "./messages";
import { type JanusHandle, type Jsep, type SubscriberStreamInfo, type VideoRoomMessage, attachVideoRoom } from "./janusjs";
import { type JanusRemote, JanusRemoteTrack } from "./participants";
import { errorText } from "./problems";
import type { Reconnects } from "./reconnects";

/** A subscriber m-line, as VideoRoom's `streams` summary describes it. */
export type SubscriberStream = { mid: string; mindex: number; type: string; active: boolean; feedId: number | null; feedMid: string | null };

export class Subscriptions {
  readonly #call: JanusCall;
  readonly #reconnects: Reconnects;
  readonly #onText: (text: string, remote: JanusRemote) => void;
  #handle: JanusHandle | null = null;
  #state: "none" | "joining" | "ready" = "none";
  #streams = new Map<string, SubscriberStream>();
  #receivedTracks = new Map<string, MediaStreamTrack>();
  /** Feeds asked for and not yet in a streams summary. */
  #requestedFeeds = new Set<number>();
  #subscribedFeeds = new Set<number>();
  /** Streams (`feed/mid`) asked for one by one: a subscribed feed that published one more (a screen). */
  #requestedMids = new Set<string>();
  #retry: ReturnType<typeof setTimeout> | null = null;
  #failures = 0;
  /** Which subscriber handle is ours: callbacks of one dropped since are ignored. */
  #generation = 0;

  /** `onText`: a text that came on a participant's data channel. */
  constructor(call: JanusCall, reconnects: Reconnects, onText: (text: string, remote: JanusRemote) => void) {
    this.#call = call;
    this.#reconnects = reconnects;
    this.#onText = onText;
  }

  get handle(): JanusHandle | null {
    return this.#handle;
  }

  /** The m-line `mid`, if the subscriber has it. */
  stream(mid: string): SubscriberStream | undefined {
    return this.#streams.get(mid);
  }

  /** Asks Janus for every publisher's streams we do not receive or await yet. */
  sync(): void {
    const call = this.#call;
    const core = call.core;
    if (call.phase === "ended" || call.held || !core || call.privateId === null) return;
    if (this.#state === "joining") return; // again once `attached` comes
    const feeds = [...call.participants.values()]
      .filter((r) => r.publishing && !this.#subscribedFeeds.has(r.feedId) && !this.#requestedFeeds.has(r.feedId))
      .map((r) => r.feedId);
    const added = this.#state === "ready" ? this.#addedStreams() : [];
    if (feeds.length === 0 && added.length === 0) return;
    for (const feed of feeds) this.#requestedFeeds.add(feed);
    for (const { feed, mid } of added) this.#requestedMids.add(`${feed}/${mid}`);
    const streams: Array<{ feed: number; mid?: string }> = [...feeds.map((feed) => ({ feed })), ...added];
    const failed = (error: unknown) => {
      for (const feed of feeds) this.#requestedFeeds.delete(feed);
      for (const { feed, mid } of added) this.#requestedMids.delete(`${feed}/${mid}`);
      this.#subscriptionFailed(errorText(error));
    };

    if (this.#state === "ready" && this.#handle) {
      this.#handle.send({ message: { request: "update", subscribe: streams }, error: failed });
      return;
    }
    this.#state = "joining";
    const generation = this.#generation;
    const current = () => generation === this.#generation;
    attachVideoRoom(core, call.config.identity, (error) => call.problem(error), {
      onmessage: (message, jsep) => current() && this.#onMessage(message, jsep),
      onremotetrack: (track, mid, on, metadata) => current() && this.#onRemoteTrack(track, mid, on, metadata?.reason),
      ondata: (data, label) => current() && this.#onData(data, label),
      iceState: (state) => current() && this.#reconnects.iceState("subscriber", state),
      webrtcState: (on) => {
        if (!on && current()) this.#reset();
      },
    }).then(
      (handle) => {
        if (call.phase === "ended" || !current()) return handle.detach({ error: () => {} });
        this.#handle = handle;
        const { roomId: room, privateId: private_id, roomToken: token } = call;
        handle.send({ message: { request: "join", ptype: "subscriber", room, streams, private_id, token }, error: failed });
      },
      (error: unknown) => {
        if (!current()) return;
        this.#state = "none";
        failed(error);
      },
    );
  }

  /** Streams a feed we receive published since (a shared screen), not received or asked for yet. */
  #addedStreams(): Array<{ feed: number; mid: string }> {
    const added: Array<{ feed: number; mid: string }> = [];
    for (const remote of this.#call.participants.values()) {
      if (!this.#subscribedFeeds.has(remote.feedId)) continue;
      const received = new Set([...this.#streams.values()].filter((s) => s.feedId === remote.feedId).map((s) => s.feedMid));
      for (const mid of remote.publishedMids) {
        if (!received.has(mid) && !this.#requestedMids.has(`${remote.feedId}/${mid}`)) added.push({ feed: remote.feedId, mid });
      }
    }
    return added;
  }

  /** A publisher stopped publishing: its feed is neither received nor asked for any more. */
  forget(feedId: number): void {
    this.#requestedFeeds.delete(feedId);
    this.#subscribedFeeds.delete(feedId);
    for (const key of this.#requestedMids) if (key.startsWith(`${feedId}/`)) this.#requestedMids.delete(key);
  }

  stop(): void {
    if (this.#retry !== null) clearTimeout(this.#retry);
  }

  /**
   * Held: every track we receive is unsubscribed (`trackUnsubscribed`) and the subscriber
   * detached (Janus closes its PeerConnection). `sync` starts receiving again once released.
   */
  stopReceiving(): void {
    if (this.#retry !== null) clearTimeout(this.#retry);
    this.#retry = null;
    this.#failures = 0;
    this.#clear();
  }

  /**
   * Brings every participant's track views in line with what the subscriber receives: a view
   * per subscriber mid that carries an active audio or video stream of a feed the participant
   * publishes now, and whose MediaStreamTrack has arrived. Removals are announced first.
   */
  reconcile(): void {
    const call = this.#call;
    if (call.phase === "ended") return;
    const emit = call.phase === "connected";
    const wanted = new Map<string, { remote: JanusRemote; stream: SubscriberStream; track: MediaStreamTrack }>();
    for (const stream of [...this.#streams.values()].sort((a, b) => a.mindex - b.mindex)) {
      if (!stream.active || stream.feedId === null || stream.feedMid === null) continue;
      if (stream.type !== "audio" && stream.type !== "video") continue;
      const remote = call.participants.get(String(stream.feedId));
      const track = this.#receivedTracks.get(stream.mid);
      if (!remote || !remote.publishedMids.has(stream.feedMid) || !track || track.kind !== stream.type) continue;
      wanted.set(stream.mid, { remote, stream, track });
    }
    const viewId = (stream: SubscriberStream) => `${stream.feedId}/${stream.feedMid}`;

    for (const remote of call.participants.values()) {
      for (const [mid, view] of [...remote.viewsByMid]) {
        const keep = wanted.get(mid);
        if (keep && keep.remote === remote && viewId(keep.stream) === view.id && keep.track === view.track) continue;
        remote.viewsByMid.delete(mid);
        if (emit) call.emit("trackUnsubscribed", view, remote);
      }
    }
    for (const [mid, { remote, stream, track }] of wanted) {
      if (remote.viewsByMid.has(mid)) continue;
      const view = new JanusRemoteTrack(viewId(stream), stream.type === "audio" ? "audio" : "video", mid, stream.feedMid!, track, remote);
      remote.viewsByMid.set(mid, view);
      if (emit) call.emit("trackSubscribed", view, remote);
    }
  }

  /** Tries again a little later (a feed that left meanwhile fails the whole request). */
  #subscriptionFailed(why: string): void {
    this.#call.log("subscribing failed", why);
    if (this.#state === "joining") this.#drop();
    this.#failures += 1;
    if (this.#retry !== null || this.#failures > 5 || this.#call.phase === "ended") return;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      this.sync();
    }, 500 * this.#failures);
  }

  #onMessage(message: VideoRoomMessage, jsep?: Jsep): void {
    if (this.#call.phase === "ended") return;
    if (typeof message.error_code === "number") {
      this.#requestedFeeds.clear();
      this.#subscriptionFailed(`${message.error_code} ${message.error ?? ""}`);
      return;
    }
    if (message.videoroom === "attached") {
      this.#state = "ready";
      this.#failures = 0;
    }
    if (message.streams !== undefined) this.#streamsChanged(arrayOf(message.streams));
    if (jsep) this.#answer(jsep);
    if (message.videoroom === "attached") this.sync();
  }

  #streamsChanged(list: unknown[]): void {
    this.#streams = new Map();
    this.#subscribedFeeds = new Set();
    for (const raw of list) {
      const info = raw as SubscriberStreamInfo & { source_ids?: unknown };
      const mid = textOf(info.mid);
      if (mid === null) continue;
      const stream: SubscriberStream = {
        mid,
        mindex: typeof info.mindex === "number" ? info.mindex : 0,
        type: textOf(info.type) ?? "",
        active: info.active !== false,
        feedId: idOf(info.feed_id),
        feedMid: textOf(info.feed_mid),
      };
      this.#streams.set(mid, stream);
      if (stream.active && stream.feedId !== null) this.#subscribedFeeds.add(stream.feedId);
      for (const source of arrayOf(info.source_ids)) {
        const id = idOf(source);
        if (id !== null) this.#subscribedFeeds.add(id);
      }
    }
    for (const feed of this.#subscribedFeeds) this.#requestedFeeds.delete(feed);
    for (const stream of this.#streams.values()) this.#requestedMids.delete(`${stream.feedId}/${stream.feedMid}`);
    this.reconcile();
  }

  #answer(offer: Jsep): void {
    const subscriber = this.#handle;
    if (!subscriber) return;
    const call = this.#call;
    subscriber.createAnswer({
      jsep: offer,
      // Audio and video are accepted receive-only; `data` opens the channel texts come on.
      tracks: [{ type: "data" }],
      success: (answer) => {
        if (call.phase === "ended") return;
        subscriber.send({ message: { request: "start", room: call.roomId }, jsep: answer, error: (error) => call.log("start failed", error) });
        this.reconcile();
      },
      error: (error) => call.log("answering Janus failed", errorText(error)),
    });
  }

  #onRemoteTrack(track: MediaStreamTrack, mid: string, on: boolean, reason: string | undefined): void {
    if (this.#call.phase === "ended") return;
    if (on) this.#receivedTracks.set(mid, track);
    else if (reason === "ended") this.#receivedTracks.delete(mid);
    // A track muted for a while (janus.js reports it as off) stays: only an ended one goes.
    this.reconcile();
  }

  #onData(data: unknown, label: string): void {
    if (this.#call.phase === "ended" || typeof data !== "string") return;
    const remote = this.#call.participants.get(label);
    if (remote) this.#onText(data, remote);
  }

  /** Janus hung up the subscriber: start it again for whoever publishes. */
  #reset(): void {
    if (this.#call.phase === "ended") return;
    this.#clear();
    this.sync();
  }

  /** No subscriber, nothing received: each view removed (announced while connected). */
  #clear(): void {
    this.#drop();
    this.#streams = new Map();
    this.#receivedTracks = new Map();
    this.#subscribedFeeds = new Set();
    this.#requestedFeeds = new Set();
    this.#requestedMids = new Set();
    this.reconcile();
  }

  #drop(): void {
    const subscriber = this.#handle;
    this.#handle = null;
    this.#state = "none";
    this.#generation += 1;
    subscriber?.detach({ error: () => {} });
  }
}
