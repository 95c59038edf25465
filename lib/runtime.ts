// Wires the seams together for the running server: database, model
// provider, live-stream bus, job runner.
import { getDb } from "./platform/db";
import { getProvider } from "./llm";
import { getStreamBus } from "./stream";
import { getJobRunner } from "./jobs";
import { getToolRegistry } from "./tools";
import type { GenerationDeps } from "./reply/generation/generation";

export async function generationDeps(): Promise<GenerationDeps> {
  const bus = getStreamBus();
  return {
    db: await getDb(),
    provider: getProvider(),
    publish: (id, events) => bus.publish(id, events),
    persistFallback: (id, state) => getJobRunner().persist(id, state),
    idleTimeoutMs: Number(process.env.UPSTREAM_IDLE_TIMEOUT_MS) || undefined,
    checkpointMs: Number(process.env.CHECKPOINT_INTERVAL_MS) || undefined,
    tools: getToolRegistry(),
  };
}
