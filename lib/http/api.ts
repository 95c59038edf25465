// Shared plumbing of the route handlers: error mapping, JSON bodies with a
// size cap, and session resolution. Web-standard Request/Response only.
import { z } from "zod";
import { AppError } from "../errors";
import { getDb, type Db } from "../db";
import { DataDirLockedError } from "../db/lock";
import { readSession, SESSION_COOKIE } from "../session";
import { ensureUser } from "../users";

export const MAX_BODY_BYTES = Number(process.env.MAX_BODY_BYTES) || 256 * 1024;

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
    console.error(e.message);
    return json({ error: { code: "unavailable", message: "The database is unavailable." } }, 503);
  }
  const prismaCode = (e as { code?: unknown } | null)?.code;
  if (prismaCode === "P2028" || prismaCode === "P2024" || prismaCode === "P1001" || prismaCode === "P1017") {
    // Transaction/pool timeouts, database unreachable: retryable, not a bug.
    console.error("database busy or unreachable", e);
    return json({ error: { code: "unavailable", message: "The server is busy. Please try again in a moment." } }, 503, { "Retry-After": "2" });
  }
  // Never leak internals: log the detail, answer a generic 500.
  console.error("unhandled error in route", e);
  return json({ error: { code: "internal", message: "Something went wrong on our side." } }, 500);
}

type Ctx<P> = { params: Promise<P> };

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF: a browser tells where a request comes from (Sec-Fetch-Site, Origin);
 * a state-changing request from another site is refused. Clients that send
 * neither (curl, servers) are not browsers riding on a user's cookie.
 */
export function checkSameOrigin(req: Request): void {
  if (SAFE_METHODS.has(req.method)) return;
  const site = req.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") {
    throw new AppError("forbidden", "Cross-site requests are not allowed.");
  }
  const origin = req.headers.get("origin");
  if (!origin) return;
  const host = req.headers.get("x-forwarded-host")?.split(",")[0]?.trim() || req.headers.get("host") || new URL(req.url).host;
  let originHost: string | null = null;
  try {
    originHost = origin === "null" ? null : new URL(origin).host;
  } catch {
    originHost = null;
  }
  if (originHost !== host) throw new AppError("forbidden", "Cross-site requests are not allowed.");
}

/** Wraps a route handler so every failure becomes the JSON error shape. */
export function route<P = Record<string, string>>(fn: (req: Request, params: P) => Promise<Response>) {
  return async (req: Request, ctx: Ctx<P>): Promise<Response> => {
    try {
      checkSameOrigin(req);
      return await fn(req, (await ctx?.params) ?? ({} as P));
    } catch (e) {
      return errorResponse(e);
    }
  };
}

export function cookieValue(req: Request, name: string): string | undefined {
  const header = req.headers.get("cookie");
  if (!header) return undefined;
  for (const piece of header.split(";")) {
    const eq = piece.indexOf("=");
    if (eq > 0 && piece.slice(0, eq).trim() === name) return piece.slice(eq + 1).trim();
  }
  return undefined;
}

export type Caller = { userId: string; db: Db };

/** Resolves the session's user or throws 401. Runs before anything else. */
export async function requireUser(req: Request): Promise<Caller> {
  const uid = await readSession(cookieValue(req, SESSION_COOKIE));
  if (!uid) throw new AppError("unauthorized", "No session: call POST /api/auth/guest or open the app first.");
  const db = await getDb();
  await ensureUser(db, uid);
  return { userId: uid, db };
}

/** A path id: anything that is not a well-formed id cannot exist, so 404. */
export function pathId(value: string | undefined, what: string): string {
  if (!value || !UUID_RE.test(value)) throw new AppError("not_found", `${what} not found`);
  return value.toLowerCase();
}

async function readBodyText(req: Request, maxBytes: number): Promise<string> {
  const declared = Number(req.headers.get("content-length"));
  if (declared > maxBytes) throw new AppError("too_large", `Request body exceeds ${maxBytes} bytes.`);
  if (!req.body) return "";
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
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new AppError("invalid_input", "Request body is not valid UTF-8.");
  }
}

/** Parses a JSON body with a zod schema. An empty body counts as `{}`. */
export async function readJson<S extends z.ZodType>(req: Request, schema: S, maxBytes = MAX_BODY_BYTES): Promise<z.infer<S>> {
  const text = await readBodyText(req, maxBytes);
  let data: unknown = {};
  if (text.trim() !== "") {
    try {
      data = JSON.parse(text);
    } catch {
      throw new AppError("invalid_json", "Request body is not valid JSON.");
    }
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
