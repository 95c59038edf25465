// The setup the route tests share: the fake Anthropic API driven through the
// real SDK, an in-memory PGlite database behind every route, a session
// secret, and a guest with a conversation.
import { afterAll, beforeAll } from "vitest";
import { openDatabase, setDbHandle, type DbHandle } from "../db";
import { startFakeAnthropic, type FakeAnthropic } from "./fake-anthropic";
import { call, cookieFrom } from "./route-client";
import * as guest from "../../app/api/auth/guest/route";
import * as conversations from "../../app/api/conversations/route";

export type RouteHarness = { db: DbHandle; fake: FakeAnthropic };

/**
 * Call at the top of a test file. `env` is set before the first route runs
 * (providers and limiters read it once); it is removed again afterwards.
 */
export function useRouteHarness(name: string, env: Record<string, string> = {}): RouteHarness {
  const h = {} as RouteHarness;
  beforeAll(async () => {
    h.fake = await startFakeAnthropic();
    Object.assign(process.env, {
      LLM_PROVIDER: "anthropic",
      ANTHROPIC_API_KEY: `sk-test-${name}`,
      ANTHROPIC_BASE_URL: h.fake.url,
      ANTHROPIC_MODEL: "claude-haiku-4-5",
      SESSION_SECRET: `${name}-secret-`.padEnd(48, "s"),
      ...env,
    });
    h.db = await openDatabase({ kind: "pglite-memory" });
    setDbHandle(h.db);
  });
  afterAll(async () => {
    setDbHandle(undefined);
    await h.db?.close();
    await h.fake?.close();
    for (const k of Object.keys(env)) delete process.env[k];
  });
  return h;
}

/** A new guest (its cookie) with an empty conversation. */
export async function guestWithConversation(): Promise<{ cookie: string; cid: string }> {
  const cookie = cookieFrom(await call(guest.POST, "POST", "/api/auth/guest"));
  const conv = await (await call(conversations.POST, "POST", "/", { cookie, body: {} })).json();
  return { cookie, cid: conv.id as string };
}
