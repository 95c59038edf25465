// Scenarios of the fake Anthropic server (lib/testing/fake-anthropic.ts) and
// how a scenario becomes the exact SSE events of POST /v1/messages. Kept apart
// from the HTTP plumbing so the wire format is in one readable place.

export type FakeBlock =
  | { type: "text"; text: string }
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "redacted_thinking"; data: string }
  | { type: "tool_use"; id?: string; name: string; input: unknown };

/** How a failing run ends, instead of `content_block_stop … message_stop`. */
export type FakeEnding = "error" | "drop" | "stall" | "eof";

export type Scenario = {
  name?: string;
  /** Reply text; default: an echo of the last user message ("Echo: …"). "" = no text block. */
  text?: string;
  /** Instead of `text`: this many deterministic words (long replies for benchmarks). */
  words?: number;
  /** Prepends a thinking block (with a signature) before the text. */
  thinking?: string;
  /** Appends a tool_use block after the text; stop_reason becomes tool_use. */
  tool?: { id?: string; name: string; input: unknown };
  /** Full control over the blocks; overrides text/words/thinking/tool. */
  blocks?: FakeBlock[];
  /** Code points per delta, cycled (e.g. [1, 4, 2]). Default 5. */
  chunk?: number | number[];
  /** Pause before each delta (with `burst`: before each write), in ms. Default 0. */
  delayMs?: number;
  /** SSE events per write, so the app reads several deltas at once. Default 1. */
  burst?: number;
  /** Answer this HTTP status (429, 500, 529, 400, 401…) instead of streaming. */
  status?: number;
  /** Abnormal end of the stream, after `failAfter` code points of content. */
  end?: FakeEnding;
  /** Content code points sent before `end` strikes (default: all of them). 0 = right after message_start. */
  failAfter?: number;
  /** Only the first `times` requests fail (status/end); later ones succeed. Default: every one fails. */
  times?: number;
  /** `error.type` for HTTP errors and `event: error` (default by status, overloaded_error for streams). */
  errorType?: string;
  errorMessage?: string;
  stopReason?: string;
  /** Model reported back (default: the model of the request). */
  model?: string;
  /** `retry-after-ms` header on HTTP errors (default 1, so SDK retries are instant). */
  retryAfterMs?: number;
};

/** Named scenarios for `[[scenario:NAME]]` markers and the CLI. */
export const PRESETS: Record<string, Scenario> = {
  echo: {},
  thinking: { thinking: "Let me think about this step by step. First, what is being asked? 🤔" },
  tool: { text: "I'll look that up.", tool: { name: "get_weather", input: { city: "Paris", unit: "celsius" } } },
  // Tether's own tools: the app runs them and asks again with the result (answered by the default scenario).
  calculate: { text: "Let me calculate that.", tool: { name: "calculate", input: { expression: "6 * (3 + 4)" } } },
  think_calculate: {
    thinking: "Arithmetic: better use the calculator tool than guess. 🧮",
    text: "Calculating.",
    tool: { name: "calculate", input: { expression: "2^10" } },
  },
  overloaded: { status: 529, times: 2 },
  overloaded_always: { status: 529 },
  rate_limited: { status: 429, times: 1 },
  server_error: { status: 500, times: 1 },
  auth_error: { status: 401 },
  bad_request: { status: 400 },
  midstream_error: { end: "error" },
  drop: { end: "drop" },
  stall: { end: "stall" },
  eof: { end: "eof" },
  slow: { delayMs: 50 },
  long: { words: 1500, delayMs: 5 },
};

const ERROR_TYPES: Record<number, [string, string]> = {
  400: ["invalid_request_error", "messages: invalid request"],
  401: ["authentication_error", "invalid x-api-key"],
  403: ["permission_error", "Your API key does not have permission to use the specified resource."],
  404: ["not_found_error", "model: not found"],
  413: ["request_too_large", "Request exceeds the maximum allowed number of bytes."],
  429: ["rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"],
  500: ["api_error", "Internal server error"],
  502: ["api_error", "Bad gateway"],
  503: ["api_error", "Service unavailable"],
  529: ["overloaded_error", "Overloaded"],
};

export function errorBody(status: number | undefined, s: Scenario) {
  const [type, message] = (status && ERROR_TYPES[status]) || (status ? ERROR_TYPES[500] : ERROR_TYPES[529]);
  return { type: "error", error: { type: s.errorType ?? type, message: s.errorMessage ?? message } };
}

export const isFailing = (s: Scenario) => s.status !== undefined || s.end !== undefined;

// ---- reading the request ------------------------------------------------

type AnyBlock = { type?: string; text?: string };
type AnyMessage = { role?: string; content?: string | AnyBlock[] };

function textOf(m: AnyMessage | undefined): string {
  if (!m) return "";
  if (typeof m.content === "string") return m.content;
  return (m.content ?? []).map((b) => (b.type === "text" ? (b.text ?? "") : "")).join("");
}

const MARKER_RE = /\[\[scenario:([\w-]+)\]\]/;

/** Scenario named or spelled out in the text: `[[scenario:NAME]]` and/or `[[fake:{json}]]`. */
export function scenarioFromText(text: string): Scenario | undefined {
  const named = MARKER_RE.exec(text);
  const preset = named ? PRESETS[named[1]] : undefined;
  if (named && !preset) throw new Error(`unknown fake scenario "${named[1]}"`);
  const json = jsonDirective(text);
  if (!preset && !json) return undefined;
  return { name: named?.[1] ?? "json", ...preset, ...json?.value };
}

// The JSON may itself contain "]]", so try each "}]]" until one parses.
function jsonDirective(text: string): { value: Scenario; start: number; end: number } | undefined {
  const start = text.indexOf("[[fake:");
  if (start < 0) return undefined;
  for (let i = text.indexOf("}]]", start); i >= 0; i = text.indexOf("}]]", i + 1)) {
    try {
      return { value: JSON.parse(text.slice(start + 7, i + 1)) as Scenario, start, end: i + 3 };
    } catch {
      /* not the end of the JSON yet */
    }
  }
  throw new Error("unparseable [[fake:{…}]] directive");
}

export function stripMarkers(text: string): string {
  let out = text.replace(new RegExp(MARKER_RE.source, "g"), "");
  const json = jsonDirective(out);
  if (json) out = out.slice(0, json.start) + out.slice(json.end);
  return out.trim();
}

export type RequestInfo = { model: string; lastUserText: string; prefill: string; inputChars: number; body?: unknown };

export function readRequest(body: unknown): RequestInfo {
  const b = (body ?? {}) as { model?: string; messages?: AnyMessage[]; system?: unknown };
  const messages = Array.isArray(b.messages) ? b.messages : [];
  const last = messages.at(-1);
  // An assistant turn at the end is a prefill: the reply continues it.
  const prefill = last?.role === "assistant" ? textOf(last) : "";
  const lastUser = [...messages].reverse().find((m) => m.role === "user");
  return {
    model: b.model ?? "claude-fake",
    lastUserText: textOf(lastUser),
    prefill,
    inputChars: JSON.stringify(messages).length + JSON.stringify(b.system ?? "").length,
    body,
  };
}

/** The tool results of the request's last user message (what a scripted reply can quote). */
export function toolResultsIn(body: unknown): { toolUseId: string; content: string; isError: boolean }[] {
  const messages = ((body ?? {}) as { messages?: { role?: string; content?: unknown }[] }).messages ?? [];
  const lastUser = [...messages].reverse().find((m) => m.role === "user");
  const blocks = Array.isArray(lastUser?.content) ? (lastUser.content as Record<string, unknown>[]) : [];
  return blocks
    .filter((b) => b.type === "tool_result")
    .map((b) => ({
      toolUseId: String(b.tool_use_id),
      content: typeof b.content === "string" ? b.content : JSON.stringify(b.content ?? ""),
      isError: b.is_error === true,
    }));
}

// ---- building the events -------------------------------------------------

export type Step = { event: string; data: unknown; size: number };

const WORDS = "the quick brown fox jumps over a lazy dog while streaming tokens never lose a character".split(" ");

function blocksOf(s: Scenario, req: RequestInfo): FakeBlock[] {
  if (s.blocks) return s.blocks;
  let text = s.text;
  if (text === undefined && s.words) text = Array.from({ length: s.words }, (_, i) => WORDS[(i * 7) % WORDS.length]).join(" ");
  if (text === undefined) {
    const results = req.lastUserText ? [] : toolResultsIn(req.body);
    text = results.length ? `Tool results: ${results.map((r) => r.content).join(" | ")}` : `Echo: ${stripMarkers(req.lastUserText) || "(empty)"}`;
  }
  // Continue from a prefill when the reply starts with it, like the real model would.
  if (req.prefill && text.startsWith(req.prefill)) text = text.slice(req.prefill.length);
  const blocks: FakeBlock[] = [];
  if (s.thinking) blocks.push({ type: "thinking", thinking: s.thinking, signature: `sig_${hash(s.thinking)}` });
  if (text) blocks.push({ type: "text", text });
  if (s.tool) blocks.push({ type: "tool_use", ...s.tool });
  return blocks;
}

function* chunks(s: string, sizes: number[], counter: { n: number }): Generator<string> {
  const cps = Array.from(s); // code points: never splits a surrogate pair
  for (let i = 0; i < cps.length;) {
    const size = Math.max(1, sizes[counter.n++ % sizes.length]);
    yield cps.slice(i, i + size).join("");
    i += size;
  }
}

function hash(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0).toString(16);
}

const cp = (s: string) => Array.from(s).length;

/**
 * The request's `stop_sequences`, as the API applies them: the reply ends
 * where its text would first complete one, without it (and without any block
 * after it); the message names the sequence it stopped on.
 */
function stopAt(blocks: FakeBlock[], stops: unknown): { blocks: FakeBlock[]; stopSequence: string | null } {
  const list = Array.isArray(stops) ? stops.filter((x): x is string => typeof x === "string" && x !== "") : [];
  for (const [i, b] of blocks.entries()) {
    if (b.type !== "text") continue;
    let hit: { at: number; end: number; seq: string } | undefined;
    for (const seq of list) {
      const at = b.text.indexOf(seq);
      if (at >= 0 && (!hit || at + seq.length < hit.end)) hit = { at, end: at + seq.length, seq };
    }
    if (hit) return { blocks: [...blocks.slice(0, i), ...(hit.at > 0 ? [{ type: "text" as const, text: b.text.slice(0, hit.at) }] : [])], stopSequence: hit.seq };
  }
  return { blocks, stopSequence: null };
}

/** Every event of a complete, successful stream, in order. */
export function buildSteps(
  s: Scenario,
  req: RequestInfo,
  id: string,
  input: { input_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number } = {
    input_tokens: Math.max(1, Math.ceil(req.inputChars / 4)),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  },
): Step[] {
  const sizes = Array.isArray(s.chunk) ? s.chunk : [s.chunk ?? 5];
  const counter = { n: 0 };
  const { blocks, stopSequence } = stopAt(blocksOf(s, req), (req.body as { stop_sequences?: unknown } | undefined)?.stop_sequences);
  let outChars = 0;
  const steps: Step[] = [];
  const push = (event: string, data: unknown, size = 0) => steps.push({ event, data, size });
  push("message_start", {
    type: "message_start",
    message: {
      id,
      type: "message",
      role: "assistant",
      model: s.model ?? req.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...input, output_tokens: 1 },
    },
  });
  push("ping", { type: "ping" });
  blocks.forEach((b, index) => {
    const delta = (delta: Record<string, string>, size: number) => push("content_block_delta", { type: "content_block_delta", index, delta }, size);
    if (b.type === "text") {
      push("content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "", citations: null } });
      for (const c of chunks(b.text, sizes, counter)) delta({ type: "text_delta", text: c }, cp(c));
      outChars += cp(b.text);
    } else if (b.type === "thinking") {
      push("content_block_start", { type: "content_block_start", index, content_block: { type: "thinking", thinking: "", signature: "" } });
      for (const c of chunks(b.thinking, sizes, counter)) delta({ type: "thinking_delta", thinking: c }, cp(c));
      delta({ type: "signature_delta", signature: b.signature }, 0);
      outChars += cp(b.thinking);
    } else if (b.type === "redacted_thinking") {
      push("content_block_start", { type: "content_block_start", index, content_block: { type: "redacted_thinking", data: b.data } });
    } else {
      const json = JSON.stringify(b.input ?? {});
      const toolId = b.id ?? `toolu_fake_${hash(id + index)}`;
      push("content_block_start", { type: "content_block_start", index, content_block: { type: "tool_use", id: toolId, name: b.name, input: {} } });
      for (const c of chunks(json, sizes, counter)) delta({ type: "input_json_delta", partial_json: c }, cp(c));
      outChars += cp(json);
    }
    push("content_block_stop", { type: "content_block_stop", index });
  });
  const stopReason = s.stopReason ?? (stopSequence !== null ? "stop_sequence" : blocks.at(-1)?.type === "tool_use" ? "tool_use" : "end_turn");
  push("message_delta", {
    type: "message_delta",
    delta: { stop_reason: stopReason, stop_sequence: stopSequence },
    // Cumulative, as the API sends it: the input counts again, output for the whole message.
    usage: { ...input, output_tokens: Math.max(1, Math.ceil(outChars / 4)) },
  });
  push("message_stop", { type: "message_stop" });
  return steps;
}

/** The non-streaming answer: the message that the steps would assemble. */
export function buildMessage(steps: Step[]): Record<string, unknown> {
  const start = steps[0].data as { message: Record<string, unknown> };
  const msg = { ...start.message, content: [] as Record<string, unknown>[] };
  const json: string[] = [];
  for (const { data } of steps) {
    const d = data as { type: string; index: number; content_block?: Record<string, unknown>; delta?: Record<string, string>; usage?: unknown };
    if (d.type === "content_block_start") msg.content[d.index] = { ...d.content_block };
    if (d.type === "content_block_delta" && d.delta) {
      const block = msg.content[d.index];
      const { type, ...rest } = d.delta;
      if (type === "input_json_delta") json[d.index] = (json[d.index] ?? "") + rest.partial_json;
      else if (type === "signature_delta") block.signature = rest.signature;
      else for (const [k, v] of Object.entries(rest)) block[k] = String(block[k] ?? "") + v;
    }
    if (d.type === "content_block_stop" && json[d.index] !== undefined) msg.content[d.index].input = JSON.parse(json[d.index]);
    if (d.type === "message_delta") Object.assign(msg, (d as unknown as { delta: object }).delta, { usage: d.usage });
  }
  return msg;
}
