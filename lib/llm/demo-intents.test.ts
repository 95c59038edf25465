// The demo model's tool intents: the same answers as the patterns they
// replaced, and linear on hostile questions (lib/testing/linear-time.ts).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { adversarialTexts, ordinaryText, slowdown } from "../testing/linear-time";
import { arithmeticIn, detectToolIntents } from "./demo-intents";
import { planDemoTurn } from "./demo-turn";
import type { ToolSpec } from "./types";

// The previous patterns, kept as the oracle: quadratic on long input, so
// they only ever see the short strings of the property below.
/* eslint-disable regexp/no-super-linear-backtracking, regexp/no-super-linear-move */
const OLD_SEARCH_FOR =
  /\bsearch\s+(?:(?:my|our|the)\s+)?(?:(?:earlier|previous|past|old)\s+)?(?:(?:conversations?|chats?|history|messages?)\s+)?(?:for|about)\s+(.+?)\s*(?:[?!\n]|$)/i;
const OLD_SEARCH_LEADING = /^\s*search(?:\s+(?:my|our)\s+(?:conversations?|chats?|history|messages?))?\s*:?\s+(.+?)\s*(?:[?!\n]|$)/i;
function oldMath(text: string): string | undefined {
  const asked = /\b(?:calculate|compute|evaluate)\b\s*:?\s*(.+?)\s*(?:\?|\n|$)/i.exec(text)?.[1];
  const cleaned = asked
    ?.split(/\s+(?:and|then|for me|please)\b/i)[0]
    .replace(/[.!,;]+$/, "")
    .trim();
  if (cleaned && /[\d(]|pi\b/i.test(cleaned)) return cleaned;
  const cue = /\b(?:what(?:'s|\s+is)|how\s+much\s+is)\s+(.+?)\s*(?:[?=\n]|$)/i.exec(text)?.[1];
  const candidate = cue?.match(/[\d(][\d\s.+\-*/^%()]*[\d)]/)?.[0].trim();
  return candidate && /\d\s*[-+*/^%]\s*[\d(]/.test(candidate) ? candidate : undefined;
}
const oldSearch = (text: string) => (OLD_SEARCH_FOR.exec(text) ?? OLD_SEARCH_LEADING.exec(text))?.[1]?.replace(/^["'“‘]+|["'”’.]+$/gu, "").trim() || undefined;
/* eslint-enable regexp/no-super-linear-backtracking, regexp/no-super-linear-move */

const words = [
  ...["search", "Search", " for ", "about", " my ", "conversations", " the ", "earlier", "calculate", "compute", "what is", "What's", "how much is"],
  ...[" and ", " then ", "please", "for me", " ", "  ", "\n", "\t", "\r\n", "?", "!", ".", ",", ";", ":", "=", "2", "17", "(", ")", "+", "*", "-", "^"],
  ...["pi", "x", "cats", '"', "'", "“", "”", "time", "Europe/Paris", "é", "🙂", "\u3000"],
];
const question = fc.array(fc.constantFrom(...words), { maxLength: 14 }).map((a) => a.join(""));
const TOOLS: ToolSpec[] = ["calculate", "current_time", "search_conversations"].map((name) => ({ name, description: name, inputSchema: { type: "object" } }));

describe("demo tool intents", () => {
  it("match what the previous patterns found, on short questions", () => {
    fc.assert(
      fc.property(question, (q) => {
        // The one difference: "search for" followed by two or more spaces and
        // nothing else. The old pattern captured a space there (so no search
        // at all); the squeezed text reads it like "search for" (a search for "for").
        fc.pre(!/\b(?:for|about)\s{2,}(?:[?!\n]|$)/i.test(q));
        const intents = detectToolIntents(q);
        expect(intents.find((i) => i.name === "calculate")?.input.expression).toBe(oldMath(q));
        expect(intents.find((i) => i.name === "search_conversations")?.input.query).toBe(oldSearch(q));
      }),
      { numRuns: 20_000 },
    );
  });

  it("keep the spacing of what they capture", () => {
    expect(detectToolIntents("search for big   cats\tnow").map((i) => i.input)).toEqual([{ query: "big   cats\tnow" }]);
    expect(detectToolIntents("calculate 2 +  3 and then stop").map((i) => i.input)).toEqual([{ expression: "2 +  3" }]);
    expect(detectToolIntents("what is  (1 + 2) *\t3 ?").map((i) => i.input)).toEqual([{ expression: "(1 + 2) *\t3" }]);
  });

  it("find arithmetic as the previous pattern did", () => {
    const text = fc.array(fc.constantFrom("1", "(", ")", " ", "+", "x", ".", "\t", "*"), { maxLength: 12 }).map((a) => a.join(""));
    fc.assert(
      fc.property(text, (t) => {
        // eslint-disable-next-line regexp/no-super-linear-move -- the replaced pattern, as the oracle, on short strings only
        expect(arithmeticIn(t)).toBe(t.match(/[\d(][\d\s.+\-*/^%()]*[\d)]/)?.[0]);
      }),
      { numRuns: 5000 },
    );
  });

  const prefixes = ["", "search for ", "search ", "calculate 1", "what is ", "what is 1"];
  for (const prefix of prefixes) {
    it.each(Object.entries(adversarialTexts(prefix)))(`stay linear on 32,000 characters after ${JSON.stringify(prefix)}: %s`, (_name, hostile) => {
      const ordinary = prefix + ordinaryText(hostile.length - prefix.length);
      expect(slowdown(detectToolIntents, hostile, ordinary)).toBeLessThan(50);
    });
  }

  const turn = (text: string) => planDemoTurn({ turns: [{ role: "user", parts: [{ type: "text", text }] }], tools: TOOLS, signal: new AbortController().signal });
  for (const prefix of prefixes) {
    it.each(Object.entries(adversarialTexts(prefix)))(`a whole demo turn stays linear on 32,000 characters after ${JSON.stringify(prefix)}: %s`, (_name, hostile) => {
      const ordinary = prefix + ordinaryText(hostile.length - prefix.length);
      expect(slowdown(turn, hostile, ordinary)).toBeLessThan(50);
    });
  }
});
