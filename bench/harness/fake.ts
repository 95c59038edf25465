// The fake upstream in its own process (bench/fake-upstream.ts, forked), the
// clock offset between it and us, and its HTTP control endpoints.
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { Scenario } from "../../lib/testing/fake-anthropic-script";
import { now, ROOT, sleep, track } from "./proc";

export type FakeProc = { url: string; pid: number; proc: ChildProcess; call<T>(m: Record<string, unknown>): Promise<T> };

export type FakeRecord = {
  rawBody: string;
  body: unknown;
  outcome: string;
  aborted: boolean;
  timings?: { receivedAt: number; deltaSentAt: number[] };
};

export async function startFake(): Promise<FakeProc> {
  const proc = track(fork(join(ROOT, "bench", "fake-upstream.ts"), [], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit", "ipc"] }));
  let seq = 0;
  const waiting = new Map<number, (m: unknown) => void>();
  let ready!: (m: { url: string; pid: number }) => void;
  const readyP = new Promise<{ url: string; pid: number }>((r) => (ready = r));
  proc.on("message", (m: { type: string; id?: number; url?: string; pid?: number }) => {
    if (m.type === "ready") ready(m as { url: string; pid: number });
    else if (m.id !== undefined) {
      waiting.get(m.id)?.(m);
      waiting.delete(m.id);
    }
  });
  const { url, pid } = await Promise.race([readyP, sleep(30_000).then(() => Promise.reject(new Error("fake upstream did not start")))]);
  return {
    url,
    pid,
    proc,
    call: <T>(m: Record<string, unknown>) =>
      new Promise<T>((resolve) => {
        const id = ++seq;
        waiting.set(id, resolve as (m: unknown) => void);
        proc.send({ ...m, id });
      }),
  };
}

/** Stops the fake (it exits by itself when we go away, too). */
export async function stopFake(fake: FakeProc): Promise<void> {
  fake.proc.send({ type: "stop" });
  await Promise.race([new Promise((r) => fake.proc.once("exit", r)), sleep(5000)]);
}

/** fakeClock − ourClock, from the IPC round trip with the smallest delay. */
export async function clockOffset(fake: FakeProc): Promise<{ offsetMs: number; uncertaintyMs: number }> {
  let best = { offsetMs: 0, uncertaintyMs: Infinity };
  for (let i = 0; i < 40; i++) {
    const t1 = now();
    const m = await fake.call<{ now: number }>({ type: "clock" });
    const t2 = now();
    if ((t2 - t1) / 2 < best.uncertaintyMs) best = { offsetMs: m.now - (t1 + t2) / 2, uncertaintyMs: (t2 - t1) / 2 };
  }
  return best;
}

export async function fakeHttp(fake: FakeProc, method: string, path: string, body?: unknown) {
  const res = await fetch(fake.url + path, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`fake ${path}: ${res.status}`);
  return res.status === 200 ? res.json() : undefined;
}

/** Forgets recorded requests and answers every request with `scenario`. */
export async function resetFake(fake: FakeProc, scenario: Scenario) {
  await fakeHttp(fake, "POST", "/_fake/reset");
  await fakeHttp(fake, "POST", "/_fake/default", scenario);
}
