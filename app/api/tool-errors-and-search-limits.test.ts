// Through the real routes: a tool that throws gives the model and the user a
// fixed sentence, its exception text stays in the log (docs/SECURITY.md,
// "Tool errors"); searches count against SEARCH_RATE_LIMIT, one budget for
// GET /api/search and the search_conversations tool.
import { afterEach, describe, expect, it } from "vitest";
import { toolResultsIn } from "@/lib/testing/fake-anthropic";
import { call, readSse } from "@/lib/testing/route-client";
import { guestWithConversation, useRouteHarness } from "@/lib/testing/route-harness";
import { captureLogs } from "@/lib/platform/log";
import { builtinTools, defineTool, ToolRegistry } from "@/lib/tools";
import * as messages from "@/app/api/conversations/[id]/messages/route";
import * as search from "@/app/api/search/route";
import { z } from "zod";

const h = useRouteHarness("tool_errors");
let restore: (() => Promise<void>) | undefined;
afterEach(async () => {
  await restore?.();
  restore = undefined;
});

const post = (cookie: string, cid: string, content: string) => call(messages.POST, "POST", "/", { cookie, params: { id: cid }, body: { content } });
const SECRET = "sk-ant-api03-DoNotLeakThis0123456789";
const leaky = defineTool({
  name: "leaky",
  description: "fails with a secret in its exception",
  input: z.object({}),
  async execute() {
    throw new Error(`connect ECONNREFUSED postgresql://admin:hunter2@db.internal:5432/tether (key ${SECRET})`);
  },
});

describe("a tool that throws", () => {
  it("answers the model and the user with a fixed sentence; the detail goes to the log with the request id", async () => {
    restore = h.reconfigure({}, { tools: new ToolRegistry([leaky]) });
    const { cookie, cid } = await guestWithConversation();
    const toModel: string[] = [];
    h.fake.enqueue({ blocks: [{ type: "tool_use", id: "toolu_leak_1", name: "leaky", input: {} }] }, (body) => {
      toModel.push(...toolResultsIn(body).map((r) => r.content));
      return { text: "That did not work." };
    });
    const logs = captureLogs("error");
    let frames;
    try {
      frames = await readSse(await post(cookie, cid, "use the leaky tool"));
    } finally {
      logs.restore();
    }
    const done = frames.at(-1)!.data.message;
    expect(done).toMatchObject({ status: "complete", content: "That did not work." });
    const result = done.parts.find((p: { type: string }) => p.type === "tool_result");
    expect(result).toEqual({ type: "tool_result", toolUseId: "toolu_leak_1", content: "The leaky tool failed.", isError: true });
    expect(toModel).toEqual(["The leaky tool failed."]);

    // Nowhere on the stream, in what the model read, or in the database.
    const rows = await h.db.prisma.message.findMany({ where: { conversationId: cid } });
    for (const seen of [JSON.stringify(frames), JSON.stringify(toModel), JSON.stringify(rows)]) {
      expect(seen).not.toContain(SECRET);
      expect(seen).not.toContain("hunter2");
      expect(seen).not.toContain("ECONNREFUSED");
    }
    const line = logs.entries().find((e) => e.msg === "tool failed");
    expect(line).toMatchObject({ tool: "leaky", toolUseId: "toolu_leak_1", reqId: expect.any(String), err: { message: expect.stringContaining("ECONNREFUSED") } });
  });
});

describe("SEARCH_RATE_LIMIT", () => {
  const find = (cookie: string, q: string) => call(search.GET, "GET", `/?q=${encodeURIComponent(q)}`, { cookie });

  it("refuses the searches of a user over the limit with 429, Retry-After and the error shape; other users go on", async () => {
    restore = h.reconfigure({ SEARCH_RATE_LIMIT: "2", SEARCH_RATE_WINDOW_S: "60" });
    const { cookie } = await guestWithConversation();
    expect((await find(cookie, "tides")).status).toBe(200);
    expect((await find(cookie, "tides")).status).toBe(200);
    const refused = await find(cookie, "tides");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.json()).toEqual({ error: { code: "rate_limited", message: expect.stringContaining("searches") } });
    // Bad input is refused before it counts.
    expect((await find(cookie, "")).status).toBe(400);
    const other = await guestWithConversation();
    expect((await find(other.cookie, "tides")).status).toBe(200);
  });

  it("counts the search tool in the same budget; over it the model gets a short result and the reply completes", async () => {
    restore = h.reconfigure({ SEARCH_RATE_LIMIT: "2", SEARCH_RATE_WINDOW_S: "60" }, { tools: new ToolRegistry(builtinTools()) });
    const { cookie, cid } = await guestWithConversation();
    const results: { content: string; isError: boolean }[] = [];
    const searchTurn = (id: string) => ({ blocks: [{ type: "tool_use" as const, id, name: "search_conversations", input: { query: "tides" } }] });
    const answer = (body: unknown) => {
      results.push(...toolResultsIn(body));
      return { text: "Done." };
    };
    h.fake.enqueue(searchTurn("toolu_s_1"), answer);
    expect((await readSse(await post(cookie, cid, "search for tides"))).at(-1)!.data.message.status).toBe("complete");
    expect((await find(cookie, "tides")).status).toBe(200); // the second search of the window
    h.fake.enqueue(searchTurn("toolu_s_2"), answer);
    const last = (await readSse(await post(cookie, cid, "search again"))).at(-1)!.data.message;
    expect(last).toMatchObject({ status: "complete", content: "Done." });
    expect(results[0]).toMatchObject({ isError: false });
    expect(results[1]).toEqual({ toolUseId: "toolu_s_2", isError: true, content: expect.stringMatching(/^Search limit reached/) });
    expect((await find(cookie, "tides")).status).toBe(429);
  });
});
