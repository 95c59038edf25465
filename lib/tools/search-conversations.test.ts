// search_conversations on both databases the app runs on: in-memory PGlite
// and the real PostgreSQL in an isolated schema. The point: a user finds
// their own messages, and never anyone else's.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Db } from "../platform/db";
import { Prisma } from "../generated/prisma/client";
import { searchUserConversations } from "../chat/search";
import { ToolRegistry } from "./registry";
import { searchConversations, searchConversationsTool } from "./search-conversations";
import { bothDatabases, useDatabase } from "../testing/databases";

const backends = bothDatabases("search");

describe.each(backends)("search_conversations on %s", (_name, open, dispose) => {
  const handle = useDatabase(open, dispose);

  async function userWith(convs: { title: string; messages: [role: "user" | "assistant", content: string][] }[]) {
    const userId = randomUUID();
    await handle().prisma.user.create({ data: { id: userId } });
    const ids: string[] = [];
    let t = Date.now();
    for (const c of convs) {
      const conv = await handle().prisma.conversation.create({ data: { userId, title: c.title } });
      for (const [role, content] of c.messages) {
        const m = await handle().prisma.message.create({
          data: { conversationId: conv.id, role, content, parts: [{ type: "text", text: content }], status: "complete", createdAt: new Date(t++) },
        });
        ids.push(m.id);
      }
    }
    return { userId, ids };
  }

  it("finds the user's own messages with titles and snippets, and never another user's", async () => {
    const word = `zephyrine${randomUUID().slice(0, 8)}`;
    const a = await userWith([
      {
        title: "Sourdough 🍞 notes",
        messages: [
          ["user", `How do I feed a ${word} starter every morning?`],
          ["assistant", `Feed the ${word} starter with equal flour and water.`],
        ],
      },
      { title: "Unrelated", messages: [["user", "What is a monad?"]] },
    ]);
    const b = await userWith([{ title: "B's secret", messages: [["user", `My ${word} password is hunter2`]] }]);

    const found = await searchConversations({ db: handle().prisma, userId: a.userId }, word);
    expect(found).toHaveLength(2);
    expect(found.every((m) => m.conversationTitle === "Sourdough 🍞 notes")).toBe(true);
    expect(found.map((m) => m.messageId).sort()).toEqual(a.ids.slice(0, 2).sort());
    expect(found[0].snippet).toContain(`**${word}**`);
    expect(JSON.stringify(found)).not.toMatch(/hunter2|secret/);

    const forB = await searchConversations({ db: handle().prisma, userId: b.userId }, word);
    expect(forB.map((m) => m.conversationTitle)).toEqual(["B's secret"]);
    // A stranger finds nothing at all, by full text or by substring.
    const stranger = await userWith([]);
    expect(await searchConversations({ db: handle().prisma, userId: stranger.userId }, word)).toEqual([]);
    expect(await searchConversations({ db: handle().prisma, userId: stranger.userId }, "hunter2")).toEqual([]);
  });

  it("stems words, supports web-search syntax, ranks, limits and leaves out the current exchange", async () => {
    const tag = `q${randomUUID().slice(0, 6)}`;
    const u = await userWith([
      {
        title: `Running ${tag}`,
        messages: [
          ["user", `${tag} I was running a marathon`],
          ["assistant", `${tag} Runners should hydrate; running long distances needs water`],
          ["user", `${tag} cycling instead`],
        ],
      },
    ]);
    const ctx = { db: handle().prisma, userId: u.userId };
    const run = await searchConversations(ctx, `${tag} run`);
    expect(run.map((m) => m.messageId).sort()).toEqual(u.ids.slice(0, 2).sort()); // "run" matches running
    expect((await searchConversations(ctx, `${tag} -marathon running`)).map((m) => m.messageId)).toEqual([u.ids[1]]);
    expect((await searchConversations(ctx, `"${tag} cycling"`)).map((m) => m.messageId)).toEqual([u.ids[2]]);
    expect(await searchConversations(ctx, tag, 1)).toHaveLength(1);
    const excluding = await searchConversations({ ...ctx, currentMessageIds: [u.ids[2]] }, `${tag} cycling`);
    expect(excluding).toEqual([]);
  });

  it("falls back to substring search for text the parser cannot split (CJK), and treats queries as data", async () => {
    const u = await userWith([
      {
        title: "中文",
        messages: [
          ["user", "我想学习关于数据库索引的知识"],
          ["assistant", "100% sure: use a_b\\c"],
        ],
      },
    ]);
    const ctx = { db: handle().prisma, userId: u.userId };
    const cjk = await searchConversations(ctx, "数据库");
    expect(cjk).toHaveLength(1);
    expect(cjk[0].snippet).toContain("**数据库**");
    expect(await searchConversations(ctx, '\'); DROP TABLE "Message"; --')).toEqual([]);
    expect((await searchConversations(ctx, "100%")).map((m) => m.role)).toEqual(["assistant"]);
    expect(await searchConversations(ctx, "%")).toHaveLength(1); // % is literal, not a wildcard
    expect(await handle().prisma.message.count()).toBeGreaterThan(0);
  });

  it("as a tool: reports progress and returns the matches for the model", async () => {
    const word = `quokka${randomUUID().slice(0, 6)}`;
    const u = await userWith([{ title: "Animals", messages: [["user", `Tell me about the ${word}`]] }]);
    const progress: string[] = [];
    const out = await new ToolRegistry([searchConversationsTool]).run(
      { id: "t", name: "search_conversations", input: { query: word } },
      { db: handle().prisma, userId: u.userId, signal: new AbortController().signal, progress: (m) => progress.push(m) },
    );
    expect(out.status).toBe("done");
    const data = JSON.parse(out.status === "done" ? out.content : "{}");
    expect(data).toMatchObject({ query: word, matches: [{ conversationTitle: "Animals", role: "user" }] });
    expect(progress).toEqual([`Searching your conversations for “${word}”…`, "Found 1 matching message"]);
  });
});

describe("search plans on PostgreSQL", () => {
  const [, open, dispose] = backends[1];
  const handle = useDatabase(open, dispose);

  /** The plans of the queries a search runs (EXPLAIN in front of each), instead of their rows. */
  async function plansOf(search: (db: Db) => Promise<unknown>): Promise<string[]> {
    const plans: string[] = [];
    const explain = async (strings: TemplateStringsArray, ...values: unknown[]) => {
      const rows = await handle().prisma.$queryRaw<{ "QUERY PLAN": string }[]>(Prisma.sql([`EXPLAIN ${strings[0]}`, ...strings.slice(1)], ...values));
      plans.push(rows.map((r) => r["QUERY PLAN"]).join("\n"));
      return [];
    };
    const db = { $transaction: (read: (tx: unknown) => Promise<unknown>) => read({ $executeRawUnsafe: async () => 0, $queryRaw: explain }) } as unknown as Db;
    await search(db);
    return plans;
  }

  it("read the stored vectors through their GIN indexes for a user with many messages", async () => {
    const userId = randomUUID();
    await handle().prisma.user.create({ data: { id: userId } });
    const conv = await handle().prisma.conversation.create({ data: { userId, title: "Notes" } });
    await handle().prisma.$executeRaw`
      INSERT INTO "Message" (id, "conversationId", role, content, status, "updatedAt")
      SELECT gen_random_uuid(), ${conv.id}::uuid, 'user', 'note number ' || g || ' about tides and ' || md5(g::text), 'complete', now()
      FROM generate_series(1, 20000) g`;
    await handle().prisma.$executeRawUnsafe(`VACUUM ANALYZE "Message"`); // also moves the GIN pending list into the index
    await handle().prisma.$executeRawUnsafe(`ANALYZE "Conversation"`);
    const [tool] = await plansOf((db) => searchConversations({ db, userId }, "quokka"));
    expect(tool).toContain("Message_searchVector_idx");
    expect(tool).not.toMatch(/to_tsvector/);
    const [sidebar] = await plansOf((db) => searchUserConversations(db, userId, "quokka"));
    expect(sidebar).toContain("Message_searchVector_idx");
    expect(sidebar).not.toMatch(/to_tsvector/);
  });
});
