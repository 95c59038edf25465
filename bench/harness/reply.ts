// The reply every benchmark stream gets, and what the fake sends of it delta
// by delta: the reference for exactness and for matching arrivals to send
// times (by UTF-16 offset, so any re-chunking by the app is measured right).
import { buildSteps, readRequest, type Scenario } from "../../lib/testing/fake-anthropic-script";

export type BenchReply = {
  text: string;
  scenario: Scenario;
  /** Text deltas per reply. */
  deltas: number;
  /** UTF-16 length of the text after each delta. */
  deltaEnds: number[];
};

/**
 * Exactly deltas × chunk code points, with multi-byte characters so that
 * byte-exactness is tested across UTF-8 splits, and no edge whitespace.
 */
export function benchReply(deltas: number, chunk: number, delayMs: number): BenchReply {
  const words = "the quick brown fox jumps over a lazy dog — naïve café 🦊 streaming tokens 日本語 never lose a character ✓".split(" ");
  const cps: string[] = [];
  for (let i = 0; cps.length < deltas * chunk; i++) cps.push(...Array.from((i ? " " : "") + words[(i * 7) % words.length]));
  const out = cps.slice(0, deltas * chunk);
  if (/\s/.test(out[out.length - 1])) out[out.length - 1] = ".";
  const text = out.join("");
  const scenario: Scenario = { name: "bench", text, chunk, delayMs };
  const sent = buildSteps(scenario, readRequest({ messages: [{ role: "user", content: "x" }] }), "msg_x")
    .filter((s) => s.event === "content_block_delta")
    .map((s) => (s.data as { delta: { text: string } }).delta.text);
  if (sent.join("") !== text || sent.length !== deltas) throw new Error("scenario does not produce the expected deltas");
  const deltaEnds: number[] = [];
  let n = 0;
  for (const d of sent) deltaEnds.push((n += d.length));
  return { text, scenario, deltas, deltaEnds };
}
