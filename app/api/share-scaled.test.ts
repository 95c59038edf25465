// Share links in scaled mode (docs/PROTOCOL.md §3.7): two instances over
// PostgreSQL and Redis. A viewer connected to instance B follows a reply that
// instance A generates, byte-exact; the owner revoking on A ends B's viewers
// at once (the owner's event stream carries it over Redis), and B answers 404
// from then on; a guest's sign-up on A ends B's viewers without `revoked`, and
// reconnected they follow the account. On PostgreSQL, a link is made once
// when asked twice at once, and not at all (404) for a conversation deleted
// before or while it is inserted. Replies are held mid-way by a tool that
// waits for the test.
import { afterAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import type { App } from "@/lib/app";
import { setApp } from "@/lib/runtime";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { call, cookieFrom, rebuildText } from "@/lib/testing/route-client";
import { expectError, newConversation, newGuest, post, TRICKY } from "@/lib/testing/api-steps";
import { ToolRegistry } from "@/lib/tools";
import { RedisUserEventBus } from "@/lib/events/redis-bus";
import type { Message } from "@/lib/chat/types";
import type { DbHandle } from "@/lib/platform/db";
import * as signUp from "@/app/api/auth/sign-up/route";
import * as share from "@/app/api/conversations/[id]/share/route";
import { holdTool, newGate } from "@/lib/testing/hold-tool";
import { view, viewEvents, viewStream } from "@/lib/testing/share-steps";
import { followSse } from "@/lib/testing/sse-follow";

let gate = newGate();
const hold = holdTool(() => gate);
const h = useRouteHarness("share_scaled", { SIGN_UP_RATE_LIMIT: "0" }, { scaled: true, parts: { tools: new ToolRegistry([hold]) } });

const apps: App[] = [];
afterAll(async () => {
  gate.open();
  setApp(h.app);
  for (const app of apps) await app.close();
});
/** Instance B (A is the harness's app). */
function instanceB(): App {
  const b = h.build({});
  apps.push(b);
  return b;
}

const follow = followSse;

/** On instance A: a shared conversation and a reply that waits in `hold` (still generating). */
async function heldReplyOnA(after: string) {
  setApp(h.app);
  gate = newGate();
  h.fake.reset();
  const owner = await newGuest();
  const c = await newConversation(owner, "Shared across instances");
  const token = (await (await call(share.POST, "POST", "/", { cookie: owner, params: { id: c.id } })).json()).share.token as string;
  h.fake.enqueue({ text: "Checking… ", chunk: 1, tool: { id: `toolu_${randomUUID().slice(0, 8)}`, name: "hold", input: {} } }, { text: after, chunk: [1, 3, 2] });
  const ownerStream = follow(await post(owner, c.id, { content: "go" }));
  const replyId = ((await ownerStream.next((f) => f.event === "snapshot")).data.message as Message).id;
  await gate.reached;
  return { owner, cid: c.id, token, ownerStream, replyId, final: `Checking… ${after}` };
}

describe("share links across instances (PostgreSQL + Redis)", () => {
  it("uses the Redis user-event bus", () => {
    expect(h.app.events).toBeInstanceOf(RedisUserEventBus);
  });

  it("a viewer on B follows a reply generated on A byte-exact, sanitized, and hears `changed` when it ends", async () => {
    const b = instanceB();
    const { cid, token, ownerStream, replyId, final } = await heldReplyOnA(TRICKY);
    setApp(b);
    const viewer = follow(await viewStream(token, replyId));
    await viewer.next((f) => f.event === "snapshot");
    const events = follow(await viewEvents(token));
    await events.next((f) => f.event === "changed");
    gate.open();
    const [frames, owned] = await Promise.all([viewer.ended, ownerStream.ended]);
    expect(frames.at(-1)!.event).toBe("done");
    expect(frames.map((f) => f.id!).every((id, i, all) => i === 0 || id > all[i - 1])).toBe(true);
    const row = await h.db.prisma.message.findUniqueOrThrow({ where: { id: replyId } });
    expect([row.status, row.content]).toEqual(["complete", final]);
    expect(rebuildText(frames)).toBe(final);
    const done = frames.at(-1)!.data.message as Message;
    const ownDone = owned.at(-1)!.data.message as Message;
    expect(ownDone.metadata.usage).toBeDefined();
    expect(done).toEqual({ ...ownDone, conversationId: "shared", parentId: null, metadata: { model: ownDone.metadata.model, stopReason: "end_turn" } });
    expect(JSON.stringify(frames)).not.toContain(cid);
    // The reply's end reached B's event stream (from A, over Redis); B shows the whole reply.
    await events.next((f) => events.frames.indexOf(f) >= 1 && f.event === "changed");
    expect((await (await view(token)).json()).messages.at(-1)).toMatchObject({ id: replyId, status: "complete", content: final });
  });

  it("the owner revoking on A ends B's viewers at once while the reply goes on; B answers 404", async () => {
    const b = instanceB();
    const { owner, cid, token, ownerStream, replyId, final } = await heldReplyOnA("the rest");
    setApp(b);
    const viewer = follow(await viewStream(token, replyId));
    await viewer.next((f) => f.event === "snapshot");
    const events = follow(await viewEvents(token));
    await events.next((f) => f.event === "changed");
    setApp(h.app);
    expect((await call(share.DELETE, "DELETE", "/", { cookie: owner, params: { id: cid } })).status).toBe(204);
    expect((await viewer.ended).map((f) => f.event)).toEqual(["snapshot"]);
    expect((await events.ended).map((f) => f.event)).toEqual(["changed", "revoked"]);
    expect((await h.db.prisma.message.findUniqueOrThrow({ where: { id: replyId } })).status).toBe("streaming");
    setApp(b);
    await expectError(await view(token), 404, "not_found");
    await expectError(await viewStream(token, replyId), 404, "not_found");
    await expectError(await viewEvents(token), 404, "not_found");
    setApp(h.app);
    gate.open();
    expect((await ownerStream.ended).at(-1)!.data.message).toMatchObject({ status: "complete", content: final });
  });
});

describe("a guest's shared conversation moved into its account on A", () => {
  it("ends B's viewers without `revoked`; reconnected to B they follow the account: its revocation on A ends them at once", async () => {
    const b = instanceB();
    const { owner, cid, token, ownerStream, replyId, final } = await heldReplyOnA("after the move");
    setApp(b);
    const viewer = follow(await viewStream(token, replyId));
    const snapshot = await viewer.next((f) => f.event === "snapshot");
    const events = follow(await viewEvents(token));
    await events.next((f) => f.event === "changed");
    setApp(h.app);
    const signedUp = await call(signUp.POST, "POST", "/", { cookie: owner, body: { email: `user-${randomUUID()}@example.com`, password: "correct horse battery" } });
    expect(signedUp.status).toBe(201);
    expect((await viewer.ended).map((f) => f.event)).toEqual(["snapshot"]);
    expect((await events.ended).map((f) => f.event)).toEqual(["changed"]);

    setApp(b);
    const again = follow(await viewEvents(token));
    await again.next((f) => f.event === "changed");
    const resumed = follow(await viewStream(token, replyId, { "last-event-id": String(snapshot.id) }));
    setApp(h.app);
    expect((await call(share.DELETE, "DELETE", "/", { cookie: cookieFrom(signedUp), params: { id: cid } })).status).toBe(204);
    expect((await resumed.ended).map((f) => f.event)).not.toContain("done");
    expect((await again.ended).map((f) => f.event)).toEqual(["changed", "revoked"]);
    gate.open();
    expect((await ownerStream.ended).at(-1)!.data.message).toMatchObject({ status: "complete", content: final });
  });
});

/** The database, but every share's INSERT first runs `before` with the real client (another request between the owner check and it). */
function beforeShareInsert(before: (real: DbHandle["prisma"]) => Promise<unknown>): DbHandle {
  const prisma = new Proxy(h.db.prisma, {
    get(target, prop) {
      if (prop === "$executeRaw")
        return async (sql: TemplateStringsArray, ...values: unknown[]) => {
          if (sql.join("?").includes('INSERT INTO "ShareLink"')) await before(target);
          return target.$executeRaw(sql, ...values);
        };
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return { ...h.db, prisma };
}

describe("making a link on PostgreSQL while the conversation changes", () => {
  const sharing = (owner: string, cid: string) => call(share.POST, "POST", "/", { cookie: owner, params: { id: cid } });

  it("a conversation deleted before the insert: 404 not_found, no link", async () => {
    setApp(h.app);
    const owner = await newGuest();
    const c = await newConversation(owner);
    const restore = h.reconfigure({}, { dbHandle: beforeShareInsert((real) => real.conversation.deleteMany({ where: { id: c.id } })) });
    try {
      await expectError(await sharing(owner, c.id), 404, "not_found");
    } finally {
      await restore();
    }
    expect(await h.db.prisma.shareLink.count({ where: { conversationId: c.id } })).toBe(0);
  });

  it("a conversation deleted while the insert runs (its key check waits for the delete to commit): 404 not_found, no link", async () => {
    setApp(h.app);
    const owner = await newGuest();
    const c = await newConversation(owner);
    let deleting: Promise<unknown> = Promise.resolve();
    const restore = h.reconfigure(
      {},
      {
        dbHandle: beforeShareInsert(async (real) => {
          let deleted!: () => void;
          const ready = new Promise<void>((r) => (deleted = r));
          // Deleted, not yet committed: the insert's SELECT still sees the conversation, its key check waits.
          deleting = real.$transaction(
            async (tx) => {
              await tx.conversation.delete({ where: { id: c.id } });
              deleted();
              for (;;) {
                const waiting = await real.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity
                  WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO "ShareLink"%'`;
                if (waiting[0].n > 0) return;
                await new Promise((r) => setTimeout(r, 5));
              }
            },
            { timeout: 20_000 },
          );
          await ready;
        }),
      },
    );
    try {
      await expectError(await sharing(owner, c.id), 404, "not_found");
      await deleting;
    } finally {
      await restore();
    }
    expect(await h.db.prisma.conversation.count({ where: { id: c.id } })).toBe(0);
    expect(await h.db.prisma.shareLink.count({ where: { conversationId: c.id } })).toBe(0);
  });

  it("two shares of one conversation, both past the owner check before either inserts: one link, one 201 and one 200", async () => {
    setApp(h.app);
    const owner = await newGuest();
    const c = await newConversation(owner);
    let arrived = 0;
    let both!: () => void;
    const together = new Promise<void>((r) => (both = r));
    const restore = h.reconfigure({}, { dbHandle: beforeShareInsert(() => (++arrived === 2 && both(), together)) });
    try {
      const [a, b] = await Promise.all([sharing(owner, c.id), sharing(owner, c.id)]);
      expect([a.status, b.status].sort()).toEqual([200, 201]);
      const [x, y] = [(await a.json()).share, (await b.json()).share];
      expect(x).toEqual(y);
      expect(await h.db.prisma.shareLink.findMany({ where: { conversationId: c.id }, select: { token: true } })).toEqual([{ token: x.token }]);
    } finally {
      await restore();
    }
  });
});
