// Sends that never double in scaled mode (docs/PROTOCOL.md §3.6): PostgreSQL
// and Redis, two instances. A send repeated with its key on the other
// instance (a retry that a load balancer sent elsewhere) follows the one
// reply live over the bus, byte-exact, and starts nothing.
import { describe, expect, it } from "vitest";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { call, readSse, rebuildText } from "@/lib/testing/route-client";
import { newConversation, newGuest, TRICKY } from "@/lib/testing/api-steps";
import { setApp } from "@/lib/runtime";
import * as messages from "@/app/api/conversations/[id]/messages/route";

const h = useRouteHarness("idempotency_scaled", { CONVERSATION_TITLES: "off" }, { scaled: true });

const post = (cookie: string, id: string, body: unknown, key: string) =>
  call(messages.POST, "POST", `/api/conversations/${id}/messages`, { cookie, body, params: { id }, headers: { "idempotency-key": key } });

describe("Idempotency-Key across instances", () => {
  it("a repeat on another instance follows the first instance's reply; the upstream is asked once", async () => {
    const cookie = await newGuest();
    const c = await newConversation(cookie);
    const other = h.build({ CONVERSATION_TITLES: "off" });
    try {
      h.fake.enqueue({ text: TRICKY, chunk: 2, delayMs: 25 });
      const asked = h.fake.requests.length;
      const first = await post(cookie, c.id, { content: "across" }, "scaled-1");
      const firstFrames = readSse(first);
      setApp(other);
      const again = await post(cookie, c.id, { content: "across" }, "scaled-1");
      setApp(h.app);
      const frames = await readSse(again);
      const original = await firstFrames;
      expect(frames[0].data.message.id).toBe(original[0].data.message.id);
      expect(frames[0].data.userMessage.id).toBe(original[0].data.userMessage.id);
      expect(frames[0].data.message.content + rebuildText(frames.slice(1))).toBe(TRICKY);
      expect(frames.at(-1)!.data.message).toMatchObject({ status: "complete", content: TRICKY });
      expect(h.fake.requests.length - asked).toBe(1);
      const db = await h.app.db();
      expect(await db.message.count({ where: { conversationId: c.id } })).toBe(2);
    } finally {
      setApp(h.app);
      await other.close();
    }
  });
});
