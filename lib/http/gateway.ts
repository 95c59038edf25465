// Route plumbing of the gateway (/v1/messages, docs/GATEWAY.md): an API key
// instead of a session, and every failure in the Anthropic API's own error
// shape, `{"type":"error","error":{"type","message"}}`, with its status, so
// the official SDK raises the same error classes it would against the API.
import { AppError } from "../errors";
import { annotateLog } from "../platform/log";
import { getApp } from "../runtime";
import { verifyApiKey } from "../gateway/keys";
import type { GatewayCaller } from "../gateway/admission";
import { apiErrorType } from "../gateway/wire";
import { errorResponse, json, route } from "./api";
import type { App } from "../app";
import type { Db } from "../platform/db";

/** The API's status for each error type. */
const TYPE_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

export function apiError(type: string, message: string, headers: Record<string, string> = {}, status = TYPE_STATUS[type] ?? 500): Response {
  return json({ type: "error", error: { type, message } }, status, headers);
}

/** An app failure in the API's shape: the same status where the API has one, its message, no internals. */
function gatewayErrorResponse(e: unknown): Response {
  if (e instanceof AppError) {
    if (e.code === "unauthorized") return apiError("authentication_error", e.message, e.headers);
    // Our 503s (capacity, draining) are the API's "overloaded": clients retry them the same way.
    if (e.status === 503) return apiError("overloaded_error", e.message, e.headers);
    const type = apiErrorType(e.code);
    return apiError(type, e.message, e.headers, type === "api_error" ? e.status : undefined);
  }
  const res = errorResponse(e); // logs it; says nothing of internals
  return apiError(
    res.status === 503 ? "overloaded_error" : "api_error",
    res.status === 503 ? "The server is busy. Try again in a moment." : "Internal server error",
    {},
    res.status === 503 ? 529 : 500,
  );
}

/**
 * A gateway route: the shared request log and metrics, errors in the API's
 * shape. No cross-site check: only an API key authenticates here, never a
 * cookie a page on another site could ride on (docs/SECURITY.md).
 */
export function gatewayRoute<P = Record<string, string>>(fn: (req: Request, params: P) => Promise<Response>) {
  return route<P>(
    async (req, params) => {
      try {
        return await fn(req, params);
      } catch (e) {
        return gatewayErrorResponse(e);
      }
    },
    { sameOrigin: false },
  );
}

/** The secret a client sent: `x-api-key`, as the SDK sends it, or `Authorization: Bearer`. */
function presentedKey(req: Request): string | null {
  const header = req.headers.get("x-api-key")?.trim();
  if (header) return header;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.get("authorization") ?? "");
  return m ? m[1] : null;
}

export type KeyCaller = { app: App; db: Db; caller: GatewayCaller };

/** The caller's active API key (401 in the API's shape otherwise). A session cookie never counts here. */
export async function requireKey(req: Request): Promise<KeyCaller> {
  const app = getApp();
  const secret = presentedKey(req);
  if (!secret) throw new AppError("unauthorized", "x-api-key header is required: create a key in Settings → API keys.");
  const db = await app.db();
  const key = await verifyApiKey(db, secret);
  if (!key) throw new AppError("unauthorized", "invalid x-api-key");
  annotateLog({ userId: key.userId, apiKeyId: key.keyId });
  return { app, db, caller: { keyId: key.keyId, userId: key.userId, name: key.name } };
}

/** What the gateway does not offer, answered as the API answers an unknown route. */
export function unsupported(what: string): Response {
  return apiError("not_found_error", `${what} is not supported by this Tether gateway; it serves POST /v1/messages (docs/GATEWAY.md).`);
}
