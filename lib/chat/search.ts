// The sidebar's search over a user's own conversation titles and message
// text (docs/API.md): PostgreSQL full-text search (`websearch_to_tsquery`,
// the same SQL on PGlite), every branch included, bound to the owner in SQL.
// Text the parser cannot split into words (CJK runs, code) falls back to a
// substring match. Snippets come back as plain-text segments, never HTML.
import { boundedQuery, type Db } from "../platform/db";
import type { SearchResult, SnippetSegment } from "./types";

export const MAX_QUERY_CHARS = 200;
const LIMIT = 30;
// Marks around matched words in ts_headline's output. Control characters
// that the source text is stripped of first, so text cannot fake a match.
const START = "\u0002";
const STOP = "\u0003";
const HEADLINE = `MaxWords=24, MinWords=10, MaxFragments=2, FragmentDelimiter=" … ", StartSel=${START}, StopSel=${STOP}`;

type Row = { conversationId: string; title: string; messageId: string | null; role: "user" | "assistant" | null; createdAt: Date; marked: string };

/** Splits marked text into segments (`match` for the text between the marks). */
export function segments(marked: string): SnippetSegment[] {
  const out: SnippetSegment[] = [];
  let match = false;
  for (const piece of marked.split(/([\u0002\u0003])/)) {
    if (piece === START) match = true;
    else if (piece === STOP) match = false;
    else if (piece) {
      const last = out.at(-1);
      if (last && last.match === match) last.text += piece;
      else out.push({ text: piece, match });
    }
  }
  return out;
}

/** ~160 characters of `text` around the first case-insensitive occurrence of `query`, marked. */
export function markAround(text: string, query: string): string {
  const clean = text.replace(/[\u0002\u0003]/g, "");
  const at = clean.toLowerCase().indexOf(query.toLowerCase());
  if (at < 0) return Array.from(clean).slice(0, 160).join("");
  const start = Math.max(0, at - 70);
  const end = Math.min(clean.length, at + query.length + 70);
  const head = (start > 0 ? "…" : "") + clean.slice(start, at);
  const tail = clean.slice(at + query.length, end) + (end < clean.length ? "…" : "");
  return `${head}${START}${clean.slice(at, at + query.length)}${STOP}${tail}`.replace(/\s+/g, " ").trim();
}

async function fullText(db: Db, userId: string, q: string): Promise<Row[]> {
  // Ranked first, headlines (costly) only for the rows kept. The vectors are
  // stored columns with GIN indexes (migration search_vectors).
  return boundedQuery(
    db,
    (tx) => tx.$queryRaw<Row[]>`
    WITH query AS (SELECT websearch_to_tsquery('english', ${q}) AS tsq),
    hits AS (
      SELECT c.id AS "conversationId", c.title, NULL::uuid AS "messageId", NULL::text AS role, c."updatedAt" AS "createdAt",
        c.title AS body, ts_rank_cd(c."titleVector", query.tsq) * 2 AS rank
      FROM "Conversation" c, query
      WHERE c."userId" = ${userId}::uuid AND c."titleVector" @@ query.tsq
      UNION ALL
      SELECT m."conversationId", c.title, m.id, m.role::text, m."createdAt",
        m.content, ts_rank_cd(m."searchVector", query.tsq)
      FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId", query
      WHERE c."userId" = ${userId}::uuid AND m."searchVector" @@ query.tsq
      ORDER BY rank DESC, "createdAt" DESC
      LIMIT ${LIMIT}
    )
    SELECT hits."conversationId", hits.title, hits."messageId", hits.role, hits."createdAt",
      ts_headline('english', translate(hits.body, E'\\x02\\x03', ''), query.tsq, ${HEADLINE}) AS marked
    FROM hits, query
    ORDER BY hits.rank DESC, hits."createdAt" DESC`,
  );
}

async function substring(db: Db, userId: string, q: string): Promise<Row[]> {
  const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await boundedQuery(
    db,
    (tx) => tx.$queryRaw<(Omit<Row, "marked"> & { body: string })[]>`
    SELECT * FROM (
      SELECT c.id AS "conversationId", c.title, NULL::uuid AS "messageId", NULL::text AS role, c."updatedAt" AS "createdAt", c.title AS body
      FROM "Conversation" c
      WHERE c."userId" = ${userId}::uuid AND c.title ILIKE ${pattern}
      UNION ALL
      SELECT m."conversationId", c.title, m.id, m.role::text, m."createdAt", m.content
      FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId"
      WHERE c."userId" = ${userId}::uuid AND m.content ILIKE ${pattern}
    ) hits
    ORDER BY ("messageId" IS NULL) DESC, "createdAt" DESC
    LIMIT ${LIMIT}`,
  );
  return rows.map(({ body, ...r }) => ({ ...r, marked: markAround(body, q) }));
}

export async function searchUserConversations(db: Db, userId: string, query: string): Promise<SearchResult[]> {
  const q = query.trim();
  let rows = await fullText(db, userId, q);
  if (rows.length === 0) rows = await substring(db, userId, q);
  return rows.map((r) => ({
    conversationId: r.conversationId,
    title: r.title,
    messageId: r.messageId,
    role: r.role,
    snippet: segments(r.marked),
    createdAt: new Date(r.createdAt).toISOString(),
  }));
}
