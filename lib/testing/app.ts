// Tests build their own app, as the composition root would, from a
// configuration of their own: the environment Vitest sets (vitest.config.ts)
// plus what the test names. Nothing here is used by the server.
import { createApp, type App, type AppParts } from "../app";
import { parseConfig, type Config, type Env } from "../config";
import type { Db } from "../platform/db";
import type { Admission } from "../reply/admission";
import { RequestRateLimiter } from "../platform/rate-limit";
import { Shutdown } from "../platform/shutdown";
import { randomUUID } from "node:crypto";
import { ensureUser } from "../auth/users";
import { GenerationCapacity } from "../reply/capacity";
import { GenerationRegistry } from "../reply/registry";
import { createConversation } from "../chat/conversations";
import { createReply } from "../reply/admission";

/** The configuration of a test: Vitest's environment with `env` on top. */
export function testConfig(env: Env = {}): Config {
  return parseConfig({ ...process.env, ...env });
}

export function testApp(env: Env = {}, parts: AppParts = {}): App {
  return createApp(testConfig(env), parts);
}

/** Admission with the default limits (no rate limit, no capacity limit) over `db`. */
export function testAdmission(db: Db, o: Partial<Omit<Admission, "db">> = {}): Admission {
  const limits = testConfig().reply;
  return {
    db,
    limiter: o.limiter ?? new RequestRateLimiter({ points: 0, windowSec: 1 }),
    maxActivePerUser: o.maxActivePerUser ?? limits.maxActivePerUser,
    capacity: o.capacity ?? new GenerationCapacity(new GenerationRegistry(), 0),
    shutdown: o.shutdown ?? new Shutdown(),
  };
}

/** A new user with a conversation and a pending reply to `content` (as a post leaves it, before its generation starts). */
export async function pendingReply(db: Db, content = `question ${randomUUID()}`) {
  const userId = randomUUID();
  await ensureUser(db, userId);
  const conv = await createConversation(db, userId);
  return (await createReply(testAdmission(db), userId, conv.id, content)).assistantMessage;
}
