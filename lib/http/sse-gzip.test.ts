// Gzip of event streams on a real Node HTTP server, read by a client that
// counts the bytes on the wire and decompresses them itself.
import http from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onEveryRequest } from "../platform/request-hook";
import { frame, SSE_HEADERS } from "./sse";
import { acceptsGzip } from "./sse-gzip";
import { gzipEventStream } from "./sse-gzip";

// A subclass, so the hook does not touch the http.Server other tests use.
class Server extends http.Server {}
onEveryRequest("sse-gzip-test", gzipEventStream, Server);

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;
let handler: Handler = (_req, res) => void res.end();
const server = new Server((req, res) => void handler(req, res));
let base = "";
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

type Got = { res: http.IncomingMessage; wire: () => number; text: () => string; ended: Promise<void> };
/** GETs `path` with `acceptEncoding`; `onText` sees the decoded text so far after each piece. */
async function get(acceptEncoding: string | null, onText: (text: string) => void = () => {}): Promise<Got> {
  const req = http.get(`${base}/`, { headers: acceptEncoding === null ? {} : { "accept-encoding": acceptEncoding } });
  const [res] = (await once(req, "response")) as [http.IncomingMessage];
  let wire = 0;
  let text = "";
  const decoder = new TextDecoder();
  const gzip = res.headers["content-encoding"] === "gzip";
  const body = gzip ? res.pipe(zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH })) : res;
  res.on("data", (d: Buffer) => (wire += d.byteLength));
  body.on("data", (d: Buffer) => {
    text += decoder.decode(d, { stream: true });
    onText(text);
  });
  const ended = once(body, "end").then(() => void (text += decoder.decode()));
  return { res, wire: () => wire, text: () => text, ended };
}

const TEXT = ["données", ": ", "x\n\n", "id: 4\n", "event: done", "👩‍💻", "e\u0301", "日本語", "!", "data: {}", "\r\n", "🦊"];
const frames = Array.from({ length: 240 }, (_, i) => frame(i + 1, "delta", { index: 0, text: TEXT[i % TEXT.length] }));

describe("gzipEventStream", () => {
  it("compresses an event stream, and every frame can be read before the next one is written", async () => {
    let readUpTo = -1;
    const seen: (() => void)[] = [];
    handler = async (_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      for (let i = 0; i < frames.length; i++) {
        const read = new Promise<void>((r) => (seen[i] = r));
        res.write(frames[i]);
        await read; // the client decoded it: nothing was held back for a later write
      }
      res.end();
    };
    const expected = frames.map((_, i) => frames.slice(0, i + 1).join(""));
    const got = await get("gzip, deflate, br", (text) => {
      while (readUpTo + 1 < frames.length && text === expected[readUpTo + 1]) seen[++readUpTo]();
    });
    await got.ended;
    expect(got.res.headers["content-encoding"]).toBe("gzip");
    expect(got.res.headers["content-length"]).toBeUndefined();
    expect(got.res.headers.vary).toMatch(/accept-encoding/i);
    expect(got.res.headers["content-type"]).toBe(SSE_HEADERS["content-type"]);
    expect(got.text()).toBe(frames.join(""));
    expect(readUpTo).toBe(frames.length - 1);
    // One small frame per flush still costs a fraction of its size: the history has the rest.
    const plain = Buffer.byteLength(frames.join(""));
    const text = Buffer.byteLength(frames.map((_, i) => TEXT[i % TEXT.length]).join(""));
    expect(got.wire()).toBeLessThan(plain / 2.5);
    expect(got.wire()).toBeLessThan(text * 3);
  });

  it("sends identity to a client that does not accept gzip, and leaves every other response alone", async () => {
    const body = frames.slice(0, 20).join("");
    handler = (_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      res.end(body);
    };
    for (const accept of [null, "gzip;q=0", "identity", "br", "*;q=0", "gzip;q=0, *"]) {
      const got = await get(accept);
      await got.ended;
      expect(got.res.headers["content-encoding"], String(accept)).toBeUndefined();
      expect(got.text()).toBe(body);
      expect(got.wire()).toBe(Buffer.byteLength(body));
    }
    // JSON, set up as Next.js does (setHeader, then end): its Content-Length stays.
    const json = JSON.stringify({ text: TEXT.join("") });
    handler = (_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(json);
    };
    const plain = await get("gzip");
    await plain.ended;
    expect(plain.res.headers["content-encoding"]).toBeUndefined();
    expect(plain.res.headers["content-length"]).toBe(String(Buffer.byteLength(json)));
    expect(plain.text()).toBe(json);
    // An event stream that is an error (not 200) is not compressed.
    handler = (_req, res) => {
      res.statusCode = 503;
      res.setHeader("content-type", "text/event-stream");
      res.write(frames[0]);
      res.end();
    };
    const refused = await get("gzip");
    await refused.ended;
    expect([refused.res.statusCode, refused.res.headers["content-encoding"], refused.text()]).toEqual([503, undefined, frames[0]]);
  });

  it("a stream set up with setHeader and started by flushHeaders (as Next.js does) is compressed; one ended in a single end() too", async () => {
    handler = (_req, res) => {
      for (const [k, v] of Object.entries(SSE_HEADERS)) res.setHeader(k, v);
      res.flushHeaders();
      res.write(frames[0]);
      res.end(frames[1]);
    };
    const flushed = await get("gzip");
    await flushed.ended;
    expect([flushed.res.headers["content-encoding"], flushed.text()]).toEqual(["gzip", frames[0] + frames[1]]);
    handler = (_req, res) => {
      res.setHeader("content-type", "text/event-stream");
      res.end(frames[2]);
    };
    const whole = await get("gzip");
    await whole.ended;
    expect([whole.res.headers["content-encoding"], whole.text()]).toEqual(["gzip", frames[2]]);
  });

  it("keeps every byte when the client reads slowly: gzip's output waits for the socket, the writer for gzip", async () => {
    const piece = Buffer.from(frame(1, "delta", { index: 0, text: "🦊".repeat(4096) }) + "x".repeat(20_000));
    const pieces = 400; // ~11 MB: far past every buffer on the way
    let blocked!: () => void;
    const full = new Promise<void>((r) => (blocked = r));
    handler = async (_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      for (let i = 0; i < pieces; i++) {
        if (!res.write(piece)) {
          blocked();
          await once(res, "drain");
        }
      }
      res.end();
    };
    const req = http.get(`${base}/`, { headers: { "accept-encoding": "gzip" } });
    const [res] = (await once(req, "response")) as [http.IncomingMessage];
    res.pause();
    await full; // the writer was told to wait
    let length = 0;
    let same = true;
    let offset = 0;
    const gunzip = res.pipe(zlib.createGunzip());
    gunzip.on("data", (d: Buffer) => {
      for (let i = 0; i < d.length && same; i++) same = d[i] === piece[(offset + i) % piece.length];
      offset += d.length;
      length += d.length;
    });
    await once(gunzip, "end");
    expect(same).toBe(true);
    expect(length).toBe(piece.length * pieces);
  });

  it("a client that leaves mid-stream releases it: later writes go nowhere and throw nothing", async () => {
    let closed!: () => void;
    const gone = new Promise<void>((r) => (closed = r));
    let after!: (ok: boolean) => void;
    const wrote = new Promise<boolean>((r) => (after = r));
    handler = async (_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      res.write(frames[0]);
      res.once("close", closed);
      await gone;
      after(res.write(frames[1]));
      res.end();
    };
    const got: Got = await get("gzip", () => got.res.destroy());
    await gone;
    expect(typeof (await wrote)).toBe("boolean");
  });
});

describe("acceptsGzip", () => {
  it("reads Accept-Encoding as RFC 9110 does: named or by *, with a weight above 0", () => {
    for (const yes of ["gzip", "GZIP", "gzip, deflate, br, zstd", "br;q=1.0, gzip;q=0.8", " gzip ;q=0.001", "*", "x-gzip", "br, *;q=0.1"])
      expect(acceptsGzip(yes), yes).toBe(true);
    for (const no of [undefined, "", "identity", "br, deflate", "gzip;q=0", "gzip;q=0.000", "*;q=0", "gzip;q=0, *", "gzip;q=abc", "gzipx"])
      expect(acceptsGzip(no), String(no)).toBe(false);
    expect(acceptsGzip(["br", "gzip"])).toBe(true);
  });

  it("takes time in proportion to the header, however it is built", () => {
    expect(acceptsGzip(",".repeat(200_000) + "gzip")).toBe(true);
    expect(acceptsGzip(";".repeat(200_000))).toBe(false);
    expect(acceptsGzip("gzip" + ";q=1".repeat(50_000))).toBe(true);
  });
});
