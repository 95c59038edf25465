// Properties of the stream protocol, with random unicode text (emoji, CJK,
// combining marks, SSE-looking lines), random upstream chunking, random cut
// points: a client that reconnects from any id it holds, or that stops at any
// point and continues, rebuilds exactly the upstream text, with ids that never
// repeat or skip, and the database holds the same text. Real routes, the real
// SDK against the fake Anthropic server, in-memory PGlite.
import { beforeAll, describe, expect, it } from "vitest";
import { useRouteHarness } from "@/lib/testing/route-harness";
import fc from "fast-check";
import { call, cookieFrom, readSse, rebuildText, type SseFrame } from "@/lib/testing/route-client";
import * as guest from "@/app/api/auth/guest/route";
import * as conversations from "@/app/api/conversations/route";
import * as messages from "@/app/api/conversations/[id]/messages/route";
import * as stop from "@/app/api/messages/[id]/stop/route";
import * as cont from "@/app/api/messages/[id]/continue/route";
import * as stream from "@/app/api/messages/[id]/stream/route";

let cookie: string;
const RUNS = Number(process.env.PROPERTY_RUNS) || 20;

// Posts far faster than a person: no rate limit. claude-haiku-4-5 takes prefill: Continue appends to the stored text.
const h = useRouteHarness("stream-properties", { MESSAGE_RATE_LIMIT: "0" });
beforeAll(async () => {
  cookie = cookieFrom(await call(guest.POST, "POST", "/api/auth/guest"));
});

// ---- generators ------------------------------------------------------------

const FRAGMENTS = [
  "\n\ndata: x\n\nid: 9\nevent: done\n\n",
  'data: {"message":{}}\n',
  "id: 1\r\n",
  "event: snapshot\r",
  ": keep-alive\n\n",
  "retry: 0\n",
  "👩‍💻",
  "🇫🇷",
  "👍🏽",
  "中文字",
  "한국어",
  "e\u0301",
  "a\u0308\u0323",
  "\u200d",
  "\u2028",
  " ",
  "  \n",
  "\t",
  "```ts\nconst x = 1;\n```",
];
/** Model text: random graphemes and nasty fragments; never NUL (the provider replaces it, tested elsewhere). */
const modelText = fc
  .array(fc.oneof(fc.string({ unit: "grapheme", minLength: 1, maxLength: 6 }), fc.constantFrom(...FRAGMENTS)), { minLength: 1, maxLength: 12 })
  .map((parts) => parts.join("").replaceAll("\u0000", ""))
  .filter((t) => t.length > 0);
const chunking = fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 });

// ---- client side -------------------------------------------------------------

/** Reads SSE frames until `enough` says so, then drops the connection (the generation goes on). */
async function readUntil(res: Response, enough: (frames: SseFrame[]) => boolean): Promise<SseFrame[]> {
  const frames: SseFrame[] = [];
  const reader = res.body!.getReader();
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(c) {
      const { done, value } = cancelled ? { done: true, value: undefined } : await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done || !value) c.close();
      else c.enqueue(value);
    },
  });
  await readSse(new Response(body), (f) => {
    frames.push(f);
    if (!cancelled && enough(frames)) {
      cancelled = true;
      void reader.cancel();
    }
  });
  return frames;
}

/** Numbered frames: consecutive ids from `firstId`, no repeats, no gaps. */
function expectGapFree(frames: SseFrame[], firstId: number) {
  const ids = frames.map((f) => f.id);
  expect(ids).toEqual(ids.map((_, i) => firstId + i));
}

async function newConversation(): Promise<string> {
  return (await (await call(conversations.POST, "POST", "/", { cookie, body: {} })).json()).id;
}

const saved = (id: string) => h.db.prisma.message.findUniqueOrThrow({ where: { id } });

// ---- properties --------------------------------------------------------------

describe("stream protocol properties", () => {
  it("reconnecting from any id a client holds rebuilds the exact text, every event exactly once", async () => {
    let midStream = 0; // runs whose client dropped before the end
    await fc.assert(
      fc.asyncProperty(
        modelText,
        chunking,
        fc.integer({ min: 0, max: 2 }),
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        async (text, chunk, delayMs, cutSeed, backSeed, viaHeader) => {
          h.fake.reset(); // nothing left over from an earlier run
          const cid = await newConversation();
          h.fake.enqueue({ text, chunk, delayMs });
          const res = await call(messages.POST, "POST", "/", { cookie, params: { id: cid }, body: { content: "go" } });
          // Drop the connection after a random number of frames (at least the snapshot).
          const cutAfter = 1 + (cutSeed % 12);
          const seen = await readUntil(res, (f) => f.length >= cutAfter);
          if (!seen.some((f) => f.event === "done")) midStream++;
          const mid = seen[0].data.message.id as string;
          // Resume from a random id the client holds (it may have lost the tail of what it saw).
          const lastSeen = Math.max(...seen.map((f) => f.id ?? 0));
          const after = backSeed % (lastSeen + 1);
          const kept = seen.filter((f) => (f.id ?? 0) <= after); // the first snapshot has id 0
          const resumed = await readSse(
            await call(stream.GET, "GET", viaHeader ? "/" : `/?after=${after}`, {
              cookie,
              params: { id: mid },
              ...(viaHeader ? { headers: { "last-event-id": String(after) } } : {}),
            }),
          );
          const all = [...kept, ...resumed];
          expect(rebuildText(all)).toBe(text);
          if (resumed[0]?.event !== "snapshot") {
            // Replayed: exactly the events after `after`, in order, then the end.
            expect(resumed.map((f) => f.id)).toEqual(resumed.map((_, i) => after + 1 + i));
          }
          expect(resumed.at(-1)!.event).toBe("done");
          expect(resumed.at(-1)!.data.message).toMatchObject({ status: "complete", content: text });
          expect(await saved(mid)).toMatchObject({ status: "complete", content: text });
        },
      ),
      { numRuns: RUNS },
    );
    expect(midStream).toBeGreaterThan(RUNS / 4);
  });

  it("stopping at any point and continuing yields exactly the upstream text, ids increasing across both runs", async () => {
    let continued = 0;
    await fc.assert(
      fc.asyncProperty(modelText, chunking, fc.nat(), async (text, chunk, stopSeed) => {
        h.fake.reset(); // a reply stopped before it asked upstream leaves its scenario queued
        const cid = await newConversation();
        h.fake.enqueue({ text, chunk, delayMs: 1 });
        const res = await call(messages.POST, "POST", "/", { cookie, params: { id: cid }, body: { content: "stop me" } });
        const stopAfter = stopSeed % 8; // deltas seen before pressing Stop (0: right away)
        const seen = await readUntil(res, (f) => f.filter((x) => x.event === "delta").length >= stopAfter);
        const mid = seen[0].data.message.id as string;
        const stopped = await (await call(stop.POST, "POST", "/", { cookie, params: { id: mid } })).json();
        expect(text.startsWith(stopped.content)).toBe(true);
        expect((await saved(mid)).content).toBe(stopped.content);

        // The client catches up on what it missed before the stop took effect.
        const lastSeen = Math.max(...seen.map((f) => f.id ?? 0));
        const sawEnd = seen.some((f) => f.event === "done"); // then there is nothing to catch up on
        const rest = sawEnd ? [] : await readSse(await call(stream.GET, "GET", `/?after=${lastSeen}`, { cookie, params: { id: mid } }));
        const first = [...seen, ...rest];
        expect(rebuildText(first)).toBe(stopped.content);
        expectGapFree(first.slice(1), 1);
        if (stopped.status === "complete") {
          expect(stopped.content).toBe(text); // it had finished before Stop arrived
          return;
        }
        expect(stopped.status).toBe("interrupted");
        continued++;

        h.fake.enqueue({ text, chunk }); // the fake goes on after the prefill it is sent
        const again = await readSse(await call(cont.POST, "POST", "/", { cookie, params: { id: mid }, body: {} }));
        const doneId = first.at(-1)!.id!;
        expect(again[0]).toMatchObject({ event: "snapshot", id: doneId });
        expectGapFree(again.slice(1), doneId + 1);
        // Rebuilt from everything the client got, across Stop and Continue.
        expect(rebuildText([...first, ...again])).toBe(text);
        expect(again.at(-1)!.data.message).toMatchObject({ status: "complete", content: text });
        expect(await saved(mid)).toMatchObject({ status: "complete", content: text });
        // Upstream was asked to continue from exactly the stored text (trimmed for the prefill).
        const sent = h.fake.requests.at(-1)!.body.messages.at(-1);
        const prefill = stopped.content.trimEnd();
        if (prefill) expect(sent).toEqual({ role: "assistant", content: [{ type: "text", text: prefill }] });
        else expect(sent.role).toBe("user");
      }),
      { numRuns: RUNS },
    );
    expect(continued).toBeGreaterThan(RUNS / 4); // most runs really were cut mid-reply
  });
});
