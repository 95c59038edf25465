// The code-highlighting plugin given to streamdown: the same interface as
// @streamdown/code's `code` plugin, but shiki runs in a Web Worker
// (highlight.worker.ts). Compiling a language's grammar takes 100–400 ms of
// CPU the first time it is used, and tokenizing costs time per line: in the
// page that would stall a streaming reply. Results of finished blocks are
// kept here, so a re-render (or a reload of the same reply) is instant.
import type { CodeHighlighterPlugin, HighlightResult, ThemeInput } from "streamdown";
import type { HighlightRequest, HighlightResponse } from "./highlight-protocol";

const THEMES: [ThemeInput, ThemeInput] = ["github-light", "github-dark"];
const MAX_CACHED = 500;

const cache = new Map<string, HighlightResult>();
const waiting = new Map<number, (result: HighlightResult) => void>();
let worker: Worker | null | undefined;
let seq = 0;

function remember(key: string, result: HighlightResult) {
  cache.delete(key);
  cache.set(key, result);
  if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
}

function getWorker(): Worker | null {
  if (worker !== undefined) return worker;
  if (typeof window === "undefined" || typeof Worker === "undefined") return (worker = null);
  try {
    worker = new Worker(new URL("./highlight.worker.ts", import.meta.url), { type: "module", name: "highlight" });
  } catch {
    return (worker = null); // code stays plain, still readable
  }
  worker.addEventListener("message", (e: MessageEvent<HighlightResponse>) => {
    const done = waiting.get(e.data.id);
    waiting.delete(e.data.id);
    if (done && e.data.result) done(e.data.result);
  });
  worker.addEventListener("error", () => {
    worker?.terminate();
    worker = null;
    waiting.clear();
  });
  return worker;
}

export const workerCode: CodeHighlighterPlugin = {
  name: "shiki",
  type: "code-highlighter",
  getThemes: () => THEMES,
  // Unknown languages come back from the worker as plain text.
  supportsLanguage: () => true,
  getSupportedLanguages: () => [],
  highlight({ code, language, isIncomplete = false }, callback) {
    const key = `${language}\n${code}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const w = getWorker();
    if (!w) return null;
    const id = ++seq;
    waiting.set(id, (result) => {
      if (!isIncomplete) remember(key, result);
      callback?.(result);
    });
    w.postMessage({ id, code, language, isIncomplete } satisfies HighlightRequest);
    return null;
  },
};
