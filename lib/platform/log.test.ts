// The logger's safety net and plumbing: redaction of sensitive fields at any
// of the first three levels, the request context on every line, LOG_LEVEL,
// and error facts that leave query arguments out.
import { describe, expect, it } from "vitest";
import { annotateLog, captureLogs, childLog, errorFields, log, runWithLogContext } from "./log";
import { parseConfig } from "../config";

describe("log", () => {
  it("redacts content, prompts, keys, cookies and secrets wherever they hide", () => {
    const logs = captureLogs();
    try {
      log.info(
        {
          content: "c0 private",
          apiKey: "sk-ant-k0",
          nested: { text: "t1 private", authorization: "Bearer k1", cookie: "tether_session=abc", deeper: { prompt: "p2 private", "x-api-key": "k2", secret: "s2" } },
          messageId: "kept-id",
          chars: 42,
        },
        "hello",
      );
    } finally {
      logs.restore();
    }
    const out = logs.text();
    for (const s of ["c0 private", "sk-ant-k0", "t1 private", "Bearer k1", "tether_session=abc", "p2 private", "k2", "s2"]) expect(out).not.toContain(s);
    expect(logs.entries()[0]).toMatchObject({
      level: "info",
      msg: "hello",
      messageId: "kept-id",
      chars: 42,
      content: "[redacted]",
      nested: { text: "[redacted]", deeper: { prompt: "[redacted]" } },
    });
  });

  it("stamps the request context on every line inside it, child loggers included", async () => {
    const logs = captureLogs("debug");
    try {
      await runWithLogContext({ reqId: "r-1", route: "/api/x" }, async () => {
        annotateLog({ userId: "u-1" });
        await Promise.resolve();
        childLog({ component: "generation", messageId: "m-1" }).debug({ chars: 3 }, "inside");
        log.info("inside again");
      });
      log.info("outside");
    } finally {
      logs.restore();
    }
    const [inside, again, outside] = logs.entries();
    expect(inside).toMatchObject({ level: "debug", reqId: "r-1", route: "/api/x", userId: "u-1", component: "generation", messageId: "m-1", chars: 3, msg: "inside" });
    // A line's own fields never leak into the context of the lines after it.
    expect(again).toEqual({ level: "info", time: expect.any(String), pid: process.pid, reqId: "r-1", route: "/api/x", userId: "u-1", msg: "inside again" });
    expect(outside).not.toHaveProperty("reqId");
    expect(outside).toMatchObject({ pid: process.pid, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  });

  it("reads LOG_LEVEL, refusing nonsense by name", () => {
    const levelFromEnv = (env: Record<string, string>) => parseConfig(env).logLevel;
    expect(levelFromEnv({ LOG_LEVEL: "debug" })).toBe("debug");
    expect(levelFromEnv({ LOG_LEVEL: " WARN " })).toBe("warn");
    expect(() => levelFromEnv({ LOG_LEVEL: "loud" })).toThrow(/LOG_LEVEL/);
    expect(levelFromEnv({})).toBe("info");
    expect(levelFromEnv({ VITEST: "true" })).toBe("silent");
  });

  it("keeps only the first line of a Prisma error (later lines can quote the query's data)", () => {
    class PrismaClientValidationError extends Error {}
    const e = new PrismaClientValidationError('Invalid `prisma.message.update()` invocation:\n{ data: { content: "the user\'s text" } }');
    const f = errorFields(e);
    expect(f).toMatchObject({ type: "PrismaClientValidationError", message: "Invalid `prisma.message.update()` invocation:" });
    expect(JSON.stringify(f)).not.toContain("the user's text");
    expect(errorFields(Object.assign(new Error("x"), { code: "P2024" }))).toMatchObject({ type: "Error", code: "P2024", message: "x" });
  });
});
