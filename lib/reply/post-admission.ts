// A post's admission in one round trip: the SQL function tether_admit_post
// (prisma/migrations/20261207220000_admit_post) locks the owner, answers a
// repeated idempotency key, checks the rules of docs/PROTOCOL.md §3.2 and
// writes the user's message, its pending reply and the conversation's new
// leaf, and returns what the reply's generation would read next: its history
// and the owner's settings. It replaces a transaction of eight or nine round
// trips and the two reads after it (docs/BENCHMARKS.md, Run N). A post with
// attachments takes the transaction (admission.ts): its files are checked in
// TypeScript (lib/files).
import type { Db } from "../platform/db";
import type { Message as MessageRow } from "../generated/prisma/client";
import { DEFAULT_TITLE } from "../chat/conversations";
import type { SetupConversation, SetupSettings } from "./generation/reply-setup";
import { IDEMPOTENCY_KEY_TTL_MS, type IdempotencyClaim, type PriorStart } from "./idempotency";
import { ID_BLOCK, userMessageParts } from "./lifecycle";
import { refusal, type Refusal } from "./refusals";
import { GENERATING_STATUSES } from "./status";

export type PostCommit = { content: string; title: string; maxActive: number; claim?: IdempotencyClaim };

/**
 * What the function committed: both rows as saved, the title it gave; and
 * what the generation starts from: the conversation's part, the owner's
 * settings (null: none saved), the reply's history (the user's message last).
 */
export type CommittedPost = {
  ownerId: string;
  userRow: MessageRow;
  replyRow: MessageRow;
  conversation: SetupConversation;
  settings: SetupSettings | null;
  history: MessageRow[];
  title?: string;
};

type Answer =
  | { refused: Refusal; ownerId?: string }
  | { ownerId: string; prior: PriorStart }
  | {
      ownerId: string;
      title: string | null;
      model: string | null;
      systemPrompt: string;
      settings: SetupSettings | null;
      history: JsonRow[];
      userRow: JsonRow;
      replyRow: JsonRow;
    };

type JsonRow = Omit<MessageRow, "createdAt" | "updatedAt"> & { createdAt: string; updatedAt: string };

// to_jsonb writes a TIMESTAMP (UTC, without a zone) as "2026-12-07T21:40:00.123".
const utc = (s: string) => new Date(/[Zz]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
const row = (r: JsonRow): MessageRow => ({ ...r, createdAt: utc(r.createdAt), updatedAt: utc(r.updatedAt) });

/**
 * Admits a post in one call: a key's earlier start (`prior`), the committed
 * post, or the refusal as the AppError the transaction would throw.
 */
export async function commitPost(
  db: Db,
  userId: string,
  conversationId: string,
  p: PostCommit,
  now = Date.now(),
): Promise<{ ownerId: string; prior: PriorStart } | CommittedPost> {
  const at = new Date(now).toISOString();
  const cutoff = new Date(now - IDEMPOTENCY_KEY_TTL_MS).toISOString();
  const [{ r }] = await db.$queryRaw<{ r: Answer | string }[]>`SELECT "tether_admit_post"(
    ${userId}::uuid, ${conversationId}::uuid, ${p.content}, ${JSON.stringify(userMessageParts(p.content))}::jsonb,
    ${p.title}, ${DEFAULT_TITLE}, ${[...GENERATING_STATUSES]}::text[], ${p.maxActive}::int, ${1 + ID_BLOCK}::int,
    ${at}::timestamp(3), ${p.claim?.key ?? null}::text, ${p.claim?.fingerprint ?? null}::text, ${cutoff}::timestamp(3)
  ) AS r`;
  const a = (typeof r === "string" ? JSON.parse(r) : r) as Answer;
  if ("refused" in a) throw refusal(a.refused, p.maxActive);
  if ("prior" in a) return { ownerId: a.ownerId, prior: a.prior };
  const userRow = row(a.userRow);
  return {
    ownerId: a.ownerId,
    userRow,
    replyRow: row(a.replyRow),
    conversation: { model: a.model, systemPrompt: a.systemPrompt },
    settings: a.settings,
    history: [...a.history.map(row), userRow],
    ...(a.title === null ? {} : { title: a.title }),
  };
}
