// The setup the route tests share: the fake Anthropic API driven through the
// real SDK, an in-memory PGlite database behind every route, a session
// secret, and a guest with a conversation. Routes reach the app this file
// builds (lib/runtime.ts's setApp), made from the test's own configuration.
import { afterAll, beforeAll } from "vitest";
import pg from "pg";
import { openDatabase, type DbHandle } from "../platform/db";
import type { App, AppParts } from "../app";
import { setApp } from "../runtime";
import { testApp } from "./app";
import { TEST_PG_URL } from "./databases";
import { startFakeAnthropic, type FakeAnthropic } from "./fake-anthropic";
import { call, cookieFrom } from "./route-client";
import * as guest from "../../app/api/auth/guest/route";
import * as conversations from "../../app/api/conversations/route";

export type RouteHarness = {
  db: DbHandle;
  fake: FakeAnthropic;
  app: App;
  /**
   * Routes use an app built with `env` on top of the file's (same database
   * unless `parts` says otherwise) until the returned restore is called.
   */
  reconfigure(env: Record<string, string>, parts?: AppParts): () => Promise<void>;
  /**
   * Another app (another instance) built with `env` on top of the file's,
   * on the same database: routes use it only once passed to setApp; the
   * caller closes it.
   */
  build(env: Record<string, string>, parts?: AppParts): App;
};

export { TEST_PG_URL };
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * Call at the top of a test file. `env` configures the file's app (on top of
 * the fake upstream's settings). `scaled`: PostgreSQL (a throw-away schema)
 * and the Redis bus instead of PGlite and the in-process bus. `parts`
 * replaces parts of the app (e.g. its tools).
 */
export function useRouteHarness(
  name: string,
  env: Record<string, string> = {},
  opts: { scaled?: boolean; parts?: AppParts; fake?: Parameters<typeof startFakeAnthropic>[0] } = {},
): RouteHarness {
  const h = {} as RouteHarness;
  const schema = `t_${name.replace(/\W/g, "_")}_${process.pid}_${Date.now()}`;
  if (opts.scaled) env = { REDIS_URL: TEST_REDIS_URL, ...env };
  beforeAll(async () => {
    h.fake = await startFakeAnthropic(opts.fake);
    h.db = await openDatabase(opts.scaled ? { kind: "postgres", url: TEST_PG_URL, schema } : { kind: "pglite-memory" });
    const base = {
      LLM_PROVIDER: "anthropic",
      ANTHROPIC_API_KEY: `sk-test-${name}`,
      ANTHROPIC_BASE_URL: h.fake.url,
      ANTHROPIC_MODEL: "claude-haiku-4-5",
      SESSION_SECRET: `${name}-secret-`.padEnd(48, "s"),
      ...env,
    };
    h.app = testApp(base, { ...opts.parts, dbHandle: h.db });
    setApp(h.app);
    h.build = (more, parts = {}) => testApp({ ...base, ...more }, { ...opts.parts, dbHandle: h.db, ...parts });
    h.reconfigure = (more, parts = {}) => {
      const other = h.build(more, parts);
      setApp(other);
      return async () => {
        setApp(h.app);
        await other.close();
      };
    };
  });
  afterAll(async () => {
    setApp(undefined);
    await h.app?.close();
    await h.db?.close();
    await h.fake?.close();
    if (opts.scaled) {
      const admin = new pg.Client({ connectionString: TEST_PG_URL });
      await admin.connect();
      await admin.query(`drop schema if exists "${schema}" cascade`);
      await admin.end();
    }
  });
  return h;
}

/** A new guest (its cookie) with an empty conversation. */
export async function guestWithConversation(): Promise<{ cookie: string; cid: string }> {
  const cookie = cookieFrom(await call(guest.POST, "POST", "/api/auth/guest"));
  const conv = await (await call(conversations.POST, "POST", "/", { cookie, body: {} })).json();
  return { cookie, cid: conv.id as string };
}
