// The route plumbing on its own: JSON responses, the error mapping (nothing
// internal leaks), the CSRF check, request ids, path ids and JSON bodies (size
// caps, UTF-8, text PostgreSQL cannot store). Routes use it in app/api/*.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "../errors";
import { DataDirLockedError } from "../platform/db/lock";
import { PrismaClient } from "../generated/prisma/client";
import { PrismaPg } from "@prisma/adapter-pg";
import { setApp } from "../runtime";
import { testApp } from "../testing/app";
import type { App } from "../app";
import { checkSameOrigin, errorResponse, json, pathId, readJson, requestId, route, routeLabel } from "./api";

let app: App;
beforeAll(() => {
  app = testApp({ HSTS_MAX_AGE_S: "600", SESSION_COOKIE_SECURE: "true" });
  setApp(app);
});
afterAll(async () => {
  setApp(undefined);
  await app.close();
});

const ID = "0f8fad5b-d9cb-469f-a165-70867728950e";
const bodyOf = async (res: Response) => (await res.json()) as { error: { code: string; message: string } };
const post = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request("http://app.test/api/x", { method: "POST", body, headers, duplex: "half" } as RequestInit);

describe("json", () => {
  it("answers JSON, never cached, and 204 with no body or type", async () => {
    const ok = json({ a: "é" }, 201, { "x-extra": "1" });
    expect([ok.status, ok.headers.get("content-type"), ok.headers.get("cache-control"), ok.headers.get("x-extra")]).toEqual([
      201,
      "application/json; charset=utf-8",
      "no-store",
      "1",
    ]);
    expect(await ok.json()).toEqual({ a: "é" });
    const empty = json({ ignored: true }, 204);
    expect([empty.status, empty.headers.get("content-type"), empty.headers.get("cache-control"), await empty.text()]).toEqual([204, null, "no-store", ""]);
    expect(json([1]).status).toBe(200);
  });
});

describe("errorResponse", () => {
  it("answers an AppError with its code, status and headers", async () => {
    const res = errorResponse(new AppError("rate_limited", "slow down", { "Retry-After": "7" }));
    expect([res.status, res.headers.get("retry-after")]).toEqual([429, "7"]);
    expect(await bodyOf(res)).toEqual({ error: { code: "rate_limited", message: "slow down" } });
  });

  it("answers 503 for a locked data directory and for a busy or unreachable database, retryable", async () => {
    const locked = errorResponse(new DataDirLockedError("/data/.lock", 42));
    expect([locked.status, (await bodyOf(locked)).error.code]).toEqual([503, "unavailable"]);
    for (const code of ["P2028", "P2024", "P1001", "P1017"]) {
      const res = errorResponse(Object.assign(new Error("db says no"), { code }));
      expect([res.status, res.headers.get("retry-after"), (await bodyOf(res)).error.code]).toEqual([503, "2", "unavailable"]);
    }
  });

  it("answers 503 when a raw query cannot reach the database (Prisma's P2010 with the driver's reason)", async () => {
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: "postgresql://postgres@127.0.0.1:1/none", connectionTimeoutMillis: 2000 }) });
    try {
      const e = await prisma.$queryRaw`SELECT 1`.then(
        () => null,
        (err: unknown) => err,
      );
      expect(e).toMatchObject({ code: "P2010" });
      const res = errorResponse(e);
      expect([res.status, res.headers.get("retry-after"), (await bodyOf(res)).error.code]).toEqual([503, "2", "unavailable"]);
    } finally {
      await prisma.$disconnect();
    }
  });

  it("answers anything else 500 with a fixed message, never the error's own text", async () => {
    for (const e of [new Error("secret detail at /srv/app.ts:12"), Object.assign(new Error("unique constraint"), { code: "P2002" }), null, "thrown string"]) {
      const res = errorResponse(e);
      expect(res.status).toBe(500);
      expect(await bodyOf(res)).toEqual({ error: { code: "internal", message: "Something went wrong on our side." } });
    }
  });
});

describe("checkSameOrigin", () => {
  const req = (method: string, headers: Record<string, string>) => new Request("http://app.test/api/x", { method, headers });
  const refused = (r: Request) => expect(() => checkSameOrigin(r)).toThrow(expect.objectContaining({ code: "forbidden" }));
  const allowed = (r: Request) => expect(() => checkSameOrigin(r)).not.toThrow();

  it("lets safe methods through, whatever they say", () => {
    for (const m of ["GET", "HEAD", "OPTIONS"]) allowed(req(m, { "sec-fetch-site": "cross-site", origin: "https://evil.test" }));
  });

  it("refuses a state-changing request another site (or a sibling subdomain) sent", () => {
    for (const m of ["POST", "PUT", "PATCH", "DELETE"]) {
      refused(req(m, { "sec-fetch-site": "cross-site" }));
      refused(req(m, { "sec-fetch-site": "same-site" }));
      refused(req(m, { origin: "https://evil.test" }));
    }
    refused(req("POST", { origin: "null" }));
    refused(req("POST", { origin: "not a url" }));
    refused(req("POST", { origin: "http://app.test:8080" }));
  });

  it("allows the same origin, a typed-in navigation, and clients that are not browsers", () => {
    allowed(req("POST", { "sec-fetch-site": "same-origin", origin: "http://app.test" }));
    allowed(req("POST", { "sec-fetch-site": "none" }));
    allowed(req("DELETE", { origin: "http://app.test" }));
    allowed(req("POST", {}));
  });

  it("compares the origin with the forwarded host only behind a trusted proxy", () => {
    const proxied = () => req("POST", { origin: "https://chat.example", "x-forwarded-host": "chat.example" });
    refused(proxied());
    expect(() => checkSameOrigin(proxied(), 1)).not.toThrow();
  });
});

describe("requestId", () => {
  it("keeps a sane x-request-id, else makes a new one", () => {
    const withId = (v: string) => requestId(new Request("http://app.test/", { headers: { "x-request-id": v } }));
    expect(withId("  lb-1.2:3_4-5  ")).toBe("lb-1.2:3_4-5");
    expect(withId("a".repeat(128))).toBe("a".repeat(128));
    for (const bad of ["a".repeat(129), "has space", "<script>", "ünïcode"]) expect(withId(bad)).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestId(new Request("http://app.test/"))).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("pathId", () => {
  it("lowercases a well-formed id and answers 404 for anything else", () => {
    expect(pathId(ID.toUpperCase(), "message")).toBe(ID);
    for (const bad of [undefined, "", "123", `${ID}x`, ` ${ID}`, ID.replace(/-/g, "")]) {
      expect(() => pathId(bad, "message")).toThrow(expect.objectContaining({ code: "not_found", message: "message not found" }));
    }
  });
});

describe("readJson", () => {
  const schema = z.object({ content: z.string().min(1, "must not be empty"), nested: z.object({ n: z.number() }).optional() });

  it("parses a body with the schema; an empty or blank body is {}", async () => {
    expect(await readJson(post(JSON.stringify({ content: "é👍\u2028" })), schema)).toEqual({ content: "é👍\u2028" });
    expect(await readJson(post(""), z.object({}))).toEqual({});
    expect(await readJson(post(" \n"), z.object({}))).toEqual({});
    expect(await readJson(post(null), z.object({}))).toEqual({});
  });

  it("refuses a body over the cap, declared or streamed, with 413", async () => {
    await expect(readJson(post("{}", { "content-length": "11" }), schema, 10)).rejects.toMatchObject({ code: "too_large" });
    const chunks = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('{"content":"'));
        c.enqueue(new TextEncoder().encode("x".repeat(20)));
        c.close();
      },
    });
    await expect(readJson(post(chunks), schema, 30)).rejects.toMatchObject({ code: "too_large", message: "Request body exceeds 30 bytes." });
    expect(await readJson(post(JSON.stringify({ content: "x".repeat(18) })), schema, 32)).toEqual({ content: "x".repeat(18) }); // exactly 32 bytes
  });

  it("refuses bytes that are not UTF-8, and text that is not JSON", async () => {
    await expect(readJson(post(new Uint8Array([0x7b, 0xff, 0x7d])), schema)).rejects.toMatchObject({ code: "invalid_input", message: expect.stringContaining("UTF-8") });
    await expect(readJson(post("{content:"), schema)).rejects.toMatchObject({ code: "invalid_json" });
  });

  it("refuses escaped NUL characters and lone surrogates, in values and in keys, however deep; keeps real pairs", async () => {
    for (const raw of ['{"content":"a\\u0000b"}', '{"content":"\\ud83d"}', '{"content":"x","nested":{"\\udc00":1}}', '{"content":"x","deep":[[[["\\u0000"]]]]}']) {
      await expect(readJson(post(raw), schema)).rejects.toMatchObject({ code: "invalid_input", message: expect.stringContaining("U+0000") });
    }
    expect(await readJson(post('{"content":"\\ud83d\\udc4d"}'), schema)).toEqual({ content: "👍" });
  });

  it("names the field of the first problem, and answers 413 for a schema's too-large refusal", async () => {
    await expect(readJson(post('{"content":"x","nested":{"n":"one"}}'), schema)).rejects.toMatchObject({
      code: "invalid_input",
      message: expect.stringMatching(/^nested\.n: /),
    });
    await expect(readJson(post('{"content":""}'), schema)).rejects.toMatchObject({ message: "content: must not be empty" });
    await expect(readJson(post("[]"), schema)).rejects.toMatchObject({ code: "invalid_input", message: expect.not.stringMatching(/^: /) });
    const capped = z.object({
      content: z.string().superRefine((v, ctx) => void (v.length > 3 && ctx.addIssue({ code: "custom", message: "too long", params: { tooLarge: true } }))),
    });
    await expect(readJson(post('{"content":"abcd"}'), capped)).rejects.toMatchObject({ code: "too_large", message: "too long" });
  });
});

describe("route", () => {
  it("turns a thrown error into the JSON error shape, with the request id and HSTS over HTTPS", async () => {
    const handler = route(async () => {
      throw new AppError("not_found", "conversation not found");
    });
    const res = await handler(new Request("https://app.test/api/conversations/" + ID, { headers: { "x-request-id": "req-1" } }), { params: Promise.resolve({}) });
    expect([res.status, res.headers.get("x-request-id"), res.headers.get("strict-transport-security")]).toEqual([404, "req-1", "max-age=600; includeSubDomains"]);
    expect(await bodyOf(res)).toEqual({ error: { code: "not_found", message: "conversation not found" } });
  });

  it("refuses a cross-site write before the handler runs, and passes the params", async () => {
    let ran = 0;
    const handler = route<{ id: string }>(async (_req, params) => {
      ran++;
      return json({ id: params.id });
    });
    const cross = await handler(new Request("http://app.test/api/x", { method: "POST", headers: { "sec-fetch-site": "cross-site" } }), {
      params: Promise.resolve({ id: "a" }),
    });
    expect([cross.status, ran]).toEqual([403, 0]);
    const ok = await handler(new Request("http://app.test/api/x", { method: "POST" }), { params: Promise.resolve({ id: "a" }) });
    expect([ok.status, await ok.json(), ran]).toEqual([200, { id: "a" }, 1]);
  });
});

describe("routeLabel", () => {
  it("folds every id and a shared link's token, so logs and metrics hold no credential and few label values", () => {
    const token = "A".repeat(20) + "_-b".repeat(7) + "x".repeat(2);
    expect(routeLabel(`/api/share/${token}`)).toBe("/api/share/:token");
    expect(routeLabel(`/api/share/${token}/events`)).toBe("/api/share/:token/events");
    expect(routeLabel(`/api/share/${token}/messages/0a0b/stream`)).toBe("/api/share/:token/messages/:id/stream");
    expect(routeLabel("/api/queue/anything")).toBe("/api/queue/:id");
    expect(routeLabel("/api/files/whatever")).toBe("/api/files/:id");
    expect(routeLabel("/api/keys/some-key-id")).toBe("/api/keys/:id");
    expect(routeLabel("/api/conversations/x/share")).toBe("/api/conversations/:id/share");
    expect(routeLabel("/api/messages/y/stream")).toBe("/api/messages/:id/stream");
    expect(routeLabel("/v1/messages/msg_0123abcd/stream")).toBe("/v1/messages/:id/stream");
    expect(routeLabel("/v1/messages")).toBe("/v1/messages");
    expect(routeLabel("/api/health")).toBe("/api/health");
  });
});
