// A guest's shared conversation moved into the account it signs up for
// (docs/PROTOCOL.md §3.7), black-box through the real routes: the viewer's
// open streams end without `revoked` (the link still opens the conversation),
// a viewer reconnecting follows the account — its reply stream resumes by
// Last-Event-ID to the reply's end byte-exact — and the account revoking the
// link ends it at once (also across instances: share-scaled.test.ts). A move
// between a viewer's token check and its watch leaves nothing watching the
// guest (lib/share/watch.ts follows the owner the token has once watching).
// A reply generating across the sign-up announces its end to the account.
// Replies are held mid-way by a tool that waits for the test (`hold`).
import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { call, cookieFrom, rebuildText, type SseFrame } from "@/lib/testing/route-client";
import { expectError, newConversation, newGuest, post, TRICKY } from "@/lib/testing/api-steps";
import { ToolRegistry } from "@/lib/tools";
import type { Message } from "@/lib/chat/types";
import { MemoryUserEventBus } from "@/lib/events/memory-bus";
import * as signUp from "@/app/api/auth/sign-up/route";
import * as share from "@/app/api/conversations/[id]/share/route";
import { holdTool, newGate } from "@/lib/testing/hold-tool";
import { view, viewEvents, viewStream } from "@/lib/testing/share-steps";
import { followSse } from "@/lib/testing/sse-follow";
import { followEvents } from "@/lib/testing/user-events";

let gate = newGate();
const hold = holdTool(() => gate);
const h = useRouteHarness("share_owner_move", { SIGN_UP_RATE_LIMIT: "0" }, { parts: { tools: new ToolRegistry([hold]) } });

const link = (method: "POST" | "DELETE", cookie: string, id: string) => call(share[method], method, "/", { cookie, params: { id } });

const follow = followSse;

/** A reply posted by `cookie` to the conversation that waits in `hold`: the owner's stream and the reply's id. */
async function heldReply(cookie: string, cid: string, before: string, after: string) {
  gate = newGate();
  h.fake.enqueue({ text: before, chunk: 1, tool: { id: `toolu_${randomUUID().slice(0, 8)}`, name: "hold", input: {} } }, { text: after, chunk: [1, 3, 2] });
  const ownerStream = follow(await post(cookie, cid, { content: "go on" }));
  const replyId = ((await ownerStream.next((f) => f.event === "snapshot")).data.message as Message).id;
  await gate.reached;
  return { ownerStream, replyId };
}

const savedReply = (id: string) => h.db.prisma.message.findUniqueOrThrow({ where: { id } });
const changed = (f: SseFrame) => f.event === "changed";

describe("a guest's shared conversation moved into its new account", () => {
  it("ends open viewers without `revoked`; a reconnect follows the account to the reply's end byte-exact; the account's revocation ends it at once", async () => {
    const guest = await newGuest();
    const c = await newConversation(guest, "Shared, then signed up");
    const token = (await (await link("POST", guest, c.id)).json()).share.token as string;
    const first = await heldReply(guest, c.id, "Before the move. ", TRICKY);
    const final = `Before the move. ${TRICKY}`;
    try {
      const events = follow(await viewEvents(token));
      await events.next(changed);
      const viewer = follow(await viewStream(token, first.replyId));
      const snapshot = await viewer.next((f) => f.event === "snapshot");

      // The guest signs up: its conversations move into the account.
      const signedUp = await call(signUp.POST, "POST", "/api/auth/sign-up", {
        cookie: guest,
        body: { email: `user-${randomUUID()}@example.com`, password: "correct horse battery" },
      });
      expect(signedUp.status).toBe(201);
      const account = cookieFrom(signedUp);
      const accountId = (await signedUp.json()).user.id as string;
      expect((await h.db.prisma.conversation.findUniqueOrThrow({ where: { id: c.id } })).userId).toBe(accountId);

      // Both viewer streams end, the events stream without a word: the link still opens the conversation.
      expect((await viewer.ended).map((f) => f.event)).toEqual(["snapshot"]);
      expect(await events.ended).toEqual([{ id: null, event: "changed", data: {} }]);
      expect(events.raw()).not.toContain("revoked");
      expect((await savedReply(first.replyId)).status).toBe("streaming");
      expect((await view(token)).status).toBe(200);

      // The viewer reconnects: a new events stream, the reply resumed after what it had.
      const again = follow(await viewEvents(token));
      await again.next(changed);
      const resumed = follow(await viewStream(token, first.replyId, { "last-event-id": String(snapshot.id) }));
      gate.open();
      const frames = await resumed.ended;
      expect(frames.at(-1)!.event).toBe("done");
      expect(frames[0].id!).toBeGreaterThan(snapshot.id!);
      expect((snapshot.data.message as Message).content + rebuildText(frames)).toBe(final);
      expect((await first.ownerStream.ended).at(-1)!.data.message).toMatchObject({ status: "complete", content: final });
      expect(await savedReply(first.replyId)).toMatchObject({ status: "complete", content: final });
      expect(frames.at(-1)!.data.message).toMatchObject({ id: first.replyId, conversationId: "shared", content: final });

      // The reconnected viewer follows the account: its reply is heard, streamed, and its revocation ends both at once.
      const seen = again.frames.length;
      const second = await heldReply(account, c.id, "After the move. ", "the rest");
      await again.next(changed, seen);
      const live = follow(await viewStream(token, second.replyId));
      await live.next((f) => f.event === "snapshot");
      expect((await link("DELETE", account, c.id)).status).toBe(204);
      expect((await live.ended).map((f) => f.event)).toEqual(["snapshot"]);
      expect((await again.ended).at(-1)!.event).toBe("revoked");
      expect((await savedReply(second.replyId)).status).toBe("streaming");
      await expectError(await view(token), 404, "not_found");
      await expectError(await viewEvents(token), 404, "not_found");
      gate.open();
      expect((await second.ownerStream.ended).at(-1)!.data.message).toMatchObject({ status: "complete", content: "After the move. the rest" });
    } finally {
      gate.open();
    }
  });
});

describe("a reply generating while its guest signs up", () => {
  it("announces its end to the account it moved into (its tabs' event stream), not to the guest it started for", async () => {
    const guest = await newGuest();
    const c = await newConversation(guest, "Signed up mid-reply");
    const reply = await heldReply(guest, c.id, "Before. ", "after.");
    try {
      const signedUp = await call(signUp.POST, "POST", "/api/auth/sign-up", {
        cookie: guest,
        body: { email: `user-${randomUUID()}@example.com`, password: "correct horse battery" },
      });
      expect(signedUp.status).toBe(201);
      const account = await followEvents(cookieFrom(signedUp));
      await account.next((f) => f.event === "snapshot");
      gate.open();
      expect((await reply.ownerStream.ended).at(-1)!.data.message).toMatchObject({ status: "complete", content: "Before. after." });
      const ended = await account.next((f) => f.event === "reply.ended");
      expect(ended.data).toEqual({ conversationId: c.id, messageId: reply.replyId, status: "complete" });
      account.close();
    } finally {
      gate.open();
    }
  });
});

/**
 * Routes use an app whose event bus makes the guest sign up (its conversations
 * move) right as the next viewer request subscribes: after that request's
 * token check found the guest as the owner, before its watch listens.
 */
function signUpOnNextSubscribe(guest: string) {
  const inner = new MemoryUserEventBus();
  let armed = false;
  let account: string | undefined;
  const events = Object.assign(Object.create(inner) as MemoryUserEventBus, {
    publish: inner.publish.bind(inner),
    async subscribe(...args: Parameters<MemoryUserEventBus["subscribe"]>) {
      if (armed) {
        armed = false;
        const res = await call(signUp.POST, "POST", "/", { cookie: guest, body: { email: `user-${randomUUID()}@example.com`, password: "correct horse battery" } });
        account = res.status === 201 ? cookieFrom(res) : undefined;
      }
      return inner.subscribe(...args);
    },
  });
  const restore = h.reconfigure({}, { events, tools: new ToolRegistry([hold]) });
  return { inner, restore, arm: () => void (armed = true), account: () => account! };
}

// Once watching, the routes check the token again, its owner included: a viewer that connects
// across the move follows the account, so the account's revocation reaches it.
describe("a move between a viewer's token check and its watch", () => {
  it("leaves no events stream watching the guest: it has ended once the account revokes the link", async () => {
    const guest = await newGuest();
    const c = await newConversation(guest, "Moved while a viewer connects");
    const guestId = (await h.db.prisma.conversation.findUniqueOrThrow({ where: { id: c.id } })).userId;
    const token = (await (await link("POST", guest, c.id)).json()).share.token as string;
    const moving = signUpOnNextSubscribe(guest);
    let viewer: ReturnType<typeof follow> | undefined;
    try {
      moving.arm();
      viewer = follow(await viewEvents(token));
      await viewer.next(changed).catch(() => {}); // watching (or ended already)
      expect((await link("DELETE", moving.account(), c.id)).status).toBe(204);
      // What still reaches the guest's stream (a reply that was generating ends there): a viewer still watching it says `changed`.
      moving.inner.publish(guestId, { event: "conversation.titled", data: { conversationId: c.id, title: "late" } });
      const seen = viewer.frames.length;
      const outcome = await Promise.race([
        viewer.ended.then(() => "ended"),
        viewer.next(changed, seen).then(
          () => "still watching the guest",
          () => "ended",
        ),
      ]);
      expect(outcome).toBe("ended");
    } finally {
      viewer?.close();
      await moving.restore();
    }
  });

  it("leaves no reply stream watching the guest: it has ended once the account revokes the link, before the reply's end", async () => {
    const guest = await newGuest();
    const c = await newConversation(guest, "Moved while a viewer connects");
    const token = (await (await link("POST", guest, c.id)).json()).share.token as string;
    const moving = signUpOnNextSubscribe(guest);
    const reply = await heldReply(guest, c.id, "Held. ", "the rest");
    try {
      moving.arm();
      const res = await viewStream(token, reply.replyId);
      expect((await link("DELETE", moving.account(), c.id)).status).toBe(204);
      gate.open();
      await reply.ownerStream.ended;
      // Refused (the viewer retries), or ended without the reply's end: either way not left watching the guest.
      const frames = res.status === 200 ? await follow(res).ended : [];
      expect(frames.map((f) => f.event)).not.toContain("done");
    } finally {
      gate.open();
      await reply.ownerStream.ended;
      await moving.restore();
    }
  });
});
