// The sidebar search as a small state machine (no React): typing is
// debounced into one request, a newer query aborts the older request and
// an older answer never replaces a newer one, an empty query clears at once.
import type { SearchResult } from "../chat/types";
import { describeError } from "./api";

/** The API takes 1–200 characters. */
export const MAX_QUERY_CHARS = 200;

export type SearchState = {
  /** The query the results (or the error) belong to, trimmed. */
  query: string;
  status: "idle" | "loading" | "done" | "error";
  results: SearchResult[];
  error?: string;
};

export const IDLE: SearchState = Object.freeze({ query: "", status: "idle", results: [] }) as SearchState;

type Options = {
  search: (q: string, signal: AbortSignal) => Promise<SearchResult[]>;
  onChange: (state: SearchState) => void;
  delayMs?: number;
};

export function normalizeQuery(raw: string): string {
  return Array.from(raw.trim()).slice(0, MAX_QUERY_CHARS).join("").trim();
}

export function createSearch({ search, onChange, delayMs = 200 }: Options) {
  let state = IDLE;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: AbortController | undefined;
  let wanted = "";

  const set = (next: SearchState) => {
    state = next;
    onChange(state);
  };

  const cancel = () => {
    clearTimeout(timer);
    timer = undefined;
    inFlight?.abort();
    inFlight = undefined;
  };

  const run = async (q: string) => {
    const controller = new AbortController();
    inFlight = controller;
    try {
      const results = await search(q, controller.signal);
      if (controller.signal.aborted || q !== wanted) return;
      set({ query: q, status: "done", results });
    } catch (e) {
      if (controller.signal.aborted || q !== wanted) return;
      set({ query: q, status: "error", results: [], error: describeError(e) });
    } finally {
      if (inFlight === controller) inFlight = undefined;
    }
  };

  return {
    getState: () => state,
    /** The text of the search box changed. */
    setQuery(raw: string) {
      const q = normalizeQuery(raw);
      if (q === wanted && state.status !== "idle") return;
      wanted = q;
      cancel();
      if (q === "") return set(IDLE);
      // Earlier results stay listed (dimmed by the UI) until the new ones arrive.
      set({ ...state, status: "loading", error: undefined });
      timer = setTimeout(() => void run(q), delayMs);
    },
    dispose: cancel,
  };
}
