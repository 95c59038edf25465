// Usage summed from the replies' saved metadata (lib/usage/metadata.ts): per
// conversation (every reply, other versions and branches included: all were
// paid for) and per day for one user. Costs are the ones saved with each
// reply; a reply priced in another currency, or not at all, is counted in
// `unpricedReplies` instead of being guessed (docs/API.md "Usage and cost").
import { Prisma } from "../generated/prisma/client";
import type { Db } from "../platform/db";
import type { Cost } from "../chat/types";
import { roundAmount } from "./prices";

export type UsageTotals = {
  replies: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
  /** The sum of the priced replies' costs. */
  cost: Cost;
  /** Replies with usage but no cost in `cost.currency`: their cost is unknown here. */
  unpricedReplies: number;
};
export type DailyUsage = UsageTotals & { date: string };

export const MAX_USAGE_DAYS = 90;

type Row = { replies: number; input: number; output: number; read: number; written: number; amount: number; unpriced: number; day?: string };

const sums = (currency: string) => Prisma.sql`
  count(*)::float8 AS replies,
  coalesce(sum((m.metadata->'usage'->>'inputTokens')::float8), 0) AS input,
  coalesce(sum((m.metadata->'usage'->>'outputTokens')::float8), 0) AS output,
  coalesce(sum((m.metadata->'usage'->>'cacheReadInputTokens')::float8), 0) AS read,
  coalesce(sum((m.metadata->'usage'->>'cacheCreationInputTokens')::float8), 0) AS written,
  coalesce(sum((m.metadata->'cost'->>'amount')::float8) FILTER (WHERE m.metadata->'cost'->>'currency' = ${currency}), 0) AS amount,
  count(*) FILTER (WHERE m.metadata->'cost'->>'amount' IS NULL OR m.metadata->'cost'->>'currency' IS DISTINCT FROM ${currency})::float8 AS unpriced`;

function totals(r: Row | undefined, currency: string): UsageTotals {
  return {
    replies: r?.replies ?? 0,
    inputTokens: r?.input ?? 0,
    outputTokens: r?.output ?? 0,
    cacheReadInputTokens: r?.read ?? 0,
    cacheCreationInputTokens: r?.written ?? 0,
    cost: { amount: roundAmount(r?.amount ?? 0), currency },
    unpricedReplies: r?.unpriced ?? 0,
  };
}

/** Every reply of a conversation the caller was already checked to own. */
export async function conversationUsage(db: Db, conversationId: string, currency: string): Promise<UsageTotals> {
  const [row] = await db.$queryRaw<Row[]>`
    SELECT ${sums(currency)} FROM "Message" m
    WHERE m."conversationId" = ${conversationId}::uuid AND m.role::text = 'assistant' AND m.metadata->'usage' IS NOT NULL`;
  return totals(row, currency);
}

/** The user's replies of the last `days` days (UTC, today included), one entry per day, oldest first; and their sum. */
export async function dailyUsage(db: Db, userId: string, days: number, currency: string, now = new Date()): Promise<{ days: DailyUsage[]; total: UsageTotals }> {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const since = new Date(today - (days - 1) * 86_400_000);
  const rows = await db.$queryRaw<Row[]>`
    SELECT to_char(date_trunc('day', m."createdAt"), 'YYYY-MM-DD') AS day, ${sums(currency)}
    FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId"
    WHERE c."userId" = ${userId}::uuid AND m."createdAt" >= ${since} AND m.role::text = 'assistant' AND m.metadata->'usage' IS NOT NULL
    GROUP BY 1`;
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const list: DailyUsage[] = [];
  for (let i = 0; i < days; i++) {
    const date = new Date(since.getTime() + i * 86_400_000).toISOString().slice(0, 10);
    list.push({ date, ...totals(byDay.get(date), currency) });
  }
  const total = totals(undefined, currency);
  for (const d of list) {
    for (const k of ["replies", "inputTokens", "outputTokens", "cacheReadInputTokens", "cacheCreationInputTokens", "unpricedReplies"] as const) total[k] += d[k];
    total.cost.amount = roundAmount(total.cost.amount! + d.cost.amount!);
  }
  return { days: list, total };
}
