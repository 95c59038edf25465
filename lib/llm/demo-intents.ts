// Which tools the demo model calls for a question: "calculate X" (or
// arithmetic after "what is"), the time (in the zone a place names:
// demo-places.ts), "search … for X". Questions are
// user text of any length, so every scan here is linear: the patterns match
// on the question with each whitespace run squeezed to one character (a
// pattern like /\s+(.+?)\s*$/ is quadratic on a long run of spaces), and what
// they capture is cut from the original text (docs/SECURITY.md, "Text and
// regular expressions").
import { trimCharsEnd, trimCharsStart } from "../chat/plain-text";
import { zoneAsked } from "./demo-places";

export type Intent = { name: string; input: Record<string, unknown>; preface: string };

// "search (my conversations) for X", or a message starting "search X" — not "binary search trees".
// Each captures from its first non-space character to the end of the sentence (? ! or a line break).
const SEARCH_FOR =
  /\bsearch\s+(?:(?:my|our|the)\s+)?(?:(?:earlier|previous|past|old)\s+)?(?:(?:conversations?|chats?|history|messages?)\s+)?(?:for|about)\s+(\S[^?!\n]*)/i;
const SEARCH_LEADING = /^\s*search(?:\s+(?:my|our)\s+(?:conversations?|chats?|history|messages?))?(?:\s*:)?\s+(\S[^?!\n]*)/i;
const CALCULATE = /\b(?:calculate|compute|evaluate)\b(?:\s*:)?\s*(\S[^?\n]*)/i;
const WHAT_IS = /\b(?:what(?:'s|\s+is)|how\s+much\s+is)\s+(\S[^?=\n]*)/i;
// Where a "calculate" request ends: "calculate 2+2 and tell me the time".
const REQUEST_END = /(?<=\s)(?:and|then|for me|please)\b/i;

/** The tool calls a question asks for, in a fixed order. */
export function detectToolIntents(question: string): Intent[] {
  const intents: Intent[] = [];
  const text = new SqueezedText(question);
  const expression = mathExpression(text);
  if (expression) intents.push({ name: "calculate", input: { expression }, preface: "Let me work that out with the calculator." });
  if (/\btime\b(?!\s+complexity)/i.test(question)) {
    // A place it cannot put in a zone: no call (demo-turn.ts says so plainly).
    const asked = zoneAsked(question);
    if (!asked) intents.push({ name: "current_time", input: {}, preface: "I'll check the clock (in UTC: you named no time zone)." });
    else if ("zone" in asked) {
      const where = asked.place === asked.zone ? asked.zone : `${asked.place} (${asked.zone})`;
      intents.push({ name: "current_time", input: { timezone: asked.zone }, preface: `I'll check the clock in ${where}.` });
    }
  }
  const search = text.capture(SEARCH_FOR) ?? text.capture(SEARCH_LEADING);
  const query = search && trimCharsEnd(trimCharsStart(search, `"'“‘`), `"'”’.`).trim();
  if (query) intents.push({ name: "search_conversations", input: { query }, preface: `I'll search your earlier conversations for “${query}”.` });
  return intents;
}

/**
 * "calculate X" (X up to the end of the sentence or an "and …"), else
 * arithmetic after "what is" / "how much is" ("Released in 2024-2025" is not a sum).
 */
function mathExpression(text: SqueezedText): string | undefined {
  const asked = text.capture(CALCULATE);
  if (asked !== undefined) {
    const end = REQUEST_END.exec(asked);
    const cleaned = trimCharsEnd((end ? asked.slice(0, end.index) : asked).trimEnd(), ".!,;").trim();
    if (cleaned && /[\d(]|pi\b/i.test(cleaned)) return cleaned;
  }
  const cue = text.capture(WHAT_IS);
  const candidate = cue === undefined ? undefined : arithmeticIn(cue)?.trim();
  return candidate && /\d\s*[-+*/^%]\s*[\d(]/.test(candidate) ? candidate : undefined;
}

const ARITHMETIC = /[\d\s.+\-*/^%()]/;

/**
 * The first stretch of `text` that looks like arithmetic: from a digit or "("
 * to the last digit or ")" of the same run of arithmetic characters (what
 * /[\d(][\d\s.+\-*\/^%()]*[\d)]/ matches, in one pass).
 */
export function arithmeticIn(text: string): string | undefined {
  let start = -1;
  let last = -1;
  for (let i = 0; i <= text.length; i++) {
    const ch = text[i];
    if (ch !== undefined && ARITHMETIC.test(ch)) {
      if (start < 0 && /[\d(]/.test(ch)) start = i;
      else if (start >= 0 && /[\d)]/.test(ch)) last = i;
      continue;
    }
    if (last > start) return text.slice(start, last + 1);
    start = last = -1;
  }
  return undefined;
}

/**
 * `text` with every whitespace run made one character (a line break when the
 * run has one, else a space), remembering where each character came from.
 */
export class SqueezedText {
  readonly squeezed: string;
  /** origin[i]: index in the original of squeezed character i; origin[squeezed.length] = its length. */
  private readonly origin: number[] = [];

  constructor(readonly original: string) {
    const parts: string[] = [];
    let at = 0;
    // Each match takes a whole run, so the scan is linear.
    for (const run of original.matchAll(/\s+/g)) {
      for (let i = at; i < run.index; i++) this.origin.push(i);
      parts.push(original.slice(at, run.index), /[\n\r\u2028\u2029]/.test(run[0]) ? "\n" : " ");
      this.origin.push(run.index);
      at = run.index + run[0].length;
    }
    for (let i = at; i <= original.length; i++) this.origin.push(i);
    parts.push(original.slice(at));
    this.squeezed = parts.join("");
  }

  /** What group 1 of `pattern` captures in the squeezed text, cut from the original and trimmed at its end. */
  capture(pattern: RegExp): string | undefined {
    const m = pattern.exec(this.squeezed);
    if (!m || m[1] === undefined) return undefined;
    const from = m.index + m[0].length - m[1].length;
    const to = from + m[1].trimEnd().length;
    return this.original.slice(this.origin[from], this.origin[to]);
  }
}
