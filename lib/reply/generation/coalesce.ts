// Coalesced deltas (issue 12 item 2, docs/PROTOCOL.md §4): upstream deltas
// of the same block that are ready together become one provider event, so
// the assembler numbers, publishes and saves them as one `delta`. Merging
// happens before numbering: ids stay consecutive, and the bus, replay and
// checkpoints all see the same events.
//
// "Ready together": a background pump reads the upstream into a queue; the
// consumer takes everything queued at once, at most one batch per turn of the
// event loop. The first event after a quiet turn is taken at once (an idle
// stream is never delayed); the rest of a burst that arrived in the same turn
// (one network read, or a slow consumer under load) waits for the turn to
// end and goes out merged.
import type { ProviderEvent } from "../../llm/types";

type Mergeable = Extract<ProviderEvent, { type: "text_delta" | "thinking_delta" | "input_json_delta" }>;

function mergeable(ev: ProviderEvent): ev is Mergeable {
  return ev.type === "text_delta" || ev.type === "thinking_delta" || ev.type === "input_json_delta";
}

/** Joins adjacent deltas of the same kind and block; everything else keeps its place. */
export function mergeAdjacentDeltas(events: ProviderEvent[]): ProviderEvent[] {
  const out: ProviderEvent[] = [];
  for (const ev of events) {
    const last = out[out.length - 1];
    if (last && mergeable(ev) && mergeable(last) && last.type === ev.type && last.index === ev.index) {
      out[out.length - 1] = joined(last, ev);
    } else out.push(ev);
  }
  return out;
}

function joined(a: Mergeable, b: Mergeable): Mergeable {
  if (a.type === "text_delta" && b.type === "text_delta") return { ...a, text: a.text + b.text };
  if (a.type === "thinking_delta" && b.type === "thinking_delta") return { ...a, thinking: a.thinking + b.thinking };
  if (a.type === "input_json_delta" && b.type === "input_json_delta") return { ...a, json: a.json + b.json };
  throw new Error("only deltas of one kind merge");
}

/** The end of the current turn of the event loop (after pending I/O callbacks). */
const turnEnd = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The events of `source`, adjacent deltas of a block that were ready in the
 * same turn merged. Order is kept; nothing is dropped unless the consumer
 * stops early (then, as before, what it never took was never shown or saved).
 */
export async function* coalesceDeltas(source: AsyncIterable<ProviderEvent>, nextTurn: () => Promise<void> = turnEnd): AsyncGenerator<ProviderEvent> {
  const it = source[Symbol.asyncIterator]();
  const queue: ProviderEvent[] = [];
  let ended = false;
  let stopped = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  void (async () => {
    try {
      while (!stopped) {
        const r = await it.next();
        if (r.done) break;
        queue.push(r.value);
        notify();
      }
    } catch (e) {
      failure = { error: e };
    } finally {
      ended = true;
      notify();
    }
  })();

  let turn: Promise<void> = Promise.resolve();
  try {
    for (;;) {
      while (queue.length === 0 && !ended) await new Promise<void>((resolve) => (wake = resolve));
      if (queue.length === 0) break;
      await turn; // one batch per turn: the rest of this turn's burst joins the next batch
      const batch = mergeAdjacentDeltas(queue.splice(0));
      turn = nextTurn();
      yield* batch;
    }
    if (failure) throw failure.error;
  } finally {
    stopped = true;
    // A consumer that stops early must not leave the upstream open (the
    // provider aborts its request when its generator is returned).
    if (!ended) void it.return?.().catch(() => {});
  }
}
