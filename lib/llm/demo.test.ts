import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DemoProvider, demoReply } from "./demo";
import { createProvider } from "./index";
import { parseConfig } from "../config";
import type { ChatTurn, ProviderEvent } from "./types";

const ask = (text: string): ChatTurn[] => [{ role: "user", parts: [{ type: "text", text }] }];
const textOf = (evs: ProviderEvent[]) => evs.map((e) => (e.type === "text_delta" ? e.text : "")).join("");

async function collect(p: DemoProvider, turns: ChatTurn[], signal = new AbortController().signal) {
  const evs: ProviderEvent[] = [];
  for await (const ev of p.stream({ turns, signal })) evs.push(ev);
  return evs;
}

describe("DemoProvider", () => {
  it("streams a markdown reply with headings, a list, a table, TS and Python code, and unicode", async () => {
    // Every template, by asking enough different questions to hit each one.
    const replies = new Set<string>();
    for (let i = 0; i < 40; i++) replies.add(demoReply(`question ${i} ${randomUUID()}`).replace(/question \S+ \S+/gi, "Q"));
    expect(replies.size).toBe(4);
    for (const reply of replies) {
      expect(reply).toMatch(/^#{1,3} /m); // heading
      expect(reply).toMatch(/^(- |1\. )/m); // list
      expect(reply).toMatch(/^\|.*\|\n\|[-:| ]+\|$/m); // table header + separator
      expect(reply).toMatch(/```(ts|typescript)\n/);
      expect(reply).toMatch(/```(python|py)\n/);
      expect(reply).toMatch(/[^\x00-\x7f]/); // non-ASCII
      expect(reply.match(/```/g)!.length % 2).toBe(0); // fences closed
    }
  });

  it("echoes the topic, and different questions get visibly different replies", async () => {
    const p = new DemoProvider({ tokenDelayMs: 0 });
    const topic = `sourdough starters ${randomUUID().slice(0, 8)}`;
    const evs = await collect(p, ask(`  How do I keep ${topic} alive?\n`));
    const text = textOf(evs);
    expect(text).toContain(`How do I keep ${topic} alive`);
    expect(text).toBe(demoReply(`  How do I keep ${topic} alive?\n`)); // deterministic, nothing lost

    const other = textOf(await collect(p, ask(`Explain ${randomUUID()} monads`)));
    expect(other).not.toBe(text);
    expect(evs[0]).toEqual({ type: "message_start", model: "tether-demo-1", usage: expect.any(Object) });
    expect(evs[1]).toEqual({ type: "block_start", index: 0, block: { type: "text" } });
    expect(evs.at(-2)).toEqual({ type: "block_stop", index: 0 });
    expect(evs.at(-1)).toMatchObject({ type: "message_stop", stopReason: "end_turn", usage: { outputTokens: expect.any(Number) } });
    const last = evs.at(-1);
    expect(last?.type === "message_stop" && last.usage.outputTokens).toBeGreaterThan(50);
  });

  it("sends token-sized chunks of 1–6 code points", async () => {
    const evs = await collect(new DemoProvider({ tokenDelayMs: 0 }), ask(randomUUID()));
    const sizes = evs.flatMap((e) => (e.type === "text_delta" ? [Array.from(e.text).length] : []));
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(6);
    expect(new Set(sizes).size).toBeGreaterThan(3);
  });

  it("continues a prefilled partial reply from where it stopped", async () => {
    const q = `Continue me ${randomUUID()}`;
    const full = demoReply(q);
    const partial = full.slice(0, 120).trimEnd();
    const turns: ChatTurn[] = [...ask(q), { role: "assistant", parts: [{ type: "text", text: partial }] }];
    const rest = textOf(await collect(new DemoProvider({ tokenDelayMs: 0 }), turns));
    expect(partial + rest).toBe(full);
  });

  it("paces chunks by the configured delay", async () => {
    const p = new DemoProvider({ tokenDelayMs: 15 });
    const ac = new AbortController();
    const times: number[] = [];
    for await (const ev of p.stream({ turns: ask(randomUUID()), signal: ac.signal })) {
      if (ev.type !== "text_delta") continue;
      times.push(performance.now());
      if (times.length === 6) ac.abort();
    }
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(13); // timers may fire a hair early
  });

  it("takes its pace from DEMO_TOKEN_DELAY_MS, and streams a whole reply at pace 0", async () => {
    const paced = (env: Record<string, string>) => createProvider(parseConfig(env).provider) as DemoProvider;
    expect(paced({ DEMO_TOKEN_DELAY_MS: "0" }).tokenDelayMs).toBe(0);
    expect(paced({ DEMO_TOKEN_DELAY_MS: "7" }).tokenDelayMs).toBe(7);
    expect(paced({}).tokenDelayMs).toBeUndefined(); // 20–40 ms
    const evs = await collect(paced({ DEMO_TOKEN_DELAY_MS: "0" }), ask(randomUUID()));
    expect(evs.filter((e) => e.type === "text_delta").length).toBeGreaterThan(100);
    expect(evs.at(-1)).toMatchObject({ type: "message_stop" });
  });

  it("stops at once on abort, even mid-sleep, with no further events", async () => {
    const p = new DemoProvider({ tokenDelayMs: 5_000 });
    const ac = new AbortController();
    const it = p.stream({ turns: ask(randomUUID()), signal: ac.signal })[Symbol.asyncIterator]();
    expect((await it.next()).value).toMatchObject({ type: "message_start" });
    expect((await it.next()).value).toMatchObject({ type: "block_start" });
    const pending = it.next(); // now sleeping 5 s before the first delta
    const abortedAt = performance.now();
    ac.abort();
    expect(await pending).toEqual({ done: true, value: undefined });
    // Not after the 5 s sleep (a generous bound: the machine may be busy).
    expect(performance.now() - abortedAt).toBeLessThan(4_000);

    const pre = new AbortController();
    pre.abort();
    expect(await collect(p, ask("anything"), pre.signal)).toEqual([]);
  });
});
