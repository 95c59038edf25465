// Coalesced deltas on their own (coalesce.ts): what merges, what keeps its
// place, and when a batch is taken. Turns of the event loop are simulated by
// a `nextTurn` the test ends by hand: no timers, no wall clock.
import { describe, expect, it } from "vitest";
import type { ProviderEvent } from "../../llm/types";
import { coalesceDeltas, mergeAdjacentDeltas } from "./coalesce";

const text = (index: number, t: string): ProviderEvent => ({ type: "text_delta", index, text: t });
const thinking = (index: number, t: string): ProviderEvent => ({ type: "thinking_delta", index, thinking: t });
const json = (index: number, j: string): ProviderEvent => ({ type: "input_json_delta", index, json: j });

/** A source the test feeds by hand. */
function channel() {
  const items: ProviderEvent[] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  let failure: unknown;
  const poke = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  return {
    push(...evs: ProviderEvent[]) {
      items.push(...evs);
      poke();
    },
    close(error?: unknown) {
      closed = true;
      failure = error;
      poke();
    },
    async *[Symbol.asyncIterator](): AsyncGenerator<ProviderEvent> {
      for (;;) {
        while (items.length === 0 && !closed) await new Promise<void>((r) => (wake = r));
        if (items.length === 0) break;
        yield items.shift()!;
      }
      if (failure) throw failure;
    },
  };
}

/** Turns that end only when the test says so. */
function turns() {
  const ends: (() => void)[] = [];
  return {
    nextTurn: () => new Promise<void>((r) => ends.push(r)),
    endTurn: () => ends.splice(0).forEach((r) => r()),
  };
}

describe("mergeAdjacentDeltas", () => {
  it("joins adjacent deltas of one kind and block, byte for byte", () => {
    const pieces = ["e\u0301", "👋", "🏽", "\r\n", "data: x\n\nid: 9\n", "", "世界"];
    expect(mergeAdjacentDeltas(pieces.map((p) => text(0, p)))).toEqual([text(0, pieces.join(""))]);
    expect(mergeAdjacentDeltas([json(2, '{"a"'), json(2, ":1}")])).toEqual([json(2, '{"a":1}')]);
    expect(mergeAdjacentDeltas([thinking(0, "a"), thinking(0, "b")])).toEqual([thinking(0, "ab")]);
  });

  it("keeps every other event in its place: other blocks, other kinds, signatures, block edges", () => {
    const events: ProviderEvent[] = [
      thinking(0, "a"),
      { type: "signature", index: 0, signature: "s" },
      thinking(0, "b"),
      { type: "block_stop", index: 0 },
      { type: "block_start", index: 1, block: { type: "text" } },
      text(1, "x"),
      text(2, "y"),
      text(1, "z"),
      json(1, "{"),
      { type: "message_stop", stopReason: "end_turn", usage: { inputTokens: 1, outputTokens: 1 } },
    ];
    expect(mergeAdjacentDeltas(events)).toEqual(events);
  });
});

describe("coalesceDeltas", () => {
  it("passes the first delta of a quiet stream on at once, without waiting for the turn to end", async () => {
    const src = channel();
    const t = turns();
    const it = coalesceDeltas(src, t.nextTurn)[Symbol.asyncIterator]();
    const first = it.next();
    src.push(text(0, "hi"));
    expect(await first).toEqual({ done: false, value: text(0, "hi") });
    // A later delta after the turn ended is also passed on by itself.
    t.endTurn();
    const second = it.next();
    src.push(text(0, "!"));
    await Promise.resolve();
    t.endTurn();
    expect(await second).toEqual({ done: false, value: text(0, "!") });
    src.close();
    expect((await it.next()).done).toBe(true);
  });

  it("merges the rest of a burst that arrived in the same turn, in order with the events around it", async () => {
    const src = channel();
    const t = turns();
    const out: ProviderEvent[] = [];
    const all = (async () => {
      for await (const ev of coalesceDeltas(src, t.nextTurn)) out.push(ev);
    })();
    src.push(
      { type: "block_start", index: 0, block: { type: "text" } },
      text(0, "a"),
      text(0, "b"),
      text(0, "c"),
      { type: "block_stop", index: 0 },
      { type: "block_start", index: 1, block: { type: "text" } },
      text(1, "d"),
      text(1, "e"),
    );
    while (out.length === 0) await new Promise<void>((r) => setImmediate(r));
    t.endTurn();
    src.push(text(1, "f"), text(1, "g"));
    src.close();
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((r) => setImmediate(r));
      t.endTurn();
    }
    await all;
    const rebuilt = out.flatMap((e) => (e.type === "text_delta" ? [e.text] : [])).join("");
    expect(rebuilt).toBe("abcdefg");
    expect(out.filter((e) => e.type === "text_delta").length).toBeLessThan(7);
    expect(out.map((e) => e.type)).toEqual(expect.arrayContaining(["block_start", "text_delta", "block_stop", "block_start", "text_delta"]));
    // Order of non-delta events and of the blocks is kept.
    expect(out.findIndex((e) => e.type === "block_stop")).toBeLessThan(out.findIndex((e) => e.type === "text_delta" && e.index === 1));
  });

  it("delivers everything queued before the source's failure, then throws it", async () => {
    const src = channel();
    src.push(text(0, "a"), text(0, "b"));
    src.close(new Error("boom"));
    const out: ProviderEvent[] = [];
    await expect(
      (async () => {
        for await (const ev of coalesceDeltas(src)) out.push(ev);
      })(),
    ).rejects.toThrow("boom");
    expect(out.map((e) => (e.type === "text_delta" ? e.text : "")).join("")).toBe("ab");
  });
});
