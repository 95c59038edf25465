// The gateway's route handlers served over real HTTP on a local port, so the
// official SDK (and any HTTP client) talks to them exactly as to a deployed
// Tether: real sockets, real SSE parsing, a client that can drop its
// connection. The handlers are the app's own (app/v1/**), with the app the
// test set through lib/runtime.ts.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Readable } from "node:stream";
import * as messages from "../../app/v1/messages/route";
import * as message from "../../app/v1/messages/[id]/route";
import * as stream from "../../app/v1/messages/[id]/stream/route";
import * as stop from "../../app/v1/messages/[id]/stop/route";
import * as countTokens from "../../app/v1/messages/count_tokens/route";
import * as batches from "../../app/v1/messages/batches/[[...rest]]/route";
import * as rest from "../../app/v1/[...path]/route";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any route's params shape
type Handler = (req: Request, ctx: { params: Promise<any> }) => Promise<Response>;
type Module = Partial<Record<"GET" | "POST" | "PUT" | "PATCH" | "DELETE", Handler>>;

/** Which module serves a path, and its params (Next.js's routing for these few routes). */
function resolve(path: string): { mod: Module; params: Record<string, unknown> } {
  const parts = path.split("/").filter(Boolean).slice(1); // after "v1"
  if (parts[0] === "messages") {
    if (parts.length === 1) return { mod: messages, params: {} };
    if (parts[1] === "count_tokens" && parts.length === 2) return { mod: countTokens, params: {} };
    if (parts[1] === "batches") return { mod: batches, params: { rest: parts.slice(2) } };
    if (parts.length === 2) return { mod: message, params: { id: parts[1] } };
    if (parts.length === 3 && parts[2] === "stream") return { mod: stream, params: { id: parts[1] } };
    if (parts.length === 3 && parts[2] === "stop") return { mod: stop, params: { id: parts[1] } };
  }
  return { mod: rest, params: { path: parts } };
}

export type GatewayServer = { url: string; close(): Promise<void> };

export async function startGatewayServer(): Promise<GatewayServer> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => void serve(req, res));
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function serve(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? "/", "http://localhost");
  const { mod, params } = resolve(url.pathname);
  const handler = mod[(req.method ?? "GET") as keyof Module];
  if (!url.pathname.startsWith("/v1/") || !handler) {
    res.writeHead(405).end();
    return;
  }
  const left = new AbortController();
  res.on("close", () => left.abort());
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const request = new Request(url, {
    method: req.method,
    headers,
    signal: left.signal,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: "half" } : {}),
  } as RequestInit);
  const response = await handler(request, { params: Promise.resolve(params) });
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (!response.body) return void res.end();
  const reader = response.body.getReader();
  left.signal.addEventListener("abort", () => void reader.cancel().catch(() => {}), { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      res.write(value);
    }
  } catch {
    /* the client left */
  }
  res.end();
}
