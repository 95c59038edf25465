import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSearch, normalizeQuery, type SearchState } from "./search-query";
import { ApiError } from "./api";
import type { SearchResult } from "../chat/types";

const hit = (title: string): SearchResult => ({
  conversationId: "c",
  title,
  messageId: null,
  role: null,
  snippet: [{ text: title, match: true }],
  createdAt: "2026-01-01T00:00:00.000Z",
  titleMatch: [{ text: title, match: true }],
  snippets: [],
});

/** A search backend whose answers the test releases by hand. */
function backend() {
  const calls: { q: string; signal: AbortSignal; resolve: (r: SearchResult[]) => void; reject: (e: unknown) => void }[] = [];
  const search = (q: string, signal: AbortSignal) => new Promise<SearchResult[]>((resolve, reject) => calls.push({ q, signal, resolve, reject }));
  return { calls, search };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("createSearch", () => {
  it("debounces typing into one request for the last query", async () => {
    const b = backend();
    const states: SearchState[] = [];
    const s = createSearch({ search: b.search, onChange: (st) => states.push(st), delayMs: 200 });
    for (const q of ["l", "li", "lig", "ligh"]) {
      s.setQuery(q);
      vi.advanceTimersByTime(100);
    }
    expect(b.calls).toHaveLength(0);
    expect(s.getState().status).toBe("loading");
    vi.advanceTimersByTime(100);
    expect(b.calls.map((c) => c.q)).toEqual(["ligh"]);
    b.calls[0].resolve([hit("lighthouses")]);
    await vi.runAllTimersAsync();
    expect(s.getState()).toEqual({ query: "ligh", status: "done", results: [hit("lighthouses")] });
  });

  it("aborts an older request and never lets its answer win", async () => {
    const b = backend();
    const s = createSearch({ search: b.search, onChange: () => {}, delayMs: 10 });
    s.setQuery("tide");
    vi.advanceTimersByTime(10);
    s.setQuery("tides");
    vi.advanceTimersByTime(10);
    expect(b.calls.map((c) => c.q)).toEqual(["tide", "tides"]);
    expect(b.calls[0].signal.aborted).toBe(true);
    b.calls[1].resolve([hit("new")]);
    b.calls[0].resolve([hit("old")]);
    await vi.runAllTimersAsync();
    expect(s.getState().results).toEqual([hit("new")]);
  });

  it("keeps earlier results while loading, clears at once on an empty query", async () => {
    const b = backend();
    const s = createSearch({ search: b.search, onChange: () => {}, delayMs: 10 });
    s.setQuery("a");
    vi.advanceTimersByTime(10);
    b.calls[0].resolve([hit("a")]);
    await vi.runAllTimersAsync();
    s.setQuery("ab");
    expect(s.getState()).toMatchObject({ status: "loading", results: [hit("a")] });
    s.setQuery("   ");
    expect(s.getState()).toEqual({ query: "", status: "idle", results: [] });
    vi.advanceTimersByTime(100);
    expect(b.calls).toHaveLength(1);
  });

  it("reports the server's error message", async () => {
    const b = backend();
    const s = createSearch({ search: b.search, onChange: () => {}, delayMs: 10 });
    s.setQuery("x");
    vi.advanceTimersByTime(10);
    b.calls[0].reject(new ApiError(400, "invalid_request", "q is too long"));
    await vi.runAllTimersAsync();
    expect(s.getState()).toEqual({ query: "x", status: "error", results: [], error: "q is too long" });
  });

  it("does not search again for the same query (whitespace aside)", async () => {
    const b = backend();
    const s = createSearch({ search: b.search, onChange: () => {}, delayMs: 10 });
    s.setQuery("moon");
    vi.advanceTimersByTime(10);
    b.calls[0].resolve([]);
    await vi.runAllTimersAsync();
    s.setQuery(" moon ");
    vi.advanceTimersByTime(10);
    expect(b.calls).toHaveLength(1);
  });
});

it("normalizeQuery trims and caps at 200 code points", () => {
  expect(normalizeQuery("  a b  ")).toBe("a b");
  expect(Array.from(normalizeQuery("😀".repeat(250)))).toHaveLength(200);
});
