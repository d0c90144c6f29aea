// The clinician's lobby on Janus. VideoRoom cannot hold a subscriber, so the clinician's call
// tells the room whom it lets in: the patient connections after `admit:` in its display
// (clinicianProof.ts), which only that call can change (VideoRoom `configure`). A patient's page
// is let in only while a proven clinician lists its participant id there.
//
// Admit-on-join lets in every patient connection unless sent back; explicit Admit only those
// admitted. As on Twilio, an Admit is for the connection the clinician saw, a Send back holds
// for that patient (their identity) until Admit, and both leave with this call.

import type { AdmissionMode, CallLobby, LobbyState, RemoteParticipant } from "../session";

type Room = {
  /** The patients in the room now (role "patient"). */
  patients(): Iterable<RemoteParticipant>;
  /** Tells the room the participant ids now let in (the display changes). */
  letIn(ids: readonly string[]): void;
  changed(): void;
};

export class JanusLobby implements CallLobby {
  readonly mode: AdmissionMode;
  readonly #room: Room;
  readonly #admitted = new Set<string>();
  readonly #sentBack = new Set<string>();
  /** The ids the room was last told. */
  #told: string = "";

  constructor(mode: AdmissionMode, room: Room) {
    this.mode = mode;
    this.#room = room;
  }

  /** The participant ids let in now, in order. */
  get letIn(): string[] {
    return [...this.#room.patients()]
      .filter((patient) => this.stateOf(patient) === "admitted")
      .map((patient) => patient.sid)
      .sort();
  }

  stateOf(participant: RemoteParticipant): LobbyState | null {
    if (participant.role !== "patient") return null;
    if (this.#sentBack.has(participant.identity)) return "sent_back";
    return this.mode === "on_join" || this.#admitted.has(participant.sid) ? "admitted" : "waiting";
  }

  admit(participantSid: string): void {
    const patient = this.#patient(participantSid);
    if (!patient) return;
    this.#sentBack.delete(patient.identity);
    this.#admitted.add(patient.sid);
    this.sync(true);
  }

  sendBack(participantSid: string): void {
    const patient = this.#patient(participantSid);
    if (!patient) return;
    this.#sentBack.add(patient.identity);
    this.#admitted.delete(patient.sid);
    this.sync(true);
  }

  /** After anyone joined or left, or a decision: the room is told when whom it lets in changed. */
  sync(decided = false): void {
    const present = new Set([...this.#room.patients()].map((patient) => patient.sid));
    for (const sid of this.#admitted) if (!present.has(sid)) this.#admitted.delete(sid);
    const letIn = this.letIn;
    const told = letIn.join(",");
    if (told !== this.#told) {
      this.#told = told;
      this.#room.letIn(letIn);
    } else if (!decided) return;
    this.#room.changed();
  }

  #patient(sid: string): RemoteParticipant | null {
    return [...this.#room.patients()].find((patient) => patient.sid === sid) ?? null;
  }
}
