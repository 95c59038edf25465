// The stream bus alone: publish → subscriber latency of the real
// RedisStreamBus (or MemoryStreamBus) for N replies of 300 events 5 ms apart,
// optionally with a busy event loop (BUSY ms of synchronous work per timer
// tick, as in a loaded app server). Isolates what the Redis path adds from
// the rest of the app (docs/BENCHMARKS.md, "Scaled mode").
//
//   npx tsx bench/bus-latency.ts [--n 100] [--busy 20] [--bus redis|memory] [--chars 5]
//                                [--redis-url redis://127.0.0.1:6379]
//
// Keys get a unique prefix and expire 5 s after each reply's end.
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import type { StreamBus } from "../lib/stream/bus";
import type { StreamEvent } from "../lib/stream/events";
import { MemoryStreamBus } from "../lib/stream/memory-bus";
import { RedisStreamBus } from "../lib/stream/redis-bus";
import type { Message } from "../lib/chat/types";

const { values: argv } = parseArgs({
  options: {
    n: { type: "string", default: "100" },
    busy: { type: "string", default: "0" },
    bus: { type: "string", default: "redis" },
    chars: { type: "string", default: "5" },
    window: { type: "string", default: "" },
    "redis-url": { type: "string", default: process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379" },
  },
});
const N = Number(argv.n);
const BUSY_MS = Number(argv.busy);
const TEXT = "y".repeat(Number(argv.chars));
const EVENTS = 300;
const now = () => performance.now();
const bus: StreamBus =
  argv.bus === "redis"
    ? new RedisStreamBus(argv["redis-url"], { prefix: `bench-bus-${randomUUID()}`, retainMs: 5000, ...(argv.window ? { windowMs: Number(argv.window) } : {}) })
    : new MemoryStreamBus();

// A loop that is never idle for long: BUSY_MS of work, then a 1 ms timer.
let busy = BUSY_MS > 0;
const spin = () => {
  const t = now();
  while (now() - t < BUSY_MS) {
    /* the app's other work */
  }
  if (busy) setTimeout(spin, 1);
};
if (busy) setTimeout(spin, 1);

const latency: number[] = [];
async function reply(): Promise<void> {
  const id = randomUUID();
  const message = {
    id,
    conversationId: id,
    role: "assistant",
    content: "",
    parts: [],
    status: "pending",
    metadata: {},
    createdAt: "",
    updatedAt: "",
  } as unknown as Message;
  await bus.open(message, 0);
  const sentAt: number[] = [];
  let ended!: () => void;
  const end = new Promise<void>((r) => (ended = r));
  await bus.subscribe(id, 0, (e) => {
    latency.push(now() - sentAt[e.id]);
    if (e.event === "done") ended();
  });
  for (let i = 1; i <= EVENTS; i++) {
    await new Promise((r) => setTimeout(r, 5));
    sentAt[i] = now();
    const e: StreamEvent = i === EVENTS ? { id: i, event: "done", data: { message } } : { id: i, event: "delta", data: { index: 0, text: TEXT } };
    bus.publish(id, [e]);
  }
  await end;
}

const t0 = now();
await Promise.all(Array.from({ length: N }, reply));
busy = false;
const s = latency.sort((a, b) => a - b);
const p = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)].toFixed(1);
const commands = bus instanceof RedisStreamBus ? `, ${bus.commands} Redis commands` : "";
console.log(
  `${argv.bus} bus, N=${N}, busy ${BUSY_MS} ms, ${TEXT.length} chars/event: latency p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, max ${p(1)} ms; ${((now() - t0) / 1000).toFixed(1)} s${commands}`,
);
if (bus instanceof RedisStreamBus) await bus.close();
process.exit(0);
