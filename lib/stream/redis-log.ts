// A reply's log in Redis (redis-bus.ts): a base key (the reply's state as of
// an id) and a stream of batches after it. The log stays bounded without
// losing text: its oldest batches are folded into the base and removed in one
// atomic step, as the in-process bus folds its log (memory-bus.ts). A reader
// whose position was folded away gets a snapshot from the new base.
import type { createClient } from "redis";
import type { Message } from "../chat/types";
import type { StreamEvent } from "./events";
import { applyEvent } from "./reduce";

/** What the base key holds: the state as of event `id`, with tool-input JSON still open then. */
export type LogBase = { message: Message; id: number; pending?: [number, string][] };

type Entry = { id: string; message: Record<string, unknown> };

/** The events of log entries, in order. */
export const decodeEntries = (list: Entry[] | null | undefined): StreamEvent[] => (list ?? []).flatMap((en) => JSON.parse(String(en.message.e)) as StreamEvent[]);

type Client = Pick<ReturnType<typeof createClient>, "get" | "xRange" | "xRevRange" | "eval">;

/** Folds the log's `count` oldest batches into its base; how many it removed (0 if the base moved meanwhile). */
export async function foldLog(c: Client, baseKey: string, logKey: string, count: number): Promise<number> {
  const [baseRaw, oldest] = await Promise.all([c.get(baseKey), c.xRange(logKey, "-", "+", { COUNT: count })]);
  if (!baseRaw || !oldest?.length) return 0;
  const { base, upTo } = foldInto(JSON.parse(baseRaw) as LogBase, oldest);
  const folded = await c.eval(FOLD_SCRIPT, { keys: [baseKey, logKey], arguments: [baseRaw, JSON.stringify(base), `${upTo + 1}-0`] });
  return folded === 1 ? oldest.length : 0;
}

/** The base with `entries` (the log's oldest) applied, and the entry id they end at. */
function foldInto(base: LogBase, entries: Entry[]): { base: LogBase; upTo: number } {
  const pending = new Map(base.pending ?? []);
  let { message, id } = base;
  for (const e of decodeEntries(entries)) {
    if (e.id <= id) continue; // a run before this base (a Continue keeps the log)
    message = applyEvent(message, e, pending);
    id = e.id;
  }
  const upTo = Number(entries[entries.length - 1].id.split("-")[0]);
  return { base: { message, id: Math.max(id, upTo), pending: [...pending] }, upTo };
}

/**
 * KEYS: base, log. ARGV: the base the fold started from, the folded base,
 * the lowest entry id to keep. Only if nobody replaced the base meanwhile (a
 * Continue's new run): then the new base and the trim land together, so a
 * reader never sees one without the other.
 */
const FOLD_SCRIPT = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('XTRIM', KEYS[2], 'MINID', ARGV[3])
return 1`;

/**
 * The base, where a reader at `after` starts (`from`), the events after it,
 * and the log's newest batch; null when the reply has no log. A fold between
 * reading the base and the log would leave a hole, so the base is read again
 * after the log (one connection runs them in order) and must not have moved.
 */
export async function readLog(c: Client, baseKey: string, logKey: string, after: number | null, retried: () => void) {
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) retried();
    const baseRaw = await c.get(baseKey);
    if (!baseRaw) return null;
    const base = JSON.parse(baseRaw) as LogBase;
    const from = after !== null && after >= base.id ? after : base.id;
    const [entries, tail, again] = await Promise.all([c.xRange(logKey, `(${from}-0`, "+"), c.xRevRange(logKey, "+", "-", { COUNT: 1 }), c.get(baseKey)]);
    if (again === baseRaw) return { base, from, events: decodeEntries(entries).filter((e) => e.id > from), tail: decodeEntries(tail) };
    if (attempt >= 10) throw new Error("the reply's log kept moving while it was read");
  }
}

/** The message a read of the log ends at: its base with the events after it applied. */
export function messageAt(read: { base: LogBase; events: StreamEvent[] }): Message {
  const pending = new Map(read.base.pending ?? []);
  return read.events.reduce((message, e) => applyEvent(message, e, pending), read.base.message);
}
