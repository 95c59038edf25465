// The per-user event stream in scaled mode: two instances over PostgreSQL
// and Redis. An event caused on one instance reaches a tab connected to the
// other, and a tab resumes on either instance from where it was.
import { describe, expect, it } from "vitest";
import { createClient } from "redis";
import { guestWithConversation, TEST_REDIS_URL, useRouteHarness } from "@/lib/testing/route-harness";
import { call } from "@/lib/testing/route-client";
import { followEvents } from "@/lib/testing/user-events";
import { setApp } from "@/lib/runtime";
import { RedisUserEventBus } from "@/lib/events/redis-bus";
import * as conversations from "@/app/api/conversations/route";
import * as conversation from "@/app/api/conversations/[id]/route";
import * as messages from "@/app/api/conversations/[id]/messages/route";

const h = useRouteHarness("events_scaled", { CONVERSATION_TITLES: "off" }, { scaled: true });

describe("user events across instances (Redis)", () => {
  it("uses the Redis user-event bus", () => {
    expect(h.app.events).toBeInstanceOf(RedisUserEventBus);
  });

  it("delivers what instance A does to a tab on instance B, and resumes on A from B's last id", async () => {
    const b = h.build({});
    try {
      const { cookie, cid } = await guestWithConversation();
      setApp(b);
      const onB = await followEvents(cookie);
      const snap = await onB.next((f) => f.event === "snapshot");
      setApp(h.app);
      h.fake.enqueue({ text: "from A" });
      const answer = await (await call(messages.POST, "POST", "/", { cookie, params: { id: cid }, body: { content: "hello", stream: false } })).json();
      const ended = await onB.next((f) => f.event === "reply.ended");
      expect(ended.data).toEqual({ conversationId: cid, messageId: answer.assistantMessage.id, status: "complete" });
      const seen = onB.frames.slice(1);
      expect(seen.map((f) => f.event)).toEqual(["conversation.titled", "message.created", "reply.started", "reply.ended"]);
      expect(seen.map((f) => f.id)).toEqual([1, 2, 3, 4].map((i) => snap.id! + i));
      onB.close();

      // Missed while disconnected, published on B; resumed on A.
      setApp(b);
      await call(conversation.PATCH, "PATCH", "/", { cookie, params: { id: cid }, body: { title: "Renamed on B" } });
      const other = await (await call(conversations.POST, "POST", "/", { cookie, body: { title: "Made on B" } })).json();
      setApp(h.app);
      const onA = await followEvents(cookie, { "last-event-id": String(seen[1].id) });
      await onA.next((f) => f.event === "conversation.created");
      onA.close();
      expect(onA.frames.map((f) => f.event)).toEqual(["reply.started", "reply.ended", "conversation.updated", "conversation.created"]);
      expect(onA.frames.map((f) => f.id)).toEqual([3, 4, 5, 6].map((i) => snap.id! + i));
      expect(onA.frames[3].data.conversation.id).toBe(other.id);

      // The log is bounded in time: it expires in Redis.
      const r = createClient({ url: TEST_REDIS_URL });
      await r.connect();
      const userKeys = await r.keys("tether:user:*:events");
      expect(userKeys.length).toBeGreaterThan(0);
      for (const key of userKeys) expect(await r.pTTL(key)).toBeGreaterThan(0);
      await r.close();
    } finally {
      setApp(h.app);
      await b.close();
    }
  });

  it("answers `reset` on either instance when the id is older than the log", async () => {
    const b = h.build({});
    try {
      const { cookie } = await guestWithConversation();
      const tab = await followEvents(cookie);
      const snap = await tab.next(() => true);
      tab.close();
      for (const app of [h.app, b]) {
        setApp(app);
        const again = await followEvents(cookie, { "last-event-id": String(snap.id! - 5) });
        expect(await again.next(() => true)).toMatchObject({ event: "reset", id: snap.id });
        again.close();
      }
    } finally {
      setApp(h.app);
      await b.close();
    }
  });
});
