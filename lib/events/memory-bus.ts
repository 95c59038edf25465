// In-process UserEventBus. Per user: the last id, the newest EVENT_LOG_MAX
// events and the live listeners. A user's ids start at the time the log is
// made (ms since 1970), so a log dropped and made again later numbers above
// every id it handed out before: an old id is then seen as too old (reset),
// never mistaken for a recent one.
import { EVENT_LOG_MAX, EVENT_LOG_TTL_MS, type EventsStart, type EventsSubscription, type UserEventBus } from "./bus";
import type { UserEvent, UserEventBody } from "./types";

type Log = { lastId: number; events: UserEvent[]; listeners: Set<(e: UserEvent) => void>; timer?: ReturnType<typeof setTimeout> };

export class MemoryUserEventBus implements UserEventBus {
  private readonly logs = new Map<string, Log>();

  constructor(
    private readonly maxEvents = EVENT_LOG_MAX,
    private readonly retainMs = EVENT_LOG_TTL_MS,
  ) {}

  private log(userId: string): Log {
    let log = this.logs.get(userId);
    if (!log) {
      log = { lastId: Date.now(), events: [], listeners: new Set() };
      this.logs.set(userId, log);
      this.expire(userId, log);
    }
    return log;
  }

  /** Drops an idle log without listeners `retainMs` after its last event. */
  private expire(userId: string, log: Log): void {
    if (log.timer) clearTimeout(log.timer);
    log.timer = setTimeout(() => {
      if (log.listeners.size > 0) return this.expire(userId, log);
      if (this.logs.get(userId) === log) this.logs.delete(userId);
    }, this.retainMs);
    log.timer.unref?.();
  }

  publish(userId: string, body: UserEventBody): void {
    const log = this.log(userId);
    const e = { id: ++log.lastId, ...body } as UserEvent;
    log.events.push(e);
    if (log.events.length > this.maxEvents) log.events.splice(0, log.events.length - this.maxEvents);
    this.expire(userId, log);
    for (const fn of log.listeners) fn(e);
  }

  async latestId(userId: string): Promise<number> {
    return this.log(userId).lastId;
  }

  async subscribe(userId: string, after: number | null, onEvent: (e: UserEvent) => void): Promise<EventsSubscription> {
    const log = this.log(userId);
    const first = log.events[0]?.id ?? log.lastId + 1;
    const start: EventsStart =
      after !== null && after <= log.lastId && after + 1 >= first
        ? { kind: "replay", events: log.events.filter((e) => e.id > after) }
        : { kind: "reset", id: log.lastId };
    log.listeners.add(onEvent);
    return { start, close: () => void log.listeners.delete(onEvent) };
  }
}
