// Live share links (docs/PROTOCOL.md §3.7), black-box through the real routes:
// only the owner creates (one link, also when asked twice at once; 404 when
// the conversation is deleted meanwhile), reads and revokes a conversation's
// link; a viewer with the token and no session reads the title and the
// current path, byte-exact, without what belongs to the owner alone; every
// other token is 404; export and search stay the owner's; SHARE_RATE_LIMIT
// bounds what one address asks of /api/share; the owner's event stream hears
// of each change. Reply streams and the viewer's event stream:
// share-streams.test.ts; tools' results: share-owner-data.test.ts; a guest's
// move into an account: share-owner-move.test.ts.
import { describe, expect, it } from "vitest";
import { randomBytes, randomUUID } from "node:crypto";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { call, readSse } from "@/lib/testing/route-client";
import { expectError, newConversation, newGuest, post, TRICKY } from "@/lib/testing/api-steps";
import { followEvents } from "@/lib/testing/user-events";
import { png, uploaded } from "@/lib/testing/file-fixtures";
import { MemoryFileStore } from "@/lib/files/store";
import { PEER_HEADER } from "@/lib/http/client-address";
import type { Message } from "@/lib/chat/types";
import type { DbHandle } from "@/lib/platform/db";
import * as share from "@/app/api/conversations/[id]/share/route";
import * as conversation from "@/app/api/conversations/[id]/route";
import * as exporter from "@/app/api/conversations/[id]/export/route";
import * as exportAll from "@/app/api/export/route";
import * as search from "@/app/api/search/route";
import * as regenerate from "@/app/api/messages/[id]/regenerate/route";
import * as select from "@/app/api/messages/[id]/select/route";
import { view, viewEvents, viewStream } from "@/lib/testing/share-steps";

const h = useRouteHarness("share", {}, { parts: { files: new MemoryFileStore() } });

const link = (method: "GET" | "POST" | "DELETE", cookie: string | undefined, id: string) =>
  call(share[method], method, `/api/conversations/${id}/share`, { cookie, params: { id } });
const ownView = async (cookie: string, id: string) => (await call(conversation.GET, "GET", "/", { cookie, params: { id } })).json();

/** A conversation of a new guest, shared; its token. */
async function sharedConversation(title?: string) {
  const owner = await newGuest();
  const c = await newConversation(owner, title);
  const res = await link("POST", owner, c.id);
  expect(res.status).toBe(201);
  return { owner, cid: c.id, token: (await res.json()).share.token as string };
}

async function exchange(cookie: string, cid: string, content: string, reply: string, attachments?: string[]) {
  h.fake.enqueue({ text: reply, chunk: [1, 4, 2] });
  const res = await post(cookie, cid, { content, stream: false, ...(attachments ? { attachments } : {}) });
  expect(res.status).toBe(200);
  return (await res.json()) as { userMessage: Message; assistantMessage: Message };
}

describe("the owner's link", () => {
  it("is made once (201, then 200 with the same token), read back, revoked; 404 for another user, 401 without a session", async () => {
    const owner = await newGuest();
    const c = await newConversation(owner);
    expect(await (await link("GET", owner, c.id)).json()).toEqual({ share: null });
    const made = await link("POST", owner, c.id);
    expect(made.status).toBe(201);
    const { share: first } = await made.json();
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Date(first.createdAt).toISOString()).toBe(first.createdAt);
    const again = await link("POST", owner, c.id);
    expect(again.status).toBe(200);
    expect((await again.json()).share).toEqual(first);
    expect(await (await link("GET", owner, c.id)).json()).toEqual({ share: first });

    const mallory = await newGuest();
    for (const method of ["GET", "POST", "DELETE"] as const) {
      await expectError(await link(method, mallory, c.id), 404, "not_found");
      await expectError(await link(method, undefined, c.id), 401, "unauthorized");
    }
    // Mallory made nothing, revoked nothing: the owner's link still opens the conversation.
    expect(await h.db.prisma.shareLink.count({ where: { conversationId: c.id } })).toBe(1);
    expect((await view(first.token)).status).toBe(200);
    // Mallory's own conversation: her link is another one.
    const hers = await newConversation(mallory);
    expect((await (await link("POST", mallory, hers.id)).json()).share.token).not.toBe(first.token);

    expect((await link("DELETE", owner, c.id)).status).toBe(204);
    expect(await (await link("GET", owner, c.id)).json()).toEqual({ share: null });
    expect((await link("DELETE", owner, c.id)).status).toBe(204); // nothing left to revoke
    await expectError(await view(first.token), 404, "not_found");
  });

  it("is heard of on the owner's event stream: conversation.shared true once, false once", async () => {
    const owner = await newGuest();
    const c = await newConversation(owner);
    const tab = await followEvents(owner);
    await tab.next((f) => f.event === "snapshot");
    await link("POST", owner, c.id);
    await link("POST", owner, c.id); // the same link: nothing new
    await link("DELETE", owner, c.id);
    await link("DELETE", owner, c.id); // nothing to revoke
    await call(conversation.PATCH, "PATCH", "/", { cookie: owner, params: { id: c.id }, body: { title: "Marker" } });
    await tab.next((f) => f.event === "conversation.updated");
    tab.close();
    expect(tab.frames.slice(1).map((f) => [f.event, f.data])).toEqual([
      ["conversation.shared", { conversationId: c.id, shared: true }],
      ["conversation.shared", { conversationId: c.id, shared: false }],
      ["conversation.updated", expect.anything()],
    ]);
  });
});

/** The database, but every share's INSERT first runs `before` with the real client (another request between the owner check and it). */
function beforeShareInsert(before: (real: DbHandle["prisma"]) => Promise<unknown>): DbHandle {
  const real = h.db.prisma;
  const prisma = new Proxy(real, {
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

describe("making a link while the conversation changes", () => {
  it("a conversation deleted between the owner check and the insert: 404 not_found, no link", async () => {
    const owner = await newGuest();
    const c = await newConversation(owner);
    const restore = h.reconfigure({}, { dbHandle: beforeShareInsert((real) => real.conversation.deleteMany({ where: { id: c.id } })) });
    try {
      await expectError(await link("POST", owner, c.id), 404, "not_found");
    } finally {
      await restore();
    }
    expect(await h.db.prisma.conversation.count({ where: { id: c.id } })).toBe(0); // `before` ran
    expect(await h.db.prisma.shareLink.count({ where: { conversationId: c.id } })).toBe(0);
  });

  it("two shares of one conversation, both past the owner check before either inserts: one link, one 201 and one 200", async () => {
    const owner = await newGuest();
    const c = await newConversation(owner);
    let arrived = 0;
    let both!: () => void;
    const together = new Promise<void>((r) => (both = r));
    const restore = h.reconfigure({}, { dbHandle: beforeShareInsert(() => (++arrived === 2 && both(), together)) });
    try {
      const [a, b] = await Promise.all([link("POST", owner, c.id), link("POST", owner, c.id)]);
      expect([a.status, b.status].sort()).toEqual([200, 201]);
      const [x, y] = [(await a.json()).share, (await b.json()).share];
      expect(x).toEqual(y);
      expect(await h.db.prisma.shareLink.findMany({ where: { conversationId: c.id }, select: { token: true } })).toEqual([{ token: x.token }]);
    } finally {
      await restore();
    }
  });
});

describe("GET /api/share/:token", () => {
  it("shows a viewer without a session the title and the current path byte-exact, without the owner's data", async () => {
    const title = "Partagé 🔗 世界 — data: x\n\nevent: done";
    const { owner, cid, token } = await sharedConversation();
    await call(conversation.PATCH, "PATCH", "/", { cookie: owner, params: { id: cid }, body: { title } });
    const fileId = await uploaded(owner, "chart.png", png(5, 4, 3));
    const reply = `Answer: ${TRICKY}`;
    const { userMessage, assistantMessage } = await exchange(owner, cid, TRICKY, reply, [fileId]);
    // What the owner has and a viewer must not get.
    const mine = await ownView(owner, cid);
    const ownReply = mine.messages[1] as Message;
    expect(ownReply.metadata).toMatchObject({ usage: expect.anything(), durationMs: expect.any(Number) });
    expect(ownReply.parentId).toBe(userMessage.id);
    expect(mine.usage).toBeDefined();

    const res = await view(token);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-robots-tag")).toBe("noindex");
    expect(res.headers.get("set-cookie")).toBeNull();
    const raw = await res.text();
    const body = JSON.parse(raw);
    expect(Object.keys(body).sort()).toEqual(["conversation", "messages"]);
    expect(body.conversation).toEqual({ title });
    const [u, a] = body.messages as Message[];
    expect(body.messages).toHaveLength(2);
    expect([u.id, u.role, u.content, a.id, a.role, a.content, a.status]).toEqual([userMessage.id, "user", TRICKY, assistantMessage.id, "assistant", reply, "complete"]);
    expect(a.parts).toEqual([{ type: "text", text: reply }]);
    expect(u.parts).toContainEqual({ type: "file", fileId: "", name: "chart.png", mediaType: "image/png", size: expect.any(Number), kind: "image", width: 5, height: 4 });
    for (const m of body.messages as Message[]) {
      expect(m.conversationId).toBe("shared");
      expect(m.parentId ?? null).toBeNull();
      expect(m.versions).toBeUndefined();
      expect(Object.keys(m.metadata).every((k) => k === "model" || k === "stopReason")).toBe(true);
    }
    expect(a.metadata).toEqual({ model: ownReply.metadata.model, stopReason: "end_turn" });
    for (const secret of [cid, fileId, "usage", "cost", "inputTokens", "durationMs", "firstTokenMs", "charsPerSecond", "versions"]) expect(raw).not.toContain(secret);
  });

  it("shows the current path only, after a regenerate and after the owner selects the old version back", async () => {
    const { owner, cid, token } = await sharedConversation("Branches");
    const first = await exchange(owner, cid, "Tell me about tides", "Version one.");
    h.fake.enqueue({ text: "Version two ✓" });
    const regen = await call(regenerate.POST, "POST", "/", { cookie: owner, params: { id: first.assistantMessage.id }, body: { stream: false } });
    const v2 = (await regen.json()).assistantMessage as Message;
    expect((await ownView(owner, cid)).messages[1].versions.count).toBe(2);

    const raw = await (await view(token)).text();
    expect(JSON.parse(raw).messages.map((m: Message) => [m.id, m.content, m.versions])).toEqual([
      [first.userMessage.id, "Tell me about tides", undefined],
      [v2.id, "Version two ✓", undefined],
    ]);
    expect(raw).not.toContain(first.assistantMessage.id);
    expect(raw).not.toContain("Version one.");

    expect((await call(select.POST, "POST", "/", { cookie: owner, params: { id: first.assistantMessage.id } })).status).toBe(200);
    const back = await (await view(token)).json();
    expect(back.messages.map((m: Message) => m.content)).toEqual(["Tell me about tides", "Version one."]);
  });
});

describe("a token that opens nothing", () => {
  it("is 404 not_found on all three routes: unknown, malformed, revoked, of a deleted conversation", async () => {
    const { owner, cid, token } = await sharedConversation("Gone soon");
    const { assistantMessage } = await exchange(owner, cid, "hello", "hi");
    const other = await sharedConversation("Deleted");
    await call(conversation.DELETE, "DELETE", "/", { cookie: other.owner, params: { id: other.cid } });
    expect((await link("DELETE", owner, cid)).status).toBe(204);
    const tokens = {
      unknown: randomBytes(32).toString("base64url"),
      "too short": token.slice(0, 42),
      "one too long": `${token}A`,
      "with a slash": `${token.slice(0, 20)}/${token.slice(21)}`,
      "1000 characters": "A".repeat(1000),
      empty: "",
      revoked: token,
      "of a deleted conversation": other.token,
    };
    for (const [what, t] of Object.entries(tokens)) {
      for (const res of [await view(t), await viewEvents(t), await viewStream(t, assistantMessage.id)]) {
        expect(res.status, what).toBe(404);
        expect(await res.json(), what).toEqual({ error: { code: "not_found", message: expect.any(String) } });
      }
    }
    // A new link: a new token; the revoked one stays 404.
    const again = await (await link("POST", owner, cid)).json();
    expect(again.share.token).not.toBe(token);
    expect((await view(again.share.token)).status).toBe(200);
    await expectError(await view(token), 404, "not_found");
  });
});

describe("what stays the owner's", () => {
  it("export and search: 401 for a viewer without a session, 404 or nothing for another user", async () => {
    const word = `zebra${randomUUID().slice(0, 8)}`;
    const { owner, cid, token } = await sharedConversation(`About ${word}`);
    await exchange(owner, cid, `tell me about ${word}`, `${word}s are striped`);
    expect((await view(token)).status).toBe(200);
    await expectError(await call(exporter.GET, "GET", `/?format=json`, { params: { id: cid } }), 401, "unauthorized");
    await expectError(await call(exportAll.GET, "GET", "/?format=json"), 401, "unauthorized");
    await expectError(await call(search.GET, "GET", `/?q=${word}`), 401, "unauthorized");
    const mallory = await newGuest();
    await expectError(await call(exporter.GET, "GET", "/?format=json", { cookie: mallory, params: { id: cid } }), 404, "not_found");
    expect((await (await call(search.GET, "GET", `/?q=${word}`, { cookie: mallory })).json()).results).toEqual([]);
    expect(await (await call(exportAll.GET, "GET", "/?format=json", { cookie: mallory })).text()).not.toContain(word);
    // The owner still has both.
    expect((await call(exporter.GET, "GET", "/?format=json", { cookie: owner, params: { id: cid } })).status).toBe(200);
    expect((await (await call(search.GET, "GET", `/?q=${word}`, { cookie: owner })).json()).results).toHaveLength(1);
  });
});

describe("SHARE_RATE_LIMIT", () => {
  it("refuses the 4th request from one address to /api/share (any token) with 429 and Retry-After; other addresses and the owner's routes go on", async () => {
    const restore = h.reconfigure({ SHARE_RATE_LIMIT: "3", SHARE_RATE_WINDOW_S: "600" });
    try {
      const { owner, cid, token } = await sharedConversation("Limited");
      const { assistantMessage } = await exchange(owner, cid, "hi", "hello");
      const from = (address: string) => ({ [PEER_HEADER]: address });
      const a = from("203.0.113.41");
      expect((await view(token, a)).status).toBe(200);
      const events = await viewEvents(token, a);
      expect(events.status).toBe(200);
      await events.body!.cancel();
      expect((await readSse(await viewStream(token, assistantMessage.id, a))).at(-1)!.event).toBe("done");

      for (const refused of [
        await view(token, a),
        await viewEvents(token, a),
        await viewStream(token, assistantMessage.id, a),
        await view(randomBytes(32).toString("base64url"), a),
      ]) {
        const body = await expectError(refused, 429, "rate_limited");
        expect(body.error.message).toContain("shared links");
        const retry = Number(refused.headers.get("retry-after"));
        expect(retry).toBeGreaterThan(0);
        expect(retry).toBeLessThanOrEqual(600);
      }
      // The same client spelled as an IPv4-mapped IPv6 address; another client.
      await expectError(await view(token, from("::ffff:203.0.113.41")), 429, "rate_limited");
      expect((await view(token, from("203.0.113.42"))).status).toBe(200);
      // The owner, from the limited address, is not counted against it.
      for (let i = 0; i < 5; i++) {
        expect((await call(share.GET, "GET", "/", { cookie: owner, params: { id: cid }, headers: a })).status).toBe(200);
        expect((await call(conversation.GET, "GET", "/", { cookie: owner, params: { id: cid }, headers: a })).status).toBe(200);
      }
      expect((await call(share.POST, "POST", "/", { cookie: owner, params: { id: cid }, headers: a })).status).toBe(200);
    } finally {
      await restore();
    }
  });
});
