// Folds normalized provider events into the message's parts and numbers the
// stream events that describe each change. One assembler per generation run:
// a tool loop calls `nextTurn()` before each further model turn, so parts
// accumulate in one message; `seq` continues from the message's last event
// id (Continue).
import type { ProviderEvent } from "../../llm/types";
import type { StreamEvent } from "../../stream/events";
import type { Part, ToolUsePart, Usage } from "../../chat/types";
import { contentOf } from "../../chat/types";
import { addUsage } from "../../usage/tokens";

export class ReplyAssembler {
  readonly parts: Part[];
  seq: number;
  model: string | undefined;
  stopReason: string | null | undefined;
  /** Which of the request's stop sequences ended the turn (null: none did). */
  stopSequence: string | null | undefined;
  /** Usage of the model turns that ended (message_stop), summed. */
  private endedUsage: Usage | undefined;
  /** What message_start reported for the turn under way (input and cache counts; output so far). */
  private openUsage: Usage | undefined;
  firstTokenAt: number | undefined;
  /** Provider block index → index in `parts` (parts may pre-exist). */
  private readonly blockToPart = new Map<number, number>();
  private readonly toolJson = new Map<number, string>();
  /** Provider block index → when its thinking began (for the part's `durationMs`). */
  private readonly thinkingStart = new Map<number, number>();
  /** Continue: the first text block extends this existing text part. */
  private resumeTextIndex: number | undefined;
  private spaceIndex: number | undefined;
  /** Index of the first part the current model turn added. */
  private turnStart: number;

  constructor(initialParts: Part[], startSeq: number, opts: { resumeTextIndex?: number; dropLeadingSpace?: boolean } = {}) {
    this.parts = initialParts.map((p) => ({ ...p }));
    this.seq = startSeq;
    this.resumeTextIndex = opts.resumeTextIndex;
    this.spaceIndex = opts.dropLeadingSpace ? opts.resumeTextIndex : undefined;
    this.turnStart = this.parts.length;
  }

  /** A further model turn (tool loop): block indexes restart; new text never extends old parts. */
  nextTurn(): void {
    this.blockToPart.clear();
    this.toolJson.clear();
    this.thinkingStart.clear();
    this.resumeTextIndex = undefined;
    this.spaceIndex = undefined;
    this.stopReason = undefined;
    this.stopSequence = undefined;
    this.turnStart = this.parts.length;
    this.endedUsage = addUsage(this.endedUsage, this.openUsage);
    this.openUsage = undefined;
  }

  /**
   * Tokens of this run: every ended turn, plus what message_start reported of
   * a turn cut off (its input is billed; its output is known only at its end).
   */
  get usage(): Usage | undefined {
    return addUsage(this.endedUsage, this.openUsage);
  }

  /** The tool calls the current model turn asked for. */
  turnToolCalls(): ToolUsePart[] {
    return this.parts.slice(this.turnStart).filter((p): p is ToolUsePart => p.type === "tool_use");
  }

  /** Appends a whole part (a tool result), announced by part_start + part_stop. */
  addPart(part: Part): StreamEvent[] {
    const index = this.parts.push({ ...part }) - 1;
    return [this.next({ event: "part_start", data: { index, part: { ...part } } }), this.next({ event: "part_stop", data: { index } })];
  }

  get content(): string {
    return contentOf(this.parts);
  }

  private next<E extends StreamEvent>(e: Omit<E, "id">): E {
    return { ...e, id: ++this.seq } as E;
  }

  /** Emits a numbered event that is not derived from provider output. */
  emit<E extends StreamEvent>(e: Omit<E, "id">): E {
    return this.next(e);
  }

  apply(ev: ProviderEvent): StreamEvent[] {
    switch (ev.type) {
      case "message_start":
        this.model = ev.model;
        if (ev.usage) this.openUsage = { inputTokens: 0, outputTokens: 0, ...ev.usage };
        return [];
      case "block_start": {
        if (ev.block.type === "text" && this.resumeTextIndex !== undefined) {
          // A continued reply reads as one text, not two blocks.
          this.blockToPart.set(ev.index, this.resumeTextIndex);
          this.resumeTextIndex = undefined;
          return [];
        }
        if (ev.block.type !== "text") this.resumeTextIndex = undefined;
        let part: Part;
        if (ev.block.type === "text") part = { type: "text", text: "" };
        else if (ev.block.type === "thinking") {
          part = { type: "thinking", thinking: "" };
          this.thinkingStart.set(ev.index, Date.now());
        } else if (ev.block.type === "redacted_thinking") part = { type: "redacted_thinking", data: ev.block.data };
        else {
          part = { type: "tool_use", id: ev.block.id, name: ev.block.name, input: {} };
          this.toolJson.set(ev.index, "");
        }
        const index = this.parts.push(part) - 1;
        this.blockToPart.set(ev.index, index);
        return [this.next({ event: "part_start", data: { index, part: { ...part } } })];
      }
      case "text_delta":
      case "thinking_delta": {
        const index = this.blockToPart.get(ev.index);
        if (index === undefined) return [];
        const part = this.parts[index];
        let text = ev.type === "text_delta" ? ev.text : ev.thinking;
        if (index === this.spaceIndex) {
          // The kept text already ends in whitespace: don't double it.
          text = text.trimStart();
          if (text !== "") this.spaceIndex = undefined;
        }
        if (text === "") return [];
        if (part.type === "text") part.text += text;
        else if (part.type === "thinking") part.thinking += text;
        else return [];
        this.firstTokenAt ??= Date.now();
        return [this.next({ event: "delta", data: { index, text } })];
      }
      case "signature": {
        const index = this.blockToPart.get(ev.index);
        const part = index === undefined ? undefined : this.parts[index];
        if (part?.type === "thinking") part.signature = (part.signature ?? "") + ev.signature;
        return [];
      }
      case "input_json_delta": {
        const index = this.blockToPart.get(ev.index);
        if (index === undefined || ev.json === "") return [];
        this.toolJson.set(ev.index, (this.toolJson.get(ev.index) ?? "") + ev.json);
        this.firstTokenAt ??= Date.now();
        return [this.next({ event: "delta", data: { index, json: ev.json } })];
      }
      case "block_stop": {
        const index = this.blockToPart.get(ev.index);
        if (index === undefined) return [];
        const part = this.parts[index];
        if (part.type === "tool_use") {
          const raw = this.toolJson.get(ev.index) ?? "";
          try {
            part.input = raw.trim() === "" ? {} : JSON.parse(raw);
          } catch {
            part.input = { _raw: raw }; // keep what arrived; never drop bytes
          }
        }
        const began = this.thinkingStart.get(ev.index);
        if (part.type === "thinking" && began !== undefined) {
          this.thinkingStart.delete(ev.index);
          part.durationMs = Math.max(0, Date.now() - began);
          // The signature travels with the stop, so a live reader holds the whole block (the gateway sends it on).
          const signed = part.signature ? { signature: part.signature } : {};
          return [this.next({ event: "part_stop", data: { index, durationMs: part.durationMs, ...signed } })];
        }
        return [this.next({ event: "part_stop", data: { index } })];
      }
      case "message_stop":
        this.stopReason = ev.stopReason;
        this.stopSequence = ev.stopSequence;
        this.endedUsage = addUsage(this.endedUsage, ev.usage); // summed over a tool loop's turns
        this.openUsage = undefined;
        return [];
      case "error":
        return [];
    }
  }

  /** Tool inputs of blocks that never stopped (cut off): keep the raw JSON. */
  settleOpenBlocks(): void {
    for (const [block, raw] of this.toolJson) {
      const part = this.parts[this.blockToPart.get(block)!];
      if (part?.type === "tool_use" && raw !== "" && (part.input as object) && Object.keys(part.input as object).length === 0) {
        try {
          part.input = JSON.parse(raw);
        } catch {
          part.input = { _raw: raw };
        }
      }
    }
  }
}
