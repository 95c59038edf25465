// An SSE request as a browser makes it (Accept-Encoding: gzip), over
// node:http so that the bytes on the wire can be counted before they are
// decompressed (fetch decompresses out of sight). The body comes back as a
// web Response of the decoded bytes, for the same reader as any stream.
import http from "node:http";
import { Readable } from "node:stream";
import zlib from "node:zlib";

export type Counted = { res: Response; wireBytes: () => number };

let acceptEncoding = "gzip";
/** `--no-gzip`: ask for identity, to compare. */
export function setAcceptGzip(on: boolean) {
  acceptEncoding = on ? "gzip" : "identity";
}

export function sseRequest(url: string, init: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal }): Promise<Counted> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? "GET", headers: { "accept-encoding": acceptEncoding, ...init.headers }, signal: init.signal });
    req.on("error", reject);
    req.on("response", (msg) => {
      let wire = 0;
      msg.on("data", (d: Buffer) => (wire += d.byteLength));
      // Each write of the server is flushed: decode what arrived, never wait for more.
      const body = msg.headers["content-encoding"] === "gzip" ? msg.pipe(zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH })) : msg;
      // A reader that cancels (a client leaving) closes the connection, as a browser would.
      if (body !== msg) body.once("close", () => msg.destroy());
      const headers = new Headers();
      for (const [k, v] of Object.entries(msg.headers)) if (typeof v === "string") headers.set(k, v);
      const stream = Readable.toWeb(body as Readable) as ReadableStream<Uint8Array>;
      resolve({ res: new Response(stream, { status: msg.statusCode ?? 0, headers }), wireBytes: () => wire });
    });
    req.end(init.body);
  });
}
