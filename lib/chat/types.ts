// Domain shapes of the HTTP contract (docs/PROTOCOL.md §1, §3). Dates are ISO strings.

export type MessageRole = "user" | "assistant";
export type MessageStatus = "pending" | "streaming" | "resuming" | "complete" | "interrupted" | "failed";

export type TextPart = { type: "text"; text: string };
/** `durationMs`: how long the model spent on this thinking block (server clock, from its start to its end); absent when unknown (docs/PROTOCOL.md §1). */
export type ThinkingPart = { type: "thinking"; thinking: string; signature?: string; durationMs?: number };
export type RedactedThinkingPart = { type: "redacted_thinking"; data: string };
export type ToolUsePart = { type: "tool_use"; id: string; name: string; input: unknown };
export type ToolResultPart = { type: "tool_result"; toolUseId: string; content: string; isError: boolean };
/** A file a user message carries (docs/API.md#files). `data` is never stored: it is filled in for the model request only (base64, or the text of a text file). */
export type FilePart = {
  type: "file";
  fileId: string;
  name: string;
  mediaType: string;
  size: number;
  kind: "image" | "pdf" | "text";
  width?: number;
  height?: number;
  pages?: number;
  data?: string;
};
export type Part = TextPart | ThinkingPart | RedactedThinkingPart | ToolUsePart | ToolResultPart | FilePart;

export type ErrorBody = { code: string; message: string };

export type Usage = {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens?: number;
  cacheCreationInputTokens?: number;
};

/** What a reply cost, in the price table's currency; `amount` null: unknown (a model without a price). */
export type Cost = { amount: number | null; currency: string };

export type MessageMetadata = {
  model?: string;
  provider?: string;
  stopReason?: string | null;
  /** Every model call of the reply together (tool steps, Continue): docs/API.md "Usage and cost". */
  usage?: Usage;
  usageByModel?: Record<string, Usage>;
  cost?: Cost;
  firstTokenMs?: number;
  durationMs?: number;
  charsPerSecond?: number;
  [key: string]: unknown;
};

export type Message = {
  id: string;
  conversationId: string;
  role: MessageRole;
  content: string;
  parts: Part[];
  status: MessageStatus;
  error?: ErrorBody;
  metadata: MessageMetadata;
  createdAt: string;
  updatedAt: string;
  /** The message this one follows on its path (null for the first). See docs/API.md. */
  parentId?: string | null;
  /** Set when the message has other versions (same parent, same role). */
  versions?: MessageVersions;
};

/** This message is version `index + 1` of `count`; `ids` are all versions, oldest first. */
export type MessageVersions = { index: number; count: number; ids: string[] };

/** A search hit's snippet: plain text in segments, the matched words marked. */
export type SnippetSegment = { text: string; match: boolean };

/** One message of a search result that matched: its text around the match. */
export type SearchSnippet = { messageId: string; role: MessageRole; snippet: SnippetSegment[]; createdAt: string };

/**
 * One conversation that matched (docs/API.md). `messageId`, `role`, `snippet`
 * and `createdAt` are its best hit (null ids: the title).
 */
export type SearchResult = {
  conversationId: string;
  title: string;
  /** null for a match on the conversation's title. */
  messageId: string | null;
  role: MessageRole | null;
  snippet: SnippetSegment[];
  createdAt: string;
  /** The title with its matched words marked; null when the title did not match. */
  titleMatch: SnippetSegment[] | null;
  /** Its best message hits, best first (at most 3). */
  snippets: SearchSnippet[];
};

export type Conversation = {
  id: string;
  title: string;
  /** The model its replies use; null: the user's default model, else the deployment's. */
  model: string | null;
  /** Sent as the system prompt, after the user's instructions ("" = none). */
  systemPrompt: string;
  /** When the user pinned it (null: not pinned); pinned ones head the sidebar. */
  pinnedAt: string | null;
  /** When the user archived it (null: not archived); archived ones leave the list but still open and are searched. */
  archivedAt: string | null;
  /** The API key that started it through the gateway (docs/GATEWAY.md); null: started in the app. */
  apiKey: { id: string; name: string } | null;
  createdAt: string;
  updatedAt: string;
};

/** Longest conversation system prompt, and longest custom instructions, in characters. */
export const MAX_SYSTEM_PROMPT_CHARS = 10_000;
export const MAX_INSTRUCTIONS_CHARS = 10_000;

/** Visible text of a reply: all text parts joined with no separator. */
export function contentOf(parts: Part[]): string {
  let s = "";
  for (const p of parts) if (p.type === "text") s += p.text;
  return s;
}
