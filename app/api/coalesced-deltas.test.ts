// Coalesced deltas end to end (lib/reply/generation/coalesce.ts): tiny
// upstream deltas that reach the server in one read go out as fewer `delta`
// events, with consecutive ids and byte-exact text on the wire, in replay
// after any id (in-process and Redis bus) and in the database. Real routes,
// the real SDK, the fake Anthropic server sending many events per write.
import { describe, expect, it } from "vitest";
import { TEST_REDIS_URL, guestWithConversation, useRouteHarness } from "@/lib/testing/route-harness";
import { call, readSse, rebuildText, type SseFrame } from "@/lib/testing/route-client";
import * as messages from "@/app/api/conversations/[id]/messages/route";
import * as message from "@/app/api/messages/[id]/route";
import * as stop from "@/app/api/messages/[id]/stop/route";
import * as stream from "@/app/api/messages/[id]/stream/route";

const h = useRouteHarness("coalesced-deltas", { MESSAGE_RATE_LIMIT: "0" });

// Emoji with a skin tone, combining marks, CRLF, and text that looks like SSE fields.
const TEXT = 'Grüße 👋🏽 e\u0301 世界\r\ndata: {"id": 3}\n\nid: 9\nevent: done\r\n\r\n:comment\nretry: 1\n'.repeat(6);
const upstreamDeltas = Array.from(TEXT).length; // chunk: 1 → one code point per upstream delta

const deltas = (frames: SseFrame[]) => frames.filter((f) => f.event === "delta");

async function post(cookie: string, cid: string) {
  return call(messages.POST, "POST", "/", { cookie, params: { id: cid }, body: { content: "go" } });
}

for (const bus of ["memory", "redis"] as const) {
  describe(`coalesced deltas (${bus} bus)`, () => {
    const scaled = () => (bus === "redis" ? h.reconfigure({ REDIS_URL: TEST_REDIS_URL }) : async () => {});

    it("a burst of tiny deltas becomes fewer events: consecutive ids, exact text on the wire, in every replay and in the database", async () => {
      const restore = scaled();
      try {
        const { cookie, cid } = await guestWithConversation();
        h.fake.enqueue({ text: TEXT, chunk: 1, burst: 40 });
        const wire = await readSse(await post(cookie, cid));
        const mid = wire[0].data.message.id as string;
        const numbered = wire.filter((f) => f.id !== null && f.id > 0);
        expect(numbered.map((f) => f.id)).toEqual(numbered.map((_, i) => i + 1));
        expect(rebuildText(wire)).toBe(TEXT);
        expect(deltas(wire).length).toBeLessThan(upstreamDeltas / 4);
        const done = wire.at(-1)!;
        expect(done.event).toBe("done");
        expect(done.data.message.content).toBe(TEXT);
        const stored = await (await call(message.GET, "GET", "/", { cookie, params: { id: mid } })).json();
        expect(stored.content).toBe(TEXT);
        // Replay after every id the client could hold serves exactly the live events.
        const lastId = done.id!;
        for (let after = 0; after < lastId; after++) {
          const resumed = await readSse(await call(stream.GET, "GET", "/", { cookie, params: { id: mid }, headers: { "last-event-id": String(after) } }));
          const kept = wire.filter((f) => (f.id ?? 0) <= after);
          expect(rebuildText([...kept, ...resumed])).toBe(TEXT);
          if (resumed[0].event !== "snapshot") expect(resumed).toEqual(wire.filter((f) => (f.id ?? 0) > after));
        }
      } finally {
        await restore();
      }
    });

    it("a single delta of a quiet stream goes out by itself", async () => {
      const restore = scaled();
      try {
        const { cookie, cid } = await guestWithConversation();
        // The upstream sends one delta, then nothing: it must reach the client
        // without waiting for more (the test would hang otherwise).
        h.fake.enqueue({ text: "a🙂b", chunk: 1, end: "stall", failAfter: 1 });
        let mid = "";
        let stopped: Promise<Response> | undefined;
        const wire = await readSse(await post(cookie, cid), (f) => {
          if (f.event === "snapshot") mid = f.data.message.id;
          if (f.event === "delta") stopped ??= call(stop.POST, "POST", "/", { cookie, params: { id: mid } });
        });
        expect(deltas(wire).map((f) => f.data.text)).toEqual(["a"]);
        expect((await (await stopped!).json()).content).toBe("a");
      } finally {
        await restore();
      }
    });

    it("Stop in the middle of bursts saves exactly what the client received", async () => {
      const restore = scaled();
      try {
        const { cookie, cid } = await guestWithConversation();
        h.fake.enqueue({ text: TEXT.repeat(4), chunk: 1, burst: 25, delayMs: 15 });
        let mid = "";
        let stopped: Promise<Response> | undefined;
        const wire = await readSse(await post(cookie, cid), (f) => {
          if (f.event === "snapshot") mid = f.data.message.id;
          if (!stopped && deltas([f]).length && Array.from(f.data.text as string).length > 1) stopped = call(stop.POST, "POST", "/", { cookie, params: { id: mid } });
        });
        expect(stopped).toBeDefined();
        const result = await (await stopped!).json();
        expect(result.status).toBe("interrupted");
        const received = rebuildText(wire);
        expect(received.length).toBeLessThan(TEXT.length * 4);
        expect(result.content).toBe(received);
        expect(wire.at(-1)!.data.message.content).toBe(received);
        const stored = await (await call(message.GET, "GET", "/", { cookie, params: { id: mid } })).json();
        expect(stored.content).toBe(received);
      } finally {
        await restore();
      }
    });
  });
}
