// Model choice and instructions in scaled mode (PostgreSQL and the Redis bus):
// the columns of migration models_instructions, and the model and system
// prompt the upstream receives. The embedded-mode tests: models.test.ts.
import { describe, expect, it } from "vitest";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { newGuest, post } from "@/lib/testing/api-steps";
import { call } from "@/lib/testing/route-client";
import * as conversations from "@/app/api/conversations/route";
import * as settings from "@/app/api/settings/route";

const h = useRouteHarness("models_scaled", {}, { scaled: true });

describe("model choice and instructions on PostgreSQL", () => {
  it("generates with the conversation's model and the joined system prompt", async () => {
    const cookie = await newGuest();
    expect((await call(settings.PATCH, "PATCH", "/api/settings", { cookie, body: { instructions: "Be brief.", defaultModel: "claude-sonnet-4-5" } })).status).toBe(200);
    const res = await call(conversations.POST, "POST", "/api/conversations", { cookie, body: { model: "claude-opus-5-5", systemPrompt: "You teach physics." } });
    const c = await res.json();
    const sent = await (await post(cookie, c.id, { content: "why is the sky blue?", stream: false })).json();
    expect(sent.assistantMessage.metadata.model).toBe("claude-opus-5-5");
    expect(h.fake.requests.at(-1)!.body).toMatchObject({ model: "claude-opus-5-5", system: "Be brief.\n\nYou teach physics." });
    const row = await h.db.prisma.conversation.findUniqueOrThrow({ where: { id: c.id } });
    expect(row).toMatchObject({ model: "claude-opus-5-5", systemPrompt: "You teach physics." });
  });
});
