// GET /v1/models and GET /v1/models/{id} of the fake Anthropic server, in the
// Models API's wire format: a page `{data, has_more, first_id, last_id}` of
// `{type: "model", id, display_name, created_at, …}`, newest first, paged with
// `limit` (default 20, 1–1000), `after_id` and `before_id`, as the SDK's
// auto-pagination expects.
import type { IncomingMessage, ServerResponse } from "node:http";
import { errorBody } from "./fake-anthropic-script";

export type FakeModel = { id: string; display_name?: string; created_at?: string };
/** What /v1/models answers: these models, or an HTTP error with the API's error body. */
export type FakeModels = { models: FakeModel[] } | { status: number };

export const FAKE_MODELS: FakeModel[] = [
  { id: "claude-opus-5-5", display_name: "Claude Opus 5.5", created_at: "2026-10-01T00:00:00Z" },
  { id: "claude-sonnet-5-5", display_name: "Claude Sonnet 5.5", created_at: "2026-09-15T00:00:00Z" },
  { id: "claude-haiku-4-5", display_name: "Claude Haiku 4.5", created_at: "2025-10-01T00:00:00Z" },
  { id: "claude-sonnet-4-5", display_name: "Claude Sonnet 4.5", created_at: "2025-09-29T00:00:00Z" },
];

const info = (m: FakeModel) => ({
  type: "model",
  id: m.id,
  display_name: m.display_name ?? m.id,
  created_at: m.created_at ?? "1970-01-01T00:00:00Z",
  lifecycle: "active",
  deprecated_at: null,
  retires_at: null,
  line: null,
  max_input_tokens: 200_000,
  max_tokens: 64_000,
  capabilities: null,
});

/** Answers a GET under /v1/models; false for any other path. */
export function serveModels(req: IncomingMessage, res: ServerResponse, config: FakeModels, requestIndex: number): boolean {
  const url = new URL(req.url ?? "/", "http://fake");
  const one = /^\/v1\/models\/([^/]+)$/.exec(url.pathname);
  if (req.method !== "GET" || (url.pathname !== "/v1/models" && !one)) return false;
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json", "request-id": `req_fake_models_${requestIndex}` });
    res.end(JSON.stringify(body));
  };
  if ("status" in config) return (send(config.status, errorBody(config.status, {})), true);
  const models = config.models;
  if (one) {
    const m = models.find((x) => x.id === decodeURIComponent(one[1]));
    return (m ? send(200, info(m)) : send(404, errorBody(404, { errorMessage: `model: ${one[1]}` })), true);
  }
  const limit = Number(url.searchParams.get("limit") ?? 20);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return (send(400, errorBody(400, { errorMessage: "limit: must be between 1 and 1000" })), true);
  const after = url.searchParams.get("after_id");
  const before = url.searchParams.get("before_id");
  let start = 0;
  let end = models.length;
  if (after !== null) start = models.findIndex((m) => m.id === after) + 1;
  if (before !== null)
    end = Math.max(
      0,
      models.findIndex((m) => m.id === before),
    );
  // before_id pages backwards: the `limit` models just before it.
  const page = before !== null ? models.slice(Math.max(start, end - limit), end) : models.slice(start, Math.min(end, start + limit));
  const firstIndex = models.indexOf(page[0]);
  const hasMore = before !== null ? firstIndex > 0 : start + page.length < end;
  send(200, { data: page.map(info), has_more: page.length > 0 && hasMore, first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null });
  return true;
}
