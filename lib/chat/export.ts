// A conversation as a file (docs/API.md): Markdown for reading, JSON with
// every part and metadata (and the other branches) for keeping.
import type { Db } from "../platform/db";
import { getConversationWithMessages, toMessage } from "./conversations";
import { getSettings } from "./settings";
import { AppError } from "../errors";
import type { Conversation, FilePart, Message, Part } from "./types";

export type ExportFormat = "markdown" | "json";
export const EXPORT_FORMATS: readonly ExportFormat[] = ["markdown", "json"];

/** The `format` query parameter: Markdown when absent, 400 for anything else. */
export function exportFormat(given: string | null): ExportFormat {
  const format = (given ?? "markdown") as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) throw new AppError("invalid_input", `format must be one of: ${EXPORT_FORMATS.join(", ")}`);
  return format;
}

/** A code fence longer than any run of backticks in `text`, so the text cannot close it. */
function fenced(text: string, lang = ""): string {
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${text}${text.endsWith("\n") ? "" : "\n"}${fence}`;
}

/** An attached file in Markdown: its name (a link, for the owner), type and size. */
function fileLine(p: FilePart): string {
  const name = p.name.replace(/[[\]\\]/g, "\\$&");
  return `- 📎 [${name}](/api/files/${p.fileId}) (${p.mediaType}, ${p.size} bytes)`;
}

function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

function partMarkdown(part: Part): string | null {
  switch (part.type) {
    case "text":
      return part.text || null;
    case "thinking":
      return part.thinking
        ? `> **Thinking**\n>\n${part.thinking
            .split("\n")
            .map((l) => `> ${l}`.trimEnd())
            .join("\n")}`
        : null;
    case "redacted_thinking":
      return "> _Some of Claude's reasoning was redacted._";
    case "tool_use":
      return `**Tool call: \`${part.name}\`**\n\n${fenced(jsonText(part.input), "json")}`;
    case "tool_result":
      return `**${part.isError ? "Tool error" : "Tool result"}:**\n\n${fenced(part.content)}`;
    case "file":
      return fileLine(part);
  }
}

const STATUS_NOTE: Partial<Record<Message["status"], string>> = {
  interrupted: "_(stopped before the end)_",
  failed: "_(the reply failed)_",
  pending: "_(still being written)_",
  streaming: "_(still being written)_",
  resuming: "_(still being written)_",
};

/** `instructions`: the user's custom instructions, sent before the conversation's system prompt. */
export function conversationMarkdown(conversation: Conversation, messages: Message[], exportedAt: Date, instructions = ""): string {
  const out = [`# ${conversation.title.replace(/\n/g, " ")}`, `_Exported from Tether on ${exportedAt.toISOString()}_`];
  if (conversation.model) out.push(`_Model: ${conversation.model}_`);
  if (instructions.trim()) out.push("## Instructions", instructions.trim());
  if (conversation.systemPrompt.trim()) out.push("## System prompt", conversation.systemPrompt.trim());
  for (const m of messages) {
    if (m.role === "user") {
      out.push("## You", m.content);
      const files = m.parts.flatMap((p) => (p.type === "file" ? [fileLine(p)] : []));
      if (files.length) out.push(files.join("\n"));
      continue;
    }
    out.push("## Claude");
    // Text parts next to each other are one run of markdown, joined with no separator (as `content`).
    let text = "";
    const flush = () => {
      if (text) out.push(text);
      text = "";
    };
    for (const part of m.parts) {
      if (part.type === "text") {
        text += part.text;
        continue;
      }
      flush();
      const md = partMarkdown(part);
      if (md) out.push(md);
    }
    flush();
    if (m.parts.length === 0 && m.content) out.push(m.content);
    const note = STATUS_NOTE[m.status];
    if (note) out.push(note);
  }
  return out.join("\n\n") + "\n";
}

/** The export's file name without extension: the title's words joined by "-" (a split, linear on any title). */
export function exportFileBase(title: string): string {
  return (
    title
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean)
      .join("-")
      .slice(0, 60) || "conversation"
  );
}

/** One conversation in full: its shown path, and every other message as `branches` (the JSON export's body). */
export async function conversationRecord(db: Db, userId: string, id: string) {
  const { conversation, messages } = await getConversationWithMessages(db, userId, id);
  const shown = new Set(messages.map((m) => m.id));
  const all = await db.message.findMany({ where: { conversationId: id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  return { conversation, messages, branches: all.filter((r) => !shown.has(r.id)).map(toMessage) };
}

export async function exportConversation(db: Db, userId: string, id: string, format: ExportFormat) {
  const { instructions } = await getSettings(db, userId);
  const exportedAt = new Date();
  if (format === "markdown") {
    const { conversation, messages } = await getConversationWithMessages(db, userId, id);
    const base = exportFileBase(conversation.title);
    return { filename: `${base}.md`, type: MARKDOWN_TYPE, body: conversationMarkdown(conversation, messages, exportedAt, instructions) };
  }
  const { conversation, messages, branches } = await conversationRecord(db, userId, id);
  const doc = { format: "tether.conversation.v1", exportedAt: exportedAt.toISOString(), conversation, instructions, messages, branches };
  return { filename: `${exportFileBase(conversation.title)}.json`, type: JSON_TYPE, body: JSON.stringify(doc, null, 2) + "\n" };
}

export const MARKDOWN_TYPE = "text/markdown; charset=utf-8";
export const JSON_TYPE = "application/json; charset=utf-8";
