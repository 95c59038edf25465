import type { StreamBus } from "./bus";
import { MemoryStreamBus } from "./memory-bus";
import { RedisStreamBus } from "./redis-bus";
import { countRedisCommands } from "../platform/metrics";

const g = globalThis as unknown as { __tetherBus?: StreamBus };

/** The process's bus: Redis when REDIS_URL is set (scaled), else in-process. */
export function getStreamBus(): StreamBus {
  if (!g.__tetherBus) {
    const url = process.env.REDIS_URL?.trim();
    if (url) {
      const bus = new RedisStreamBus(url);
      countRedisCommands(() => bus.commands);
      g.__tetherBus = bus;
    } else g.__tetherBus = new MemoryStreamBus();
  }
  return g.__tetherBus;
}
