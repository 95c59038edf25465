import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LiveReply } from "./live-reply";
import type { StreamEvent } from "../stream/events";
import type { Message } from "../types";

const ID = "11111111-1111-4111-8111-111111111111";

function msg(patch: Partial<Message> = {}): Message {
  return {
    id: ID,
    conversationId: "c1",
    role: "assistant",
    content: "",
    parts: [],
    status: "pending",
    metadata: {},
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    ...patch,
  };
}

// The browser's frame clock, driven by hand.
let frames: Array<() => void> = [];
beforeEach(() => {
  frames = [];
  vi.stubGlobal("window", {});
  vi.stubGlobal("requestAnimationFrame", (fn: () => void) => frames.push(fn));
  vi.stubGlobal("cancelAnimationFrame", () => {});
});
afterEach(() => vi.unstubAllGlobals());
const tick = () => frames.splice(0).forEach((fn) => fn());

describe("LiveReply", () => {
  it("applies every event but publishes at most once per frame", () => {
    const reply = new LiveReply("c1", "stream", 0, msg(), { confirmed: true, connection: "live" });
    const renders = vi.fn();
    reply.subscribeFrame(renders);
    const events: StreamEvent[] = [
      { id: 1, event: "status", data: { status: "streaming" } },
      { id: 2, event: "part_start", data: { index: 0, part: { type: "text", text: "" } } },
      ...["a", "b", "c", "d"].map((text, i): StreamEvent => ({ id: 3 + i, event: "delta", data: { index: 0, text } })),
    ];
    events.forEach((e) => reply.apply(e));
    expect(renders).not.toHaveBeenCalled();
    expect(reply.getMessage().content).toBe("");
    tick();
    expect(renders).toHaveBeenCalledTimes(1);
    expect(reply.getMessage().content).toBe("abcd");
    tick();
    expect(renders).toHaveBeenCalledTimes(1);
  });

  it("publishes `done` at once and marks the reply finished", () => {
    const reply = new LiveReply("c1", "stream", 0, msg(), { confirmed: true, connection: "live" });
    const final = msg({ status: "complete", content: "hi", parts: [{ type: "text", text: "hi" }] });
    reply.apply({ id: 9, event: "done", data: { message: final } });
    expect(reply.getMessage()).toEqual(final);
    expect(reply.getState().finished).toBe(true);
  });

  it("takes the server's ids from the first snapshot", () => {
    const reply = new LiveReply("c1", "stream", 2, msg({ id: "local-assistant" }), {
      userMessage: msg({ id: "local-user", role: "user" }),
      confirmed: false,
      connection: "connecting",
    });
    const user = msg({ id: "u-real", role: "user", status: "complete" });
    reply.apply({ id: 0, event: "snapshot", data: { message: msg(), userMessage: user } });
    expect(reply.getState()).toMatchObject({ confirmed: true, messageId: ID, userMessage: user });
  });

  it("defers a Stop pressed before the reply's id is known", async () => {
    const fetchMock = vi.fn(async () => new Response(JSON.stringify(msg({ status: "interrupted" })), { status: 200 }));
    vi.stubGlobal("fetch", fetchMock);
    const reply = new LiveReply("c1", "whole", 0, msg({ id: "local-assistant" }), { confirmed: false, connection: "connecting" });
    await reply.stop();
    expect(fetchMock).not.toHaveBeenCalled();
    expect(reply.getState().stopping).toBe(true);
    reply.apply({ id: 0, event: "snapshot", data: { message: msg() } });
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledWith(`/api/messages/${ID}/stop`, expect.objectContaining({ method: "POST" })));
  });
});
