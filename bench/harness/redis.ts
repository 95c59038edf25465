// Redis for the scaled benchmark: a private server (so that its command
// statistics count only the app's traffic; the shared one on this machine
// serves other people's tests too), and what the server and the app counted.
import { spawn } from "node:child_process";
import { createClient } from "redis";
import { freePort, sleep, stopChild, track } from "./proc";

export type RedisStats = {
  /** Calls per command (lower-case name), INFO's own calls left out. */
  calls: Record<string, number>;
  cpuMs: number;
  netInBytes: number;
  netOutBytes: number;
};

const makeClient = (url: string) => createClient({ url, socket: { reconnectStrategy: false } });
type Client = ReturnType<typeof makeClient>;

export type BenchRedis = { url: string; private: boolean; stats(): Promise<RedisStats>; stop(): Promise<void> };

/** A private `redis-server` on `port` (no persistence), or the one at `url`. */
export async function openRedis(opts: { url?: string; port?: number }): Promise<BenchRedis> {
  let stopServer = async () => {};
  let url = opts.url;
  if (!url) {
    const port = opts.port ?? (await freePort());
    const proc = track(
      spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"], {
        stdio: ["ignore", "ignore", "inherit"],
      }),
    );
    stopServer = () => stopChild(proc);
    url = `redis://127.0.0.1:${port}`;
  }
  const client = await connect(url);
  return {
    url,
    private: !opts.url,
    stats: () => readStats(client),
    async stop() {
      await client.close().catch(() => {});
      await stopServer();
    },
  };
}

async function connect(url: string): Promise<Client> {
  const until = Date.now() + 15_000;
  for (;;) {
    const c = makeClient(url);
    c.on("error", () => {});
    try {
      await c.connect();
      await c.ping();
      return c;
    } catch (e) {
      await c.close().catch(() => {});
      if (Date.now() > until) throw new Error(`redis at ${url} did not answer: ${String(e)}`);
      await sleep(100);
    }
  }
}

async function readStats(c: Client): Promise<RedisStats> {
  const info = String(await c.info("everything"));
  const field = (k: string) => Number(new RegExp(`^${k}:([\\d.]+)`, "m").exec(info)?.[1] ?? NaN);
  const calls: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) if (m[1] !== "info") calls[m[1]] = Number(m[2]);
  return {
    calls,
    cpuMs: (field("used_cpu_user") + field("used_cpu_sys")) * 1000,
    netInBytes: field("total_net_input_bytes"),
    netOutBytes: field("total_net_output_bytes"),
  };
}

/** What happened between two readings. */
export function redisDelta(a: RedisStats, b: RedisStats) {
  const calls: Record<string, number> = {};
  for (const [k, v] of Object.entries(b.calls)) if (v - (a.calls[k] ?? 0) > 0) calls[k] = v - (a.calls[k] ?? 0);
  const total = Object.values(calls).reduce((s, v) => s + v, 0);
  return { calls, total, cpuMs: b.cpuMs - a.cpuMs, netInBytes: b.netInBytes - a.netInBytes, netOutBytes: b.netOutBytes - a.netOutBytes };
}
export type RedisDelta = ReturnType<typeof redisDelta>;

/** The app's own counters from GET /api/metrics (METRICS_TOKEN): Redis commands and publishes of its stream bus. */
export async function appRedisCounters(base: string, token: string): Promise<{ commands: number; publishes: number } | null> {
  const res = await fetch(`${base}/api/metrics`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) return null;
  const text = await res.text();
  const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+]+)$`, "m").exec(text)?.[1] ?? NaN);
  return { commands: value("tether_redis_commands_total"), publishes: value("tether_redis_publishes_total") };
}
