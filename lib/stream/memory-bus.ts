// In-process StreamBus. Each reply keeps a bounded log: a base state plus the
// events after it. When the log grows past `maxEvents`, the oldest events are
// folded into the base, so a reconnect from before them gets a snapshot.
// Finished logs are kept `retainMs` (a minute) for late reconnects, then
// dropped: a later visitor reads the saved message instead.
import type { Message } from "../chat/types";
import type { Attach, StreamBus, Subscription } from "./bus";
import type { StreamEvent } from "./events";
import { applyEvent, type PendingJson } from "./reduce";

type Log = {
  base: Message;
  baseId: number;
  pendingJson: PendingJson;
  events: StreamEvent[];
  listeners: Set<(e: StreamEvent) => void>;
  ended: boolean;
  dropTimer?: ReturnType<typeof setTimeout>;
};

export class MemoryStreamBus implements StreamBus {
  private readonly logs = new Map<string, Log>();

  constructor(
    private readonly maxEvents = 50_000,
    private readonly retainMs = 60_000,
  ) {}

  async open(message: Message, id: number): Promise<void> {
    const old = this.logs.get(message.id);
    if (old?.dropTimer) clearTimeout(old.dropTimer);
    this.logs.set(message.id, {
      base: message,
      baseId: id,
      pendingJson: new Map(),
      events: [],
      // Subscribers of a previous run (Continue) keep following.
      listeners: old?.listeners ?? new Set(),
      ended: false,
    });
  }

  publish(messageId: string, events: StreamEvent[]): void {
    const log = this.logs.get(messageId);
    if (!log) return;
    for (const e of events) {
      const lastId = log.events.length ? log.events[log.events.length - 1].id : log.baseId;
      if (e.id <= lastId) continue; // never deliver an id twice
      log.events.push(e);
      for (const fn of log.listeners) fn(e);
      if (e.event === "done") {
        log.ended = true;
        log.listeners.clear();
        log.dropTimer = setTimeout(() => {
          if (this.logs.get(messageId) === log) this.logs.delete(messageId);
        }, this.retainMs);
        log.dropTimer.unref?.();
      }
    }
    if (log.events.length > this.maxEvents) this.fold(log, Math.floor(this.maxEvents / 2));
  }

  private fold(log: Log, count: number): void {
    const folded = log.events.splice(0, count);
    let base = log.base;
    for (const e of folded) base = applyEvent(base, e, log.pendingJson);
    log.base = base;
    log.baseId = folded[folded.length - 1].id;
  }

  private snapshot(log: Log): { message: Message; id: number } {
    const pending = new Map(log.pendingJson);
    let message = log.base;
    for (const e of log.events) message = applyEvent(message, e, pending);
    const id = log.events.length ? log.events[log.events.length - 1].id : log.baseId;
    return { message, id };
  }

  async subscribe(messageId: string, after: number | null, onEvent: (e: StreamEvent) => void): Promise<Subscription> {
    const log = this.logs.get(messageId);
    if (!log) return { start: { kind: "unknown" }, close() {} };
    let start: Attach;
    const lastId = log.events.length ? log.events[log.events.length - 1].id : log.baseId;
    if (log.ended && (after === null || after < log.baseId || after >= lastId)) {
      return { start: { kind: "unknown" }, close() {} }; // finished: the database has it all
    }
    if (after !== null && after >= log.baseId) {
      start = { kind: "replay", events: log.events.filter((e) => e.id > after) };
    } else {
      start = { kind: "snapshot", ...this.snapshot(log) };
    }
    if (!log.ended) log.listeners.add(onEvent);
    return {
      start,
      close: () => {
        log.listeners.delete(onEvent);
      },
    };
  }

  async ping(): Promise<void> {}

  /** For tests and metrics. */
  has(messageId: string): boolean {
    return this.logs.has(messageId);
  }
}
