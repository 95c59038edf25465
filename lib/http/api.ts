// Shared plumbing of the route handlers: error mapping, JSON bodies with a
// size cap, session resolution, and one log line (plus a metric) per request
// with its request id. Web-standard Request/Response only.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { AppError } from "../errors";
import type { Db } from "../platform/db";
import { DataDirLockedError } from "../platform/db/lock";
import { sessionUser } from "../auth/session";
import { annotateLog, errorFields, log, runWithLogContext, type LogContext } from "../platform/log";
import { metrics } from "../platform/metrics";
import { getApp } from "../runtime";
import { requestHost } from "./client-address";
import { isSecureRequest } from "./cookies";
import { strictTransportSecurity } from "./security-headers";
import type { App } from "../app";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function json(data: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(data), {
    status,
    headers: { ...(status === 204 ? {} : { "content-type": "application/json; charset=utf-8" }), "cache-control": "no-store", ...headers },
  });
}

export function errorResponse(e: unknown): Response {
  if (e instanceof AppError) return json(e.toBody(), e.status, e.headers);
  if (e instanceof DataDirLockedError) {
    log.error({ err: errorFields(e) }, "database directory locked by another process");
    return json({ error: { code: "unavailable", message: "The database is unavailable." } }, 503);
  }
  if (dbUnavailable(e)) {
    // Transaction/pool timeouts, database unreachable: retryable, not a bug.
    log.error({ err: errorFields(e) }, "database busy or unreachable");
    return json({ error: { code: "unavailable", message: "The server is busy. Please try again in a moment." } }, 503, { "Retry-After": "2" });
  }
  // Never leak internals: log the detail, answer a generic 500.
  log.error({ err: errorFields(e) }, "unhandled error in route");
  return json({ error: { code: "internal", message: "Something went wrong on our side." } }, 500);
}

// A raw query (a post's admission, lib/reply/post-admission.ts) fails as P2010
// whatever the cause: the driver's own kind tells an unreachable database.
const UNAVAILABLE_CODES = new Set(["P2028", "P2024", "P1001", "P1017"]);
const UNAVAILABLE_DRIVER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

function dbUnavailable(e: unknown): boolean {
  const err = e as { code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } } | null;
  const kind = err?.meta?.driverAdapterError?.cause?.kind;
  return UNAVAILABLE_CODES.has(String(err?.code)) || (typeof kind === "string" && UNAVAILABLE_DRIVER_KINDS.has(kind));
}

type Ctx<P> = { params: Promise<P> };

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF: a browser tells where a request comes from (Sec-Fetch-Site, Origin);
 * a state-changing request from another site is refused. Clients that send
 * neither (curl, servers) are not browsers riding on a user's cookie.
 */
export function checkSameOrigin(req: Request, trustedProxyHops = 0): void {
  if (SAFE_METHODS.has(req.method)) return;
  const site = req.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") {
    throw new AppError("forbidden", "Cross-site requests are not allowed.");
  }
  const origin = req.headers.get("origin");
  if (!origin) return;
  const host = requestHost(req, trustedProxyHops);
  let originHost: string | null = null;
  try {
    originHost = origin === "null" ? null : new URL(origin).host;
  } catch {
    originHost = null;
  }
  if (originHost !== host) throw new AppError("forbidden", "Cross-site requests are not allowed.");
}

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;
/** Dynamic path segments, folded so a route label has few values (any id, valid or not). */
const ID_SEGMENT = /^(\/api\/(?:messages|conversations|queue|files|keys)|\/v1\/messages)\/[^/]+/;
/** A shared link's token is a credential: never in a log line or a metric label (docs/PROTOCOL.md §3.7). */
const SHARE_SEGMENTS = /^\/api\/share\/[^/]+(\/messages\/[^/]+)?/;

/** A request's route as logs and metrics name it: every id and token folded. */
export function routeLabel(path: string): string {
  return path.replace(ID_SEGMENT, "$1/:id").replace(SHARE_SEGMENTS, (_m, message?: string) => `/api/share/:token${message ? "/messages/:id" : ""}`);
}
const MESSAGE_PATH = /^\/api\/messages\/([0-9a-f-]{36})(?:\/|$)/i;
const CONVERSATION_PATH = /^\/api\/conversations\/([0-9a-f-]{36})(?:\/|$)/i;
/** Polled by load balancers and Prometheus: logged at debug only. */
const QUIET_ROUTES = new Set(["/api/health", "/api/metrics"]);

/** A request id: the load balancer's `x-request-id` when it looks sane, else a new one. */
export function requestId(req: Request): string {
  const given = req.headers.get("x-request-id")?.trim();
  return given && REQUEST_ID_RE.test(given) ? given : randomUUID();
}

/** The log context a request starts with: its route (ids folded) and the ids in its path. */
function requestContext(req: Request, reqId: string): LogContext {
  const path = new URL(req.url).pathname;
  const ctx: LogContext = { reqId, route: routeLabel(path) };
  const message = MESSAGE_PATH.exec(path)?.[1];
  const conversation = CONVERSATION_PATH.exec(path)?.[1];
  if (message && UUID_RE.test(message)) ctx.messageId = message.toLowerCase();
  if (conversation && UUID_RE.test(conversation)) ctx.conversationId = conversation.toLowerCase();
  return ctx;
}

/**
 * Wraps a route handler so every failure becomes the JSON error shape, and
 * logs the request (id, route, status, time to the response) when it is
 * answered. Work the handler starts (a generation) keeps the log context.
 */
export function route<P = Record<string, string>>(
  fn: (req: Request, params: P) => Promise<Response>,
  /** `sameOrigin: false`: a route that never takes a cookie (the gateway's API keys), so no cross-site check. */
  o: { sameOrigin?: boolean } = {},
) {
  return async (req: Request, ctx: Ctx<P>): Promise<Response> => {
    const started = performance.now();
    const reqId = requestId(req);
    const logCtx = requestContext(req, reqId);
    return runWithLogContext(logCtx, async () => {
      let res: Response;
      const { config } = getApp();
      try {
        if (o.sameOrigin !== false) checkSameOrigin(req, config.http.trustedProxyHops);
        res = await fn(req, (await ctx?.params) ?? ({} as P));
      } catch (e) {
        res = errorResponse(e);
      }
      const seconds = (performance.now() - started) / 1000;
      metrics.httpRequests.observe({ route: logCtx.route ?? "", method: req.method, status: String(res.status) }, seconds);
      const level = QUIET_ROUTES.has(logCtx.route ?? "") && res.status < 500 ? "debug" : res.status >= 500 ? "error" : "info";
      log[level]({ method: req.method, status: res.status, durationMs: Math.round(seconds * 10_000) / 10 }, "request");
      try {
        res.headers.set("x-request-id", reqId);
        const hsts = strictTransportSecurity(isSecureRequest(req, config), config.http.hstsMaxAgeS);
        if (hsts) res.headers.set("Strict-Transport-Security", hsts);
      } catch {
        /* immutable headers (a redirect): the log line has the id */
      }
      return res;
    });
  };
}

export type Caller = { app: App; userId: string; db: Db };

/** Resolves the session's user or throws 401. Runs before anything else. */
export async function requireUser(req: Request): Promise<Caller> {
  const app = getApp();
  const user = await sessionUser(app.accounts, req.headers, isSecureRequest(req, app.config));
  if (!user) throw new AppError("unauthorized", "No session: call POST /api/auth/guest, sign in, or open the app first.");
  annotateLog({ userId: user.userId });
  return { app, userId: user.userId, db: user.db };
}

/** A path id: anything that is not a well-formed id cannot exist, so 404. */
export function pathId(value: string | undefined, what: string): string {
  if (!value || !UUID_RE.test(value)) throw new AppError("not_found", `${what} not found`);
  return value.toLowerCase();
}

async function readBodyText(req: Request, maxBytes: number): Promise<string> {
  const bytes = await readBodyBytes(req, maxBytes);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AppError("invalid_input", "Request body is not valid UTF-8.");
  }
}

/** The raw body, at most `maxBytes` (413 `too_large` beyond, stopped reading at once). */
export async function readBodyBytes(req: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length"));
  if (declared > maxBytes) throw new AppError("too_large", `Request body exceeds ${maxBytes} bytes.`);
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new AppError("too_large", `Request body exceeds ${maxBytes} bytes.`);
    }
    chunks.push(value);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** Parses a JSON body (at most MAX_BODY_BYTES, else 413) with a zod schema. An empty body counts as `{}`. */
export async function readJson<S extends z.ZodType>(req: Request, schema: S, maxBytes = getApp().config.http.maxBodyBytes): Promise<z.infer<S>> {
  const text = await readBodyText(req, maxBytes);
  let data: unknown = {};
  if (text.trim() !== "") {
    try {
      data = JSON.parse(text);
    } catch {
      throw new AppError("invalid_json", "Request body is not valid JSON.");
    }
  }
  // Only escapes can smuggle these in (the raw bytes were checked as UTF-8).
  if (/\\u(0000|d[89a-f])/i.test(text) && !storableText(data)) {
    // PostgreSQL stores neither U+0000 nor lone surrogates (text, jsonb): a clear 400, not a failed write.
    throw new AppError("invalid_input", "Text must be valid Unicode without NUL characters (U+0000).");
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
    const tooBig = parsed.error.issues.find((i) => i.code === "custom" && (i.params as { tooLarge?: boolean } | undefined)?.tooLarge);
    if (tooBig) throw new AppError("too_large", tooBig.message);
    throw new AppError("invalid_input", `${where}${issue?.message ?? "invalid input"}`);
  }
  return parsed.data;
}

/** Whether every string (and key) in parsed JSON can be stored: well-formed, no U+0000. Iterative: bodies may nest deeply. */
function storableText(root: unknown): boolean {
  // In a `u` regex a surrogate pair is one code point: \p{Cs} matches only lone halves.
  const ok = (t: string) => !t.includes("\u0000") && !/\p{Cs}/u.test(t);
  const todo: unknown[] = [root];
  while (todo.length) {
    const v = todo.pop();
    if (typeof v === "string") {
      if (!ok(v)) return false;
    } else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (!ok(k)) return false;
        todo.push(x);
      }
    }
  }
  return true;
}
