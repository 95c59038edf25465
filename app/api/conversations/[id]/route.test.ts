// Pinning and archiving through PATCH /api/conversations/:id (docs/API.md
// "Conversations"): owner-only (404 for anyone else, nothing changes), bad
// input 400, and an archived chat leaves the list yet still opens and is
// still found by search. Real routes, in-memory PGlite.
import { describe, expect, it } from "vitest";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { call } from "@/lib/testing/route-client";
import { expectError, newConversation, newGuest } from "@/lib/testing/api-steps";
import { listConversations } from "@/lib/chat/conversations";
import * as conversation from "./route";
import * as search from "@/app/api/search/route";

const h = useRouteHarness("pin_archive");

const patch = (cookie: string, id: string, body: unknown) => call(conversation.PATCH, "PATCH", `/api/conversations/${id}`, { cookie, params: { id }, body });
const read = (cookie: string, id: string) => call(conversation.GET, "GET", `/api/conversations/${id}`, { cookie, params: { id } });

describe("pin and archive", () => {
  it("pins and unpins; a second pin keeps the first time; activity (updatedAt) does not move", async () => {
    const alice = await newGuest();
    const c = await newConversation(alice, "Pin me");
    const before = await h.db.prisma.conversation.findUniqueOrThrow({ where: { id: c.id } });

    const pinned = await patch(alice, c.id, { pinned: true });
    expect(pinned.status).toBe(200);
    const body = await pinned.json();
    expect(typeof body.pinnedAt).toBe("string");
    expect(body.archivedAt).toBeNull();
    expect(body.updatedAt).toBe(before.updatedAt.toISOString());

    const again = await (await patch(alice, c.id, { pinned: true })).json();
    expect(again.pinnedAt).toBe(body.pinnedAt);

    const unpinned = await (await patch(alice, c.id, { pinned: false })).json();
    expect(unpinned.pinnedAt).toBeNull();
    expect(unpinned.title).toBe("Pin me");
  });

  it("archives: gone from the default list, listed as archived, still opens by URL and is still searched", async () => {
    const alice = await newGuest();
    const word = "zebrafinch";
    const kept = await newConversation(alice, "Kept one");
    const c = await newConversation(alice, `About the ${word}`);
    const archived = await (await patch(alice, c.id, { archived: true })).json();
    expect(typeof archived.archivedAt).toBe("string");

    const userId = (await h.db.prisma.conversation.findUniqueOrThrow({ where: { id: c.id } })).userId;
    expect((await listConversations(h.db.prisma, userId, { archived: false })).map((x) => x.id)).toEqual([kept.id]);
    expect((await listConversations(h.db.prisma, userId, { archived: true })).map((x) => x.id)).toEqual([c.id]);
    expect((await listConversations(h.db.prisma, userId)).map((x) => x.id).sort()).toEqual([kept.id, c.id].sort());

    const opened = await read(alice, c.id);
    expect(opened.status).toBe(200);
    expect((await opened.json()).conversation.archivedAt).toBe(archived.archivedAt);

    const found = await (await call(search.GET, "GET", `/?q=${word}`, { cookie: alice })).json();
    expect(JSON.stringify(found)).toContain(c.id);

    const back = await (await patch(alice, c.id, { archived: false })).json();
    expect(back.archivedAt).toBeNull();
    expect((await listConversations(h.db.prisma, userId, { archived: false })).map((x) => x.id).sort()).toEqual([kept.id, c.id].sort());
  });

  it("pins and archives in one request, with a rename", async () => {
    const alice = await newGuest();
    const c = await newConversation(alice);
    const both = await (await patch(alice, c.id, { pinned: true, archived: true, title: "Both" })).json();
    expect([both.title, typeof both.pinnedAt, typeof both.archivedAt]).toEqual(["Both", "string", "string"]);
  });

  it("is 404 for another user's conversation, and nothing changes", async () => {
    const alice = await newGuest();
    const c = await newConversation(alice, "Alice's");
    const bob = await newGuest();
    for (const body of [{ pinned: true }, { archived: true }, { pinned: false, archived: false }]) {
      await expectError(await patch(bob, c.id, body), 404, "not_found");
    }
    const row = await h.db.prisma.conversation.findUniqueOrThrow({ where: { id: c.id } });
    expect([row.pinnedAt, row.archivedAt]).toEqual([null, null]);
    await expectError(await patch(alice, "00000000-0000-4000-8000-000000000000", { pinned: true }), 404, "not_found");
  });

  it("refuses bad input with 400 and changes nothing", async () => {
    const alice = await newGuest();
    const c = await newConversation(alice);
    for (const body of [{ pinned: "yes" }, { archived: 1 }, { pinned: null }, { archivedAt: "2026-01-01T00:00:00Z" }, {}]) {
      await expectError(await patch(alice, c.id, body), 400, "invalid_input");
    }
    await expectError(await patch(alice, "not-a-uuid", { pinned: true }), 404);
    const row = await h.db.prisma.conversation.findUniqueOrThrow({ where: { id: c.id } });
    expect([row.pinnedAt, row.archivedAt]).toEqual([null, null]);
  });
});
