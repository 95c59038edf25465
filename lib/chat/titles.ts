// Conversation titles generated from the first exchange, in the background
// (the Inngest function `generate-title`). The first message names the
// conversation at once (lib/reply/admission.ts); this replaces it with a short title:
// Claude's when a key is set, a deterministic summary with the demo model.
// A title the user chose (titleLocked) is never replaced: the write is
// conditional, so a rename racing with it wins. The summary runs on user text
// of any length: its scans are linear (docs/SECURITY.md).
import type { Db } from "../platform/db";
import type { LlmProvider } from "../llm/types";
import type { UserEventSink } from "../events/types";
import { pathTo } from "./message-tree";
import { DEFAULT_TITLE } from "./conversations";
import { trimCharsEnd, trimCharsStart, trimSpaceAndCharsEnd } from "./plain-text";

export const MAX_GENERATED_TITLE_CHARS = 60;
const MAX_WORDS = 7;

// Openings that say how something is asked, not what about.
const FILLER =
  /^(?:(?:hi|hello|hey)\b[,!.]?\s*|(?:please|pls|kindly)\s+|(?:can|could|would|will) you(?: please)?\s+|i(?:'d| would) like(?: you)? to\s+|i (?:want|need) (?:you )?to\s+|help me(?: to)?\s+|tell me(?: about)?\s+|show me\s+|give me\s+|let's\s+)/i;
const ARTICLE = /^(?:a|an|the|some)\s+/i;

/** A short title summarizing a message, the same every time (used with the demo model, and as a fallback). */
export function summaryTitle(text: string): string {
  let s = text
    .replace(/```[\s\S]*?(```|$)/g, " ") // code blocks say little about the topic
    .replace(/`([^`]*)`/g, "$1")
    .replace(/https?:\/\/\S+/g, " ")
    .replace(/[*_#>~|[\]]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  // The first sentence that says something ("Hi! Could you…" → the second) carries the topic.
  const strip = (t: string) => {
    for (let i = 0; i < 4; i++) {
      const next = t.replace(FILLER, "").replace(ARTICLE, "");
      if (next === t) break;
      t = next;
    }
    return trimSpaceAndCharsEnd(t, ".?!,;:");
  };
  s =
    s
      .split(/(?<=[.?!])\s/)
      .map(strip)
      .find(Boolean) ?? "";
  const words = s.split(" ").filter(Boolean);
  let title = words.slice(0, MAX_WORDS).join(" ");
  if (Array.from(title).length > MAX_GENERATED_TITLE_CHARS)
    title =
      Array.from(title)
        .slice(0, MAX_GENERATED_TITLE_CHARS - 1)
        .join("")
        .trimEnd() + "…";
  else if (words.length > MAX_WORDS) title += "…";
  if (!title) return DEFAULT_TITLE;
  return title[0].toLocaleUpperCase() + title.slice(1);
}

/** A model's answer made into a title: one line, no quotes or markup, bounded. */
export function cleanTitle(raw: string): string {
  const line = raw.trim().split("\n")[0] ?? "";
  const quotes = `"'“”‘’«»`;
  const unmarked = line.replace(/^(?:title\s*:\s*)/i, "").replace(/[*_#`]+/g, "");
  const s = trimSpaceAndCharsEnd(trimCharsEnd(trimCharsStart(unmarked, quotes), quotes), ".").trim();
  const chars = Array.from(s);
  return chars.length > MAX_GENERATED_TITLE_CHARS
    ? chars
        .slice(0, MAX_GENERATED_TITLE_CHARS - 1)
        .join("")
        .trimEnd() + "…"
    : s;
}

const clip = (s: string, n: number) => (Array.from(s).length > n ? Array.from(s).slice(0, n).join("") + "…" : s);

async function claudeTitle(provider: LlmProvider, question: string, answer: string, signal: AbortSignal): Promise<string> {
  const prompt =
    "Write a short title (at most 6 words) for a conversation that starts with the exchange below. " +
    "Answer with the title only: no quotes, no final period.\n\n" +
    `<user>\n${clip(question, 2000)}\n</user>\n<assistant>\n${clip(answer, 2000)}\n</assistant>`;
  let text = "";
  for await (const e of provider.stream({
    turns: [{ role: "user", parts: [{ type: "text", text: prompt }] }],
    system: "You name chat conversations. You answer with a title and nothing else.",
    maxTokens: 32,
    thinking: "off",
    signal,
    idleTimeoutMs: 20_000,
  })) {
    if (e.type === "text_delta") text += e.text;
    if (e.type === "error") throw new Error(`${e.code}: ${e.message}`);
  }
  return cleanTitle(text);
}

export type TitleOutcome = { title: string; source: "model" | "summary" } | { skipped: "locked" | "no_exchange" | "gone" };

/**
 * Names a conversation from its first exchange unless the user has named it.
 * Claude failing (or answering nothing usable) falls back to the summary.
 */
export async function generateTitle(
  deps: { db: Db; provider: LlmProvider; signal?: AbortSignal; events?: UserEventSink },
  conversationId: string,
): Promise<TitleOutcome> {
  const { db, provider } = deps;
  const conv = await db.conversation.findUnique({ where: { id: conversationId } });
  if (!conv) return { skipped: "gone" };
  if (conv.titleLocked) return { skipped: "locked" };
  const rows = await db.message.findMany({ where: { conversationId } });
  const [question, answer] = pathTo(rows, conv.currentLeafId);
  if (!question || question.role !== "user") return { skipped: "no_exchange" };

  let title = "";
  let source: "model" | "summary" = "summary";
  if (provider.name !== "demo" && answer?.content) {
    try {
      title = await claudeTitle(provider, question.content, answer.content, deps.signal ?? AbortSignal.timeout(30_000));
      source = "model";
    } catch {
      title = "";
    }
  }
  if (!title) {
    title = summaryTitle(question.content);
    source = "summary";
  }
  const { count } = await db.conversation.updateMany({ where: { id: conversationId, titleLocked: false }, data: { title } });
  if (count !== 1) return { skipped: "locked" };
  deps.events?.publish(conv.userId, { event: "conversation.titled", data: { conversationId, title } });
  return { title, source };
}

/** Whether a finished reply is its conversation's first answer, before any edit or regenerate (the moment to name it). */
export async function isFirstExchange(db: Db, message: { conversationId: string; parentId?: string | null }): Promise<boolean> {
  if (!message.parentId) return false;
  return (await db.message.count({ where: { conversationId: message.conversationId } })) === 2;
}
