// The gateway's durability (docs/GATEWAY.md), over real HTTP: every frame of
// POST /v1/messages carries an id and the reply's id is in the headers; a
// client that dropped (or whose process was killed) gets exactly the rest
// with Last-Event-ID, or the whole message from the start; Stop from the web
// app ends the API stream; client text == upstream text == the saved row.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Anthropic from "@anthropic-ai/sdk";
import { MessageStream } from "@anthropic-ai/sdk/lib/MessageStream";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { call, cookieFrom } from "@/lib/testing/route-client";
import { startGatewayServer, type GatewayServer } from "@/lib/testing/gateway-server";
import { TRICKY } from "@/lib/testing/api-steps";
import { ids, increasing, readFrames, textOf, type Frame } from "@/lib/testing/gateway-frames";
import { createApiKey } from "@/lib/gateway/keys";
import { replyIdOf } from "@/lib/gateway/wire";
import * as signUp from "@/app/api/auth/sign-up/route";
import * as stopRoute from "@/app/api/messages/[id]/stop/route";

const h = useRouteHarness("gateway_durability");
let gw: GatewayServer;
let owner: { cookie: string; secret: string };

beforeAll(async () => {
  gw = await startGatewayServer();
  const res = await call(signUp.POST, "POST", "/api/auth/sign-up", { body: { email: "gateway-owner@example.com", password: "correct horse battery" } });
  const { user } = await res.json();
  owner = { cookie: cookieFrom(res), secret: (await createApiKey(await h.app.db(), user.id, "durability")).secret };
});
afterAll(() => gw?.close());

const body = (text: string, more: Record<string, unknown> = {}) =>
  JSON.stringify({ model: "claude-haiku-4-5", max_tokens: 1000, stream: true, messages: [{ role: "user", content: text }], ...more });

function gwFetch(path: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  return fetch(`${gw.url}${path}`, { ...init, headers: { "content-type": "application/json", "x-api-key": owner.secret, ...init.headers } });
}

const savedContent = async (apiId: string) => (await (await h.app.db()).message.findUniqueOrThrow({ where: { id: replyIdOf(apiId)! } })).content;

describe("gateway streams", () => {
  it("name every frame and the reply from the first byte; client == upstream == database, for tricky text", async () => {
    h.fake.enqueue({ text: TRICKY, chunk: 3 });
    const res = await gwFetch("/v1/messages", { method: "POST", body: body("tricky") });
    expect(res.status).toBe(200);
    const apiId = res.headers.get("tether-message-id")!;
    expect(apiId).toMatch(/^msg_[0-9a-f]{32}$/);
    const frames = await readFrames(res);
    expect(frames[0]).toMatchObject({ id: null, event: "ping" }); // at once, before Claude answers
    expect(frames[1]).toMatchObject({ event: "message_start", data: { message: { id: apiId, role: "assistant", model: "claude-haiku-4-5" } } });
    expect(frames[1].id).toMatch(/^\d+$/);
    expect(frames.at(-1)?.event).toBe("message_stop");
    expect(increasing(ids(frames))).toBe(true);
    expect(textOf(frames)).toBe(TRICKY);
    expect(await savedContent(apiId)).toBe(TRICKY);
  });

  it("resume after a dropped connection with Last-Event-ID: exactly the frames after it, once", async () => {
    const text = "Resumable words, one after another, with ünïcödé and 🦊 foxes, until the very end of it.";
    h.fake.enqueue({ text, chunk: 2, delayMs: 15 });
    const res = await gwFetch("/v1/messages", { method: "POST", body: body("drop me") });
    const apiId = res.headers.get("tether-message-id")!;
    const head = await readFrames(res, (_f, all) => all.filter((f) => f.event === "content_block_delta").length >= 4);
    const last = head.at(-1)!.id!;
    const rest = await readFrames(await gwFetch(`/v1/messages/${apiId}/stream`, { headers: { "last-event-id": last } }));
    expect(rest.every((f) => f.event === "ping" || f.id !== null)).toBe(true);
    const all = [...head, ...rest];
    expect(increasing(ids(all))).toBe(true); // nothing twice, nothing out of order
    expect(rest.some((f) => f.event === "message_start")).toBe(false);
    expect(textOf(all)).toBe(text);
    expect(await savedContent(apiId)).toBe(text);
  });

  it("resume after the reply ended: the rest, exact; from the start: the whole stream, which the SDK assembles", async () => {
    h.fake.enqueue({ text: "ended before the reader came back", chunk: 4 });
    const res = await gwFetch("/v1/messages", { method: "POST", body: body("end first") });
    const apiId = res.headers.get("tether-message-id")!;
    const head = await readFrames(res, (f) => f.event === "content_block_delta");
    await h.fake.waitForRequests(h.fake.requests.length);
    // Wait for the end through the API itself (GET /v1/messages/{id}).
    for (let m = await (await gwFetch(`/v1/messages/${apiId}`)).json(); m.stop_reason === null; m = await (await gwFetch(`/v1/messages/${apiId}`)).json()) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const rest = await readFrames(await gwFetch(`/v1/messages/${apiId}/stream`, { headers: { "last-event-id": head.at(-1)!.id! } }));
    expect(textOf([...head, ...rest])).toBe("ended before the reader came back");
    expect(increasing(ids([...head, ...rest]))).toBe(true);

    const client = new Anthropic({ baseURL: gw.url, apiKey: owner.secret, maxRetries: 0 });
    const whole = await client.get(`/v1/messages/${apiId}/stream`, { stream: true });
    const message = await MessageStream.fromReadableStream((whole as unknown as { toReadableStream(): ReadableStream }).toReadableStream()).finalMessage();
    expect(message).toMatchObject({ id: apiId, stop_reason: "end_turn", content: [{ type: "text", text: "ended before the reader came back" }] });
  });

  it("a client process killed mid-stream, restarted, resumes exactly from the last frame it wrote down", async () => {
    const text = "Killed and restarted, this client still reads every character exactly once: 日本語, 🦊, e\u0301.";
    h.fake.enqueue({ text, chunk: 2, delayMs: 15 });
    const child = spawn(process.execPath, ["lib/testing/gateway-client.mjs", gw.url, owner.secret, body("kill me")], { stdio: ["ignore", "pipe", "inherit"] });
    const lines: Record<string, any>[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any
    const exited = new Promise((r) => child.on("exit", r));
    for await (const line of createInterface({ input: child.stdout! })) {
      lines.push(JSON.parse(line));
      if (lines.filter((l) => l.event === "content_block_delta").length >= 3) break;
    }
    child.kill("SIGKILL");
    await exited;
    const apiId = lines[0].messageId as string;
    const written = lines.slice(1) as Frame[];
    const rest = await readFrames(await gwFetch(`/v1/messages/${apiId}/stream`, { headers: { "last-event-id": written.at(-1)!.id! } }));
    expect(increasing(ids([...written, ...rest]))).toBe(true);
    expect(textOf([...written, ...rest])).toBe(text);
    expect(await savedContent(apiId)).toBe(text);
  });

  it("Stop in the web app ends the API stream: stop_reason null, the text read == the text saved", async () => {
    const text = "This reply is long enough to be stopped well before its end. ".repeat(20);
    h.fake.enqueue({ text, chunk: 2, delayMs: 20 });
    const res = await gwFetch("/v1/messages", { method: "POST", body: body("stop me") });
    const apiId = res.headers.get("tether-message-id")!;
    const frames: Frame[] = [];
    let stopped: Promise<Response> | undefined;
    frames.push(
      ...(await readFrames(res, (_f, all) => {
        if (!stopped && all.filter((f) => f.event === "content_block_delta").length === 3) {
          const id = replyIdOf(apiId)!;
          stopped = call(stopRoute.POST, "POST", `/api/messages/${id}/stop`, { cookie: owner.cookie, params: { id } });
        }
        return false;
      })),
    );
    expect((await stopped!).status).toBe(200);
    expect(frames.at(-2)).toMatchObject({ event: "message_delta", data: { delta: { stop_reason: null }, tether: { status: "interrupted" } } });
    expect(frames.at(-1)?.event).toBe("message_stop");
    const read = textOf(frames);
    expect(read.length).toBeLessThan(text.length);
    expect(await savedContent(apiId)).toBe(read);
  });

  it("a non-streaming client that leaves before the end: the reply goes on and is saved whole", async () => {
    const text = "Finished without anyone waiting for it: ✓ 🦊";
    h.fake.enqueue({ text, chunk: 2, delayMs: 20 });
    const asked = h.fake.requests.length;
    const left = new AbortController();
    const answer = gwFetch("/v1/messages", { method: "POST", body: body("leave early", { stream: false }), signal: left.signal });
    await h.fake.waitForRequests(asked + 1);
    left.abort(); // before any byte of the answer: a non-streaming answer comes whole, at the end
    await expect(answer).rejects.toThrow();
    const db = await h.app.db();
    const reply = async () => db.message.findFirst({ where: { role: "assistant", parent: { content: "leave early" } } });
    while ((await reply())?.status !== "complete") await new Promise((r) => setTimeout(r, 20));
    expect((await reply())!.content).toBe(text);
  });

  it("POST /v1/messages/{id}/stop stops it too and answers the message as it stands", async () => {
    h.fake.enqueue({ text: "stop through the API, ".repeat(40), chunk: 2, delayMs: 20 });
    const res = await gwFetch("/v1/messages", { method: "POST", body: body("stop via api") });
    const apiId = res.headers.get("tether-message-id")!;
    const reading = readFrames(res);
    await h.fake.waitForRequests(h.fake.requests.length);
    const answer = await (await gwFetch(`/v1/messages/${apiId}/stop`, { method: "POST" })).json();
    const frames = await reading;
    expect(answer).toMatchObject({ id: apiId, type: "message", stop_reason: null, tether: { status: "interrupted" } });
    expect(answer.content[0]?.text ?? "").toBe(textOf(frames));
    expect(await savedContent(apiId)).toBe(textOf(frames));
  });
});
