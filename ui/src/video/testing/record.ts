// Every event a `VideoSession` emits, in order, each also as a line written when it came.

import type { MediaTrack, VideoSession, VideoSessionEvents } from "../session";

export type Recorded = { [K in keyof VideoSessionEvents]: [K, ...VideoSessionEvents[K]] }[keyof VideoSessionEvents];

/** Every event the session emits, in order, and each as a line (`format`) written when it came. */
export function record(session: VideoSession, format: (event: Recorded) => string = (event) => line(event)): Recorded[] & { lines: string[] } {
  const events = Object.assign([] as Recorded[], { lines: [] as string[] });
  // Every event, listed by a record so a new one fails the type check until it is here.
  const every: Record<keyof VideoSessionEvents, true> = {
    participantJoined: true,
    participantLeft: true,
    trackSubscribed: true,
    trackUnsubscribed: true,
    trackChanged: true,
    reconnecting: true,
    reconnected: true,
    disconnected: true,
    dominantSpeakerChanged: true,
    networkQualityChanged: true,
    messageReceived: true,
    admissionChanged: true,
    lobbyChanged: true,
    screenShareChanged: true,
  };
  const names = Object.keys(every) as Array<keyof VideoSessionEvents>;
  for (const name of names) {
    session.on(name, (...args: unknown[]) => {
      const event = [name, ...args] as Recorded;
      events.push(event);
      events.lines.push(format(event));
    });
  }
  return events;
}

export function summary(events: { lines: string[] }): string[] {
  return events.lines;
}

/**
 * An event as a line. `portable`: the same line on every backend, without the ids of tracks
 * and the codes of errors, which each backend gives its own.
 */
export function line(event: Recorded, { portable = false } = {}): string {
  const who = (p: { identity: string } | null) => (p ? p.identity : "nobody");
  const track = (t: MediaTrack) => (portable ? t.kind : `${t.kind} ${t.id}`);
  switch (event[0]) {
    case "participantJoined":
    case "participantLeft":
      return `${event[0]} ${who(event[1])} (${event[1].role}, ${event[1].tracks.length} tracks)`;
    case "trackSubscribed":
    case "trackUnsubscribed":
    case "trackChanged":
      return `${event[0]} ${track(event[1])} of ${who(event[2])}`;
    case "reconnecting":
    case "disconnected":
      return portable ? `${event[0]} ${event[1].kind}` : `${event[0]} ${event[1].kind} ${event[1].code}`;
    case "reconnected":
      return "reconnected";
    case "dominantSpeakerChanged":
      return `dominantSpeakerChanged ${who(event[1])}`;
    case "networkQualityChanged":
      return `networkQualityChanged ${who(event[1])} ${event[2]}`;
    case "messageReceived":
      return `messageReceived ${JSON.stringify(event[1])} from ${who(event[2])}`;
    case "admissionChanged":
      return `admissionChanged ${event[1]}`;
    case "lobbyChanged":
      return "lobbyChanged";
    case "screenShareChanged":
      return `screenShareChanged ${event[1]}`;
  }
}
