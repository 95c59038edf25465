import type { StreamBus } from "./bus";
import { MemoryStreamBus } from "./memory-bus";

const g = globalThis as unknown as { __tetherBus?: StreamBus };

/** The process's bus (in-process until the Redis implementation lands). */
export function getStreamBus(): StreamBus {
  return (g.__tetherBus ??= new MemoryStreamBus());
}
