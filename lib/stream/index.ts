// The live-stream bus of the configuration: Redis when REDIS_URL is set
// (scaled mode), else in-process.
import type { Config } from "../config";
import type { StreamBus } from "./bus";
import { MemoryStreamBus } from "./memory-bus";
import { RedisStreamBus } from "./redis-bus";
import { countRedisCommands } from "../platform/metrics";

export function createStreamBus(c: Pick<Config, "redisUrl" | "redisPublishRetryMs" | "redisPublishWindowMs">): StreamBus {
  if (!c.redisUrl) return new MemoryStreamBus();
  const bus = new RedisStreamBus(c.redisUrl, { publishRetryMs: c.redisPublishRetryMs, windowMs: c.redisPublishWindowMs });
  countRedisCommands(() => bus.commands);
  return bus;
}
