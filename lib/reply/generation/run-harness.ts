// Shared by the tool-loop tests: an in-memory database, the fake Anthropic
// API, a recorder of published events, and the replay check.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import { openDatabase, type DbHandle } from "../../platform/db";
import { AnthropicProvider } from "../../llm/anthropic";
import { createReply } from "../admission";
import { applyEvent } from "../../stream/reduce";
import type { StreamEvent } from "../../stream/events";
import { startFakeAnthropic, type FakeAnthropic } from "../../testing/fake-anthropic";
import { calculateTool, currentTimeTool, defineTool, ToolRegistry } from "../../tools";
import type { Message } from "../../chat/types";
import type { GenerationDeps } from "./generation";
import { testAdmission, testConfig } from "../../testing/app";

/** Call inside a describe/file: opens the database and the fake for the file's tests. */
export function useLoopHarness() {
  const h = {} as { db: DbHandle; fake: FakeAnthropic };
  beforeAll(async () => {
    [h.db, h.fake] = await Promise.all([openDatabase({ kind: "pglite-memory" }), startFakeAnthropic()]);
  });
  afterAll(async () => {
    await h.db?.close();
    await h.fake?.close();
  });
  beforeEach(() => h.fake.reset());

  const NOON = new Date("2026-03-03T12:00:00Z");
  const registry = (...extra: Parameters<typeof defineTool>[0][]) =>
    new ToolRegistry([calculateTool, currentTimeTool(() => NOON), ...extra] as never[], { timeoutMs: 2_000 });
  const provider = (model = "claude-haiku-4-5") => new AnthropicProvider({ apiKey: "k", baseURL: h.fake.url, model, retryDelayMs: 1 });

  async function ask(question: string) {
    const userId = randomUUID();
    await h.db.prisma.user.create({ data: { id: userId } });
    const conv = await h.db.prisma.conversation.create({ data: { userId, title: "t" } });
    const { assistantMessage } = await createReply(testAdmission(h.db.prisma), userId, conv.id, question);
    return { userId, conversationId: conv.id, messageId: assistantMessage.id, initial: assistantMessage };
  }

  function deps(rec: Recorder, extra: Partial<GenerationDeps> = {}): GenerationDeps {
    const { reply, tools } = testConfig();
    return {
      db: h.db.prisma,
      provider: provider(),
      publish: rec.publish,
      checkpointMs: 20,
      finalSaveRetryMs: reply.finalSaveRetryMs,
      idleTimeoutMs: reply.idleTimeoutMs,
      maxToolSteps: tools.maxSteps,
      tools: registry(),
      ...extra,
    };
  }

  return { h, registry, provider, ask, deps };
}

export type Recorder = ReturnType<typeof recorder>;

/** A run's published events, with a way to await one. */
export function recorder() {
  const events: StreamEvent[] = [];
  let waiters: { test: (e: StreamEvent) => boolean; resolve: (e: StreamEvent) => void }[] = [];
  return {
    events,
    publish: (_id: string, evs: StreamEvent[]) => {
      for (const e of evs) {
        events.push(e);
        waiters = waiters.filter((w) => (w.test(e) ? (w.resolve(e), false) : true));
      }
    },
    next: (test: (e: StreamEvent) => boolean) => new Promise<StreamEvent>((resolve) => waiters.push({ test, resolve })),
  };
}

/** Folding every event onto the starting message must give exactly the final message; ids consecutive. */
export function expectReplayable(initial: Message, events: StreamEvent[], final: Message) {
  const pending = new Map<number, string>();
  const folded = events.reduce((m, e) => applyEvent(m, e, pending), initial);
  expect(folded.parts).toEqual(final.parts);
  expect(folded.content).toBe(final.content);
  expect(folded.status).toBe(final.status);
  expect(events.map((e) => e.id)).toEqual(events.map((_, i) => events[0].id + i));
}
