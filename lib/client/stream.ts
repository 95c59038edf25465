// Reads a reply's Server-Sent Events (docs/PROTOCOL.md §4) in the browser: typed events,
// the last event id seen, and self-healing reconnection. Bytes are decoded
// with a streaming TextDecoder, so a UTF-8 character split across network
// chunks is never mangled; an event cut off by a dropped connection is never
// delivered half-way, and the resume request (`?after=lastEventId`) gets it
// again whole. No React here: the UI layer decides how often to render.
import { createParser, type EventSourceMessage } from "eventsource-parser";
import type { StreamEvent, StreamEventName } from "../stream/events";
import type { Message } from "../chat/types";
import { ApiError, replyStreamUrl } from "./api";

export type ConnectionState = "reconnecting" | "reconnected";
export type ConnectionInfo = { attempt: number; delayMs?: number; error?: unknown };

type ReplyStreamOptions = {
  /** The assistant message; learned from the first snapshot when omitted. */
  messageId?: string;
  /** Last event id already applied by the caller (resume point). */
  after?: number;
  /** Called synchronously for each event, before async iterators see it. */
  onEvent?: (event: StreamEvent) => void;
  onState?: (state: ConnectionState, info: ConnectionInfo) => void;
  fetch?: typeof fetch;
  /** Where to resume; defaults to GET /api/messages/:id/stream?after=N. */
  resumeUrl?: (messageId: string, after: number | undefined) => string;
  /** Reconnect attempts per outage before giving up. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** The server sends keep-alives every 15 s: silence this long means a dead link. */
  idleTimeoutMs?: number;
};

export type ReplyStream = AsyncIterable<StreamEvent> & {
  readonly lastEventId: number | undefined;
  readonly messageId: string | undefined;
  /** The final message, from `done`. Rejects on abort or when the stream cannot be resumed. */
  readonly final: Promise<Message>;
  abort(): void;
};

type Source = Response | ((signal: AbortSignal) => Promise<Response>);

const EVENT_NAMES = new Set<StreamEventName>(["snapshot", "part_start", "delta", "part_stop", "tool_progress", "status", "error", "done"]);
// Worth retrying on resume; anything else (404 gone, 401…) is final.
const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

class Dropped extends Error {}

export function openReplyStream(source: Source, opts: ReplyStreamOptions = {}): ReplyStream {
  const doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const resumeUrl = opts.resumeUrl ?? replyStreamUrl;
  const maxAttempts = opts.maxAttempts ?? 10;
  const baseDelay = opts.baseDelayMs ?? 500;
  const maxDelay = opts.maxDelayMs ?? 8000;
  const idleTimeout = opts.idleTimeoutMs ?? 45_000;

  let lastEventId = opts.after;
  let messageId = opts.messageId;
  const controller = new AbortController();
  let aborted = false;
  let delivered = 0;

  // Queue for async iteration (single consumer).
  const queue: StreamEvent[] = [];
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };

  let resolveFinal!: (m: Message) => void;
  let rejectFinal!: (e: unknown) => void;
  const final = new Promise<Message>((res, rej) => {
    resolveFinal = res;
    rejectFinal = rej;
  });
  final.catch(() => {}); // callers that only iterate must not see an unhandled rejection

  const finish = (error?: unknown) => {
    if (ended) return;
    ended = true;
    failure = error;
    if (error !== undefined) rejectFinal(error);
    notify();
  };

  /** Validates and dispatches one parsed frame. Returns true on `done`. */
  const dispatch = (raw: EventSourceMessage): boolean => {
    const id = raw.id !== undefined && /^\d+$/.test(raw.id) ? Number(raw.id) : undefined;
    if (!raw.event || !EVENT_NAMES.has(raw.event as StreamEventName)) {
      // An event this client does not know: skip it, but remember we saw it.
      if (id !== undefined) lastEventId = Math.max(lastEventId ?? 0, id);
      return false;
    }
    const name = raw.event as StreamEventName;
    // Already applied (a replay overlapping what we had): drop, never duplicate.
    if (name !== "snapshot" && id !== undefined && lastEventId !== undefined && id <= lastEventId) return false;
    let data: unknown;
    try {
      data = JSON.parse(raw.data);
    } catch {
      // Treat a corrupt frame like a broken link: resume from the last good id.
      throw new Dropped(`unreadable ${name} event`);
    }
    // A snapshot restates everything up to its id, so it resets the resume point.
    if (id !== undefined) lastEventId = name === "snapshot" ? id : Math.max(lastEventId ?? 0, id);
    const event = { id: id ?? lastEventId ?? 0, event: name, data } as StreamEvent;
    if (event.event === "snapshot" || event.event === "done") messageId ??= event.data.message?.id;
    delivered += 1;
    opts.onEvent?.(event);
    queue.push(event);
    notify();
    if (event.event === "done") {
      resolveFinal(event.data.message);
      return true;
    }
    return false;
  };

  /** Reads one response to its end. Returns "done" or throws Dropped. */
  const pump = async (res: Response): Promise<"done"> => {
    if (!res.body) throw new Dropped("response has no body");
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let sawDone = false;
    let frameError: unknown;
    const parser = createParser({
      onEvent: (m) => {
        if (sawDone || frameError) return;
        try {
          sawDone = dispatch(m);
        } catch (e) {
          frameError = e;
        }
      },
    });
    let idle: ReturnType<typeof setTimeout> | undefined;
    let idledOut = false;
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        idledOut = true;
        reader.cancel().catch(() => {});
      }, idleTimeout);
    };
    const onAbort = () => reader.cancel().catch(() => {});
    controller.signal.addEventListener("abort", onAbort);
    // An open response can outlive the network going away for a long time:
    // when the browser says it is offline, drop it and resume when back.
    let wentOffline = false;
    const onOffline = () => {
      wentOffline = true;
      reader.cancel().catch(() => {});
    };
    if (typeof window !== "undefined") window.addEventListener("offline", onOffline);
    try {
      armIdle();
      for (;;) {
        const { done, value } = await reader.read();
        if (aborted) throw controller.signal.reason;
        if (idledOut) throw new Dropped("no data within the idle timeout");
        if (wentOffline) throw new Dropped("the browser went offline");
        if (done) break;
        armIdle();
        parser.feed(value);
        if (frameError) throw frameError;
        if (sawDone) {
          reader.cancel().catch(() => {});
          return "done";
        }
      }
    } catch (e) {
      if (aborted || e instanceof Dropped) throw e;
      throw new Dropped(e instanceof Error ? e.message : "connection lost");
    } finally {
      clearTimeout(idle);
      controller.signal.removeEventListener("abort", onAbort);
      if (typeof window !== "undefined") window.removeEventListener("offline", onOffline);
    }
    // A clean end without `done` (a proxy timeout, a server restart): resume.
    throw new Dropped("stream ended before the reply finished");
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      controller.signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
    });

  /** While the browser is offline, retrying is pointless: wait to be back. */
  const untilOnline = () =>
    new Promise<void>((resolve) => {
      if (typeof window === "undefined" || typeof navigator === "undefined" || navigator.onLine !== false) return resolve();
      const done = () => {
        window.removeEventListener("online", done);
        resolve();
      };
      window.addEventListener("online", done);
      controller.signal.addEventListener("abort", done, { once: true });
    });

  const run = async () => {
    let attempt = 0;
    let current: Source = source;
    for (;;) {
      let res: Response | undefined;
      let lost: unknown;
      try {
        res = typeof current === "function" ? await current(controller.signal) : current;
      } catch (e) {
        if (aborted) return finish();
        if (e instanceof ApiError && e.status !== 0 && !RETRYABLE_STATUS.has(e.status)) return finish(e);
        lost = e;
      }
      if (res && !res.ok) {
        const err = await ApiError.from(res);
        // A refused POST (a Response handed to us) is never retried.
        const replayable = typeof current === "function" && messageId !== undefined;
        if (!replayable || !RETRYABLE_STATUS.has(res.status)) return finish(err);
        lost = err;
        res = undefined;
      }
      if (res) {
        if (attempt > 0) opts.onState?.("reconnected", { attempt });
        const seenBefore = delivered;
        try {
          await pump(res);
          return finish();
        } catch (e) {
          if (aborted) return finish();
          lost = e;
        }
        // Only a connection that delivered something ends an outage; one that
        // opens and drops at once keeps backing off.
        if (delivered > seenBefore) attempt = 0;
      }
      // The link is gone; resume from the last event we applied.
      if (!messageId) return finish(lost instanceof Error ? lost : new Error("the stream was lost before the reply was identified"));
      attempt += 1;
      if (attempt > maxAttempts) return finish(lost);
      const delayMs = Math.min(maxDelay, baseDelay * 2 ** (attempt - 1));
      opts.onState?.("reconnecting", { attempt, delayMs, error: lost });
      await sleep(delayMs);
      await untilOnline();
      if (aborted) return finish();
      const id = messageId;
      current = (signal) =>
        doFetch(resumeUrl(id, lastEventId), {
          signal,
          cache: "no-store",
          credentials: "same-origin",
          headers: { accept: "text/event-stream" },
        });
    }
  };

  run().catch((e) => finish(e));

  const abort = () => {
    if (aborted || ended) return;
    aborted = true;
    controller.abort(new DOMException("The reply stream was aborted.", "AbortError"));
    rejectFinal(controller.signal.reason);
    finish();
  };

  return {
    get lastEventId() {
      return lastEventId;
    },
    get messageId() {
      return messageId;
    },
    final,
    abort,
    [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
      return {
        next: async () => {
          for (;;) {
            if (queue.length) return { value: queue.shift()!, done: false };
            if (ended) {
              if (failure !== undefined) throw failure;
              return { value: undefined, done: true };
            }
            await new Promise<void>((r) => (wake = r));
          }
        },
        return: async () => {
          abort();
          return { value: undefined, done: true };
        },
      };
    },
  };
}
