// Prompt caching: what share of input tokens a 20-turn conversation reads from
// the cache, with and without breakpoints (docs/BENCHMARKS.md "Prompt caching").
//   npx tsx bench/prompt-cache.ts
import { runCachedConversation } from "../lib/testing/cache-conversation";
import { totalInput } from "../lib/usage/tokens";

for (const promptCaching of [true, false]) {
  const run = await runCachedConversation({ turns: 20, promptCaching });
  console.log(`\nprompt caching ${promptCaching ? "on" : "off"}`);
  console.log("turn | input (uncached) | cache write | cache read | read share");
  for (const t of run.turns) {
    const share = ((t.cacheReadInputTokens ?? 0) / totalInput(t)) * 100;
    console.log(`${t.turn} | ${t.inputTokens} | ${t.cacheCreationInputTokens ?? 0} | ${t.cacheReadInputTokens ?? 0} | ${share.toFixed(1)} %`);
  }
  console.log(`total input ${run.inputTokens} tokens, read from cache ${run.cacheReadTokens} (${(run.cacheShare * 100).toFixed(1)} %)`);
}
