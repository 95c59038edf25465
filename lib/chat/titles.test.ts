import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type DbHandle } from "../platform/db";
import { AnthropicProvider } from "../llm/anthropic";
import { DemoProvider } from "../llm/demo";
import { renameConversation } from "./conversations";
import { startFakeAnthropic, type FakeAnthropic } from "../testing/fake-anthropic";
import { cleanTitle, generateTitle, isFirstExchange, summaryTitle } from "./titles";
import { topicOf } from "../llm/demo-replies";
import { adversarialTexts, ordinaryText, slowdown } from "../testing/linear-time";

describe("summaryTitle (the demo model's titles)", () => {
  it.each([
    ["Tell me a long story about a clockmaker", "Long story about a clockmaker"],
    ["Can you please explain how tides work? I live by the sea.", "Explain how tides work"],
    ["hi! could you help me write a haiku about autumn rain", "Write a haiku about autumn rain"],
    ["```ts\nconst x = 1;\n```\nWhy does this not compile", "Why does this not compile"],
    ["東京で一番おいしいラーメン屋はどこ？", "東京で一番おいしいラーメン屋はどこ？"],
    ["What is the difference between a process and a thread in modern operating systems", "What is the difference between a process…"],
    ["   ", "New chat"],
  ])("%j → %j", (input, title) => {
    expect(summaryTitle(input)).toBe(title);
  });

  it("is deterministic and bounded", () => {
    const long = "Supercalifragilisticexpialidocious ".repeat(10);
    expect(summaryTitle(long)).toBe(summaryTitle(long));
    expect(Array.from(summaryTitle(long)).length).toBeLessThanOrEqual(60);
  });

  it("cleans a model's answer", () => {
    expect(cleanTitle('"Tidal Forces Explained."\nSecond line')).toBe("Tidal Forces Explained");
    expect(cleanTitle("Title: **Clockmaker's Story**")).toBe("Clockmaker's Story");
    expect(cleanTitle("")).toBe("");
  });
});

// The summary is also the fallback when Claude's title request fails: it runs
// on the first message, whatever its length.
describe("titles stay linear on 32,000-character messages", () => {
  it.each(Object.entries(adversarialTexts()))("%s", (_name, hostile) => {
    const ordinary = ordinaryText(hostile.length);
    expect(slowdown(summaryTitle, hostile, ordinary)).toBeLessThan(50);
    // A model's title answer is read up to its first line break: compare with one long line.
    expect(slowdown(cleanTitle, hostile, ordinary.replaceAll("\n", " "))).toBeLessThan(50);
    expect(slowdown(topicOf, hostile, ordinary)).toBeLessThan(50);
  });
});

describe("generateTitle", () => {
  let db: DbHandle;
  let fake: FakeAnthropic;
  beforeAll(async () => {
    [db, fake] = await Promise.all([openDatabase({ kind: "pglite-memory" }), startFakeAnthropic()]);
  });
  afterAll(async () => {
    await db?.close();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  const claude = () => new AnthropicProvider({ apiKey: "k", baseURL: fake.url, model: "claude-haiku-4-5", retryDelayMs: 1 });

  async function conversation(question: string, answer: string, title = "Provisional") {
    const userId = randomUUID();
    await db.prisma.user.create({ data: { id: userId } });
    const conv = await db.prisma.conversation.create({ data: { userId, title } });
    const q = await db.prisma.message.create({ data: { conversationId: conv.id, role: "user", content: question, status: "complete" } });
    const a = await db.prisma.message.create({
      data: { conversationId: conv.id, parentId: q.id, role: "assistant", content: answer, parts: [{ type: "text", text: answer }], status: "complete" },
    });
    await db.prisma.conversation.update({ where: { id: conv.id }, data: { currentLeafId: a.id } });
    return { userId, conv, q, a };
  }

  it("asks Claude through the SDK for a short title of the first exchange", async () => {
    const c = await conversation(`Why are there two tides a day? ${randomUUID()}`, "Because of the Moon and the Earth's rotation.");
    fake.enqueue({ text: '"Why Two Tides a Day."' });
    expect(await generateTitle({ db: db.prisma, provider: claude() }, c.conv.id)).toEqual({ title: "Why Two Tides a Day", source: "model" });
    const sent = fake.requests.at(-1)!.body;
    expect(sent.max_tokens).toBe(32);
    expect(JSON.stringify(sent.messages)).toContain("Why are there two tides a day?");
    expect(JSON.stringify(sent.messages)).toContain("Because of the Moon");
    expect((await db.prisma.conversation.findUniqueOrThrow({ where: { id: c.conv.id } })).title).toBe("Why Two Tides a Day");
  });

  it("falls back to the summary when Claude fails", async () => {
    const c = await conversation("Please explain quantum tunnelling", "Particles can cross barriers.");
    fake.enqueue({ status: 400 });
    const out = await generateTitle({ db: db.prisma, provider: claude() }, c.conv.id);
    expect(out).toEqual({ title: "Explain quantum tunnelling", source: "summary" });
  });

  it("uses the deterministic summary with the demo model", async () => {
    const c = await conversation("Can you write a limerick about a cat?", "There once was a cat…");
    const out = await generateTitle({ db: db.prisma, provider: new DemoProvider({ tokenDelayMs: 0 }) }, c.conv.id);
    expect(out).toEqual({ title: "Write a limerick about a cat", source: "summary" });
  });

  it("never overwrites a title the user chose, even one chosen while the title was being generated", async () => {
    const locked = await conversation("anything at all", "ok");
    await renameConversation(db.prisma, locked.userId, locked.conv.id, "Mine");
    expect(await generateTitle({ db: db.prisma, provider: claude() }, locked.conv.id)).toEqual({ skipped: "locked" });
    expect(fake.requests).toHaveLength(0);

    const racing = await conversation("Tell me about volcanoes", "Hot rock.");
    fake.enqueue({ text: "Volcanoes Overview", chunk: 1, delayMs: 30 });
    const pending = generateTitle({ db: db.prisma, provider: claude() }, racing.conv.id);
    await fake.waitForRequests(1);
    await renameConversation(db.prisma, racing.userId, racing.conv.id, "My volcano notes");
    expect(await pending).toEqual({ skipped: "locked" });
    expect((await db.prisma.conversation.findUniqueOrThrow({ where: { id: racing.conv.id } })).title).toBe("My volcano notes");
  });

  it("knows the first exchange", async () => {
    const c = await conversation("first", "answer");
    expect(await isFirstExchange(db.prisma, c.a)).toBe(true);
    expect(await isFirstExchange(db.prisma, c.q)).toBe(false);
    await db.prisma.message.create({ data: { conversationId: c.conv.id, parentId: c.q.id, role: "assistant", content: "v2", status: "complete" } });
    expect(await isFirstExchange(db.prisma, c.a)).toBe(false);
  });
});
