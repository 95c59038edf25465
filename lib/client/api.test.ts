// The requests that start a reply, on the wire: one function per action, the
// same URL either way, `stream` in the body and the Accept header saying
// which answer is wanted (docs/API.md), and an Idempotency-Key of its own,
// kept for its one retry after a network failure (docs/PROTOCOL.md §3.6).
import { afterEach, describe, expect, it, vi } from "vitest";
import { postContinue, postEdit, postMessage, postRegenerate } from "./api";

type Sent = { url: string; init: RequestInit };

function stubFetch(answer: () => Response) {
  const sent: Sent[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init: RequestInit) => {
      sent.push({ url, init });
      return answer();
    }),
  );
  return sent;
}

afterEach(() => vi.unstubAllGlobals());

const sse = () => new Response("", { status: 200, headers: { "content-type": "text/event-stream" } });
const saved = { userMessage: { id: "u" }, assistantMessage: { id: "a" } };
const json = () => new Response(JSON.stringify(saved), { status: 200, headers: { "content-type": "application/json" } });

const cases = [
  ["postMessage", (streaming: boolean) => postMessage("c 1", "hi", { streaming }), "/api/conversations/c%201/messages", { content: "hi" }],
  ["postContinue", (streaming: boolean) => postContinue("m1", { streaming }), "/api/messages/m1/continue", {}],
  ["postRegenerate", (streaming: boolean) => postRegenerate("m1", { streaming }), "/api/messages/m1/regenerate", {}],
  ["postEdit", (streaming: boolean) => postEdit("m1", "better", { streaming }), "/api/messages/m1/edit", { content: "better" }],
] as const;

describe.each(cases)("%s", (_name, call, url, body) => {
  it("streamed: asks for text/event-stream and answers with the response", async () => {
    const sent = stubFetch(sse);
    const answer = await call(true);
    expect(answer.streaming).toBe(true);
    expect(answer.streaming && answer.response.headers.get("content-type")).toBe("text/event-stream");
    expect(sent).toEqual([
      {
        url,
        init: {
          credentials: "same-origin",
          cache: "no-store",
          method: "POST",
          headers: { accept: "text/event-stream", "content-type": "application/json", "idempotency-key": expect.stringMatching(/^[0-9a-f-]{36}$/) },
          body: JSON.stringify({ ...body, stream: true }),
        },
      },
    ]);
  });

  it("not streamed: asks for JSON and answers with the saved messages", async () => {
    const sent = stubFetch(json);
    const answer = await call(false);
    expect(answer).toEqual({ ...saved, streaming: false });
    expect(sent).toEqual([
      {
        url,
        init: {
          credentials: "same-origin",
          cache: "no-store",
          method: "POST",
          headers: { accept: "application/json", "content-type": "application/json", "idempotency-key": expect.stringMatching(/^[0-9a-f-]{36}$/) },
          body: JSON.stringify({ ...body, stream: false }),
        },
      },
    ]);
  });

  it("a request that never reached the server goes once more with the same key; each action has its own", async () => {
    let failures = 1;
    const sent = stubFetch(() => {
      if (failures-- > 0) throw new TypeError("Failed to fetch");
      return sse();
    });
    const answer = await call(true);
    expect(answer.streaming).toBe(true);
    // (A failure also has the connection probe the server: only the starts count here.)
    const keys = () => sent.filter((s) => s.url === url).map((s) => (s.init.headers as Record<string, string>)["idempotency-key"]);
    expect(keys()).toHaveLength(2);
    expect(keys()[1]).toBe(keys()[0]);
    await call(true);
    expect(keys()).toHaveLength(3);
    expect(keys()[2]).not.toBe(keys()[0]);
  });

  it("after two network failures, the user's next try of the same action keeps the key; an answer ends that", async () => {
    let failures = 2;
    const sent: Sent[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (to: string, init: RequestInit) => {
        if (to !== url) return new Response("{}"); // the connection's probe
        sent.push({ url: to, init });
        if (failures-- > 0) throw new TypeError("Failed to fetch");
        return sse();
      }),
    );
    const keys = () => sent.map((s) => (s.init.headers as Record<string, string>)["idempotency-key"]);
    await expect(call(true)).rejects.toMatchObject({ code: "network" });
    await call(true); // the user sends again
    expect(keys()).toHaveLength(3);
    expect(new Set(keys()).size).toBe(1);
    await call(true); // answered: a new action gets a new key
    expect(new Set(keys()).size).toBe(2);
    expect(keys().every((k) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(k))).toBe(true);
  });

  it("a second network failure is the caller's to show; a refusal is not retried", async () => {
    let sent = stubFetch(() => {
      throw new TypeError("Failed to fetch");
    });
    await expect(call(true)).rejects.toMatchObject({ code: "network" });
    expect(sent.filter((s) => s.url === url)).toHaveLength(2);
    sent = stubFetch(() => new Response(JSON.stringify({ error: { code: "generation_in_progress", message: "busy" } }), { status: 409 }));
    await expect(call(true)).rejects.toMatchObject({ code: "generation_in_progress" });
    expect(sent.filter((s) => s.url === url)).toHaveLength(1);
  });
});
