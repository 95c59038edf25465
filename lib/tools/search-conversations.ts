// search_conversations: full-text search over the current user's own
// messages (PostgreSQL `to_tsvector` / `websearch_to_tsquery`, the same SQL
// on PGlite). Every query is bound to ctx.userId through the conversation's
// owner, so another user's messages can never match. Words the text-search
// parser cannot split (e.g. CJK runs) fall back to a substring match.
import { z } from "zod";
import { Prisma } from "../generated/prisma/client";
import { boundedQuery, type Db } from "../platform/db";
import { userRateKey } from "../platform/rate-limit";
import { defineTool, ToolError, type ToolContext } from "./types";

export type SearchMatch = {
  conversationId: string;
  conversationTitle: string;
  messageId: string;
  role: string;
  createdAt: string;
  snippet: string;
};

type Row = { id: string; conversationId: string; title: string; role: string; createdAt: Date; snippet: string };

const NIL_UUID = "00000000-0000-0000-0000-000000000000";

function excluded(ids: string[] | undefined) {
  const list = ids?.length ? ids : [NIL_UUID];
  return Prisma.join(list.map((id) => Prisma.sql`${id}::uuid`));
}

async function fullText(db: Db, userId: string, query: string, limit: number, exclude?: string[]): Promise<Row[]> {
  // Ranked in a subquery so ts_headline (costly) runs only for the rows kept;
  // the vectors are stored with a GIN index (migration search_vectors).
  return boundedQuery(
    db,
    (tx) => tx.$queryRaw<Row[]>`
    SELECT hit.id, hit."conversationId", hit.title, hit.role, hit."createdAt",
      ts_headline('english', hit.content, websearch_to_tsquery('english', ${query}),
        'MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … ", StartSel=**, StopSel=**') AS snippet
    FROM (
      SELECT m.id, m."conversationId", c.title, m.role::text AS role, m."createdAt", m.content,
        ts_rank_cd(m."searchVector", websearch_to_tsquery('english', ${query})) AS rank
      FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId"
      WHERE c."userId" = ${userId}::uuid
        AND m.id NOT IN (${excluded(exclude)})
        AND m."searchVector" @@ websearch_to_tsquery('english', ${query})
      ORDER BY rank DESC, m."createdAt" DESC
      LIMIT ${limit}
    ) hit
    ORDER BY hit.rank DESC, hit."createdAt" DESC`,
  );
}

async function substring(db: Db, userId: string, query: string, limit: number, exclude?: string[]): Promise<Row[]> {
  const pattern = `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await boundedQuery(
    db,
    (tx) => tx.$queryRaw<(Omit<Row, "snippet"> & { content: string })[]>`
    SELECT m.id, m."conversationId", c.title, m.role::text AS role, m."createdAt", m.content
    FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId"
    WHERE c."userId" = ${userId}::uuid
      AND m.id NOT IN (${excluded(exclude)})
      AND m.content ILIKE ${pattern}
    ORDER BY m."createdAt" DESC
    LIMIT ${limit}`,
  );
  return rows.map(({ content, ...r }) => ({ ...r, snippet: around(content, query) }));
}

/** ~200 characters of `text` around the first match of `query`, the match in bold. */
function around(text: string, query: string): string {
  const at = text.toLowerCase().indexOf(query.toLowerCase());
  if (at < 0) return Array.from(text).slice(0, 200).join("");
  const start = Math.max(0, at - 90);
  const end = Math.min(text.length, at + query.length + 90);
  const head = (start > 0 ? "…" : "") + text.slice(start, at);
  const tail = text.slice(at + query.length, end) + (end < text.length ? "…" : "");
  return `${head}**${text.slice(at, at + query.length)}**${tail}`.replace(/\s+/g, " ").trim();
}

export async function searchConversations(ctx: Pick<ToolContext, "db" | "userId" | "currentMessageIds">, query: string, limit = 5): Promise<SearchMatch[]> {
  let rows = await fullText(ctx.db, ctx.userId, query, limit, ctx.currentMessageIds);
  if (rows.length === 0) rows = await substring(ctx.db, ctx.userId, query, limit, ctx.currentMessageIds);
  return rows.map((r) => ({
    conversationId: r.conversationId,
    conversationTitle: r.title,
    messageId: r.id,
    role: r.role,
    createdAt: new Date(r.createdAt).toISOString(),
    snippet: r.snippet,
  }));
}

export const searchConversationsTool = defineTool({
  name: "search_conversations",
  ownerDataOnly: true,
  description:
    "Full-text search over the user's own earlier conversations with you. Returns matching messages with their conversation title and a snippet " +
    "(matched words in **bold**). Supports quoted phrases, OR, and -excluded words.",
  input: z.object({
    query: z.string().trim().min(1).max(200).describe("What to look for"),
    limit: z.number().int().min(1).max(20).optional().describe("Maximum number of matches (default 5)"),
  }),
  async execute({ query, limit }, ctx) {
    const allowed = await ctx.searchLimiter?.consume(userRateKey(ctx.userId));
    if (allowed && !allowed.allowed) {
      // An answer the model can pass on, not a failed reply.
      const seconds = Math.max(1, Math.ceil(allowed.retryAfterMs / 1000));
      throw new ToolError(`Search limit reached: too many searches in a short time. Try again in ${seconds} s.`);
    }
    ctx.progress(`Searching your conversations for “${query}”…`, 10);
    const matches = await searchConversations(ctx, query, limit ?? 5);
    ctx.progress(`Found ${matches.length} matching message${matches.length === 1 ? "" : "s"}`, 100);
    return { query, matches };
  },
});
