// Browser-side calls of shared links (docs/PROTOCOL.md §3.7): the owner's
// (create, read, revoke) and a viewer's (the conversation, its reply streams).
import type { Message } from "../chat/types";
import { apiJson } from "./api";

const enc = encodeURIComponent;

export type ShareLink = { token: string; createdAt: string };
export type SharedView = { conversation: { title: string }; messages: Message[]; resumeAfter?: number };

export const getShareLink = (conversationId: string) => apiJson<{ share: ShareLink | null }>(`/api/conversations/${enc(conversationId)}/share`);
export const createShareLink = (conversationId: string) => apiJson<{ share: ShareLink }>(`/api/conversations/${enc(conversationId)}/share`, "POST");
export const revokeShareLink = (conversationId: string) => apiJson<void>(`/api/conversations/${enc(conversationId)}/share`, "DELETE");

/** The page a link opens (absolute, for copying). */
export const sharePageUrl = (token: string, origin: string) => `${origin}/s/${enc(token)}`;

export const getSharedView = (token: string, signal?: AbortSignal) => apiJson<SharedView>(`/api/share/${enc(token)}`, "GET", undefined, signal);
export const shareEventsUrl = (token: string) => `/api/share/${enc(token)}/events`;
export function sharedReplyStreamUrl(token: string, messageId: string, after: number | undefined): string {
  return `/api/share/${enc(token)}/messages/${enc(messageId)}/stream${after === undefined ? "" : `?after=${after}`}`;
}
