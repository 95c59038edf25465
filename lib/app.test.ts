// The composition root picks one implementation of each seam from the
// configuration, and the running server has exactly one app.
import { afterEach, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { createApp } from "./app";
import { parseConfig } from "./config";
import { getApp, setApp } from "./runtime";
import { MemoryStreamBus } from "./stream/memory-bus";
import { RedisStreamBus } from "./stream/redis-bus";
import { LocalControl, RedisControl } from "./stream/control";
import { InngestJobRunner, InProcessJobRunner } from "./jobs";
import { AnthropicProvider, DemoProvider } from "./llm";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

afterEach(() => setApp(undefined));

describe("createApp", () => {
  it("embedded by default: in-process bus, control and jobs, the demo model, every tool", async () => {
    const app = createApp(parseConfig({}));
    expect(app.bus).toBeInstanceOf(MemoryStreamBus);
    expect(app.control).toBeInstanceOf(LocalControl);
    expect(app.jobs).toBeInstanceOf(InProcessJobRunner);
    expect(app.provider).toBeInstanceOf(DemoProvider);
    expect(
      app.tools
        ?.specs()
        .map((t) => t.name)
        .sort(),
    ).toEqual(["calculate", "current_time", "search_conversations"]);
    await app.close();
  });

  it("scaled when configured: Redis bus and control, Inngest jobs, Claude, no tools", async () => {
    const app = createApp(parseConfig({ REDIS_URL, INNGEST_EVENT_KEY: "k", INNGEST_SERVE_ORIGIN: "https://chat.example.com", ANTHROPIC_API_KEY: "sk-x", TOOLS: "off" }));
    expect(app.bus).toBeInstanceOf(RedisStreamBus);
    expect(app.control).toBeInstanceOf(RedisControl);
    expect(app.jobs).toBeInstanceOf(InngestJobRunner);
    expect(app.provider).toBeInstanceOf(AnthropicProvider);
    expect(app.tools).toBeUndefined();
    await app.close();
  });

  it("passes the configured limits down to admission and Stop", async () => {
    const app = createApp(
      parseConfig({ MAX_ACTIVE_GENERATIONS_PER_USER: "7", MAX_ACTIVE_GENERATIONS: "9", REMOTE_STOP_WAIT_MS: "1234", MESSAGE_RATE_LIMIT: "4", GUEST_RATE_LIMIT: "5" }),
      {
        dbHandle: { prisma: {} as never, kind: "pglite", close: async () => {} },
      },
    );
    const admission = await app.admission();
    expect(admission.maxActivePerUser).toBe(7);
    expect(admission.limiter.config).toEqual({ points: 4, windowSec: 60 });
    expect(admission.shutdown).toBe(app.shutdown);
    expect(admission.capacity).toBe(app.capacity);
    expect(app.capacity.max).toBe(9);
    expect(app.limiters.guests.config).toEqual({ points: 5, windowSec: 3600 });
    expect((await app.stopping()).remoteStopWaitMs).toBe(1234);
    expect((await app.generationDeps()).checkpointMs).toBe(500);
  });

  it("opens nothing until asked: building an app creates no database", async () => {
    const dir = join(tmpdir(), `tether-never-${randomUUID()}`);
    const app = createApp(parseConfig({ DATA_DIR: dir }));
    expect(existsSync(dir)).toBe(false);
    await app.close();
    expect(existsSync(dir)).toBe(false);
  });
});

describe("getApp", () => {
  it("is one app per process until replaced", () => {
    const first = getApp();
    expect(getApp()).toBe(first);
    const mine = createApp(parseConfig({}));
    setApp(mine);
    expect(getApp()).toBe(mine);
  });
});
