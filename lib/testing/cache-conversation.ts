// A long conversation with Claude through the real SDK against the fake API,
// turn after turn, each request carrying the whole history as Tether sends
// it: what share of input tokens prompt caching serves from the cache
// (bench/prompt-cache.ts prints it; lib/llm/prompt-cache.test.ts checks it).
import { AnthropicProvider } from "../llm/anthropic";
import type { ChatTurn } from "../llm/types";
import type { Usage } from "../chat/types";
import { totalInput } from "../usage/tokens";
import { startFakeAnthropic } from "./fake-anthropic";

export type TurnUsage = Usage & { turn: number; breakpoints: number };
export type ConversationRun = { turns: TurnUsage[]; cacheShare: number; inputTokens: number; cacheReadTokens: number };

const WORDS = "cache prefix stream token reply durable byte exact conversation history model turn".split(" ");
const words = (n: number, seed: number) => Array.from({ length: n }, (_, i) => WORDS[(i * 5 + seed) % WORDS.length]).join(" ");

/**
 * `turns` exchanges: a first message carrying a document (`documentWords`),
 * then short questions; each reply `replyWords` long.
 */
export async function runCachedConversation(opts: {
  turns?: number;
  promptCaching: boolean;
  documentWords?: number;
  replyWords?: number;
  model?: string;
}): Promise<ConversationRun> {
  const fake = await startFakeAnthropic({ defaultScenario: { words: opts.replyWords ?? 120, chunk: 50 } });
  try {
    const provider = new AnthropicProvider({
      apiKey: "k",
      baseURL: fake.url,
      model: opts.model ?? "claude-sonnet-5-5",
      promptCaching: opts.promptCaching,
      thinking: "off",
    });
    const history: ChatTurn[] = [];
    const out: TurnUsage[] = [];
    for (let turn = 1; turn <= (opts.turns ?? 20); turn++) {
      const question =
        turn === 1 ? `Please read this document and answer my questions.\n\n${words(opts.documentWords ?? 1500, 0)}` : `Question ${turn}: ${words(30, turn)}?`;
      history.push({ role: "user", parts: [{ type: "text", text: question }] });
      let text = "";
      let usage: Usage | undefined;
      for await (const ev of provider.stream({ turns: history, signal: new AbortController().signal })) {
        if (ev.type === "text_delta") text += ev.text;
        if (ev.type === "message_stop") usage = ev.usage;
        if (ev.type === "error") throw new Error(`turn ${turn}: ${ev.code} ${ev.message}`);
      }
      history.push({ role: "assistant", parts: [{ type: "text", text }] });
      const body = fake.requests.at(-1)!.rawBody;
      out.push({ ...usage!, turn, breakpoints: body.split('"cache_control"').length - 1 });
    }
    const inputTokens = out.reduce((n, u) => n + totalInput(u), 0);
    const cacheReadTokens = out.reduce((n, u) => n + (u.cacheReadInputTokens ?? 0), 0);
    return { turns: out, cacheShare: cacheReadTokens / inputTokens, inputTokens, cacheReadTokens };
  } finally {
    await fake.close();
  }
}
