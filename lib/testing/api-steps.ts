// Steps the HTTP API tests share: a new guest, a conversation, a post, and
// the error shape every refusal has (docs/PROTOCOL.md §3.1).
import { expect } from "vitest";
import { call, cookieFrom } from "./route-client";
import * as guest from "../../app/api/auth/guest/route";
import * as conversations from "../../app/api/conversations/route";
import * as messages from "../../app/api/conversations/[id]/messages/route";

export async function newGuest(): Promise<string> {
  const res = await call(guest.POST, "POST", "/api/auth/guest");
  expect(res.status).toBe(201);
  return cookieFrom(res);
}

export async function newConversation(cookie: string, title?: string): Promise<{ id: string; title: string }> {
  const res = await call(conversations.POST, "POST", "/api/conversations", { cookie, body: title ? { title } : {} });
  expect(res.status).toBe(201);
  return res.json();
}

export const post = (cookie: string, id: string, body: unknown, signal?: AbortSignal) =>
  call(messages.POST, "POST", `/api/conversations/${id}/messages`, { cookie, body, params: { id }, signal });

export async function expectError(res: Response, status: number, code?: string) {
  expect(res.status).toBe(status);
  const body = await res.json();
  expect(typeof body.error.code).toBe("string");
  expect(typeof body.error.message).toBe("string");
  if (code) expect(body.error.code).toBe(code);
  return body;
}

/** Unicode and SSE-looking text: what a byte-exact stream must survive. */
export const TRICKY = 'Héllo 👩‍👩‍👧 世界 e\u0301 — data: {"x":1}\n\nid: 7\nevent: done\n\n: not a comment\r\nend ✅';
