// Syncing in production mode (INNGEST_DEV=0, a signing key), driven the way
// Inngest drives it. No Inngest server can run here: its API is a local HTTP
// server (INNGEST_BASE_URL) that records what the SDK registers. A sync the
// SDK accepts makes it POST /fn/register there with the app's URL.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createHmac, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { App } from "@/lib/app";
import { setApp } from "@/lib/runtime";
import { testApp } from "@/lib/testing/app";

type Route = typeof import("./route");
type Registration = { path: string; authorization: string | undefined; body: { url?: string; appName?: string } };

const SIGNING_KEY = `signkey-test-${randomBytes(32).toString("hex")}`;
const ORIGIN = "https://chat.example.com";
const FORGED = "http://evil.example/api/inngest";
let route: Route;
let app: App;
let api: Server;
const registrations: Registration[] = [];

beforeAll(async () => {
  api = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      registrations.push({ path: req.url ?? "", authorization: req.headers.authorization, body: JSON.parse(body || "{}") });
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: 200, modified: true }));
    });
  });
  await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
  // The SDK reads its own variables when the client and the handler are made.
  vi.stubEnv("INNGEST_DEV", "0");
  vi.stubEnv("INNGEST_SIGNING_KEY", SIGNING_KEY);
  vi.stubEnv("INNGEST_BASE_URL", `http://127.0.0.1:${(api.address() as AddressInfo).port}`);
  vi.resetModules();
  app = testApp({ INNGEST_SERVE_ORIGIN: ORIGIN });
  setApp(app);
  route = await import("./route");
});

afterAll(async () => {
  setApp(undefined);
  await app?.close();
  vi.unstubAllEnvs();
  await new Promise((r) => api?.close(r));
});

beforeEach(() => {
  registrations.length = 0;
});

/** X-Inngest-Signature as Inngest computes it: HMAC-SHA256 of body + timestamp, keyed with the key without its prefix. */
function signature(body: string, key = SIGNING_KEY): string {
  const t = Math.floor(Date.now() / 1000).toString();
  const s = createHmac("sha256", key.replace(/^signkey-\w+-/, ""))
    .update(body + t)
    .digest("hex");
  return `t=${t}&s=${s}`;
}

/** A request to the endpoint as a forged host: the URL and Host name the attacker's site. */
function forged(method: "GET" | "PUT", o: { headers?: Record<string, string>; body?: string } = {}) {
  const req = new Request(FORGED, { method, headers: { host: "evil.example", ...o.headers }, body: o.body });
  const handler = method === "GET" ? route.GET : route.PUT;
  return handler(req as never, undefined);
}

describe("/api/inngest in production mode", () => {
  it("refuses an unsigned sync with a forged Host: nothing is registered", async () => {
    const res = await forged("PUT");
    expect(res.status).toBe(401);
    expect(registrations).toEqual([]);
  });

  it("refuses a sync signed with another key", async () => {
    const res = await forged("PUT", { headers: { "x-inngest-signature": signature("", `signkey-test-${randomBytes(32).toString("hex")}`) } });
    expect(res.status).toBe(401);
    expect(registrations).toEqual([]);
  });

  it("refuses unsigned introspection", async () => {
    const res = await forged("GET");
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain("function_count");
  });

  it("registers a signed sync under INNGEST_SERVE_ORIGIN, whatever Host the request names", async () => {
    const res = await forged("PUT", { headers: { "x-inngest-signature": signature("") } });
    expect(res.status).toBe(200);
    expect(registrations).toHaveLength(1);
    expect(registrations[0]).toMatchObject({ path: "/fn/register", body: { url: `${ORIGIN}/api/inngest`, appName: "tether" } });
    expect(registrations[0].authorization).toMatch(/^Bearer signkey-test-[0-9a-f]{64}$/);
  });

  it("answers a signed in-band sync with INNGEST_SERVE_ORIGIN, whatever URL the body names", async () => {
    const body = JSON.stringify({ url: FORGED });
    const res = await forged("PUT", { headers: { "content-type": "application/json", "x-inngest-sync-kind": "in_band", "x-inngest-signature": signature(body) }, body });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ app_id: "tether", url: `${ORIGIN}/api/inngest` });
    expect(registrations).toEqual([]);
  });
});
