// A post's admission in one SQL call (post-admission.ts) against the
// transaction it stands in for (withAdmission + admitPost, which a post with
// attachments still takes), on both databases: the same refusals, the same
// rows, the same titles, the same owner for a guest that moved into an
// account; the history and settings it returns for the generation, as the
// generation would read them; its own answers to an idempotency key; and a
// session that ran it running it again after columns were added to its tables
// (a migration during a rolling deploy, docs/DEPLOY.md). Races between posts:
// lib/platform/db/db.test.ts.
import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { DEFAULT_TITLE, toMessage } from "../chat/conversations";
import { historyBefore } from "../chat/message-tree";
import type { Db } from "../platform/db";
import { testAdmission } from "../testing/app";
import { bothDatabases, useDatabase } from "../testing/databases";
import { admitPost, createReply, exchangeReplay, postStart, titleFrom, withAdmission, type Admission } from "./admission";
import type { IdempotencyClaim } from "./idempotency";
import { commitPost } from "./post-admission";

type Post = (a: Admission, userId: string, conversationId: string, content: string, claim?: IdempotencyClaim) => ReturnType<typeof createReply>;

const paths: [string, Post][] = [
  ["one call", (a, u, c, content, claim) => createReply(a, u, c, content, [], claim)],
  [
    "the transaction",
    (a, u, c, content, claim) =>
      withAdmission(
        a,
        u,
        (tx, owner) => admitPost(a, tx, owner, c, content),
        (r) => r.assistantMessage.id,
        postStart(c),
        claim && { claim, replay: exchangeReplay },
      ),
  ],
];

const TEXT = "Grüße 👋🏽 — data: x\n\nid: 9\n\u2028 end";

describe.each(bothDatabases("postadmit"))("a post's admission in one call, on %s", (_name, open, dispose) => {
  const handle = useDatabase(open, dispose);
  const db = (): Db => handle().prisma;

  async function user(o: { mergedIntoId?: string } = {}) {
    const id = randomUUID();
    await db().user.create({ data: { id, ...o } });
    return id;
  }
  const conversation = async (userId: string, o: { title?: string; titleLocked?: boolean } = {}) =>
    db().conversation.create({ data: { userId, title: o.title ?? DEFAULT_TITLE, titleLocked: o.titleLocked ?? false } });
  const count = (conversationId: string) => db().message.count({ where: { conversationId } });
  const outcome = (p: Promise<unknown>) =>
    p.then(
      () => "admitted",
      (e: { code?: string; status?: number; message?: string; headers?: object }) => ({ code: e.code, status: e.status, message: e.message, headers: e.headers }),
    );

  it("refuses as the transaction does, and writes nothing", async () => {
    const seen: Record<string, unknown[]> = {};
    for (const [name, post] of paths) {
      const a = testAdmission(db(), { maxActivePerUser: 2 });
      const owner = await user();
      const [c1, c2, c3] = [await conversation(owner), await conversation(owner), await conversation(owner)];
      seen[name] = [
        await outcome(post(a, await user(), c1.id, "not mine")),
        await outcome(post(a, randomUUID(), c1.id, "no such user")),
        await outcome(post(a, owner, c1.id, "first")),
        await outcome(post(a, owner, c1.id, "while the first generates")),
        await outcome(post(a, owner, c2.id, "second at once")),
        await outcome(post(a, owner, c3.id, "third at once")),
      ];
      expect([await count(c1.id), await count(c2.id), await count(c3.id)]).toEqual([2, 2, 0]);
    }
    expect(seen["one call"]).toEqual(seen["the transaction"]);
    expect(seen["one call"].map((o) => (typeof o === "string" ? o : (o as { code: string }).code))).toEqual([
      "not_found",
      "unauthorized",
      "admitted",
      "generation_in_progress",
      "admitted",
      "too_many_generations",
    ]);
  });

  it("commits the rows the transaction commits, on the path the conversation shows, and returns them as saved", async () => {
    const shapes: unknown[] = [];
    for (const [, post] of paths) {
      const a = testAdmission(db());
      const owner = await user();
      const c = await conversation(owner, { title: "Kept" });
      const done = (id: string) => db().message.update({ where: { id }, data: { status: "complete", content: "answer" } });
      const first = await post(a, owner, c.id, "earlier");
      await done(first.assistantMessage.id);
      await done((await post(a, owner, c.id, "later")).assistantMessage.id);
      // The conversation shows the first exchange (as after switching versions): the post follows it, not the newest message.
      await db().conversation.update({ where: { id: c.id }, data: { currentLeafId: first.assistantMessage.id } });
      const r = await post(a, owner, c.id, TEXT);
      const [userRow, replyRow, conv] = await Promise.all([
        db().message.findUniqueOrThrow({ where: { id: r.userMessage.id } }),
        db().message.findUniqueOrThrow({ where: { id: r.assistantMessage.id } }),
        db().conversation.findUniqueOrThrow({ where: { id: c.id } }),
      ]);
      // What the post answered is what was saved.
      expect(r.userMessage).toEqual(toMessage(userRow));
      expect(r.assistantMessage).toEqual(toMessage(replyRow));
      expect(r.seq).toBe(0);
      expect(userRow.parentId).toBe(first.assistantMessage.id);
      expect(replyRow.parentId).toBe(userRow.id);
      expect(replyRow.createdAt.getTime() - userRow.createdAt.getTime()).toBe(1);
      expect(conv.currentLeafId).toBe(replyRow.id);
      expect(conv.updatedAt.getTime()).toBe(replyRow.createdAt.getTime());
      expect(r.admitted?.row).toMatchObject({ id: replyRow.id, seq: 0, seqCeiling: replyRow.seqCeiling, conversation: { userId: owner } });
      const pick = (m: typeof userRow) => [m.role, m.content, m.parts, m.status, m.error, m.metadata, m.seq, m.seqCeiling, m.resumeAttempts];
      shapes.push([pick(userRow), pick(replyRow), conv.title, r.admitted?.conversation]);
      // A conversation that names no leaf: the post follows its newest message.
      await done(r.assistantMessage.id);
      await db().conversation.update({ where: { id: c.id }, data: { currentLeafId: null } });
      expect((await post(a, owner, c.id, "after the newest")).userMessage.parentId).toBe(r.assistantMessage.id);
    }
    expect(shapes[0]).toEqual(shapes[1]);
    expect((shapes[0] as unknown[][])[0][1]).toBe(TEXT);
  });

  it("returns the history the generation would read (the shown path, the new message last) and the owner's settings", async () => {
    const a = testAdmission(db());
    const owner = await user();
    const c = await conversation(owner);
    const first = await createReply(a, owner, c.id, "root");
    expect(first.admitted?.history?.map((m) => m.content)).toEqual(["root"]);
    expect(first.admitted?.settings).toBeNull();
    const answer = [{ type: "text", text: "answer" }];
    await db().message.update({ where: { id: first.assistantMessage.id }, data: { status: "complete", content: "answer", parts: answer } });
    // A newer version of that answer, on a branch the conversation does not show.
    await db().message.create({
      data: {
        conversationId: c.id,
        parentId: first.userMessage.id,
        role: "assistant",
        status: "complete",
        content: "other version",
        createdAt: new Date(Date.now() + 5),
      },
    });
    await db().conversation.update({ where: { id: c.id }, data: { currentLeafId: first.assistantMessage.id } });
    await db().userSettings.create({ data: { userId: owner, defaultModel: "claude-x", instructions: "Be brief. 👋🏽" } });
    const r = await createReply(a, owner, c.id, TEXT);
    const replyRow = await db().message.findUniqueOrThrow({ where: { id: r.assistantMessage.id } });
    expect(r.admitted?.history).toEqual(await historyBefore(db(), replyRow));
    expect(r.admitted?.history?.map((m) => [m.role, m.content, m.parts])).toEqual([
      ["user", "root", [{ type: "text", text: "root" }]],
      ["assistant", "answer", answer],
      ["user", TEXT, [{ type: "text", text: TEXT }]],
    ]);
    expect(r.admitted?.settings).toEqual({ defaultModel: "claude-x", instructions: "Be brief. 👋🏽" });
  });

  it("titles a conversation from its first message only, and never one the user named", async () => {
    const titles: string[][] = [];
    for (const [, post] of paths) {
      const a = testAdmission(db());
      const owner = await user();
      const fresh = await conversation(owner);
      const locked = await conversation(owner, { title: DEFAULT_TITLE, titleLocked: true });
      const named = await conversation(owner, { title: "Mine" });
      const long = "  many   words\n".repeat(20);
      const r = await post(a, owner, fresh.id, long);
      expect(r.title).toBe(titleFrom(long));
      await db().message.update({ where: { id: r.assistantMessage.id }, data: { status: "complete" } });
      expect((await post(a, owner, fresh.id, "second")).title).toBeUndefined();
      await post(a, owner, locked.id, "first in a locked one");
      await post(a, owner, named.id, "first in a named one");
      const read = (id: string) =>
        db()
          .conversation.findUniqueOrThrow({ where: { id } })
          .then((c) => c.title);
      titles.push([await read(fresh.id), await read(locked.id), await read(named.id)]);
    }
    expect(titles[0]).toEqual([titleFrom("  many   words\n".repeat(20)), DEFAULT_TITLE, "Mine"]);
    expect(titles[1]).toEqual(titles[0]);
  });

  it("admits a guest that moved into an account as the account, and tells the account's tabs", async () => {
    for (const [, post] of paths) {
      const account = await user();
      const guest = await user({ mergedIntoId: account });
      const c = await conversation(account);
      const heard: string[] = [];
      const a = { ...testAdmission(db()), events: { publish: (owner: string, e: { event: string }) => void heard.push(`${owner} ${e.event}`) } };
      const r = await post(a, guest, c.id, "after the move");
      expect(r.admitted?.row.conversation.userId).toBe(account);
      expect(heard).toEqual([`${account} conversation.titled`, `${account} message.created`, `${account} reply.started`]);
      // The guest's own conversations are not the account's: a guest never reaches them.
      const own = await conversation(guest);
      await expect(post(a, guest, own.id, "into the emptied guest")).rejects.toMatchObject({ code: "not_found" });
    }
  });

  it("answers a recorded key with its start, refuses it for another request, and replaces it once expired", async () => {
    const owner = await user();
    const c = await conversation(owner);
    const p = { content: "once", title: "once", maxActive: 3 };
    const claim = { key: `k-${randomUUID()}`, fingerprint: "post once" };
    const first = await commitPost(db(), owner, c.id, { ...p, claim });
    if ("prior" in first) throw new Error("a new key has no earlier start");
    expect(await db().idempotencyKey.findMany({ where: { userId: owner } })).toMatchObject([
      { key: claim.key, fingerprint: claim.fingerprint, replyId: first.replyRow.id, userMessageId: first.userRow.id },
    ]);
    // Called again under the lock (another request's pre-check ran before this one committed).
    expect(await commitPost(db(), owner, c.id, { ...p, claim })).toEqual({ ownerId: owner, prior: { replyId: first.replyRow.id, userMessageId: first.userRow.id } });
    await expect(commitPost(db(), owner, c.id, { ...p, claim: { ...claim, fingerprint: "another" } })).rejects.toMatchObject({
      code: "idempotency_mismatch",
      status: 422,
    });
    expect(await count(c.id)).toBe(2);
    // A day later the key is free again: a new start, and the key names it.
    await db().message.update({ where: { id: first.replyRow.id }, data: { status: "complete" } });
    const later = await commitPost(db(), owner, c.id, { ...p, claim: { ...claim, fingerprint: "another" } }, Date.now() + 24 * 3600_000 + 1000);
    if ("prior" in later) throw new Error("an expired key starts anew");
    expect(await db().idempotencyKey.findMany({ where: { userId: owner } })).toMatchObject([{ key: claim.key, fingerprint: "another", replyId: later.replyRow.id }]);
    expect(await count(c.id)).toBe(4);
  });
  it("keeps working in a session that ran it before a later migration added columns to its tables", async () => {
    const owner = await user();
    const c = await conversation(owner);
    const p = { content: "before", title: "before", maxActive: 3 };
    const before = await commitPost(db(), owner, c.id, p);
    if ("prior" in before) throw new Error("no key was given");
    await db().message.update({ where: { id: before.replyRow.id }, data: { status: "complete" } });
    const tables = ["Message", "Conversation", "IdempotencyKey", "UserSettings"];
    for (const t of tables) await db().$executeRawUnsafe(`ALTER TABLE "${t}" ADD COLUMN "addedLater" INTEGER`);
    try {
      const claim = { key: `k-${randomUUID()}`, fingerprint: "after" };
      const after = await commitPost(db(), owner, c.id, { ...p, content: "after", claim });
      if ("prior" in after) throw new Error("a new key has no earlier start");
      expect([after.userRow.content, after.userRow.parentId, after.history.map((m) => m.content)]).toEqual(["after", before.replyRow.id, ["before", "", "after"]]);
      expect(await commitPost(db(), owner, c.id, { ...p, content: "after", claim })).toMatchObject({ prior: { replyId: after.replyRow.id } });
    } finally {
      for (const t of tables) await db().$executeRawUnsafe(`ALTER TABLE "${t}" DROP COLUMN "addedLater"`);
    }
  });
});
