// Syntax highlighting off the main thread: shiki (through @streamdown/code,
// which highlights a streaming block incrementally, line by line) compiles
// grammars and tokenizes here, so neither ever blocks the page.
import { code } from "@streamdown/code";
import { nextRequest, type HighlightRequest, type HighlightResponse } from "./highlight-protocol";

type Options = Parameters<typeof code.highlight>[0];
const THEMES = code.getThemes();
const queue: HighlightRequest[] = [];
let draining = false;

const reply = (message: HighlightResponse) => (self as unknown as Worker).postMessage(message);

async function drain() {
  draining = true;
  try {
    for (;;) {
      const { next, skipped } = nextRequest(queue);
      for (const s of skipped) reply({ id: s.id, skipped: true });
      if (!next) break;
      const result = await new Promise<HighlightResponse["result"]>((resolve) => {
        const sync = code.highlight({ code: next.code, language: next.language as Options["language"], themes: THEMES, isIncomplete: next.isIncomplete }, resolve);
        if (sync) resolve(sync);
      });
      reply({ id: next.id, result });
    }
  } finally {
    draining = false;
  }
}

self.addEventListener("message", (e: MessageEvent<HighlightRequest>) => {
  queue.push(e.data);
  // Let every message already posted arrive first: later ones may supersede earlier ones.
  if (!draining) setTimeout(() => void drain(), 0);
});
