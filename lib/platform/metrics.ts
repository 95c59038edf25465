// Prometheus metrics of this instance (prom-client), scraped at GET
// /api/metrics. Per instance: each server process counts what it did itself;
// Prometheus adds the instances up. Hot paths pay at most an increment:
// generations are measured once, when they end, never per token.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { createHash, timingSafeEqual } from "node:crypto";
import { AppError } from "../errors";
import { processSingleton } from "./process-global";

function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const sources = { redisCommands: new Set<() => number>() };
  const m = {
    registry,
    sources,
    activeGenerations: new Gauge({
      name: "tether_active_generations",
      help: "Reply generations running in this instance",
      registers: [registry],
    }),
    sseSubscribers: new Gauge({
      name: "tether_sse_subscribers",
      help: "Open Server-Sent Events streams of replies served by this instance",
      registers: [registry],
    }),
    generations: new Counter({
      name: "tether_generations_total",
      help: "Generations ended, by final status",
      labelNames: ["status", "provider"] as const,
      registers: [registry],
    }),
    timeToFirstToken: new Histogram({
      name: "tether_time_to_first_token_seconds",
      help: "From the start of a generation to its first streamed token",
      labelNames: ["provider"] as const,
      buckets: [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60],
      registers: [registry],
    }),
    generationDuration: new Histogram({
      name: "tether_generation_duration_seconds",
      help: "Duration of a generation run, by final status",
      labelNames: ["status", "provider"] as const,
      buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
      registers: [registry],
    }),
    charsPerSecond: new Histogram({
      name: "tether_generation_chars_per_second",
      help: "Characters of reply text per second of a generation run (runs that produced text)",
      buckets: [10, 25, 50, 100, 200, 400, 800, 1600, 3200, 6400],
      registers: [registry],
    }),
    upstreamErrors: new Counter({
      name: "tether_upstream_errors_total",
      help: "Generations that ended failed, by error code (upstream_* from the model API, internal for server errors)",
      labelNames: ["code"] as const,
      registers: [registry],
    }),
    generationRetries: new Counter({
      name: "tether_generation_retries_total",
      help: "Inngest retries of generate-reply, by outcome (resumed, waiting for a possibly live owner, already finished, still live here), and replies the sweep resumed by itself (auto_resumed)",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    checkpointDuration: new Histogram({
      name: "tether_checkpoint_duration_seconds",
      help: "Latency of a partial-content save (checkpoint) to the database",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    checkpointFailures: new Counter({
      name: "tether_checkpoint_failures_total",
      help: "Checkpoint saves the database refused",
      registers: [registry],
    }),
    redisPublishes: new Counter({
      name: "tether_redis_publishes_total",
      help: "Batches of stream events written to Redis (one XADD + one PUBLISH each)",
      registers: [registry],
    }),
    redisCommands: new Counter({
      name: "tether_redis_commands_total",
      help: "Redis commands sent by this instance's stream bus",
      registers: [registry],
      collect() {
        // Counted by each Redis bus itself (a plain integer); read at scrape time.
        if (!sources.redisCommands.size) return;
        let n = 0;
        for (const count of sources.redisCommands) n += count();
        this.reset();
        this.inc(n);
      },
    }),
    httpRequests: new Histogram({
      name: "tether_http_request_duration_seconds",
      help: "API requests until the response starts (a stream's headers), by route, method and status",
      labelNames: ["route", "method", "status"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;

// One set per process, shared by every bundle that imports this module.
export const metrics: Metrics = processSingleton("metrics", createMetrics);

/** Adds a Redis stream bus's command count to the process's total. */
export function countRedisCommands(source: () => number): void {
  metrics.sources.redisCommands.add(source);
}

/** What a generation reports when it ends (called once per run). */
export function recordGeneration(r: { status: string; provider: string; durationMs: number; firstTokenMs?: number; chars: number; errorCode?: string }): void {
  metrics.generations.inc({ status: r.status, provider: r.provider });
  metrics.generationDuration.observe({ status: r.status, provider: r.provider }, r.durationMs / 1000);
  if (r.firstTokenMs !== undefined) metrics.timeToFirstToken.observe({ provider: r.provider }, r.firstTokenMs / 1000);
  if (r.chars > 0 && r.durationMs > 0) metrics.charsPerSecond.observe((r.chars / r.durationMs) * 1000);
  if (r.errorCode) metrics.upstreamErrors.inc({ code: r.errorCode });
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Guards the scrape endpoint. Without METRICS_TOKEN it does not exist (404);
 * with it, `Authorization: Bearer <token>` is required (401 otherwise). The
 * comparison takes the same time whatever the guess (hashes of equal length).
 */
export function authorizeScrape(authorization: string | null, token: string | undefined): void {
  const expected = token?.trim();
  if (!expected) throw new AppError("not_found", "not found");
  const header = authorization?.trim() ?? "";
  // Not /^Bearer\s+(.+)$/: its two quantifiers share the spaces (quadratic on a long run).
  const given = /^Bearer\s/i.test(header) ? header.slice("Bearer".length).trim() : "";
  if (!timingSafeEqual(digest(given), digest(expected)) || given === "") {
    throw new AppError("unauthorized", "A valid metrics token is required.", { "WWW-Authenticate": 'Bearer realm="metrics"' });
  }
}

/** The exposition text and its content type. */
export async function scrape(): Promise<{ body: string; contentType: string }> {
  return { body: await metrics.registry.metrics(), contentType: metrics.registry.contentType };
}

/** Times one checkpoint write (failed ones too: their latency matters as much). */
export async function timeCheckpoint<T>(save: () => Promise<T>): Promise<T> {
  const end = metrics.checkpointDuration.startTimer();
  try {
    return await save();
  } finally {
    end();
  }
}
