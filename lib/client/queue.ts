// Browser-side calls of the queue of follow-ups (docs/PROTOCOL.md §3.8).
import type { QueuedMessage } from "../reply/queue";
import { apiJson } from "./api";

export type { QueuedMessage };
const enc = encodeURIComponent;

export const getQueue = (conversationId: string, signal?: AbortSignal) =>
  apiJson<{ queue: QueuedMessage[] }>(`/api/conversations/${enc(conversationId)}/queue`, "GET", undefined, signal);
export const addToQueue = (conversationId: string, content: string) =>
  apiJson<{ queued: QueuedMessage; started: boolean }>(`/api/conversations/${enc(conversationId)}/queue`, "POST", { content });
export const editQueued = (id: string, content: string) => apiJson<QueuedMessage>(`/api/queue/${enc(id)}`, "PATCH", { content });
export const removeQueued = (id: string) => apiJson<void>(`/api/queue/${enc(id)}`, "DELETE");
