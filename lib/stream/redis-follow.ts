// A subscriber of the Redis bus (redis-bus.ts): it listens on the reply's
// channel first, then reads the log (redis-log.ts), so nothing published in
// between is lost; live batches it missed (pub/sub does not queue for a
// reconnecting subscriber) are noticed by the jump in ids and read back from
// the log, which is written before each PUBLISH.
import type { Attach, Subscription } from "./bus";
import type { StreamEvent } from "./events";
import { messageAt, readLog } from "./redis-log";
import { errorFields, log } from "../platform/log";

/** Where a reply's log lives: its base key and its stream key. */
export type ReplyLog = { base: string; log: string };

/** What a subscriber needs of the bus: a command connection, the reply's channel, and the command count. */
export type FollowBus = {
  connect(): Promise<Parameters<typeof readLog>[0]>;
  listen(fn: (batch: StreamEvent[]) => void): Promise<() => void>;
  count(commands: number): void;
};

/**
 * `messageId`'s events after `after` from its log, then live from its channel,
 * each once and in order; a gap in the ids is filled from the log, or, when
 * the log cannot fill it, the subscription ends through `onLost`.
 */
export async function followReply(
  bus: FollowBus,
  messageId: string,
  keys: ReplyLog,
  after: number | null,
  onEvent: (e: StreamEvent) => void,
  onLost?: () => void,
): Promise<Subscription> {
  let cursor: number | null = null; // id delivered up to; null while starting
  const early: StreamEvent[] = [];
  let repairing = false;
  let lost = false;
  let close = () => {};
  const held: StreamEvent[] = [];
  const emit = (e: StreamEvent) => {
    if (lost || (cursor !== null && e.id <= cursor)) return;
    cursor = e.id;
    onEvent(e);
  };
  const repair = async () => {
    repairing = true;
    let read: Awaited<ReturnType<typeof readLog>> = null;
    try {
      const c = await bus.connect();
      bus.count(4);
      read = await readLog(c, keys.base, keys.log, cursor, () => bus.count(4));
    } catch (e) {
      log.warn({ component: "redis", messageId, err: errorFields(e) }, "could not read missed events from the log");
    }
    repairing = false;
    if (!read) {
      // Going on would skip what was missed: the subscriber ends instead, and its client resumes by id.
      lost = true;
      held.length = 0;
      close();
      return onLost?.();
    }
    // Missed events already in the base (folded, or a takeover's new run
    // replaced it) cannot be replayed one by one: the base comes as a
    // numbered snapshot, then the events after it (docs/PROTOCOL.md §4.2).
    if (read.from > cursor!) emit({ id: read.from, event: "snapshot", data: { message: read.base.message } });
    read.events.forEach(emit);
    // What the log did not have does not exist (ids jump after a crash or an orphan's Stop).
    held
      .splice(0)
      .sort((a, b) => a.id - b.id)
      .forEach(emit);
  };
  const deliver = (e: StreamEvent) => {
    if (lost) return;
    if (cursor === null) return void early.push(e);
    if (repairing) return void held.push(e);
    if (e.id > cursor + 1) {
      held.push(e);
      repair().catch((err: unknown) => log.error({ component: "redis", messageId, err: errorFields(err) }, "a subscriber's repair failed"));
      return;
    }
    emit(e);
  };
  close = await bus.listen((batch) => batch.forEach(deliver));
  try {
    const c = await bus.connect();
    bus.count(4);
    const read = await readLog(c, keys.base, keys.log, after, () => bus.count(4));
    if (!read) {
      close();
      return { start: { kind: "unknown" }, close() {} };
    }
    const { base, from, events } = read;
    // The start covers what the range read returned, no more: a batch
    // written between the two reads is in `tail` only, and comes live.
    const lastId = Math.max(from, events.at(-1)?.id ?? 0);
    const newest = read.tail.at(-1);
    // Finished when the log's newest event is `done` (of this run).
    const ended = newest?.event === "done" && newest.id > base.id;
    let start: Attach;
    if (ended && (after === null || after < base.id || after >= newest.id)) {
      close();
      return { start: { kind: "unknown" }, close() {} };
    }
    if (after !== null && after >= base.id) {
      start = { kind: "replay", events };
      cursor = Math.max(after, lastId);
    } else {
      start = { kind: "snapshot", message: messageAt(read), id: lastId };
      cursor = lastId;
    }
    // Live events that raced the read: hand over those past the start.
    queueMicrotask(() => early.splice(0).forEach(deliver));
    return { start, close };
  } catch (e) {
    close();
    throw e;
  }
}
