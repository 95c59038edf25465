// Gateway threads (docs/GATEWAY.md): a client of the stateless Messages API
// sends its whole history each time; a request that goes on from an earlier
// reply (its history, that reply, new user turns) joins that reply's
// conversation, however the client spells the same content, and only then.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Anthropic from "@anthropic-ai/sdk";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { startGatewayServer, type GatewayServer } from "@/lib/testing/gateway-server";
import { createApiKey } from "@/lib/gateway/keys";
import { replyIdOf } from "@/lib/gateway/wire";

const h = useRouteHarness("gateway_threads");
let gw: GatewayServer;
let alice: Anthropic;
let bob: Anthropic;

beforeAll(async () => {
  gw = await startGatewayServer();
  const db = await h.app.db();
  const client = async (email: string) => {
    const user = await db.user.create({ data: { email, name: email } });
    return new Anthropic({ baseURL: gw.url, apiKey: (await createApiKey(db, user.id, "threads")).secret, maxRetries: 0 });
  };
  alice = await client("alice-threads@example.com");
  bob = await client("bob-threads@example.com");
});
afterAll(() => gw?.close());

const MODEL = "claude-haiku-4-5";
type Params = Anthropic.MessageCreateParamsNonStreaming;

/** Sends a request; answers the reply, its conversation and whether it went on from an earlier reply. */
async function send(client: Anthropic, messages: Params["messages"], more: Partial<Params> = {}) {
  const { data, response } = await client.messages.create({ model: MODEL, max_tokens: 500, messages, ...more }).withResponse();
  return { message: data, conversationId: response.headers.get("tether-conversation-id")! };
}

/** The conversation's shown path, as role:content (what the sidebar opens). */
async function pathOf(conversationId: string) {
  const db = await h.app.db();
  const conv = await db.conversation.findUniqueOrThrow({ where: { id: conversationId } });
  const rows = await db.message.findMany({ where: { conversationId } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const path: string[] = [];
  for (let id = conv.currentLeafId; id; id = byId.get(id)!.parentId) path.unshift(`${byId.get(id)!.role}:${byId.get(id)!.content}`);
  return path;
}

describe("gateway threads", () => {
  it("a request that goes on from a reply joins its conversation, after that reply", async () => {
    const first = await send(alice, [{ role: "user", content: "first question" }]);
    const second = await send(alice, [
      { role: "user", content: [{ type: "text", text: "first question", cache_control: { type: "ephemeral" } }] }, // spelled differently, same content
      { role: "assistant", content: first.message.content },
      { role: "user", content: "second question" },
    ]);
    expect(second.conversationId).toBe(first.conversationId);
    expect(await pathOf(first.conversationId)).toEqual([
      "user:first question",
      "assistant:Echo: first question",
      "user:second question",
      "assistant:Echo: second question",
    ]);
    const db = await h.app.db();
    const user2 = await db.message.findFirstOrThrow({ where: { conversationId: first.conversationId, content: "second question" } });
    expect(user2.parentId).toBe(replyIdOf(first.message.id));
  });

  it("a tool loop is one conversation: the client's tool result goes on from the tool call", async () => {
    const tools: Anthropic.Tool[] = [{ name: "get_weather", description: "Weather", input_schema: { type: "object", properties: { city: { type: "string" } } } }];
    const ask = [{ role: "user" as const, content: "[[scenario:tool]] weather in Paris?" }];
    const call = await send(alice, ask, { tools });
    expect(call.message.stop_reason).toBe("tool_use");
    const use = call.message.content.find((b) => b.type === "tool_use")!;
    const answer = await send(
      alice,
      [...ask, { role: "assistant", content: call.message.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "18°C" }] }],
      { tools },
    );
    expect(answer.conversationId).toBe(call.conversationId);
    expect(answer.message.content).toEqual([{ type: "text", text: "Tool results: 18°C" }]);
    expect((await pathOf(call.conversationId)).slice(2)).toEqual(["user:Tool result: 18°C", "assistant:Tool results: 18°C"]);
  });

  it("a history that differs from the reply (edited, or another user's) starts a conversation of its own", async () => {
    const first = await send(alice, [{ role: "user", content: "original" }]);
    const edited = await send(alice, [
      { role: "user", content: "original" },
      { role: "assistant", content: "Echo: something else" },
      { role: "user", content: "next" },
    ]);
    expect(edited.conversationId).not.toBe(first.conversationId);
    const other = await send(bob, [
      { role: "user", content: "original" },
      { role: "assistant", content: first.message.content },
      { role: "user", content: "next" },
    ]);
    expect(other.conversationId).not.toBe(first.conversationId);
    expect(await pathOf(first.conversationId)).toEqual(["user:original", "assistant:Echo: original"]);
  });

  it("two requests that go on from the same reply at once: the second, while the first generates, gets its own conversation", async () => {
    const first = await send(alice, [{ role: "user", content: "fork point" }]);
    const history = [
      { role: "user" as const, content: "fork point" },
      { role: "assistant" as const, content: first.message.content },
    ];
    h.fake.enqueue({ text: "slow branch ".repeat(50), delayMs: 40 }); // 2 s: still generating when the second arrives
    const slow = alice.messages.stream({ model: MODEL, max_tokens: 500, messages: [...history, { role: "user", content: "branch one" }] });
    await slow.withResponse();
    const second = await send(alice, [...history, { role: "user", content: "branch two" }]);
    const one = await slow.finalMessage();
    expect(one.content).toEqual([{ type: "text", text: "slow branch ".repeat(50) }]);
    expect(second.conversationId).not.toBe(first.conversationId);
    expect((await pathOf(first.conversationId)).slice(2, 3)).toEqual(["user:branch one"]);
  });
});
