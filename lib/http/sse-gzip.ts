// Gzip for Server-Sent Events, flushed with every write. A frame is mostly
// the same bytes as the frame before it (`id`, `event`, the JSON keys), so
// compressing with the stream's history brings a reply's bytes on the wire
// down to about its text's (docs/BENCHMARKS.md, Run M). Every write is
// flushed: the client can decode each frame as soon as it arrives, and no
// frame waits for the next. Z_PARTIAL_FLUSH makes everything so far
// decodable as Z_SYNC_FLUSH does, with a 10-bit marker instead of 4 bytes.
//
// Why here and not in the route: Next.js drops `Content-Encoding` from a
// route handler's response, and its own compression resets the history at
// every flush (docs/BENCHMARKS.md, "SSE bytes: why not within a route").
// So the Node response is wrapped before Next.js sees the request
// (instrumentation.ts, lib/platform/request-hook.ts), and it compresses only
// what the app answers as `text/event-stream` to a client that accepts gzip.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import zlib from "node:zlib";

// A 4 KiB window holds several frames and a reply's last text (for `done`,
// which repeats it); at about 50 KiB per open stream instead of zlib's 256.
const GZIP: zlib.ZlibOptions = { flush: zlib.constants.Z_PARTIAL_FLUSH, windowBits: 12, memLevel: 6, chunkSize: 8 * 1024 };

/** Whether an Accept-Encoding header admits gzip (RFC 9110 §12.5.3): named, or by `*`, with q > 0. */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  if (!header) return false;
  let gzip: number | undefined;
  let any: number | undefined;
  for (const item of (Array.isArray(header) ? header.join(",") : header).split(",")) {
    const [name, ...params] = item.split(";");
    const coding = name.trim().toLowerCase();
    if (coding !== "gzip" && coding !== "x-gzip" && coding !== "*") continue;
    const q = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith("q="));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    const value = Number.isFinite(weight) ? weight : 0;
    if (coding === "*") any = value;
    else gzip = value;
  }
  return (gzip ?? any ?? 0) > 0;
}

function isEventStream(res: ServerResponse, headers: unknown): boolean {
  const given = headers && typeof headers === "object" && !Array.isArray(headers) ? (headers as OutgoingHttpHeaders) : {};
  const type = res.getHeader("content-type") ?? Object.entries(given).find(([k]) => k.toLowerCase() === "content-type")?.[1];
  return typeof type === "string" && type.toLowerCase().startsWith("text/event-stream");
}

type Write = (this: ServerResponse, chunk: unknown, encoding?: unknown, cb?: unknown) => boolean;
type End = (this: ServerResponse, chunk?: unknown, encoding?: unknown, cb?: unknown) => ServerResponse;

/**
 * Makes `res` send gzip if it turns out to be an event stream with status
 * 200 and the client accepts gzip; anything else passes through untouched.
 */
export function gzipEventStream(req: IncomingMessage, res: ServerResponse): void {
  if (req.method === "HEAD" || !acceptsGzip(req.headers["accept-encoding"])) return;
  const writeHead = res.writeHead;
  const write = res.write as Write;
  const end = res.end as End;
  let gz: zlib.Gzip | undefined;
  const streams = (status: number, headers?: unknown) => status === 200 && !res.getHeader("content-encoding") && isEventStream(res, headers);
  // Node sends the headers through writeHead, whoever starts the response.
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    res.writeHead = writeHead;
    const headers = args.find((a) => typeof a === "object");
    if (streams(Number(args[0]), headers)) gz = compress(res, write.bind(res), end.bind(res));
    return Reflect.apply(writeHead, this, args) as ServerResponse;
  } as ServerResponse["writeHead"];
  res.write = function (this: ServerResponse, chunk: unknown, encoding?: unknown, cb?: unknown) {
    if (!res.headersSent) res.writeHead(res.statusCode); // decide before the first byte of the body
    if (!gz) return Reflect.apply(write, this, [chunk, encoding, cb]) as boolean;
    return typeof encoding === "function" ? gz.write(chunk, encoding as () => void) : gz.write(chunk, encoding as BufferEncoding, cb as () => void);
  } as ServerResponse["write"];
  res.end = function (this: ServerResponse, chunk?: unknown, encoding?: unknown, cb?: unknown) {
    // A whole body in one end() keeps Node's Content-Length, unless it is an event stream.
    if (!res.headersSent) {
      if (streams(res.statusCode)) res.writeHead(res.statusCode);
      else res.writeHead = writeHead;
    }
    if (!gz) return Reflect.apply(end, this, [chunk, encoding, cb]) as ServerResponse;
    const done = [chunk, encoding, cb].find((a) => typeof a === "function") as (() => void) | undefined;
    if (done) res.once("finish", done);
    if (chunk !== undefined && chunk !== null && typeof chunk !== "function") {
      if (typeof encoding === "string") gz.write(chunk, encoding as BufferEncoding);
      else gz.write(chunk);
    }
    gz.end();
    return res;
  } as ServerResponse["end"];
}

/** Sets the headers of a gzip response and returns the stream its body goes through. */
function compress(res: ServerResponse, write: (chunk: Buffer) => boolean, end: () => void): zlib.Gzip {
  res.setHeader("content-encoding", "gzip");
  res.removeHeader("content-length");
  const vary = res.getHeader("vary");
  res.setHeader("vary", vary ? `${String(vary)}, Accept-Encoding` : "Accept-Encoding");
  const gz = zlib.createGzip(GZIP);
  gz.on("data", (chunk: Buffer) => {
    if (!write(chunk)) gz.pause(); // the socket is full: hold gzip's output until it drains
  });
  res.on("drain", () => gz.resume());
  // A writer waits for `drain` on the response when a write returned false (gzip's input is full).
  gz.on("drain", () => res.emit("drain"));
  gz.on("end", () => end());
  gz.on("error", (e) => res.destroy(e));
  res.once("close", () => gz.destroy());
  return gz;
}
