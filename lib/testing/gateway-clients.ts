// The official SDK pointed two ways, for the gateway's conformance tests
// (app/v1/conformance*.test.ts): at the gateway served over real HTTP
// (lib/testing/gateway-server.ts) with a Tether API key of a signed-up user,
// and at the harness's fake Anthropic server directly. The same request sent
// both ways must come back the same. No retries: every request the SDK makes
// is one the test made.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import Anthropic from "@anthropic-ai/sdk";
import { createApiKey } from "../gateway/keys";
import type { Db } from "../platform/db";
import { startGatewayServer, type GatewayServer } from "./gateway-server";
import type { RouteHarness } from "./route-harness";

export type GatewayClients = {
  /** The SDK against the gateway, with the user's key. */
  gateway: Anthropic;
  /** The SDK against the fake upstream, as the gateway's own upstream calls go. */
  direct: Anthropic;
  /** The SDK against the gateway with other credentials. */
  client(auth: { apiKey?: string | null; authToken?: string | null }): Anthropic;
  url: string;
  db: Db;
  userId: string;
  keyId: string;
  secret: string;
};

/** Call at the top of a test file, after useRouteHarness. */
export function useGatewayClients(h: RouteHarness): GatewayClients {
  const c = {} as GatewayClients;
  let server: GatewayServer | undefined;
  beforeAll(async () => {
    server = await startGatewayServer();
    c.url = server.url;
    c.db = await h.app.db();
    const user = await c.db.user.create({ data: { email: `sdk-${randomUUID()}@example.com`, name: "SDK conformance" } });
    const { key, secret } = await createApiKey(c.db, user.id, "conformance");
    Object.assign(c, { userId: user.id, keyId: key.id, secret });
    c.client = (auth) => new Anthropic({ baseURL: c.url, maxRetries: 0, ...auth });
    c.gateway = c.client({ apiKey: secret });
    c.direct = new Anthropic({ baseURL: h.fake.url, apiKey: "sk-direct-to-fake", maxRetries: 0 });
  });
  afterAll(async () => {
    await server?.close();
  });
  return c;
}
