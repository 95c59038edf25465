// The bare relay baseline (bench/relay-server.ts) in its own process, and its
// measured phase: n clients at once, as the app's phases are measured.
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { relayStream } from "./clients";
import type { FakeProc } from "./fake";
import { runPhase, type PhaseMetrics } from "./measure";
import { ROOT, sleep, stopChild, track } from "./proc";
import type { BenchReply } from "./reply";

export type RelayProc = { url: string; proc: ChildProcess; cpuMs(): Promise<number> };

export async function startRelay(fake: FakeProc): Promise<RelayProc> {
  const proc = track(fork(join(ROOT, "bench", "relay-server.ts"), [fake.url], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit", "ipc"] }));
  let total = 0;
  let seq = 0;
  const waiting = new Map<number, (cpuMs: number) => void>();
  let ready!: (url: string) => void;
  const readyP = new Promise<string>((r) => (ready = r));
  proc.on("message", (m: { type: string; id?: number; url?: string; cpuMs?: number }) => {
    if (m.type === "ready") ready(m.url!);
    else if (m.type === "stats" && m.id !== undefined) {
      waiting.get(m.id)?.(m.cpuMs ?? 0);
      waiting.delete(m.id);
    }
  });
  const url = await Promise.race([readyP, sleep(30_000).then(() => Promise.reject(new Error("relay did not start")))]);
  return {
    url,
    proc,
    // Its CPU time so far (the phase subtracts the value at its start).
    cpuMs: () =>
      new Promise<number>((resolve) => {
        const id = ++seq;
        waiting.set(id, (ms) => resolve((total += ms)));
        proc.send({ type: "stats", id });
      }),
  };
}

export async function stopRelay(relay: RelayProc): Promise<void> {
  relay.proc.send({ type: "stop" });
  await Promise.race([new Promise((r) => relay.proc.once("exit", r)), sleep(5000)]);
  await stopChild(relay.proc, 1000);
}

/** n relay clients at once, after a short warm-up, against a fresh relay process. */
export async function runRelay(fake: FakeProc, reply: BenchReply, offsetMs: number, n: number, keyPrefix: string, warmup: number, serial = false): Promise<PhaseMetrics> {
  const relay = await startRelay(fake);
  try {
    await Promise.all(Array.from({ length: Math.min(warmup, n) }, (_, i) => relayStream(relay.url, `${keyPrefix}-warmup-${i}`)));
    return (await runPhase(fake, reply, offsetMs, (i) => relayStream(relay.url, `${keyPrefix}-${i}`), n, relay.cpuMs, serial)).metrics;
  } finally {
    await stopRelay(relay);
  }
}
