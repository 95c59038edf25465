// How search hits become results (docs/API.md, GET /api/search): one result
// per conversation with its best snippets, each snippet plain text (the
// markdown marks taken out) that starts a little before its first match.
// Pure, so unit-tested. Every scan is linear in the text (docs/SECURITY.md,
// "Text and regular expressions"): anchored patterns, patterns whose runs
// cannot overlap, and character loops.
import type { MessageRole, SearchResult, SearchSnippet, SnippetSegment } from "./types";

/** Snippets kept per conversation (its best hits). */
export const SNIPPETS_PER_RESULT = 3;
/** Characters of context kept before a snippet's first match. */
const BEFORE = 40;
/** Longest snippet, in characters (the list shows two lines of it). */
const SNIPPET_CHARS = 160;

// Marks around matched words (search.ts): control characters the source text
// is stripped of first, so text cannot fake a match.
export const START = "\u0002";
export const STOP = "\u0003";

/** Splits marked text into segments (`match` for the text between the marks). */
export function segments(marked: string): SnippetSegment[] {
  const out: SnippetSegment[] = [];
  let match = false;
  for (const piece of marked.split(/([\u0002\u0003])/)) {
    if (piece === START) match = true;
    else if (piece === STOP) match = false;
    else if (piece) {
      const last = out.at(-1);
      if (last && last.match === match) last.text += piece;
      else out.push({ text: piece, match });
    }
  }
  return out;
}

const LINE_MARKERS = [/^(?:>[ \t]?)+/, /^#{1,6}[ \t]+/, /^[-*+][ \t]+(?:\[[ xX]\][ \t]+)?/, /^\d{1,9}[.)][ \t]+/];
const FENCE = /^(?:```|~~~)/;
const TABLE_RULE = /^[|:\- \t]+$/;
const WORD = /[\p{L}\p{N}]/u;

/** One line without its block markdown: quote, heading, list and fence marks, table pipes. */
function plainLine(line: string): string {
  let s = line.trimStart();
  if (FENCE.test(s)) return "";
  if (s.includes("|") && TABLE_RULE.test(s)) return "";
  for (const marker of LINE_MARKERS) s = s.replace(marker, "");
  return s.includes("|") ? s.split("|").join(" ") : s;
}

/**
 * Emphasis stars and underscores dropped, unless they stand between two
 * spaces ("2 * 3") or inside a word (snake_case).
 */
function dropEmphasis(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch !== "*" && ch !== "_") {
      out += ch;
      continue;
    }
    const before = s[i - 1] ?? " ";
    const after = s[i + 1] ?? " ";
    const spaced = /\s/.test(before) && /\s/.test(after);
    const inWord = WORD.test(before) && WORD.test(after);
    if (spaced || inWord) out += ch;
  }
  return out;
}

/** Markdown as a reader sees it, on one line: marks removed, links as their text, whitespace squeezed. */
export function plainMarkdown(text: string): string {
  const lines = text.split("\n").map(plainLine).join(" ");
  const unlinked = lines.replace(/!?\[([^[\]\n]*)\]\([^()\s]*\)/g, "$1");
  const unmarked = unlinked.split("**").join("").split("__").join("").split("~~").join("").split("`").join("");
  return dropEmphasis(unmarked).split(/\s+/).filter(Boolean).join(" ");
}

/**
 * The snippet from a little before its first match: at most `BEFORE`
 * characters ahead of it (cut at a space, "…" in front), `SNIPPET_CHARS` in all.
 */
export function centreOnMatch(parts: SnippetSegment[]): SnippetSegment[] {
  const first = parts.findIndex((s) => s.match);
  const out = parts.map((s) => ({ ...s }));
  if (first > 0) {
    const lead = out
      .slice(0, first)
      .map((s) => s.text)
      .join("");
    let cut = lead;
    if (lead.length > BEFORE) {
      const tail = lead.slice(lead.length - BEFORE);
      const space = tail.indexOf(" ");
      cut = `…${space >= 0 && space < tail.length - 1 ? tail.slice(space + 1) : tail}`;
    }
    out.splice(0, first, { text: cut, match: false });
  }
  let room = SNIPPET_CHARS;
  const kept: SnippetSegment[] = [];
  for (const s of out) {
    if (room <= 0) break;
    if (s.text.length <= room || s.match) kept.push(s);
    else kept.push({ text: `${s.text.slice(0, room).trimEnd()}…`, match: false });
    room -= s.text.length;
  }
  return kept;
}

/** A hit's marked text as a snippet: markdown stripped, centred on its first match. */
export function snippetOf(marked: string): SnippetSegment[] {
  return centreOnMatch(segments(plainMarkdown(marked)));
}

export type Hit = { conversationId: string; title: string; messageId: string | null; role: MessageRole | null; createdAt: Date | string; marked: string };

/**
 * One result per conversation, in the order of each one's best hit: the
 * best hit's fields at the top (as before grouping), its title marked if the
 * title matched, and up to SNIPPETS_PER_RESULT message snippets, best first.
 */
export function groupHits(hits: Hit[], limit: number): SearchResult[] {
  const byConversation = new Map<string, SearchResult>();
  for (const h of hits) {
    const snippet = snippetOf(h.marked);
    const createdAt = new Date(h.createdAt).toISOString();
    let result = byConversation.get(h.conversationId);
    if (!result) {
      if (byConversation.size >= limit) continue;
      result = { conversationId: h.conversationId, title: h.title, messageId: h.messageId, role: h.role, snippet, createdAt, titleMatch: null, snippets: [] };
      byConversation.set(h.conversationId, result);
    }
    if (h.messageId === null) result.titleMatch = segments(h.marked.split("\n").join(" "));
    else if (result.snippets.length < SNIPPETS_PER_RESULT) {
      const one: SearchSnippet = { messageId: h.messageId, role: h.role ?? "user", snippet, createdAt };
      result.snippets.push(one);
    }
  }
  return [...byConversation.values()];
}
