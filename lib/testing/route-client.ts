// Calls the app's route handlers in-process with real Request objects, so API
// tests exercise parsing, sessions, errors and SSE exactly as served.
import { createParser, type EventSourceMessage } from "eventsource-parser";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any route's params shape
type Handler = (req: Request, ctx: { params: Promise<any> }) => Promise<Response>;

export type CallOptions = {
  cookie?: string;
  body?: unknown;
  rawBody?: string;
  params?: Record<string, string>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
};

export async function call(handler: Handler, method: string, path: string, o: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.cookie) headers.cookie = o.cookie;
  let body: string | undefined = o.rawBody;
  if (body === undefined && o.body !== undefined) body = JSON.stringify(o.body);
  if (body !== undefined) headers["content-type"] ??= "application/json";
  const req = new Request(`http://localhost${path}`, { method, headers, body, signal: o.signal });
  return handler(req, { params: Promise.resolve(o.params ?? {}) });
}

export function cookieFrom(res: Response): string {
  const set = res.headers.get("set-cookie");
  if (!set) throw new Error("no set-cookie header");
  return set.split(";")[0];
}

export type SseFrame = { id: number | null; event: string; data: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Reads a whole SSE response (until the server closes it). */
export async function readSse(res: Response, onFrame?: (f: SseFrame) => void): Promise<SseFrame[]> {
  const frames: SseFrame[] = [];
  const parser = createParser({
    onEvent(m: EventSourceMessage) {
      const f = { id: m.id === undefined ? null : Number(m.id), event: m.event ?? "message", data: JSON.parse(m.data) };
      frames.push(f);
      onFrame?.(f);
    },
  });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(value);
  }
  return frames;
}

/** Text of a message rebuilt from the last snapshot plus the text deltas after it. */
export function rebuildText(frames: SseFrame[]): string {
  let text = "";
  let textParts = new Set<number>();
  for (const f of frames) {
    if (f.event === "snapshot") {
      text = f.data.message.content;
      textParts = new Set((f.data.message.parts as { type: string }[]).flatMap((p, i) => (p.type === "text" ? [i] : [])));
    } else if (f.event === "part_start" && f.data.part.type === "text") textParts.add(f.data.index);
    else if (f.event === "delta" && "text" in f.data && textParts.has(f.data.index)) text += f.data.text;
  }
  return text;
}
