// Follows a user's event stream (GET /api/events) in a test: frames as they
// arrive, and a wait for the frame a test expects.
import { createParser } from "eventsource-parser";
import { call, type SseFrame } from "./route-client";
import * as events from "../../app/api/events/route";

export type EventFollower = {
  readonly frames: SseFrame[];
  /** Resolves with the first frame (from index `from` on) matching `match`. */
  next(match: (f: SseFrame) => boolean, from?: number): Promise<SseFrame>;
  close(): void;
};

export async function followEvents(cookie: string, headers: Record<string, string> = {}): Promise<EventFollower> {
  const ctrl = new AbortController();
  const res = await call(events.GET, "GET", "/api/events", { cookie, headers, signal: ctrl.signal });
  if (res.status !== 200) throw new Error(`GET /api/events answered ${res.status}`);
  const frames: SseFrame[] = [];
  const waiters = new Set<() => void>();
  const parser = createParser({
    onEvent(m) {
      frames.push({ id: m.id === undefined ? null : Number(m.id), event: m.event ?? "message", data: JSON.parse(m.data) });
      for (const w of waiters) w();
    },
  });
  void (async () => {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    ctrl.signal.addEventListener("abort", () => void reader.cancel().catch(() => {}));
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) break;
      parser.feed(value!);
    }
  })();
  return {
    frames,
    next(match, from = 0) {
      return new Promise((resolve) => {
        const check = () => {
          const f = frames.slice(from).find(match);
          if (!f) return;
          waiters.delete(check);
          resolve(f);
        };
        waiters.add(check);
        check();
      });
    },
    close: () => ctrl.abort(),
  };
}
