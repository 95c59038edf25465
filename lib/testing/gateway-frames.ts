// Reading the gateway's event stream in tests (docs/GATEWAY.md): frames with
// their ids, the text they carry, and whether their ids follow each other.
import { createParser } from "eventsource-parser";

export type Frame = { id: string | null; event: string; data: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Reads SSE frames until the server ends the stream, or until `until` says stop (then the connection is dropped). */
export async function readFrames(res: Response, until?: (f: Frame, all: Frame[]) => boolean): Promise<Frame[]> {
  const frames: Frame[] = [];
  let stop = false;
  const parser = createParser({
    onEvent: (m) => {
      if (stop) return;
      const f = { id: m.id ?? null, event: m.event ?? "message", data: JSON.parse(m.data) };
      frames.push(f);
      if (until?.(f, frames)) stop = true;
    },
  });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  while (!stop) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(value);
  }
  if (stop) await reader.cancel();
  return frames;
}

/** The text of a stream's text blocks, joined, from its deltas. */
export const textOf = (frames: Frame[]) =>
  frames
    .filter((f) => f.event === "content_block_delta" && f.data.delta.type === "text_delta")
    .map((f) => f.data.delta.text as string)
    .join("");
const notPings = (frames: Frame[]) => frames.filter((f) => f.event !== "ping");
/** The ids of every frame but pings (which carry none). */
export const ids = (frames: Frame[]) => notPings(frames).map((f) => f.id);
const pos = (id: string) => id.split(".").map(Number);
/** Whether ids follow each other strictly, compared as (event, place) pairs: nothing twice, nothing out of order. */
export const increasing = (list: (string | null)[]) =>
  list.every((id, i) => {
    if (id === null) return false;
    if (i === 0) return true;
    const [a, b] = [pos(list[i - 1]!), pos(id)];
    return a[0] < b[0] || (a[0] === b[0] && (a[1] ?? 0) < (b[1] ?? 0));
  });
