// The tab's view of the user's event stream: which chats are unread, and which
// of those have a reply that was interrupted or failed (a Stop is not trouble),
// kept across reloads, cleared by opening the chat or a new reply.
import { describe, expect, it } from "vitest";
import { UserEventsConnection } from "./user-events";

/** A tab whose stream sends `frames`, then stays open; `open` is the chat it shows. */
async function tab(frames: string[], open: string | null = null, storage = new Map<string, string>()) {
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode(frames.join("")));
    },
  });
  const conn = new UserEventsConnection(
    async () => new Response(body, { status: 200 }),
    () => open,
    {
      getItem: (k) => storage.get(k) ?? null,
      setItem: (k, v) => void storage.set(k, v),
    },
  );
  const seen = new Promise<void>((resolve) => {
    let n = 0;
    conn.listen(() => ++n === frames.length && resolve());
  });
  await seen;
  return { conn, storage };
}

let id = 10;
const frame = (event: string, data: unknown) => `id: ${++id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
const ended = (conversationId: string, status: string) => frame("reply.ended", { conversationId, messageId: `m-${conversationId}-${id}`, status });
const started = (conversationId: string) => frame("reply.started", { conversationId, messageId: `m-${conversationId}-${id}` });
const snapshot = frame("snapshot", { generating: [] });

describe("UserEventsConnection: unread and troubled chats", () => {
  it("marks chats not open whose reply was interrupted or failed; a complete or stopped reply is only unread", async () => {
    const { conn, storage } = await tab(
      [snapshot, ended("a", "interrupted"), ended("b", "failed"), ended("c", "complete"), ended("d", "stopped"), ended("open", "failed")],
      "open",
    );
    const s = conn.getState();
    expect([...s.trouble]).toEqual([
      ["a", "interrupted"],
      ["b", "failed"],
    ]);
    expect([...s.unread].sort()).toEqual(["a", "b", "c", "d"]);
    // Kept for the next load of the page.
    expect(JSON.parse(storage.get("tether:trouble")!)).toEqual([
      ["a", "interrupted"],
      ["b", "failed"],
    ]);
    conn.markRead("a");
    expect([...conn.getState().trouble.keys()]).toEqual(["b"]);
    expect(conn.getState().unread.has("a")).toBe(false);
    conn.stop();
  });

  it("a new reply in a troubled chat (Continue, Retry) clears its trouble; a later complete reply too; deletion too", async () => {
    const { conn } = await tab([
      snapshot,
      ended("a", "failed"),
      ended("b", "interrupted"),
      ended("c", "failed"),
      started("a"),
      ended("b", "complete"),
      frame("conversation.deleted", { conversationId: "c" }),
    ]);
    expect([...conn.getState().trouble]).toEqual([]);
    conn.stop();
  });

  it("starts from what an earlier page kept, ignoring what is not a chat's trouble", async () => {
    const storage = new Map([["tether:trouble", JSON.stringify([["a", "failed"], ["b", "weird"], [3, "failed"], "c"])]]);
    const { conn } = await tab([snapshot], null, storage);
    expect([...conn.getState().trouble]).toEqual([["a", "failed"]]);
    conn.stop();
  });
});
