import { describe, expect, it } from "vitest";

import { FakeSession } from "../test/fakeSession";
import { CallModel, type CallSnapshot } from "./callModel";

const PROVIDER = "dr-ana-ruiz";

function watch(session: FakeSession) {
  const model = new CallModel(session);
  const snapshots: CallSnapshot[] = [];
  model.subscribe((snapshot) => snapshots.push(snapshot));
  return { model, snapshots, last: () => snapshots.at(-1)! };
}

describe("the call model", () => {
  it("shows each remote's video and audio, and the local video without the local microphone", () => {
    const session = new FakeSession("family-abcde", PROVIDER);
    const { last } = watch(session);
    session.join(PROVIDER);
    const [provider] = last().remotes;
    expect(provider).toMatchObject({ identity: PROVIDER, role: "provider", isLocal: false, dominant: false, quality: null });
    expect(provider?.video?.kind).toBe("video");
    expect(provider?.audio.map((t) => t.kind)).toEqual(["audio"]);
    expect(last().local).toMatchObject({ isLocal: true, audio: [] });
    expect(last().local.video?.id).toBe("local-video");
  });

  it("follows the dominant speaker, network quality and the connection", () => {
    const session = new FakeSession("family-abcde", PROVIDER);
    const provider = session.present(PROVIDER);
    const { last } = watch(session);
    session.speaker(provider);
    expect(last().remotes[0]?.dominant).toBe(true);
    session.quality(provider, 1);
    expect(last().remotes[0]?.quality).toBe(1);
    session.reconnecting();
    expect(last().reconnecting).toBe(true);
    session.reconnected();
    expect(last().reconnecting).toBe(false);
    session.leave(provider);
    expect(last().remotes).toEqual([]);
  });

  it("toggles the microphone and camera, and knows a call joined without a camera", () => {
    const session = new FakeSession("family-abcde", PROVIDER);
    const { model, last } = watch(session);
    model.toggleMicrophone();
    model.toggleCamera();
    expect(session.calls).toEqual(["microphone false", "camera false"]);
    expect(last()).toMatchObject({ microphoneEnabled: false, cameraEnabled: false, hasCamera: true });
    expect(new CallModel(new FakeSession("family-abcde", PROVIDER, false)).snapshot.hasCamera).toBe(false);
  });

  it("labels participants the way it is told, and stops listening when disposed", () => {
    const session = new FakeSession("patient-abc", null);
    const model = new CallModel(session, (p) => (p.identity === PROVIDER ? "provider" : p.role));
    session.join(PROVIDER);
    expect(model.snapshot.remotes[0]?.role).toBe("provider");
    model.dispose();
    expect(session.listenerCount("participantJoined")).toBe(0);
  });
});
