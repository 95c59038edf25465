// The built-in local model used when there is no ANTHROPIC_API_KEY: streams
// realistic markdown (demo-replies.ts) at a human-visible pace, so the app
// works end to end offline — including extended thinking (with a fake
// signature) and tool use with input streamed in JSON fragments, then an
// answer from the tool results (demo-turn.ts). Deterministic: the same
// request always gets the same reply.
import type { ChatRequest, ChatTurn, LlmProvider, ModelInfo, ProviderEvent } from "./types";
import { planDemoTurn, type DemoBlock } from "./demo-turn";
import { hash } from "./demo-replies";

export { demoReply, topicOf } from "./demo-replies";

/** The only model the demo answers with. */
export const DEMO_MODEL: ModelInfo = { id: "tether-demo-1", displayName: "Tether demo", createdAt: "2026-01-01T00:00:00Z" };

export type DemoProviderOptions = {
  /** Fixed delay per chunk in ms (0 = as fast as possible). Default: 20–40 ms. */
  tokenDelayMs?: number;
};

export class DemoProvider implements LlmProvider {
  readonly name = "demo" as const;
  readonly model = DEMO_MODEL.id;
  readonly supportsPrefill = true;
  /** Fixed delay per chunk in ms; undefined: 20–40 ms. */
  readonly tokenDelayMs: number | undefined;

  constructor(opts: DemoProviderOptions = {}) {
    this.tokenDelayMs = opts.tokenDelayMs;
  }

  prefillFor(): boolean {
    return true;
  }

  async listModels(): Promise<ModelInfo[]> {
    return [DEMO_MODEL];
  }

  async *stream(req: ChatRequest): AsyncGenerator<ProviderEvent> {
    const { signal } = req;
    if (signal.aborted) return;
    const turns = req.raw ? [...rawTurns(req.raw.body.messages), ...req.turns] : req.turns;
    const turn = planDemoTurn({ ...req, turns });
    const rand = rng(hash(JSON.stringify(turns)));
    const inputTokens = Math.max(1, Math.ceil(JSON.stringify(turns).length / 4));
    let outChars = 0;

    yield { type: "message_start", model: this.model, usage: { inputTokens, outputTokens: 1 } };
    for (const [index, block] of turn.blocks.entries()) {
      yield { type: "block_start", index, block: block.type === "tool_use" ? { type: "tool_use", id: block.id, name: block.name } : { type: block.type } };
      const body = bodyOf(block);
      const cps = Array.from(body); // by code point: emoji never split in half
      for (let i = 0; i < cps.length;) {
        const n = 1 + Math.floor(rand() * 6);
        const delay = this.tokenDelayMs ?? 20 + Math.floor(rand() * 21);
        if (delay > 0) await sleep(delay, signal);
        if (signal.aborted) return;
        const chunk = cps.slice(i, i + n).join("");
        if (block.type === "text") yield { type: "text_delta", index, text: chunk };
        else if (block.type === "thinking") yield { type: "thinking_delta", index, thinking: chunk };
        else yield { type: "input_json_delta", index, json: chunk };
        i += n;
      }
      if (signal.aborted) return;
      if (block.type === "thinking") yield { type: "signature", index, signature: block.signature };
      yield { type: "block_stop", index };
      outChars += cps.length;
    }
    if (signal.aborted) return;
    const outputTokens = Math.max(1, Math.ceil(outChars / 4));
    yield { type: "message_stop", stopReason: turn.stopReason, usage: { inputTokens, outputTokens } };
  }
}

function bodyOf(block: DemoBlock): string {
  if (block.type === "text") return block.text;
  if (block.type === "thinking") return block.thinking;
  return JSON.stringify(block.input);
}

// mulberry32: tiny seeded PRNG, so chunking and pace are reproducible.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** A gateway request's messages as the demo reads them: their text only. */
function rawTurns(messages: unknown[]): ChatTurn[] {
  return messages.flatMap((m): ChatTurn[] => {
    const { role, content } = (m ?? {}) as { role?: unknown; content?: unknown };
    if (role !== "user" && role !== "assistant") return [];
    const blocks = Array.isArray(content) ? (content as { type?: unknown; text?: unknown }[]) : [];
    const text = typeof content === "string" ? content : blocks.map((b) => (b?.type === "text" && typeof b.text === "string" ? b.text : "")).join("");
    return [{ role, parts: [{ type: "text", text }] }];
  });
}
