// The user-event bus of the configuration: Redis when REDIS_URL is set
// (scaled mode), else in-process.
import type { UserEventBus } from "./bus";
import { MemoryUserEventBus } from "./memory-bus";
import { RedisUserEventBus } from "./redis-bus";

export function createUserEventBus(redisUrl: string | undefined): UserEventBus {
  return redisUrl ? new RedisUserEventBus(redisUrl) : new MemoryUserEventBus();
}
