import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LiveReply } from "./live-reply";
import type { StreamEvent } from "../stream/events";
import type { Message } from "../chat/types";

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
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});
const tick = () => frames.splice(0).forEach((fn) => fn());
/** Lets the render budget pass (fake timers), then runs the animation frame. */
const nextFrame = () => {
  vi.advanceTimersByTime(40);
  tick();
};

describe("LiveReply", () => {
  it("applies every event but publishes at most once per frame", () => {
    const reply = new LiveReply("c1", true, 0, msg(), { confirmed: true, connection: "live" });
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
    const reply = new LiveReply("c1", true, 0, msg(), { confirmed: true, connection: "live" });
    const final = msg({ status: "complete", content: "hi", parts: [{ type: "text", text: "hi" }] });
    reply.apply({ id: 9, event: "done", data: { message: final } });
    expect(reply.getMessage()).toEqual(final);
    expect(reply.getState().finished).toBe(true);
  });

  it("takes the server's ids from the first snapshot", () => {
    const reply = new LiveReply("c1", true, 2, msg({ id: "local-assistant" }), {
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
    const reply = new LiveReply("c1", false, 0, msg({ id: "local-assistant" }), { confirmed: false, connection: "connecting" });
    await reply.stop();
    expect(fetchMock).not.toHaveBeenCalled();
    expect(reply.getState().stopping).toBe(true);
    reply.apply({ id: 0, event: "snapshot", data: { message: msg() } });
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledWith(`/api/messages/${ID}/stop`, expect.objectContaining({ method: "POST" })));
  });
  it("renders at most 30 times a second, on animation frames", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const reply = new LiveReply("c1", true, 0, msg({ status: "streaming", parts: [{ type: "text", text: "" }] }), { confirmed: true, connection: "live" });
    const renders = vi.fn();
    reply.subscribeFrame(renders);
    const delta = (id: number): StreamEvent => ({ id, event: "delta", data: { index: 0, text: "x" } });
    reply.apply(delta(1));
    tick();
    expect(renders).toHaveBeenCalledTimes(1);
    reply.apply(delta(2));
    tick(); // the next frame comes too soon: nothing
    expect(renders).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(20);
    tick();
    expect(renders).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(20); // 40 ms after the last render: a frame is requested
    tick();
    expect(renders).toHaveBeenCalledTimes(2);
    expect(reply.getMessage().content).toBe("xx");
    // A hidden tab gets no frames: a timer publishes anyway.
    reply.apply(delta(3));
    vi.advanceTimersByTime(300);
    expect(renders).toHaveBeenCalledTimes(3);
    // The end is shown at once.
    reply.apply({ id: 4, event: "delta", data: { index: 0, text: "y" } });
    reply.apply({ id: 5, event: "done", data: { message: msg({ status: "complete", content: "xxxy", parts: [{ type: "text", text: "xxxy" }] }) } });
    expect(renders).toHaveBeenCalledTimes(4);
    expect(reply.getMessage().content).toBe("xxxy");
  });

  it("publishes tool input as it is typed and the latest progress per tool, once per frame", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const reply = new LiveReply("c1", true, 0, msg({ status: "streaming" }), { confirmed: true, connection: "live" });
    const renders = vi.fn();
    reply.subscribeFrame(renders);
    const before = reply.getExtras();
    reply.apply({ id: 1, event: "part_start", data: { index: 0, part: { type: "tool_use", id: "tu1", name: "calculate", input: {} } } });
    reply.apply({ id: 2, event: "delta", data: { index: 0, json: '{"expr' } });
    reply.apply({ id: 3, event: "delta", data: { index: 0, json: 'ession":"1+' } });
    expect(reply.getExtras()).toBe(before); // nothing until the frame
    nextFrame();
    expect(renders).toHaveBeenCalledTimes(1);
    expect(reply.getExtras().toolInput[0]).toBe('{"expression":"1+');

    reply.apply({ id: 4, event: "delta", data: { index: 0, json: '1"}' } });
    reply.apply({ id: 5, event: "part_stop", data: { index: 0 } });
    nextFrame();
    // The input is final now: it lives in the message, no longer in the extras.
    expect(reply.getExtras().toolInput).toEqual({});
    expect(reply.getMessage().parts[0]).toMatchObject({ type: "tool_use", input: { expression: "1+1" } });

    reply.apply({ id: 6, event: "tool_progress", data: { toolUseId: "tu1", message: "Evaluating", percent: 10 } });
    reply.apply({ id: 7, event: "tool_progress", data: { toolUseId: "tu1", message: "Almost", percent: 90 } });
    reply.apply({ id: 8, event: "tool_progress", data: { toolUseId: "tu2", message: "Searching" } });
    nextFrame();
    expect(reply.getExtras().toolProgress).toEqual({ tu1: { message: "Almost", percent: 90 }, tu2: { message: "Searching" } });
    const settled = reply.getExtras();
    reply.apply({ id: 9, event: "delta", data: { index: 0, text: "ignored: not a text part" } });
    nextFrame();
    expect(reply.getExtras()).toBe(settled); // unchanged extras keep their identity
  });

  it("drops typed tool input on a snapshot (it restates the message)", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const reply = new LiveReply("c1", true, 0, msg({ status: "streaming" }), { confirmed: true, connection: "live" });
    reply.apply({ id: 1, event: "part_start", data: { index: 0, part: { type: "tool_use", id: "tu1", name: "calculate", input: {} } } });
    reply.apply({ id: 2, event: "delta", data: { index: 0, json: '{"a"' } });
    nextFrame();
    expect(reply.getExtras().toolInput[0]).toBe('{"a"');
    reply.apply({ id: 3, event: "snapshot", data: { message: msg({ status: "streaming" }) } });
    nextFrame();
    expect(reply.getExtras().toolInput).toEqual({});
  });
});
