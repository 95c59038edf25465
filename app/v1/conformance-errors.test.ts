// SDK conformance of the gateway, the failures (issue 18, docs/GATEWAY.md):
// what the real @anthropic-ai/sdk raises for an upstream refusal, a wrong or
// revoked key, the routes the gateway does not serve and bodies it refuses
// (then nothing is stored and nothing goes upstream); and text that looks like
// SSE, emoji, CJK and a lone "\r", byte-exact from upstream to the SDK and
// into the database. The successful shapes: conformance.test.ts.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import Anthropic, { type APIError } from "@anthropic-ai/sdk";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { useGatewayClients } from "@/lib/testing/gateway-clients";
import { createApiKey, revokeApiKey } from "@/lib/gateway/keys";
import { replyIdOf } from "@/lib/gateway/wire";

const h = useRouteHarness("sdk-conformance-errors", { MESSAGE_RATE_LIMIT: "0" });
const c = useGatewayClients(h);

const MODEL = "claude-haiku-4-5";
const ask = (content: string) => ({ model: MODEL, max_tokens: 256, messages: [{ role: "user" as const, content }] });

/** What a call raised (it must raise). */
async function raised(p: Promise<unknown>): Promise<APIError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(Anthropic.APIError);
  return e as APIError;
}

/** The API's error body the SDK kept: `{"type":"error","error":{"type","message"}}`. */
const body = (e: APIError) => e.error as { type: string; error: { type: string; message: string } };

/** What the gateway has stored for the key's user: a refused request must leave all of it as it was. */
async function stored() {
  const where = { userId: c.userId };
  return {
    conversations: await c.db.conversation.count({ where }),
    messages: await c.db.message.count({ where: { conversation: where } }),
    requests: await c.db.gatewayRequest.count(),
  };
}

/** Runs `f`, expecting it to store nothing and send nothing upstream. */
async function leavesNoTrace(f: () => Promise<void>) {
  const before = await stored();
  const upstream = h.fake.requests.length;
  await f();
  expect(await stored()).toEqual(before);
  expect(h.fake.requests.length).toBe(upstream);
}

describe("an upstream refusal reaches the SDK as an error", () => {
  it("messages.create: the API's status and error type (400 invalid_request_error), after one upstream request", async () => {
    const params = ask(`[[scenario:bad_request]] ${randomUUID()}`);
    const direct = await raised(c.direct.messages.create(params));
    const before = h.fake.requests.length;
    const gateway = await raised(c.gateway.messages.create(params));
    expect(h.fake.requests.length).toBe(before + 1); // a 400 is not retried
    for (const e of [direct, gateway]) {
      expect(e).toBeInstanceOf(Anthropic.BadRequestError);
      expect(e.status).toBe(400);
      expect(body(e)).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    }
    expect(body(gateway).error.message).toContain(body(direct).error.message);
  });

  it("messages.stream: the gateway answered 200 and began the stream at once, so the SDK raises the stream's `error` event", async () => {
    const params = ask(`[[scenario:bad_request]] ${randomUUID()}`);
    const direct = await raised(c.direct.messages.stream(params).finalMessage());
    expect(direct).toBeInstanceOf(Anthropic.BadRequestError); // the API refuses before its stream begins
    const before = h.fake.requests.length;
    const stream = c.gateway.messages.stream(params);
    const texts: string[] = [];
    stream.on("text", (t) => texts.push(t));
    const gateway = await raised(stream.finalMessage());
    expect(h.fake.requests.length).toBe(before + 1);
    // An error event carries no HTTP status: the SDK's plain APIError, with the API's error body.
    expect(gateway.constructor).toBe(Anthropic.APIError);
    expect(gateway.status).toBeUndefined();
    expect(body(gateway)).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    expect(body(gateway).error.message).toContain(body(direct).error.message);
    expect(texts).toEqual([]);
  });
});

describe("keys", () => {
  it("a wrong or malformed key: AuthenticationError (401), nothing stored, nothing upstream", async () => {
    await leavesNoTrace(async () => {
      for (const apiKey of [`sk-tether-${"x".repeat(43)}`, "sk-ant-not-a-tether-key", c.secret.slice(0, -1)]) {
        const e = await raised(c.client({ apiKey }).messages.create(ask("hi")));
        expect(e).toBeInstanceOf(Anthropic.AuthenticationError);
        expect(e.status).toBe(401);
        expect(body(e)).toMatchObject({ type: "error", error: { type: "authentication_error" } });
      }
      const bearer = await raised(c.client({ apiKey: null, authToken: "sk-tether-wrong" }).messages.stream(ask("hi")).finalMessage());
      expect(bearer).toBeInstanceOf(Anthropic.AuthenticationError);
    });
  });

  it("the key as a Bearer token works like x-api-key", async () => {
    h.fake.enqueue({ text: "Bearer accepted." });
    const m = await c.client({ apiKey: null, authToken: c.secret }).messages.create(ask("hi"));
    expect(m.content).toEqual([{ type: "text", text: "Bearer accepted." }]);
  });

  it("a revoked key: AuthenticationError (401) from then on, streaming or not", async () => {
    const { key, secret } = await createApiKey(c.db, c.userId, "revoked soon");
    const client = c.client({ apiKey: secret });
    h.fake.enqueue({ text: "Still valid." });
    expect((await client.messages.create(ask("hi"))).content).toEqual([{ type: "text", text: "Still valid." }]);
    await revokeApiKey(c.db, c.userId, key.id);
    await leavesNoTrace(async () => {
      expect(await raised(client.messages.create(ask("hi")))).toBeInstanceOf(Anthropic.AuthenticationError);
      expect(await raised(client.messages.stream(ask("hi")).finalMessage())).toBeInstanceOf(Anthropic.AuthenticationError);
    });
  });
});

describe("what the gateway does not serve: NotFoundError (404, not_found_error)", () => {
  const calls: [string, (client: Anthropic) => Promise<unknown>][] = [
    ["messages.countTokens", (a) => a.messages.countTokens(ask("hi"))],
    ["messages.batches.create", (a) => a.messages.batches.create({ requests: [{ custom_id: "1", params: ask("hi") }] })],
    ["messages.batches.list", (a) => a.messages.batches.list()],
    ["messages.batches.retrieve", (a) => a.messages.batches.retrieve("msgbatch_01abc")],
    ["models.list", (a) => a.models.list()],
    ["models.retrieve", (a) => a.models.retrieve(MODEL)],
  ];
  for (const [name, call] of calls) {
    it(name, async () => {
      await leavesNoTrace(async () => {
        const e = await raised(call(c.gateway));
        expect(e).toBeInstanceOf(Anthropic.NotFoundError);
        expect(body(e)).toMatchObject({ type: "error", error: { type: "not_found_error", message: expect.any(String) } });
      });
    });
  }
});

describe("a body the API would refuse: BadRequestError (400, invalid_request_error), nothing stored, nothing upstream", () => {
  const bodies: [string, Record<string, unknown>][] = [
    ["no max_tokens", { model: MODEL, messages: [{ role: "user", content: "hi" }] }],
    ["no messages", { model: MODEL, max_tokens: 10, messages: [] }],
    ["a system role in messages", { model: MODEL, max_tokens: 10, messages: [{ role: "system", content: "hi" }] }],
    ["content that is a number", { model: MODEL, max_tokens: 10, messages: [{ role: "user", content: 42 }] }],
    ["only an assistant message", { model: MODEL, max_tokens: 10, messages: [{ role: "assistant", content: "hi" }] }],
    ["max_tokens as a string", { model: MODEL, max_tokens: "10", messages: [{ role: "user", content: "hi" }] }],
  ];
  for (const [name, params] of bodies) {
    for (const streaming of [false, true]) {
      it(`${name} (${streaming ? "messages.stream" : "messages.create"})`, async () => {
        await leavesNoTrace(async () => {
          const sent = streaming ? c.gateway.messages.stream(params as never).finalMessage() : c.gateway.messages.create(params as never);
          const e = await raised(sent);
          expect(e).toBeInstanceOf(Anthropic.BadRequestError);
          expect(body(e)).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
        });
      });
    }
  }
});

describe("text byte-exact: SDK text == upstream text == the stored reply", () => {
  // SSE field lines, a blank line that would end an SSE frame, a lone "\r"
  // (a line break to SSE), CRLF, emoji (ZWJ sequence, flag, skin tone), CJK, combining mark.
  const TEXT = 'data: x\n\nevent: done\n\nid: 7\r\n:comment\rretry: 1\n👩‍👩‍👧 🇯🇵 👋🏽 日本語 e\u0301 {"type":"message_stop"}\r';
  const REQUEST = `Repeat: ${TEXT}`;

  for (const streaming of [true, false]) {
    it(streaming ? "messages.stream" : "messages.create", async () => {
      const sdkTexts: string[] = [];
      for (const client of [c.direct, c.gateway]) {
        h.fake.enqueue({ text: TEXT, chunk: [1, 3, 2, 7] });
        const before = h.fake.requests.length;
        let message: Anthropic.Message;
        if (streaming) {
          const stream = client.messages.stream(ask(REQUEST));
          const deltas: string[] = [];
          stream.on("text", (t) => deltas.push(t));
          message = await stream.finalMessage();
          expect(deltas.join("")).toBe(TEXT);
        } else {
          message = await client.messages.create(ask(REQUEST));
        }
        const [upstream] = h.fake.requests.slice(before);
        expect(upstream.body.messages[0].content).toBe(REQUEST); // the request as sent, byte-exact too
        expect(message.content).toHaveLength(1);
        sdkTexts.push((message.content[0] as Anthropic.TextBlock).text);
        if (client === c.gateway) {
          const reply = await c.db.message.findUniqueOrThrow({ where: { id: replyIdOf(message.id)! } });
          expect(reply).toMatchObject({ role: "assistant", status: "complete", content: TEXT });
          const asked = await c.db.message.findUniqueOrThrow({ where: { id: reply.parentId! } });
          expect(asked.content).toBe(REQUEST);
        }
      }
      expect(sdkTexts).toEqual([TEXT, TEXT]);
    });
  }
});
