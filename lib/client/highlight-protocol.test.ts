import { describe, expect, it } from "vitest";
import { nextRequest, supersedes, type HighlightRequest } from "./highlight-protocol";

const req = (id: number, code: string, isIncomplete = true, language = "ts"): HighlightRequest => ({ id, code, language, isIncomplete });

describe("the highlight worker's queue", () => {
  it("skips a streaming block's request when a later one extends it", () => {
    const queue = [req(1, "const a"), req(2, "const a = 1"), req(3, "const a = 1;\n")];
    const first = nextRequest(queue);
    expect(first.skipped.map((r) => r.id)).toEqual([1, 2]);
    expect(first.next?.id).toBe(3);
    expect(nextRequest(queue)).toEqual({ skipped: [] });
  });

  it("keeps finished blocks, other blocks and other languages", () => {
    expect(supersedes(req(2, "abc"), req(1, "ab", false))).toBe(false); // finished: its result is cached
    expect(supersedes(req(2, "print(1)", true, "py"), req(1, "print", true, "ts"))).toBe(false);
    expect(supersedes(req(2, "x = 2"), req(1, "y = 1"))).toBe(false);
    expect(supersedes(req(2, "same"), req(1, "same"))).toBe(false);
    const queue = [req(1, "a", false), req(2, "b"), req(3, "c")];
    expect(nextRequest(queue).next?.id).toBe(1);
    expect(nextRequest(queue).next?.id).toBe(2);
  });
});
