// An SSE response read as it comes, for tests that act while a stream is
// open: the frames so far, the raw text, the first frame matching a test
// (awaited), and the stream's end.
import { expect } from "vitest";
import { createParser } from "eventsource-parser";
import type { SseFrame } from "./route-client";

export type FollowedSse = ReturnType<typeof followSse>;

export function followSse(res: Response) {
  expect(res.status).toBe(200);
  const frames: SseFrame[] = [];
  let raw = "";
  let over = false;
  const wake = new Set<() => void>();
  const parser = createParser({ onEvent: (m) => frames.push({ id: m.id === undefined ? null : Number(m.id), event: m.event ?? "message", data: JSON.parse(m.data) }) });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  /** Every frame, once the server has closed the stream. */
  const ended = (async () => {
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      raw += r.value;
      parser.feed(r.value);
      for (const w of wake) w();
    }
    over = true;
    for (const w of wake) w();
    return frames;
  })();
  /** The first frame matching, at index `from` or later (rejects if the stream ends without one). */
  const next = (match: (f: SseFrame) => boolean, from = 0) =>
    new Promise<SseFrame>((resolve, reject) => {
      const check = () => {
        const f = frames.slice(from).find(match);
        if (f || over) wake.delete(check);
        if (f) resolve(f);
        else if (over) reject(new Error(`stream ended without the frame; got ${frames.map((x) => x.event)}`));
      };
      wake.add(check);
      check();
    });
  return { frames, raw: () => raw, ended, next, close: () => void reader.cancel().catch(() => {}) };
}
