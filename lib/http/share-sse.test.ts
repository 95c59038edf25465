// A shared conversation's event stream (lib/http/share-sse.ts) at unit level,
// over a real in-memory user-event bus: a viewer that stops reading is
// dropped once its queue passes ~64 KiB (counted in bytes, not in chunks),
// while one that reads along gets every `changed`, however many.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MemoryUserEventBus } from "../events/memory-bus";
import type { SharedConversation } from "../share/links";
import { watchShare } from "../share/watch";
import { shareEventsResponse } from "./share-sse";

const CHANGED = "event: changed\ndata: {}\n\n";
/** Far more `changed` frames than 64 KiB holds (27 bytes each), far fewer than 64 Ki chunks. */
const MANY = 10_000;

/** A real memory bus that counts its subscriptions still open. */
function countingBus() {
  const bus = new MemoryUserEventBus();
  let open = 0;
  const subscribe: MemoryUserEventBus["subscribe"] = async (userId, after, onEvent) => {
    const sub = await MemoryUserEventBus.prototype.subscribe.call(bus, userId, after, onEvent);
    open++;
    let closed = false;
    return {
      start: sub.start,
      close: () => {
        if (!closed) open--;
        closed = true;
        sub.close();
      },
    };
  };
  return { bus: Object.assign(bus, { subscribe }), open: () => open };
}

function sharedStream() {
  const { bus, open } = countingBus();
  const share: SharedConversation = { conversationId: randomUUID(), ownerId: randomUUID() };
  const res = shareEventsResponse(60_000, (onChange) => watchShare(bus, share, onChange));
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  /** An event of the owner's about the shared conversation: one `changed` for the viewer. */
  const change = (title: string) => bus.publish(share.ownerId, { event: "conversation.titled", data: { conversationId: share.conversationId, title } });
  return { reader, change, open };
}

async function readAll(reader: ReadableStreamDefaultReader<string>): Promise<string> {
  let text = "";
  for (let r = await reader.read(); !r.done; r = await reader.read()) text += r.value;
  return text;
}

describe("shareEventsResponse's queue", () => {
  it("drops a viewer that stops reading once ~64 KiB are queued: its watch is closed, and what was queued ends without `revoked`", async () => {
    const { reader, change, open } = sharedStream();
    expect((await reader.read()).value).toBe(CHANGED); // started and watching; then nobody reads
    expect(open()).toBe(1);
    for (let i = 0; i < MANY; i++) change(`title ${i}`);
    expect(open()).toBe(0); // dropped while the events were published, nobody reading
    const rest = await readAll(reader); // what was queued, then the end
    const frames = rest.split("\n\n").filter(Boolean);
    expect(frames.every((f) => `${f}\n\n` === CHANGED)).toBe(true);
    expect(rest.length).toBeGreaterThan(64 * 1024);
    expect(rest.length).toBeLessThan(128 * 1024);
    expect(frames.length).toBeLessThan(MANY);
  });

  it("keeps a viewer that reads along: every change is a `changed`, well past 64 KiB in all", async () => {
    const { reader, change, open } = sharedStream();
    expect((await reader.read()).value).toBe(CHANGED);
    let text = "";
    for (let i = 0; i < MANY; i++) {
      change(`title ${i}`);
      text += (await reader.read()).value;
    }
    expect(text).toBe(CHANGED.repeat(MANY));
    expect(open()).toBe(1);
    await reader.cancel();
    expect(open()).toBe(0);
  });
});

describe("what a viewer hears of", () => {
  it("changes a viewer sees, never the owner's queue or a new share, nor anything of another conversation", async () => {
    const bus = new MemoryUserEventBus();
    const share: SharedConversation = { conversationId: randomUUID(), ownerId: randomUUID() };
    const ended = new AbortController();
    const res = shareEventsResponse(60_000, (onChange) => watchShare(bus, share, onChange), [ended.signal]);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toBe(CHANGED); // watching
    const conversationId = share.conversationId;
    bus.publish(share.ownerId, { event: "queue.changed", data: { conversationId } });
    bus.publish(share.ownerId, { event: "conversation.shared", data: { conversationId, shared: true } });
    bus.publish(share.ownerId, { event: "message.created", data: { conversationId: randomUUID(), messageId: randomUUID(), role: "user" } });
    bus.publish(share.ownerId, { event: "reply.started", data: { conversationId, messageId: randomUUID() } });
    bus.publish(share.ownerId, { event: "reply.ended", data: { conversationId, messageId: randomUUID(), status: "complete" } });
    ended.abort(); // the memory bus delivers at once: everything heard is queued by now
    expect(await readAll(reader)).toBe(CHANGED + CHANGED);
  });
});
