// Browser-side calls to the HTTP API (docs/PROTOCOL.md §3). Every failure becomes an
// ApiError carrying the server's `{"error":{"code","message"}}` so the UI can
// show the server's own words (409/413/429…) instead of a generic message.
import type { Conversation, Message, SearchResult } from "../chat/types";
import type { DailyUsage, UsageTotals } from "../usage/report";
import type { ModelInfo } from "../llm/types";
import { connection } from "./connection";

/** What a request that never reached the server says (cleared once it answers again). */
export const NETWORK_MESSAGE = "Could not reach the server. Check your connection and try again.";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds, from a 429's Retry-After. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** Reads the error body of a non-OK response (tolerates non-JSON bodies). */
  static async from(res: Response): Promise<ApiError> {
    let code = `http_${res.status}`;
    let message = `The server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ""}.`;
    try {
      const body = (await res.json()) as { error?: { code?: string; message?: string } };
      if (body?.error?.code) code = body.error.code;
      if (body?.error?.message) message = body.error.message;
    } catch {
      // Not JSON (a proxy's HTML page, an empty body): keep the generic text.
    }
    const retry = Number(res.headers.get("retry-after"));
    return new ApiError(res.status, code, message, Number.isFinite(retry) && retry > 0 ? retry : undefined);
  }

  static network(cause: unknown): ApiError {
    const err = new ApiError(0, "network", NETWORK_MESSAGE);
    (err as { cause?: unknown }).cause = cause;
    return err;
  }
}

/** A user-facing sentence for any thrown value. */
export function describeError(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error && e.message) return e.message;
  return "Something went wrong.";
}

/**
 * fetch that throws ApiError for network failures and non-OK answers. Either
 * outcome tells the connection whether the server is reachable (the banner).
 */
export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: "same-origin", cache: "no-store", ...init });
  } catch (e) {
    if (init.signal?.aborted) throw e;
    connection.unreachable();
    throw ApiError.network(e);
  }
  // A proxy's "bad gateway" is the server being away too.
  if (res.status === 502 || res.status === 504) connection.unreachable();
  else connection.reachable();
  if (!res.ok) throw await ApiError.from(res);
  return res;
}

export async function apiJson<T>(path: string, method = "GET", body?: unknown, signal?: AbortSignal): Promise<T> {
  const res = await apiFetch(path, {
    method,
    signal,
    headers: body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (res.status === 204 ? undefined : await res.json()) as T;
}

const enc = encodeURIComponent;

/** What a conversation is created with or changed to (docs/API.md, "Models and instructions"). */
export type ConversationSetup = { model?: string | null; systemPrompt?: string };

export const createConversation = (title?: string, setup: ConversationSetup = {}) =>
  apiJson<Conversation>("/api/conversations", "POST", { ...(title === undefined ? {} : { title }), ...setup });

export const updateConversation = (id: string, setup: ConversationSetup) => apiJson<Conversation>(`/api/conversations/${enc(id)}`, "PATCH", setup);

/** GET /api/models: `provider` says who answers (demo: the built-in model's canned replies). */
export type ModelCatalog = { models: ModelInfo[]; defaultModel: string; provider: "anthropic" | "demo" };
export const listModels = () => apiJson<ModelCatalog>("/api/models");

export const getConversation = (id: string, signal?: AbortSignal) =>
  apiJson<{ conversation: Conversation; messages: Message[] }>(`/api/conversations/${enc(id)}`, "GET", undefined, signal);

export const renameConversation = (id: string, title: string) => apiJson<Conversation>(`/api/conversations/${enc(id)}`, "PATCH", { title });

/** Pins or archives (true), or undoes it (false): docs/API.md "Pinned and archived conversations". */
export const markConversation = (id: string, mark: { pinned?: boolean; archived?: boolean }) => apiJson<Conversation>(`/api/conversations/${enc(id)}`, "PATCH", mark);

export const deleteConversation = (id: string) => apiJson<void>(`/api/conversations/${enc(id)}`, "DELETE");

export const getMessage = (id: string, signal?: AbortSignal) => apiJson<Message>(`/api/messages/${enc(id)}`, "GET", undefined, signal);

export const stopMessage = (id: string) => apiJson<Message>(`/api/messages/${enc(id)}/stop`, "POST");

export type UserSettings = { streaming: boolean; defaultModel: string | null; instructions: string; autoResume: boolean };

/** A boolean: the streaming switch (as before); an object: any of the settings. */
export const updateSettings = (patch: boolean | Partial<UserSettings>) =>
  apiJson<UserSettings>("/api/settings", "PATCH", typeof patch === "boolean" ? { streaming: patch } : patch);

/**
 * The answer to a request that starts a reply. Streamed: the raw
 * text/event-stream response (checked for errors). Not streamed: the saved
 * messages, once the reply has ended.
 */
export type ReplyAnswer<Saved> = { streaming: true; response: Response } | ({ streaming: false } & Saved);

/** `streaming`: the user's setting; sent as the body's `stream` field (docs/API.md). */
export type ReplyOptions = { streaming: boolean };

/** How long a start that never reached the server waits before its one retry. */
export const START_RETRY_MS = 1_000;

/** The last start whose fate is unknown (it never got an answer): the same action again, soon, reuses its key. */
let unanswered: { action: string; key: string; at: number } | null = null;
const UNANSWERED_KEEP_MS = 2 * 60_000;

/** A random v4 UUID; crypto.randomUUID exists only in secure contexts (HTTPS, localhost), and plain HTTP is supported. */
function newKey(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Every start of a reply carries a key of its own (docs/PROTOCOL.md §3.6): a
 * request that failed on the way (the server may have got it) is sent once
 * more with the same key, and then attaches to the reply it started rather
 * than starting a second one. If that fails too, the user's next try of the
 * same action (same target, same text) within 2 minutes, before any other
 * start is answered, still carries the same key.
 */
async function postReply<Saved>(path: string, body: Record<string, unknown>, { streaming }: ReplyOptions): Promise<ReplyAnswer<Saved>> {
  const action = JSON.stringify([path, body]);
  const again = unanswered && unanswered.action === action && Date.now() - unanswered.at < UNANSWERED_KEEP_MS;
  const key = again ? unanswered!.key : newKey();
  const send = () =>
    apiFetch(path, {
      method: "POST",
      headers: { accept: streaming ? "text/event-stream" : "application/json", "content-type": "application/json", "idempotency-key": key },
      body: JSON.stringify({ ...body, stream: streaming }),
    });
  let res: Response;
  try {
    res = await send().catch(async (e: unknown) => {
      if (!(e instanceof ApiError) || e.status !== 0) throw e;
      await new Promise((r) => setTimeout(r, START_RETRY_MS));
      return send();
    });
  } catch (e) {
    // Never answered: kept for the user's next try. Answered (any start): the kept key is done with.
    unanswered = e instanceof ApiError && e.status === 0 ? { action, key, at: Date.now() } : null;
    throw e;
  }
  unanswered = null;
  if (streaming) return { streaming: true, response: res };
  return { ...((await res.json()) as Saved), streaming: false };
}

/** Posts a user message (with the ids of uploaded files, if any); its reply is generated. */
export const postMessage = (conversationId: string, content: string, options: ReplyOptions, attachments: string[] = []) =>
  postReply<{ userMessage: Message; assistantMessage: Message }>(
    `/api/conversations/${enc(conversationId)}/messages`,
    attachments.length ? { content, attachments } : { content },
    options,
  );

/** A file as the server took it (docs/API.md#files). */
export type UploadedFile = { id: string; name: string; mediaType: string; size: number; kind: "image" | "pdf" | "text"; width?: number; height?: number; pages?: number };

/** Uploads a file to attach to a message; the server checks it by content. */
export async function uploadFile(file: Blob, name: string, signal?: AbortSignal): Promise<UploadedFile> {
  const res = await apiFetch(`/api/files?name=${enc(name)}`, {
    method: "POST",
    body: file,
    signal,
    headers: { accept: "application/json", "content-type": file.type || "application/octet-stream" },
  });
  return (await res.json()) as UploadedFile;
}

export const fileUrl = (id: string) => `/api/files/${enc(id)}`;

/** Continues an interrupted or failed reply (the same message grows again). */
export const postContinue = (messageId: string, options: ReplyOptions) =>
  postReply<{ assistantMessage: Message }>(`/api/messages/${enc(messageId)}/continue`, {}, options);

export function replyStreamUrl(messageId: string, after: number | undefined): string {
  return `/api/messages/${enc(messageId)}/stream${after === undefined ? "" : `?after=${after}`}`;
}

// Versions and branches, search and export (docs/API.md).

/** Regenerates the latest reply: a new reply (streamed, its first snapshot has no userMessage). */
export const postRegenerate = (messageId: string, options: ReplyOptions) =>
  postReply<{ assistantMessage: Message }>(`/api/messages/${enc(messageId)}/regenerate`, {}, options);

/** Edits a user message and resends it (answered like a posted message). */
export const postEdit = (messageId: string, content: string, options: ReplyOptions) =>
  postReply<{ userMessage: Message; assistantMessage: Message }>(`/api/messages/${enc(messageId)}/edit`, { content }, options);

/** Shows the version or branch containing the message; answers with the new path. */
export const selectMessage = (messageId: string) => apiJson<{ conversation: Conversation; messages: Message[] }>(`/api/messages/${enc(messageId)}/select`, "POST");

export const searchConversations = (q: string, signal?: AbortSignal) =>
  apiJson<{ results: SearchResult[] }>(`/api/search?q=${enc(q)}`, "GET", undefined, signal).then((r) => r.results);

export type ExportFormat = "markdown" | "json";

export const exportUrl = (conversationId: string, format: ExportFormat) => `/api/conversations/${enc(conversationId)}/export?format=${format}`;

// Usage and cost (docs/API.md "Usage and cost").
export const getConversationUsage = (id: string, signal?: AbortSignal) => apiJson<UsageTotals>(`/api/conversations/${enc(id)}/usage`, "GET", undefined, signal);
export const getUsage = (days: number, signal?: AbortSignal) =>
  apiJson<{ currency: string; days: DailyUsage[]; total: UsageTotals }>(`/api/usage?days=${days}`, "GET", undefined, signal);

/** Deletes every conversation of the user (docs/API.md); returns how many went. */
export const deleteAllConversations = async () => (await apiJson<{ deleted: number }>("/api/conversations", "DELETE", { confirm: true })).deleted;
