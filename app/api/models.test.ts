// Model choice and instructions through the real route handlers (docs/API.md,
// "Models and instructions"): the list from the Models API of the fake
// upstream through the real SDK, narrowed by ANTHROPIC_MODELS; a model per
// conversation and per user, checked against that list; the system prompt
// the upstream receives; the export.
import { describe, expect, it } from "vitest";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { expectError, newConversation, newGuest, post } from "@/lib/testing/api-steps";
import { call } from "@/lib/testing/route-client";
import { captureLogs } from "@/lib/platform/log";
import { MAX_INSTRUCTIONS_CHARS, MAX_SYSTEM_PROMPT_CHARS } from "@/lib/chat/types";
import * as models from "@/app/api/models/route";
import * as conversations from "@/app/api/conversations/route";
import * as conversation from "@/app/api/conversations/[id]/route";
import * as exported from "@/app/api/conversations/[id]/export/route";
import * as settings from "@/app/api/settings/route";

// The allow-list names a model the key cannot use: it is not offered.
const h = useRouteHarness("models", { ANTHROPIC_MODEL: "claude-haiku-4-5", ANTHROPIC_MODELS: "claude-opus-5-5, claude-haiku-4-5,claude-nope-1" });

const listModels = async (cookie: string) => {
  const res = await call(models.GET, "GET", "/api/models", { cookie });
  expect(res.status).toBe(200);
  return (await res.json()) as { models: { id: string; displayName: string; createdAt: string | null }[]; defaultModel: string; provider: string };
};
const patchConversation = (cookie: string, id: string, body: unknown) => call(conversation.PATCH, "PATCH", `/api/conversations/${id}`, { cookie, params: { id }, body });
const patchSettings = (cookie: string, body: unknown) => call(settings.PATCH, "PATCH", "/api/settings", { cookie, body });
const lastUpstream = () => h.fake.requests[h.fake.requests.length - 1].body;

describe("GET /api/models", () => {
  it("lists the key's models that the allow-list names, the default marked, fetched once per TTL", async () => {
    const cookie = await newGuest();
    const before = h.fake.modelRequests;
    const list = await listModels(cookie);
    expect(list).toEqual({
      models: [
        { id: "claude-opus-5-5", displayName: "Claude Opus 5.5", createdAt: "2026-10-01T00:00:00Z" },
        { id: "claude-haiku-4-5", displayName: "Claude Haiku 4.5", createdAt: "2025-10-01T00:00:00Z" },
      ],
      defaultModel: "claude-haiku-4-5",
      provider: "anthropic",
    });
    await listModels(cookie);
    expect(h.fake.modelRequests - before).toBe(1); // the first list of this app, then cached
  });

  it("falls back to the default and the allow-list when the Models API fails, and logs it", async () => {
    h.fake.setModels({ status: 500 });
    const restore = h.reconfigure({});
    const logs = captureLogs("warn");
    try {
      const list = await listModels(await newGuest());
      expect(list.models.map((m) => m.id)).toEqual(["claude-haiku-4-5", "claude-opus-5-5", "claude-nope-1"]);
      expect(logs.entries().some((l) => String(l.msg).includes("Models API failed"))).toBe(true);
    } finally {
      logs.restore();
      h.fake.setModels({ models: (await import("@/lib/testing/fake-anthropic")).FAKE_MODELS });
      await restore();
    }
  });

  it("lists the demo model only in demo mode, whatever the allow-list, and says the demo answers", async () => {
    const restore = h.reconfigure({ LLM_PROVIDER: "demo" });
    try {
      const list = await listModels(await newGuest());
      expect(list.models.map((m) => m.id)).toEqual(["tether-demo-1"]);
      expect(list.defaultModel).toBe("tether-demo-1");
      expect(list.provider).toBe("demo");
    } finally {
      await restore();
    }
  });
});

describe("a model per conversation and per user", () => {
  it("is set at creation or later, checked against the list (400 unknown_model), another user's conversation 404", async () => {
    const cookie = await newGuest();
    const created = await call(conversations.POST, "POST", "/api/conversations", { cookie, body: { model: "claude-opus-5-5" } });
    expect(created.status).toBe(201);
    const c = await created.json();
    expect(c).toMatchObject({ model: "claude-opus-5-5", systemPrompt: "" });
    // The key can use Sonnet 5.5, but the deployment does not offer it.
    for (const model of ["claude-sonnet-5-5", "claude-nope-2"]) {
      await expectError(await call(conversations.POST, "POST", "/api/conversations", { cookie, body: { model } }), 400, "unknown_model");
      await expectError(await patchConversation(cookie, c.id, { model }), 400, "unknown_model");
      await expectError(await patchSettings(cookie, { defaultModel: model }), 400, "unknown_model");
    }
    await expectError(await patchConversation(cookie, c.id, {}), 400, "invalid_input");
    const changed = await patchConversation(cookie, c.id, { model: "claude-haiku-4-5" });
    expect(await changed.json()).toMatchObject({ model: "claude-haiku-4-5", title: c.title });
    expect(await (await patchConversation(cookie, c.id, { model: null })).json()).toMatchObject({ model: null });
    await expectError(await patchConversation(await newGuest(), c.id, { model: "claude-haiku-4-5" }), 404, "not_found");
  });

  it("generates with the conversation's model, else the user's default, else ANTHROPIC_MODEL; the reply says which", async () => {
    const cookie = await newGuest();
    const chosen = (await (await call(conversations.POST, "POST", "/api/conversations", { cookie, body: { model: "claude-opus-5-5" } })).json()) as { id: string };
    const plain = await newConversation(cookie);

    const reply = async (id: string) => (await (await post(cookie, id, { content: "which model?", stream: false })).json()).assistantMessage;
    let m = await reply(plain.id);
    expect(lastUpstream().model).toBe("claude-haiku-4-5");
    expect(lastUpstream().thinking).toBeUndefined(); // Haiku 4.5 thinks only when asked (lib/llm/thinking.ts)
    expect(m.metadata.model).toBe("claude-haiku-4-5");

    m = await reply(chosen.id);
    expect(lastUpstream().model).toBe("claude-opus-5-5");
    expect(lastUpstream().thinking).toEqual({ type: "adaptive", display: "summarized" }); // thinking follows the chosen model
    expect(m.metadata.model).toBe("claude-opus-5-5");

    expect((await patchSettings(cookie, { defaultModel: "claude-opus-5-5" })).status).toBe(200);
    await reply(plain.id);
    expect(lastUpstream().model).toBe("claude-opus-5-5");
    await patchConversation(cookie, chosen.id, { model: "claude-haiku-4-5" });
    await reply(chosen.id);
    expect(lastUpstream().model).toBe("claude-haiku-4-5");
  });
});

describe("instructions", () => {
  it("sends the user's instructions, then the conversation's system prompt, as the system prompt; exports them", async () => {
    const cookie = await newGuest();
    const c = await newConversation(cookie);
    await post(cookie, c.id, { content: "no system yet", stream: false });
    expect(lastUpstream().system).toBeUndefined();

    const s = await patchSettings(cookie, { instructions: "Answer in French." });
    expect(await s.json()).toEqual({ streaming: true, defaultModel: null, instructions: "Answer in French.", autoResume: true });
    await post(cookie, c.id, { content: "only instructions", stream: false });
    expect(lastUpstream().system).toBe("Answer in French.");

    const p = await patchConversation(cookie, c.id, { systemPrompt: "You review Rust code.\nBe strict." });
    expect(await p.json()).toMatchObject({ systemPrompt: "You review Rust code.\nBe strict." });
    await post(cookie, c.id, { content: "both", stream: false });
    expect(lastUpstream().system).toBe("Answer in French.\n\nYou review Rust code.\nBe strict.");

    const json = await call(exported.GET, "GET", `/api/conversations/${c.id}/export?format=json`, { cookie, params: { id: c.id } });
    const doc = await json.json();
    expect(doc.conversation).toMatchObject({ systemPrompt: "You review Rust code.\nBe strict.", model: null });
    expect(doc.instructions).toBe("Answer in French.");
    const md = await (await call(exported.GET, "GET", `/api/conversations/${c.id}/export`, { cookie, params: { id: c.id } })).text();
    expect(md).toContain("## Instructions\n\nAnswer in French.\n\n## System prompt\n\nYou review Rust code.\nBe strict.");
  });

  it("refuses instructions and system prompts over their length limits (400), and keeps the rest", async () => {
    const cookie = await newGuest();
    const c = await newConversation(cookie);
    await expectError(await patchSettings(cookie, { instructions: "x".repeat(MAX_INSTRUCTIONS_CHARS + 1) }), 400, "invalid_input");
    await expectError(await patchConversation(cookie, c.id, { systemPrompt: "x".repeat(MAX_SYSTEM_PROMPT_CHARS + 1) }), 400, "invalid_input");
    expect((await patchSettings(cookie, { instructions: "x".repeat(MAX_INSTRUCTIONS_CHARS) })).status).toBe(200);
    const got = await (await call(settings.GET, "GET", "/api/settings", { cookie })).json();
    expect(got.instructions).toHaveLength(MAX_INSTRUCTIONS_CHARS);
    expect(got.streaming).toBe(true);
  });
});
