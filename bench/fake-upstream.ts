// The fake Anthropic API in its own process for bench/streams.ts (forked with
// an IPC channel). Its own process, so that its send times do not depend on
// how busy the benchmark's clients are. It records when each content delta is
// written (lib/testing/fake-anthropic.ts `recordTimings`); the parent reads
// them from GET /_fake/requests and compares them with arrival times.
// IPC messages: {type:"clock"} → this process's clock (to measure the offset),
// {type:"stats"} → CPU time and event-loop delay, {type:"stop"}.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { startFakeAnthropic } from "../lib/testing/fake-anthropic";

const now = () => performance.timeOrigin + performance.now();
const eld = monitorEventLoopDelay({ resolution: 5 });
eld.enable();

const fake = await startFakeAnthropic({ recordTimings: true });
const send = (m: unknown) => process.send?.(m);
send({ type: "ready", url: fake.url, pid: process.pid });

let lastCpu = process.cpuUsage();
process.on("message", (m: { type: string; id?: number }) => {
  if (m.type === "clock") send({ type: "clock", id: m.id, now: now() });
  else if (m.type === "stats") {
    // CPU time since the previous "stats" message.
    const cpu = process.cpuUsage(lastCpu);
    lastCpu = process.cpuUsage();
    const ms = (ns: number) => Math.round((ns / 1e6) * 100) / 100;
    send({
      type: "stats",
      id: m.id,
      cpuMs: (cpu.user + cpu.system) / 1000,
      eventLoopDelayMs: { p50: ms(eld.percentile(50)), p99: ms(eld.percentile(99)), max: ms(eld.max) },
    });
    eld.reset();
  } else if (m.type === "stop") {
    void fake.close().finally(() => process.exit(0));
  }
});
// The parent going away must not leave this process behind.
process.on("disconnect", () => void fake.close().finally(() => process.exit(0)));
