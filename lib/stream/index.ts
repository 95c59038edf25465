import type { StreamBus } from "./bus";
import { MemoryStreamBus } from "./memory-bus";
import { RedisStreamBus } from "./redis-bus";

const g = globalThis as unknown as { __tetherBus?: StreamBus };

/** The process's bus: Redis when REDIS_URL is set (scaled), else in-process. */
export function getStreamBus(): StreamBus {
  if (!g.__tetherBus) {
    const url = process.env.REDIS_URL?.trim();
    g.__tetherBus = url ? new RedisStreamBus(url) : new MemoryStreamBus();
  }
  return g.__tetherBus;
}
