// Messages with files (docs/API.md#files), through the real routes and the
// real SDK against the fake upstream: the upstream receives the exact bytes
// as image and document blocks (text files as a text block naming the file);
// files follow their user message through regenerate, edit and Continue;
// other users' files are 404; deleting the conversation deletes its files.
import { describe, expect, it } from "vitest";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { call, readSse } from "@/lib/testing/route-client";
import { expectError, newConversation, newGuest, post } from "@/lib/testing/api-steps";
import { pdf, png, uploaded } from "@/lib/testing/file-fixtures";
import { contentKey, MemoryFileStore } from "@/lib/files/store";
import { sweepFiles } from "@/lib/files/attachments";
import * as conversation from "@/app/api/conversations/[id]/route";
import * as exported from "@/app/api/conversations/[id]/export/route";
import * as regenerate from "@/app/api/messages/[id]/regenerate/route";
import * as edit from "@/app/api/messages/[id]/edit/route";
import * as continuation from "@/app/api/messages/[id]/continue/route";
import * as file from "@/app/api/files/[id]/route";

const store = new MemoryFileStore();
const h = useRouteHarness("attachments", {}, { parts: { files: store } });

type Block = { type: string; text?: string; title?: string; source?: { type: string; media_type: string; data: string } };
/** The content blocks of the last user turn of the upstream's latest request. */
function lastUserBlocks(): Block[] {
  const messages = (h.fake.requests.at(-1)!.body as { messages: { role: string; content: Block[] }[] }).messages;
  return messages.filter((m) => m.role === "user").at(-1)!.content;
}
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

async function sentWithFiles() {
  const cookie = await newGuest();
  const c = await newConversation(cookie);
  const image = png(5, 4, 3);
  const doc = pdf(2, crypto.randomUUID());
  const ids = [
    await uploaded(cookie, "chart.png", image),
    await uploaded(cookie, "paper.pdf", doc),
    await uploaded(cookie, "notes.md", new TextEncoder().encode("# Notes\nbuy milk\n")),
  ];
  h.fake.enqueue({ text: "I see a chart, a paper and notes." });
  const res = await post(cookie, c.id, { content: "What is in these?", attachments: ids, stream: false });
  expect(res.status).toBe(200);
  return { cookie, c, image, doc, ids, ...(await res.json()) };
}

function expectFilesSent(image: Uint8Array, doc: Uint8Array, text = "What is in these?") {
  expect(lastUserBlocks()).toEqual([
    { type: "image", source: { type: "base64", media_type: "image/png", data: b64(image) } },
    { type: "document", title: "paper.pdf", source: { type: "base64", media_type: "application/pdf", data: b64(doc) } },
    { type: "text", text: 'Attached file "notes.md":\n\n# Notes\nbuy milk\n' },
    { type: "text", text },
  ]);
}

describe("a message with files", () => {
  it("sends the exact bytes as image and document blocks, and the text file as a named text block", async () => {
    const { image, doc, ids, userMessage, assistantMessage } = await sentWithFiles();
    expectFilesSent(image, doc);
    expect(assistantMessage.content).toBe("I see a chart, a paper and notes.");
    expect(userMessage.parts.slice(1)).toEqual([
      { type: "file", fileId: ids[0], name: "chart.png", mediaType: "image/png", size: image.byteLength, kind: "image", width: 5, height: 4 },
      { type: "file", fileId: ids[1], name: "paper.pdf", mediaType: "application/pdf", size: doc.byteLength, kind: "pdf", pages: 2 },
      expect.objectContaining({ fileId: ids[2], kind: "text", name: "notes.md" }),
    ]);
  });

  it("may have files and no text", async () => {
    const cookie = await newGuest();
    const c = await newConversation(cookie);
    const id = await uploaded(cookie, "only.png", png(2, 2));
    h.fake.enqueue({ text: "A picture." });
    const res = await post(cookie, c.id, { content: "", attachments: [id], stream: false });
    expect(res.status).toBe(200);
    expect(lastUserBlocks().map((b) => b.type)).toEqual(["image"]);
    expect((await (await call(conversation.GET, "GET", "/", { cookie, params: { id: c.id } })).json()).conversation.title).toBe("only.png");
  });

  it("refuses another user's file (404) and writes nothing", async () => {
    const alice = await newGuest();
    const theirs = await uploaded(alice, "secret.png", png(2, 2));
    const bob = await newGuest();
    const c = await newConversation(bob);
    const requests = h.fake.requests.length;
    await expectError(await post(bob, c.id, { content: "look", attachments: [theirs], stream: false }), 404, "not_found");
    await expectError(await post(bob, c.id, { content: "look", attachments: [crypto.randomUUID()], stream: false }), 404, "not_found");
    expect(await h.db.prisma.message.count({ where: { conversationId: c.id } })).toBe(0);
    expect(h.fake.requests.length).toBe(requests);
    expect((await h.db.prisma.attachment.findUniqueOrThrow({ where: { id: theirs } })).conversationId).toBeNull();
  });

  it("keeps its files through regenerate, edit and Continue", async () => {
    const { cookie, image, doc, userMessage, assistantMessage } = await sentWithFiles();
    h.fake.enqueue({ text: "Again." });
    expect((await call(regenerate.POST, "POST", "/", { cookie, params: { id: assistantMessage.id }, body: { stream: false } })).status).toBe(200);
    expectFilesSent(image, doc);

    h.fake.enqueue({ text: "half then boom", end: "error", failAfter: 4 });
    const edited = await call(edit.POST, "POST", "/", { cookie, params: { id: userMessage.id }, body: { content: "And now?", stream: false } });
    expect(edited.status).toBe(200);
    const after = await edited.json();
    expect(after.userMessage.parts.slice(1)).toEqual(userMessage.parts.slice(1));
    expect(after.assistantMessage.status).toBe("failed");
    expectFilesSent(image, doc, "And now?");

    h.fake.enqueue({ text: " the rest" });
    const cont = await call(continuation.POST, "POST", "/", { cookie, params: { id: after.assistantMessage.id }, body: { stream: true } });
    expect((await readSse(cont)).at(-1)!.event).toBe("done");
    expect(
      h.fake.requests
        .at(-1)!
        .body.messages[0].content.slice(0, 2)
        .map((b: Block) => b.source?.data),
    ).toEqual([b64(image), b64(doc)]);
  });

  it("an edit may replace the files, or drop them and keep only text", async () => {
    const { cookie, userMessage, ids } = await sentWithFiles();
    const other = await uploaded(cookie, "other.txt", new TextEncoder().encode("other file"));
    h.fake.enqueue({ text: "Just the other one." });
    const res = await call(edit.POST, "POST", "/", { cookie, params: { id: userMessage.id }, body: { content: "", attachments: [other], stream: false } });
    expect(res.status).toBe(200);
    const edited = (await res.json()).userMessage;
    expect(edited.parts.slice(1).map((p: { fileId: string }) => p.fileId)).toEqual([other]);
    expect(lastUserBlocks()).toEqual([{ type: "text", text: 'Attached file "other.txt":\n\nother file' }]);
    // Without files the text may not be empty.
    await expectError(
      await call(edit.POST, "POST", "/", { cookie, params: { id: edited.id }, body: { content: " ", attachments: [], stream: false } }),
      400,
      "invalid_input",
    );
    h.fake.enqueue({ text: "Text only." });
    const plain = await call(edit.POST, "POST", "/", { cookie, params: { id: edited.id }, body: { content: "no files now", attachments: [], stream: false } });
    expect((await plain.json()).userMessage.parts).toEqual([{ type: "text", text: "no files now" }]);
    expect(lastUserBlocks()).toEqual([{ type: "text", text: "no files now" }]);
    expect(ids).toHaveLength(3);
  });

  it("is exported with its files listed, linked for the owner", async () => {
    const { cookie, c, ids } = await sentWithFiles();
    const md = await (await call(exported.GET, "GET", "/?format=markdown", { cookie, params: { id: c.id } })).text();
    expect(md).toContain(`[chart.png](/api/files/${ids[0]}) (image/png`);
    expect(md).toContain(`[paper.pdf](/api/files/${ids[1]})`);
    const json = await (await call(exported.GET, "GET", "/?format=json", { cookie, params: { id: c.id } })).json();
    const parts = json.messages.flatMap((m: { parts: { type: string; fileId?: string }[] }) => m.parts.filter((p) => p.type === "file").map((p) => p.fileId));
    expect(parts).toEqual(ids);
  });

  it("is deleted with its conversation: rows, and the bytes no other file shares", async () => {
    const { cookie, c, ids, image, doc } = await sentWithFiles();
    // Someone else holds the same image: its bytes must stay.
    const other = await newGuest();
    const kept = await uploaded(other, "same.png", image);
    expect((await call(conversation.DELETE, "DELETE", "/", { cookie, params: { id: c.id } })).status).toBe(204);
    expect(await h.db.prisma.attachment.count({ where: { id: { in: ids } } })).toBe(0);
    await expectError(await call(file.GET, "GET", "/", { cookie, params: { id: ids[0] } }), 404, "not_found");
    expect(await store.get(contentKey(doc))).toBeNull();
    expect(await store.get(contentKey(image))).not.toBeNull();
    expect((await call(file.GET, "GET", "/", { cookie: other, params: { id: kept } })).status).toBe(200);
  });

  it("cannot take a file already sent in another conversation (409), and at most MAX_ATTACHMENTS_PER_MESSAGE files", async () => {
    const { cookie, ids } = await sentWithFiles();
    const c2 = await newConversation(cookie);
    await expectError(await post(cookie, c2.id, { content: "again", attachments: [ids[0]], stream: false }), 409, "conflict");
    const restore = h.reconfigure({ MAX_ATTACHMENTS_PER_MESSAGE: "1" });
    try {
      const two = [await uploaded(cookie, "a.txt", new TextEncoder().encode("a")), await uploaded(cookie, "b.txt", new TextEncoder().encode("b"))];
      await expectError(await post(cookie, c2.id, { content: "two", attachments: two, stream: false }), 413, "too_large");
    } finally {
      await restore();
    }
  });

  it("the demo model acknowledges the files by name and size", async () => {
    const restore = h.reconfigure({ LLM_PROVIDER: "demo", DEMO_TOKEN_DELAY_MS: "0" }, { files: store });
    try {
      const cookie = await newGuest();
      const c = await newConversation(cookie);
      const id = await uploaded(cookie, "holiday.png", png(6, 3));
      const res = await post(cookie, c.id, { content: "what do you see?", attachments: [id], stream: false });
      const { assistantMessage } = await res.json();
      expect(assistantMessage.content).toMatch(/\*\*holiday\.png\*\* \(image, 6×3, \d+ bytes\)/);
    } finally {
      await restore();
    }
  });
});

describe("the file sweep", () => {
  it("deletes files never sent after UNSENT_FILE_TTL_H, and the files of a deleted user, with their bytes", async () => {
    const cookie = await newGuest();
    const unsent = png(9, 9, 7);
    const id = await uploaded(cookie, "forgotten.png", unsent);
    const { userId } = await h.db.prisma.attachment.findUniqueOrThrow({ where: { id } });
    const { ids, doc } = await sentWithFiles();
    const ttl = h.app.config.files.unsentTtlMs;
    // Not yet: younger than the TTL, or sent.
    await sweepFiles(h.db.prisma, store, { unsentTtlMs: ttl });
    expect(await h.db.prisma.attachment.count({ where: { id: { in: [id, ...ids] } } })).toBe(4);
    await sweepFiles(h.db.prisma, store, { unsentTtlMs: ttl, now: new Date(Date.now() + ttl + 60_000) });
    expect(await h.db.prisma.attachment.count({ where: { id } })).toBe(0);
    expect(await store.get(contentKey(unsent))).toBeNull();
    expect(await h.db.prisma.attachment.count({ where: { id: { in: ids } } })).toBe(3);
    // The sender goes (as a purged guest does): its sent files go with the next sweep.
    const sender = (await h.db.prisma.attachment.findUniqueOrThrow({ where: { id: ids[1] } })).userId!;
    expect(sender).not.toBe(userId);
    await h.db.prisma.user.delete({ where: { id: sender } });
    expect(await h.db.prisma.attachment.count({ where: { id: { in: ids } } })).toBe(3);
    expect(await h.app.purgeIdle()).toMatchObject({ files: 3 });
    expect(await h.db.prisma.attachment.count({ where: { id: { in: ids } } })).toBe(0);
    expect(await store.get(contentKey(doc))).toBeNull();
  });
});
