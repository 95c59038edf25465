// A gateway reply in the Anthropic Messages API's shapes (docs/GATEWAY.md):
// the reply's numbered events (docs/PROTOCOL.md §4) become the API's stream
// events, and a saved message becomes the API's Message object. Each frame is
// named by the event it came from and its place among that event's frames
// ("12", "12.1"), so a client that reconnects with Last-Event-ID gets exactly
// the frames after it.
import type { Message, Part, Usage } from "../chat/types";
import type { StreamEvent } from "../stream/events";

export type WireFrame = { id: string; event: string; data: Record<string, unknown> };
type Frame = Omit<WireFrame, "id">;

/** Where a frame stands: the reply's event id it came from, and its place among that event's frames. */
export type FramePos = { seq: number; k: number };

export const frameId = (p: FramePos) => (p.k === 0 ? String(p.seq) : `${p.seq}.${p.k}`);
export const isAfter = (a: FramePos, b: FramePos) => a.seq > b.seq || (a.seq === b.seq && a.k > b.k);

/** A client's Last-Event-ID; anything else is no position (null). */
export function parseFrameId(raw: string | null): FramePos | null {
  const m = raw === null ? null : /^(\d{1,15})(?:\.(\d{1,3}))?$/.exec(raw.trim());
  return m ? { seq: Number(m[1]), k: m[2] === undefined ? 0 : Number(m[2]) } : null;
}

/** The API's message id for a reply: `msg_` and the reply's id without dashes. */
export const apiMessageId = (id: string) => `msg_${id.replaceAll("-", "")}`;

/** A reply's id from the API's message id (or the reply's own id); null when it cannot be one. */
export function replyIdOf(apiId: string): string | null {
  const hex = /^msg_([0-9a-f]{32})$/i.exec(apiId)?.[1] ?? (/^[0-9a-f-]{36}$/i.test(apiId) ? apiId.replaceAll("-", "") : null);
  if (!hex || hex.length !== 32) return null;
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

type WireType = "text" | "thinking" | "redacted_thinking" | "tool_use";
const isWire = (p: Part): p is Extract<Part, { type: WireType }> => p.type === "text" || p.type === "thinking" || p.type === "redacted_thinking" || p.type === "tool_use";

/** A content block as the API states it at its start (empty; its content follows in deltas). */
function blockStart(p: Extract<Part, { type: WireType }>): Record<string, unknown> {
  if (p.type === "text") return { type: "text", text: "" };
  if (p.type === "thinking") return { type: "thinking", thinking: "", signature: "" };
  if (p.type === "redacted_thinking") return { type: "redacted_thinking", data: p.data };
  return { type: "tool_use", id: p.id, name: p.name, input: {} };
}

/** A whole content block, as the API's Message object carries it. */
export function apiBlock(p: Part): Record<string, unknown> | null {
  if (p.type === "text") return { type: "text", text: p.text };
  if (p.type === "thinking") return { type: "thinking", thinking: p.thinking, signature: p.signature ?? "" };
  if (p.type === "redacted_thinking") return { type: "redacted_thinking", data: p.data };
  if (p.type === "tool_use") return { type: "tool_use", id: p.id, name: p.name, input: p.input ?? {} };
  return null;
}

export function apiUsage(u: Usage | undefined): Record<string, number> {
  return {
    input_tokens: u?.inputTokens ?? 0,
    output_tokens: u?.outputTokens ?? 0,
    ...(u?.cacheCreationInputTokens !== undefined ? { cache_creation_input_tokens: u.cacheCreationInputTokens } : {}),
    ...(u?.cacheReadInputTokens !== undefined ? { cache_read_input_tokens: u.cacheReadInputTokens } : {}),
  };
}

/** Why the reply ended, as the API says it: the model's reason, or null when it did not end by itself (Stop, a crash). */
export const apiStopReason = (m: Message) => (m.status === "complete" ? ((m.metadata.stopReason as string | null | undefined) ?? "end_turn") : null);

/** The API's Message object for a saved reply. */
export function apiMessage(m: Message, model: string): Record<string, unknown> {
  return {
    id: apiMessageId(m.id),
    type: "message",
    role: "assistant",
    model: m.metadata.model ?? model,
    content: m.parts.map(apiBlock).filter((b) => b !== null),
    stop_reason: apiStopReason(m),
    stop_sequence: (m.metadata.stopSequence as string | undefined) ?? null,
    usage: apiUsage(m.metadata.usage),
    ...(m.status !== "complete" ? { tether: { status: m.status } } : {}),
  };
}

/** An error's `type` in the API's vocabulary, from the reply's error code. */
export function apiErrorType(code: string): string {
  if (code === "upstream_overloaded" || code === "overloaded") return "overloaded_error";
  if (code === "upstream_rate_limited" || code === "rate_limited" || code === "too_many_generations") return "rate_limit_error";
  if (code === "upstream_bad_request" || code === "invalid_input" || code === "invalid_json") return "invalid_request_error";
  if (code === "upstream_auth") return "authentication_error";
  if (code === "upstream_forbidden" || code === "forbidden") return "permission_error";
  if (code === "upstream_not_found" || code === "not_found") return "not_found_error";
  if (code === "upstream_too_large" || code === "too_large") return "request_too_large";
  return "api_error";
}

type Block = { wire: number; type: WireType; open: boolean; sent: number; signed: boolean };

/** One reader's translation of one reply: which blocks it opened and how much of each it was sent. */
export class WireTranslator {
  private readonly blocks = new Map<number, Block>();
  private nextWire = 0;
  private started = false;
  private ended = false;

  constructor(private readonly head: { id: string; model: string }) {}

  /**
   * The first frames of a stream that starts from a saved state (`from`: a
   * snapshot, ended when final): message_start and what the state holds. A
   * stream read from the log's start sends message_start when the reply
   * starts streaming instead, naming the model that answered.
   */
  begin(seq: number, from: { message: Message; final: boolean }): WireFrame[] {
    const model = (from.message.metadata.model as string | undefined) ?? this.head.model;
    return number(seq, [...this.start(model), ...(from.final ? this.end(from.message) : this.catchUp(from.message, false))]);
  }

  /** The frames of one numbered event. */
  event(e: StreamEvent): WireFrame[] {
    if (this.ended) return [];
    if (e.event === "status" && e.data.status === "streaming") return number(e.id, this.start(e.data.model ?? this.head.model));
    const frames = this.frames(e);
    // Ended or failed before it streamed (Stop, an upstream error): message_start still comes first.
    return number(e.id, frames.length ? [...this.start(this.head.model), ...frames] : frames);
  }

  private start(model: string): Frame[] {
    if (this.started) return [];
    this.started = true;
    const message = { id: this.head.id, type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null };
    return [{ event: "message_start", data: { type: "message_start", message: { ...message, usage: { input_tokens: 0, output_tokens: 0 } } } }];
  }

  private frames(e: StreamEvent): Frame[] {
    switch (e.event) {
      case "snapshot":
        return this.catchUp(e.data.message, false);
      case "part_start":
        return isWire(e.data.part) ? this.open(e.data.index, e.data.part) : [];
      case "delta": {
        const b = this.blocks.get(e.data.index);
        if (!b?.open) return [];
        if ("json" in e.data) return [delta(b, { type: "input_json_delta", partial_json: e.data.json })];
        b.sent += e.data.text.length;
        return [delta(b, b.type === "thinking" ? { type: "thinking_delta", thinking: e.data.text } : { type: "text_delta", text: e.data.text })];
      }
      case "part_stop": {
        const b = this.blocks.get(e.data.index);
        return b ? this.close(b, e.data.signature) : [];
      }
      case "error":
        this.ended = true;
        return [{ event: "error", data: { type: "error", error: { type: apiErrorType(e.data.code), message: e.data.message } } }];
      case "done":
        return this.end(e.data.message);
      default:
        return []; // status, tool_progress: nothing in the API's stream
    }
  }

  private open(index: number, part: Extract<Part, { type: WireType }>): Frame[] {
    const b: Block = { wire: this.nextWire++, type: part.type, open: true, sent: 0, signed: false };
    this.blocks.set(index, b);
    return [{ event: "content_block_start", data: { type: "content_block_start", index: b.wire, content_block: blockStart(part) } }];
  }

  private close(b: Block, signature?: string): Frame[] {
    if (!b.open) return [];
    b.open = false;
    const frames: Frame[] = [];
    if (b.type === "thinking" && signature && !b.signed) {
      b.signed = true;
      frames.push(delta(b, { type: "signature_delta", signature }));
    }
    frames.push({ event: "content_block_stop", data: { type: "content_block_stop", index: b.wire } });
    return frames;
  }

  /** What `message` holds beyond what was sent: new blocks, the rest of each text; every block but an unfinished last one closed. */
  private catchUp(message: Message, final: boolean): Frame[] {
    const frames: Frame[] = [];
    const last = message.parts.length - 1;
    message.parts.forEach((part, index) => {
      if (!isWire(part)) return;
      let b = this.blocks.get(index);
      const fresh = !b;
      if (!b) {
        frames.push(...this.open(index, part));
        b = this.blocks.get(index)!;
      }
      if (!b.open) return;
      const text = part.type === "text" ? part.text : part.type === "thinking" ? part.thinking : null;
      if (text !== null && text.length > b.sent) {
        frames.push(delta(b, part.type === "thinking" ? { type: "thinking_delta", thinking: text.slice(b.sent) } : { type: "text_delta", text: text.slice(b.sent) }));
        b.sent = text.length;
      }
      const done = final || index < last;
      // A tool call's input is known only once its block ended.
      if (part.type === "tool_use" && fresh && done) frames.push(delta(b, { type: "input_json_delta", partial_json: JSON.stringify(part.input ?? {}) }));
      if (done) frames.push(...this.close(b, part.type === "thinking" ? part.signature : undefined));
    });
    return frames;
  }

  /** The end: a failed reply with the API's error event, any other with the rest, message_delta and message_stop. */
  private end(m: Message): Frame[] {
    this.ended = true;
    if (m.status === "failed") {
      const e = m.error ?? { code: "internal", message: "The reply failed." };
      return [{ event: "error", data: { type: "error", error: { type: apiErrorType(e.code), message: e.message } } }];
    }
    const delta = { stop_reason: apiStopReason(m), stop_sequence: (m.metadata.stopSequence as string | undefined) ?? null };
    return [
      ...this.catchUp(m, true),
      {
        event: "message_delta",
        data: { type: "message_delta", delta, usage: apiUsage(m.metadata.usage), ...(m.status !== "complete" ? { tether: { status: m.status } } : {}) },
      },
      { event: "message_stop", data: { type: "message_stop" } },
    ];
  }
}

function delta(b: Block, d: Record<string, unknown>): Frame {
  return { event: "content_block_delta", data: { type: "content_block_delta", index: b.wire, delta: d } };
}

const number = (seq: number, frames: Frame[]): WireFrame[] => frames.map((f, k) => ({ id: frameId({ seq, k }), ...f }));
