// Export all and delete all (docs/API.md, "Export all and delete all"),
// black-box through the real routes: the export is one streamed file of the
// caller's conversations only, paged past one database page; delete all
// needs an explicit confirmation, stops running replies first (their streams
// end with `done`), deletes the files, and leaves other users alone.
import { describe, expect, it } from "vitest";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { call, readSse, type SseFrame } from "@/lib/testing/route-client";
import { expectError, newConversation, newGuest, post } from "@/lib/testing/api-steps";
import { pdf, uploaded } from "@/lib/testing/file-fixtures";
import { contentKey, MemoryFileStore } from "@/lib/files/store";
import * as exportAll from "@/app/api/export/route";
import * as conversations from "@/app/api/conversations/route";
import * as message from "@/app/api/messages/[id]/route";

const store = new MemoryFileStore();
const h = useRouteHarness("export_delete_all", {}, { parts: { files: store } });

const exported = (cookie: string | undefined, format?: string) => call(exportAll.GET, "GET", `/api/export${format === undefined ? "" : `?format=${format}`}`, { cookie });
const deleteAll = (cookie: string | undefined, body?: unknown) => call(conversations.DELETE, "DELETE", "/api/conversations", { cookie, body });
const titles = async (cookie: string) =>
  ((await (await call(conversations.GET, "GET", "/api/conversations", { cookie })).json()).conversations as { title: string }[]).map((c) => c.title);

async function chatted(cookie: string, title: string, question: string, answer: string) {
  const c = await newConversation(cookie, title);
  h.fake.enqueue({ text: answer });
  expect((await post(cookie, c.id, { content: question, stream: false })).status).toBe(200);
  return c;
}

describe("GET /api/export", () => {
  it("downloads every conversation of the caller, oldest first, as JSON and as Markdown — nobody else's", async () => {
    const alice = await newGuest();
    const bob = await newGuest();
    await chatted(alice, "Alpha trip", "Where to in May?", "Lisbon, for the light.");
    await chatted(alice, "Beta recipe", "Bread without yeast?", "Soda bread.");
    await chatted(bob, "Bob's secret", "hidden question", "hidden answer");

    const res = await exported(alice, "json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="tether-export-\d{4}-\d{2}-\d{2}\.json"/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const doc = await res.json();
    expect(doc).toMatchObject({ format: "tether.export.v1", instructions: "" });
    expect(doc.conversations.map((c: { conversation: { title: string } }) => c.conversation.title)).toEqual(["Alpha trip", "Beta recipe"]);
    expect(doc.conversations[0].messages.map((m: { content: string }) => m.content)).toEqual(["Where to in May?", "Lisbon, for the light."]);
    expect(doc.conversations[0].branches).toEqual([]);

    const md = await exported(alice); // Markdown by default
    expect(md.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(md.headers.get("content-disposition")).toMatch(/filename="tether-export-[\d-]+\.md"/);
    const text = await md.text();
    expect(text).toMatch(/^# Tether export\n/);
    expect(text.indexOf("# Alpha trip")).toBeLessThan(text.indexOf("# Beta recipe"));
    expect(text).toContain("## You\n\nBread without yeast?");
    expect(text).toContain("## Claude\n\nSoda bread.");
    expect(text).not.toContain("hidden");
  });

  it("is a valid file for a caller with no conversations, and reads past one page of the database", async () => {
    const empty = await newGuest();
    expect((await (await exported(empty, "json")).json()).conversations).toEqual([]);
    expect(await (await exported(empty, "markdown")).text()).toMatch(/^# Tether export\n\n_Every conversation, exported on [^_]+_\n$/);

    const many = await newGuest();
    for (let i = 0; i < 53; i++) await newConversation(many, `chat ${String(i).padStart(2, "0")}`);
    const doc = await (await exported(many, "json")).json();
    // (Created within the same millisecond, two may tie on createdAt: compared as a set.)
    const got = doc.conversations.map((c: { conversation: { title: string } }) => c.conversation.title).sort();
    expect(got).toEqual(Array.from({ length: 53 }, (_, i) => `chat ${String(i).padStart(2, "0")}`));
  });

  it("refuses an unknown format (400) and a caller without a session (401)", async () => {
    const alice = await newGuest();
    const body = await expectError(await exported(alice, "pdf"), 400, "invalid_input");
    expect(body.error.message).toContain("markdown, json");
    await expectError(await exported(undefined, "json"), 401, "unauthorized");
  });
});

describe("DELETE /api/conversations", () => {
  it("needs {confirm: true}: a bare or wrong body is 400 and deletes nothing", async () => {
    const alice = await newGuest();
    await newConversation(alice, "keep me");
    await expectError(await deleteAll(alice), 400, "invalid_input");
    await expectError(await deleteAll(alice, { confirm: false }), 400, "invalid_input");
    await expectError(await deleteAll(alice, { confirm: "yes" }), 400, "invalid_input");
    await expectError(await deleteAll(alice, { confirm: true, also: 1 }), 400, "invalid_input");
    await expectError(await deleteAll(undefined, { confirm: true }), 401, "unauthorized");
    expect(await titles(alice)).toEqual(["keep me"]);
  });

  it("deletes every conversation of the caller with its files, and only the caller's", async () => {
    const alice = await newGuest();
    const bob = await newGuest();
    const doc = pdf(1, crypto.randomUUID());
    const c = await newConversation(alice, "with a file");
    const fileId = await uploaded(alice, "paper.pdf", doc);
    h.fake.enqueue({ text: "Read it." });
    expect((await post(alice, c.id, { content: "summarize", attachments: [fileId], stream: false })).status).toBe(200);
    await newConversation(alice, "second");
    await chatted(bob, "Bob's chat", "hello", "hi");

    const res = await deleteAll(alice, { confirm: true });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ deleted: 2 });
    expect(await titles(alice)).toEqual([]);
    expect(await h.db.prisma.attachment.count({ where: { id: fileId } })).toBe(0);
    expect(await store.get(contentKey(doc))).toBeNull();
    expect(await titles(bob)).toEqual(["Bob's chat"]);
    // Again: nothing left, not an error.
    expect(await (await deleteAll(alice, { confirm: true })).json()).toEqual({ deleted: 0 });
  });

  it("stops a running reply first: its stream ends with done (interrupted) and the upstream call is aborted", async () => {
    const alice = await newGuest();
    const c = await newConversation(alice, "running");
    h.fake.enqueue({ text: "this will be cut off", end: "stall", failAfter: 8 });
    const res = await post(alice, c.id, { content: "write slowly" });
    const frames: SseFrame[] = [];
    let firstDelta!: () => void;
    const started = new Promise<void>((r) => (firstDelta = r));
    const all = readSse(res, (f) => {
      frames.push(f);
      if (f.event === "delta") firstDelta();
    });
    await started;
    const upstream = h.fake.requests[h.fake.requests.length - 1];
    expect(await (await deleteAll(alice, { confirm: true })).json()).toEqual({ deleted: 1 });
    await all;
    expect(frames.at(-1)!.event).toBe("done");
    expect(frames.at(-1)!.data.message.status).toBe("interrupted");
    await upstream.closed;
    expect(upstream.aborted).toBe(true);
    const id = frames[0].data.message.id as string;
    await expectError(await call(message.GET, "GET", "/", { cookie: alice, params: { id } }), 404, "not_found");
  });
});
