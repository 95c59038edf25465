// Property: whatever body arrives on any POST or PATCH route — random JSON,
// right keys with wrong types, huge numbers, deep nesting, non-JSON, invalid
// UTF-8 — the answer is never a 500, and every refusal has the error shape.
// Real routes on an in-memory PGlite, replies from the real SDK against the
// fake Anthropic server.
import { afterAll, describe, expect, it } from "vitest";
import { useRouteHarness } from "@/lib/testing/route-harness";
import fc from "fast-check";
import { randomUUID } from "node:crypto";
import { call, cookieFrom } from "@/lib/testing/route-client";
import * as guest from "@/app/api/auth/guest/route";
import * as signUp from "@/app/api/auth/sign-up/route";
import * as signIn from "@/app/api/auth/sign-in/route";
import * as signOut from "@/app/api/auth/sign-out/route";
import * as revokeOthers from "@/app/api/auth/sessions/revoke-others/route";
import * as conversations from "@/app/api/conversations/route";
import * as conversation from "@/app/api/conversations/[id]/route";
import * as messages from "@/app/api/conversations/[id]/messages/route";
import * as stop from "@/app/api/messages/[id]/stop/route";
import * as cont from "@/app/api/messages/[id]/continue/route";
import * as edit from "@/app/api/messages/[id]/edit/route";
import * as regenerate from "@/app/api/messages/[id]/regenerate/route";
import * as select from "@/app/api/messages/[id]/select/route";
import * as settings from "@/app/api/settings/route";
import * as apiKeys from "@/app/api/keys/route";

const RUNS = Number(process.env.PROPERTY_RUNS) || 30;

// Posts far faster than a person: no rate limit.
const h = useRouteHarness("properties", { MESSAGE_RATE_LIMIT: "0" }, { fake: { defaultScenario: { text: "ok ✓", chunk: 2 } } });

afterAll(async () => {
  // Let replies that valid bodies started finish before the database goes.
  const deadline = Date.now() + 15_000;
  while (h.app.generations.liveIds().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
});

// ---- bodies ---------------------------------------------------------------

/** Characters that trip storage and protocols: NUL and other controls, separators, lone surrogates, SSE syntax. */
const nasty = fc.string({
  unit: fc.constantFrom("\u0000", "\u0001", "\u001f", "\u007f", "\u2028", "\ud800", "\udfff", "\n", "\r", "data: ", "id: 9", "a", "é", "中", "😀", "e\u0301"),
  maxLength: 12,
});
const anyText = fc.oneof(fc.string({ unit: "grapheme", maxLength: 30 }), nasty);
const junk = fc.oneof(
  fc.jsonValue({ stringUnit: "binary", maxDepth: 3 }),
  nasty,
  fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, -0, 0.5, "", " ", "\u0000", "\ud800", "😀".repeat(40)),
  fc.string({ unit: "grapheme", maxLength: 40 }),
);
/** The keys routes look for, with anything in them. */
const shaped = fc.record({ content: junk, stream: junk, title: junk, streaming: junk, email: junk, password: junk, extra: junk }, { requiredKeys: [] });
/** Bodies of the right shape for each kind of route, with nasty text in them: they get past validation. */
const withContent = fc.record({ content: anyText, stream: fc.boolean() }, { requiredKeys: ["content"] });
const withTitle = fc.record({ title: anyText });
const withStreaming = fc.record({ streaming: fc.boolean() });
const withName = fc.record({ name: anyText });
const withStream = fc.record({ stream: fc.boolean() }, { requiredKeys: [] });
const credentials = fc.record({ email: fc.oneof(fc.emailAddress(), anyText), password: fc.oneof(fc.string({ minLength: 8, maxLength: 80 }), anyText) });
const HUGE_NUMBERS = ['{"content":1e999}', '{"title":-1e999}', '{"streaming":123456789012345678901234567890}', '{"stream":1.5e-400}', '{"content":"x","stream":9e15}'];

/** JSON text for a route whose well-formed bodies look like `valid`. */
const bodyText = (valid: fc.Arbitrary<object>) =>
  fc.oneof(
    { weight: 5, arbitrary: valid.map((o) => JSON.stringify(o)) },
    { weight: 2, arbitrary: fc.json({ stringUnit: "binary", maxDepth: 4 }) },
    { weight: 2, arbitrary: shaped.map((o) => JSON.stringify(o)) },
    { weight: 1, arbitrary: fc.constantFrom(...HUGE_NUMBERS) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) }, // mostly not JSON
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 20_000 }).map((n) => "[".repeat(n) + "]".repeat(n)) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 5_000 }).map((n) => '{"content":'.repeat(n) + '"x"' + "}".repeat(n)) },
    { weight: 1, arbitrary: fc.constant("") },
  );
const encoder = new TextEncoder();
/** Bytes on the wire: UTF-8 of a text, or arbitrary bytes (often invalid UTF-8). */
const bodyBytes = (valid: fc.Arbitrary<object>) =>
  fc.oneof({ weight: 6, arbitrary: bodyText(valid).map((t) => encoder.encode(t)) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 120 }) });
const contentType = fc.constantFrom("application/json", "application/json; charset=utf-8", "text/plain", undefined);

// ---- calling -------------------------------------------------------------

type Handler = Parameters<typeof call>[0];

async function send(handler: Handler, method: string, o: { cookie: string; params: Record<string, string>; bytes: Uint8Array; type?: string }) {
  const headers: Record<string, string> = { cookie: o.cookie };
  if (o.type) headers["content-type"] = o.type;
  const req = new Request("http://localhost/api/x", { method, headers, body: o.bytes as BodyInit });
  return handler(req, { params: Promise.resolve(o.params) });
}

/** Never a 500; a refusal is `{"error":{"code","message"}}`; a stream is left to run. */
async function expectSane(res: Response) {
  expect(res.status, `status ${res.status}`).toBeLessThan(500);
  if (res.headers.get("content-type")?.includes("text/event-stream")) {
    await res.body?.cancel(); // the generation goes on without us
    return;
  }
  const text = await res.text();
  if (res.status >= 400) {
    const body = JSON.parse(text);
    expect(typeof body.error?.code).toBe("string");
    expect(typeof body.error?.message).toBe("string");
    expect(text).not.toMatch(/\bat \w+ \(|node_modules|\/work\/|Prisma|SyntaxError/);
  }
}

async function newGuest() {
  return cookieFrom(await call(guest.POST, "POST", "/api/auth/guest"));
}

/** A user with a conversation holding a finished exchange, so ids on every route are real. */
async function world() {
  const cookie = await newGuest();
  const conv = await (await call(conversations.POST, "POST", "/", { cookie, body: {} })).json();
  const posted = await (await call(messages.POST, "POST", "/", { cookie, params: { id: conv.id }, body: { content: "hello", stream: false } })).json();
  return { cookie, conversationId: conv.id as string, userMessageId: posted.userMessage.id as string, replyId: posted.assistantMessage.id as string };
}

type Target = { name: string; handler: Handler; method: string; valid: fc.Arbitrary<object>; param?: "conversation" | "user" | "reply" };
const TARGETS: Target[] = [
  { name: "POST /api/auth/guest", handler: guest.POST, method: "POST", valid: withStream },
  { name: "POST /api/auth/sign-up", handler: signUp.POST, method: "POST", valid: credentials },
  { name: "POST /api/auth/sign-in", handler: signIn.POST, method: "POST", valid: credentials },
  { name: "POST /api/auth/sign-out", handler: signOut.POST, method: "POST", valid: withStream },
  { name: "POST /api/auth/sessions/revoke-others", handler: revokeOthers.POST, method: "POST", valid: withStream },
  { name: "POST /api/conversations", handler: conversations.POST, method: "POST", valid: withTitle },
  { name: "PATCH /api/conversations/:id", handler: conversation.PATCH, method: "PATCH", valid: withTitle, param: "conversation" },
  { name: "POST /api/conversations/:id/messages", handler: messages.POST, method: "POST", valid: withContent, param: "conversation" },
  { name: "POST /api/messages/:id/stop", handler: stop.POST, method: "POST", valid: withStream, param: "reply" },
  { name: "POST /api/messages/:id/continue", handler: cont.POST, method: "POST", valid: withStream, param: "reply" },
  { name: "POST /api/messages/:id/edit", handler: edit.POST, method: "POST", valid: withContent, param: "user" },
  { name: "POST /api/messages/:id/regenerate", handler: regenerate.POST, method: "POST", valid: withStream, param: "reply" },
  { name: "POST /api/messages/:id/select", handler: select.POST, method: "POST", valid: withStream, param: "reply" },
  { name: "PATCH /api/settings", handler: settings.PATCH, method: "PATCH", valid: withStreaming },
  // The world's user is a guest: well-formed bodies end 403, after the body is read and checked.
  { name: "POST /api/keys", handler: apiKeys.POST, method: "POST", valid: withName },
];

describe("random bodies never give a 500", () => {
  for (const t of TARGETS) {
    it(t.name, async () => {
      const w = await world();
      const ids = { conversation: w.conversationId, user: w.userMessageId, reply: w.replyId };
      const param = fc.oneof(
        { weight: 4, arbitrary: fc.constant(t.param ? ids[t.param] : undefined) },
        { weight: 1, arbitrary: fc.constantFrom(randomUUID(), "not-a-uuid", "", "../../etc", "%00") },
      );
      await fc.assert(
        fc.asyncProperty(bodyBytes(t.valid), contentType, param, async (bytes, type, id) => {
          const res = await send(t.handler, t.method, { cookie: w.cookie, params: id === undefined ? {} : { id }, bytes, type });
          await expectSane(res);
        }),
        { numRuns: RUNS },
      );
    });
  }
});
