// Who may use the gateway, and what bad input gets (docs/GATEWAY.md,
// docs/SECURITY.md), through the route handlers: only an active key (never a
// session cookie) authenticates; another user's reply ids do not exist for a
// key (404); errors come in the API's shape with its status; a refused
// request stores nothing; the app's limits hold for keys too.
import { beforeAll, describe, expect, it } from "vitest";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { call, cookieFrom } from "@/lib/testing/route-client";
import { createApiKey, revokeApiKey } from "@/lib/gateway/keys";
import { apiMessageId } from "@/lib/gateway/wire";
import * as signUp from "@/app/api/auth/sign-up/route";
import * as conversations from "@/app/api/conversations/route";
import * as messages from "@/app/v1/messages/route";
import * as message from "@/app/v1/messages/[id]/route";
import * as stream from "@/app/v1/messages/[id]/stream/route";
import * as stop from "@/app/v1/messages/[id]/stop/route";
import * as countTokens from "@/app/v1/messages/count_tokens/route";
import * as batches from "@/app/v1/messages/batches/[[...rest]]/route";
import * as rest from "@/app/v1/[...path]/route";

const h = useRouteHarness("gateway_access", { MAX_ACTIVE_GENERATIONS_PER_USER: "1", GATEWAY_MAX_BODY_BYTES: "4096" });

type Account = { userId: string; cookie: string; secret: string; keyId: string };
let alice: Account;
let bob: Account;

async function account(email: string): Promise<Account> {
  const res = await call(signUp.POST, "POST", "/api/auth/sign-up", { body: { email, password: "correct horse battery" } });
  const { user } = await res.json();
  const { key, secret } = await createApiKey(await h.app.db(), user.id, `key of ${email}`);
  return { userId: user.id, cookie: cookieFrom(res), secret, keyId: key.id };
}

beforeAll(async () => {
  alice = await account("alice-gateway@example.com");
  bob = await account("bob-gateway@example.com");
});

const ask = { model: "claude-haiku-4-5", max_tokens: 200, messages: [{ role: "user", content: "hello gateway" }] };
const post = (headers: Record<string, string>, body: unknown = ask, raw?: string) =>
  call(messages.POST, "POST", "/v1/messages", {
    headers,
    ...(raw === undefined ? { body } : { rawBody: raw, headers: { ...headers, "content-type": "application/json" } }),
  });
const key = (a: Account) => ({ "x-api-key": a.secret });
const counts = async () => {
  const db = await h.app.db();
  return { conversations: await db.conversation.count(), messages: await db.message.count(), requests: await db.gatewayRequest.count() };
};

async function expectApiError(res: Response, status: number, type: string) {
  expect(res.status).toBe(status);
  const body = await res.json();
  expect(body).toMatchObject({ type: "error", error: { type } });
  expect(typeof body.error.message).toBe("string");
  return body;
}

describe("gateway access", () => {
  it("answers a key's request; the conversation is the key owner's, marked with the key, and the parameters go upstream as sent", async () => {
    const res = await post(key(alice), { ...ask, temperature: 0.5, metadata: { user_id: "u-1" } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ type: "message", role: "assistant", content: [{ type: "text", text: "Echo: hello gateway" }], stop_reason: "end_turn" });
    const db = await h.app.db();
    const conv = await db.conversation.findUniqueOrThrow({ where: { id: res.headers.get("tether-conversation-id")! } });
    expect(conv).toMatchObject({ userId: alice.userId, apiKeyId: alice.keyId, title: "hello gateway", model: "claude-haiku-4-5" });
    const listed = await (await call(conversations.GET, "GET", "/api/conversations", { cookie: alice.cookie })).json();
    const shown = (listed.conversations ?? listed).find((c: { id: string }) => c.id === conv.id);
    expect(shown).toMatchObject({ apiKey: { id: alice.keyId, name: "key of alice-gateway@example.com" } });
    const upstream = h.fake.requests.at(-1)!.body;
    expect(upstream).toMatchObject({ temperature: 0.5, metadata: { user_id: "u-1" }, max_tokens: 200, messages: ask.messages });
  });

  it("a browser's cross-site request is judged by its key alone: the API's answers, never the app's CSRF refusal", async () => {
    const crossSite = { origin: "https://elsewhere.example", "sec-fetch-site": "cross-site" };
    expect((await post({ ...crossSite, ...key(alice) })).status).toBe(200);
    await expectApiError(await post({ ...crossSite, cookie: alice.cookie }), 401, "authentication_error");
  });

  it("Authorization: Bearer works as x-api-key does", async () => {
    expect((await post({ authorization: `Bearer ${alice.secret}` })).status).toBe(200);
  });

  it("no key, a wrong key, a revoked key, or only the owner's session cookie: 401, and nothing stored", async () => {
    const before = await counts();
    await expectApiError(await post({}), 401, "authentication_error");
    await expectApiError(
      await post({ "x-api-key": alice.secret.slice(0, 20) + (alice.secret[20] === "A" ? "B" : "A") + alice.secret.slice(21) }),
      401,
      "authentication_error",
    );
    await expectApiError(await post({ cookie: alice.cookie }), 401, "authentication_error");
    const spare = await createApiKey(await h.app.db(), alice.userId, "spare");
    await revokeApiKey(await h.app.db(), alice.userId, spare.key.id);
    await expectApiError(await post({ "x-api-key": spare.secret }), 401, "authentication_error");
    expect(await counts()).toEqual(before);
  });

  it("another user's reply does not exist for a key: 404 on GET, stream and stop, and it is not stopped", async () => {
    const mine = await post(key(alice));
    const apiId = mine.headers.get("tether-message-id")!;
    for (const [handler, method, path] of [
      [message.GET, "GET", ""],
      [stream.GET, "GET", "/stream"],
      [stop.POST, "POST", "/stop"],
    ] as const) {
      await expectApiError(await call(handler, method, `/v1/messages/${apiId}${path}`, { headers: key(bob), params: { id: apiId } }), 404, "not_found_error");
    }
    const own = await call(message.GET, "GET", `/v1/messages/${apiId}`, { headers: key(alice), params: { id: apiId } });
    expect((await own.json()).stop_reason).toBe("end_turn");
    for (const id of ["msg_nothex", "msg_" + "0".repeat(32), "../../etc", apiMessageId("00000000-0000-4000-8000-000000000000")]) {
      await expectApiError(await call(message.GET, "GET", `/v1/messages/x`, { headers: key(alice), params: { id } }), 404, "not_found_error");
    }
  });

  it("bad input: 400 invalid_request_error (413 when too large), and nothing stored", async () => {
    const before = await counts();
    await expectApiError(await post(key(alice), undefined, "{not json"), 400, "invalid_request_error");
    await expectApiError(await post(key(alice), { ...ask, max_tokens: undefined }), 400, "invalid_request_error");
    await expectApiError(await post(key(alice), { ...ask, messages: [] }), 400, "invalid_request_error");
    await expectApiError(await post(key(alice), { ...ask, messages: [{ role: "system", content: "x" }] }), 400, "invalid_request_error");
    await expectApiError(await post(key(alice), { ...ask, messages: [{ role: "assistant", content: "only me" }] }), 400, "invalid_request_error");
    await expectApiError(await post(key(alice), { ...ask, messages: [{ role: "user", content: [{ text: "no type" }] }] }), 400, "invalid_request_error");
    await expectApiError(await post(key(alice), { ...ask, temperature: 3 }), 400, "invalid_request_error");
    await expectApiError(await post(key(alice), { ...ask, messages: [{ role: "user", content: "x".repeat(5000) }] }), 413, "request_too_large");
    await expectApiError(await post(key(alice), undefined, JSON.stringify(ask).replace("hello gateway", "nul \\u0000 here")), 400, "invalid_request_error");
    expect(await counts()).toEqual(before);
  });

  it("the app's limits hold for keys: one reply generating per user here, the next is 429 rate_limit_error", async () => {
    h.fake.enqueue({ text: "slow ".repeat(60), delayMs: 50 }); // 3 s: still generating when the second request comes
    const first = await post(key(bob), { ...ask, stream: true });
    await expectApiError(await post(key(bob)), 429, "rate_limit_error");
    await first.text(); // it ends
    expect((await post(key(bob))).status).toBe(200);
  });

  it("unsupported APIs answer 404 not_found_error in the API's shape", async () => {
    await expectApiError(await call(countTokens.POST, "POST", "/v1/messages/count_tokens", { headers: key(alice), body: ask }), 404, "not_found_error");
    await expectApiError(await call(batches.POST, "POST", "/v1/messages/batches", { headers: key(alice), body: {} }), 404, "not_found_error");
    await expectApiError(await call(rest.GET, "GET", "/v1/models", { headers: key(alice) }), 404, "not_found_error");
    await expectApiError(await call(rest.POST, "POST", "/v1/files", { headers: key(alice) }), 404, "not_found_error");
  });
});
