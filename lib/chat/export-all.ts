// Every conversation of a user as one download (docs/API.md, "Export
// everything"). Streamed: conversations are read a page of ids at a time and
// written one by one as the client reads, so a large account never sits in
// memory whole.
import type { Db } from "../platform/db";
import { AppError } from "../errors";
import { getConversationWithMessages } from "./conversations";
import { conversationMarkdown, conversationRecord, JSON_TYPE, MARKDOWN_TYPE, type ExportFormat } from "./export";
import { getSettings } from "./settings";

/** Conversation ids read per database query. */
const PAGE = 50;

type Cursor = { createdAt: Date; id: string };

/** The user's conversation ids, oldest first, `PAGE` at a time (keyset paging: a conversation deleted meanwhile moves nothing). */
async function* conversationIds(db: Db, userId: string): AsyncGenerator<string> {
  let after: Cursor | null = null;
  for (;;) {
    const where = after ? { userId, OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }] } : { userId };
    const page: Cursor[] = await db.conversation.findMany({ where, select: { id: true, createdAt: true }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], take: PAGE });
    for (const row of page) yield row.id;
    if (page.length < PAGE) return;
    after = page[page.length - 1];
  }
}

/** A conversation deleted after its id was read is left out, not an error. */
async function unlessGone<T>(work: Promise<T>): Promise<T | null> {
  try {
    return await work;
  } catch (e) {
    if (e instanceof AppError && e.code === "not_found") return null;
    throw e;
  }
}

/** The pieces of the file, in order: a header, one piece per conversation, a footer. */
async function* exportPieces(db: Db, userId: string, format: ExportFormat, exportedAt: Date): AsyncGenerator<string> {
  const { instructions } = await getSettings(db, userId);
  if (format === "json") {
    const head = { format: "tether.export.v1", exportedAt: exportedAt.toISOString(), instructions };
    yield `${JSON.stringify(head, null, 2).slice(0, -2)},\n  "conversations": [`;
    let first = true;
    for await (const id of conversationIds(db, userId)) {
      const record = await unlessGone(conversationRecord(db, userId, id));
      if (!record) continue;
      yield `${first ? "\n" : ",\n"}${JSON.stringify(record)}`;
      first = false;
    }
    yield `${first ? "" : "\n  "}]\n}\n`;
    return;
  }
  yield `# Tether export\n\n_Every conversation, exported on ${exportedAt.toISOString()}_\n`;
  if (instructions.trim()) yield `\n## Instructions\n\n${instructions.trim()}\n`;
  for await (const id of conversationIds(db, userId)) {
    const found = await unlessGone(getConversationWithMessages(db, userId, id));
    if (found) yield `\n---\n\n${conversationMarkdown(found.conversation, found.messages, exportedAt)}`;
  }
}

export type ExportFile = { filename: string; type: string; body: ReadableStream<Uint8Array> };

/**
 * Every conversation of the user as a Markdown or JSON file, produced as the
 * client reads it. The header is made before answering, so a database that is
 * down fails the request (503) instead of a download cut at its first byte.
 */
export async function exportAllConversations(db: Db, userId: string, format: ExportFormat, exportedAt = new Date()): Promise<ExportFile> {
  const pieces = exportPieces(db, userId, format, exportedAt);
  let ahead: IteratorResult<string> | null = await pieces.next();
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = ahead ?? (await pieces.next());
      ahead = null;
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await pieces.return(undefined);
    },
  });
  const day = exportedAt.toISOString().slice(0, 10);
  return format === "json" ? { filename: `tether-export-${day}.json`, type: JSON_TYPE, body } : { filename: `tether-export-${day}.md`, type: MARKDOWN_TYPE, body };
}
