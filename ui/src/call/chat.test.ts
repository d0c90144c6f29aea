// Chat over the call's data channel: only chat messages count, shown as sent, never as HTML.

import { render, screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { stringsFor } from "../join/i18n";
import { FakeSession } from "../test/fakeSession";
import CallView from "./CallView.svelte";
import { ChatModel, MAX_CHAT_MESSAGE, chatPayload, readChatPayload } from "./chat";

const PROVIDER = "dr-ana-ruiz";
const HOSTILE = "<img src=x onerror=alert(1)> <b>bold</b>";

describe("chat messages", () => {
  it("are read only from their own envelope, cut at the limit", () => {
    expect(readChatPayload(chatPayload("hello"))).toBe("hello");
    for (const other of ["hello", "{}", '{"type":"visitdesk-intake-sealed-v1","iv":"x","data":"y"}', '{"type":"visitdesk-chat-v1","text":"  "}', "{not json"]) {
      expect(readChatPayload(other), other).toBeNull();
    }
    expect(readChatPayload(chatPayload("x".repeat(MAX_CHAT_MESSAGE + 50)))).toHaveLength(MAX_CHAT_MESSAGE);
  });

  it("keeps who sent what (the service's participant), counts unread while closed, and says when sending failed", () => {
    const session = new FakeSession(PROVIDER, PROVIDER);
    const chat = new ChatModel(session, (p) => p.role, () => 1_000);
    const patient = session.join("patient-abcdefgh");
    session.receive(chatPayload("Hello doctor"), patient);
    session.receive("not a chat message", patient);
    expect(chat.snapshot.messages.map((m) => [m.from?.role, m.text])).toEqual([["patient", "Hello doctor"]]);
    expect(chat.snapshot.unread).toBe(1);
    chat.setOpen(true);
    expect(chat.snapshot.unread).toBe(0);
    expect(chat.send("  Hi!  ")).toBe(true);
    expect(session.sent).toEqual([chatPayload("Hi!")]);
    expect(chat.send("   ")).toBe(false);
    session.sendFailure = new Error("channel closed");
    expect([chat.send("again"), chat.snapshot.failed]).toEqual([false, true]);
    expect(chat.snapshot.messages.map((m) => m.from === null ? `me: ${m.text}` : m.text)).toEqual(["Hello doctor", "me: Hi!"]);
  });
});

describe("the chat panel", () => {
  it("opens from the controls, sends with Enter (Shift+Enter is a new line), and shows any text as sent, never as HTML", { timeout: 20_000 }, async () => {
    const user = userEvent.setup();
    const session = new FakeSession(PROVIDER, PROVIDER);
    render(CallView, { props: { session, text: stringsFor("en").call, onLeave: () => {}, media: undefined } });
    const patient = session.join("patient-abcdefgh");
    for (const text of [HOSTILE, "مرحبا بالطبيب 👋", "x".repeat(3000)]) session.receive(chatPayload(text), patient);
    expect((await screen.findByTestId("chat-unread")).textContent).toContain("3");
    expect(screen.getByTestId("chat-note").textContent).toBe("New message from Patient.");

    await user.click(screen.getByTestId("chat-toggle"));
    const shown = await screen.findAllByTestId("chat-text");
    expect(shown.map((p) => p.textContent)).toEqual([HOSTILE, "مرحبا بالطبيب 👋", "x".repeat(3000)]);
    expect(document.querySelector("img")).toBeNull();
    expect(shown[1]!.getAttribute("dir")).toBe("auto");
    expect(screen.queryByTestId("chat-unread")).toBeNull();
    expect(screen.getByTestId("chat-messages").getAttribute("role")).toBe("log");

    const input = screen.getByLabelText("Message to everyone in the call");
    await user.type(input, "Line one{Shift>}{Enter}{/Shift}line two{Enter}");
    expect(session.sent).toEqual([chatPayload("Line one\nline two")]);
    expect((input as HTMLTextAreaElement).value).toBe("");
    await vi.waitFor(() => expect(screen.getAllByTestId("chat-message")).toHaveLength(4));
    const mine = screen.getAllByTestId("chat-message").at(-1)!;
    expect(within(mine).getByTestId("chat-text").textContent).toBe("Line one\nline two");
    expect(within(mine).getByText("You")).toBeTruthy();
  });
});
