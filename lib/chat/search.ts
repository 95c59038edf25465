// The sidebar's search over a user's own conversation titles and message
// text (docs/API.md): PostgreSQL full-text search (`websearch_to_tsquery`,
// the same SQL on PGlite), every branch included, bound to the owner in SQL.
// Text the parser cannot split into words (CJK runs, code) falls back to a
// substring match. Snippets come back as plain-text segments, never HTML,
// one result per conversation (search-snippets.ts).
import { boundedQuery, type Db } from "../platform/db";
import type { SearchResult } from "./types";
import { groupHits, SNIPPETS_PER_RESULT, START, STOP, type Hit } from "./search-snippets";

export const MAX_QUERY_CHARS = 200;
/** At most this many conversations in the results. */
const LIMIT = 30;
/** Headlines computed at most (costly): every result's best hit, then its next ones. */
const MAX_HITS = 2 * LIMIT;
const HEADLINE = `MaxWords=24, MinWords=10, MaxFragments=2, FragmentDelimiter=" … ", StartSel=${START}, StopSel=${STOP}`;

const WHOLE = `HighlightAll=true, StartSel=${START}, StopSel=${STOP}`;
/** Messages up to this long are marked whole (a snippet shows about 160 characters). */
const WHOLE_CHARS = 200;

type Row = Hit & { role: "user" | "assistant" | null };

/** ~160 characters of `text` around the first case-insensitive occurrence of `query`, marked. */
export function markAround(text: string, query: string): string {
  const clean = text.replace(/[\u0002\u0003]/g, "");
  const at = clean.toLowerCase().indexOf(query.toLowerCase());
  if (at < 0) return Array.from(clean).slice(0, 160).join("");
  const start = Math.max(0, at - 70);
  const end = Math.min(clean.length, at + query.length + 70);
  const head = (start > 0 ? "…" : "") + clean.slice(start, at);
  const tail = clean.slice(at + query.length, end) + (end < clean.length ? "…" : "");
  return `${head}${START}${clean.slice(at, at + query.length)}${STOP}${tail}`;
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
    ),
    ranked AS (
      SELECT hits.*, ROW_NUMBER() OVER (PARTITION BY "conversationId" ORDER BY rank DESC, "createdAt" DESC) AS n,
        MAX(rank) OVER (PARTITION BY "conversationId") AS best
      FROM hits
    ),
    top AS (SELECT "conversationId" FROM ranked WHERE n = 1 ORDER BY best DESC, "createdAt" DESC LIMIT ${LIMIT}),
    kept AS (
      SELECT ranked.* FROM ranked JOIN top USING ("conversationId")
      WHERE n <= ${SNIPPETS_PER_RESULT + 1}
      ORDER BY n, best DESC, "createdAt" DESC
      LIMIT ${MAX_HITS}
    )
    SELECT kept."conversationId", kept.title, kept."messageId", kept.role, kept."createdAt",
      -- A title or a short message is marked whole; fragments only from long texts.
      ts_headline('english', translate(kept.body, E'\\x02\\x03', ''), query.tsq,
        CASE WHEN kept."messageId" IS NULL OR length(kept.body) <= ${WHOLE_CHARS} THEN ${WHOLE} ELSE ${HEADLINE} END) AS marked
    FROM kept, query
    ORDER BY kept.best DESC, kept."conversationId", kept.n`,
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
    LIMIT ${MAX_HITS}`,
  );
  return rows.map(({ body, ...r }) => ({ ...r, marked: markAround(body, q) }));
}

/** The user's conversations that match `query`, best first, each with its best snippets. */
export async function searchUserConversations(db: Db, userId: string, query: string): Promise<SearchResult[]> {
  const q = query.trim();
  let rows = await fullText(db, userId, q);
  if (rows.length === 0) rows = await substring(db, userId, q);
  return groupHits(rows, LIMIT);
}
