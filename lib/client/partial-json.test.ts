import { describe, expect, it } from "vitest";
import { formatJsonText, formatToolInput, formatToolResult } from "./partial-json";

const samples: unknown[] = [
  { expression: "2^10 + 24" },
  { query: "tide pools", limit: 5, filters: { role: ["user", "assistant"], after: null }, exact: true },
  { nested: { empty: {}, list: [], deep: [[1, 2], { a: "x, y: {z}" }] } },
  { quote: 'he said "hi" \\ and left', unicode: "café 🌊" },
  [1, "two", { three: 3 }],
  {},
];

describe("formatJsonText", () => {
  it("lays out complete JSON exactly like JSON.stringify(v, null, 2)", () => {
    for (const v of samples) {
      expect(formatJsonText(JSON.stringify(v))).toBe(JSON.stringify(v, null, 2));
      // Whitespace in the source does not matter.
      expect(formatJsonText(JSON.stringify(v, null, 4))).toBe(JSON.stringify(v, null, 2));
    }
  });

  it("only ever grows at its end while fragments arrive (no jumps)", () => {
    for (const v of samples) {
      const raw = JSON.stringify(v);
      const final = JSON.stringify(v, null, 2);
      for (let n = 0; n <= raw.length; n++) {
        const shown = formatJsonText(raw.slice(0, n));
        // Every partial rendering is a prefix of the final one.
        expect(final.startsWith(shown), `${JSON.stringify(raw.slice(0, n))} → ${JSON.stringify(shown)}`).toBe(true);
      }
    }
  });

  it("keeps brackets and colons inside strings as text", () => {
    expect(formatJsonText('{"a":"{[,:]}"}')).toBe('{\n  "a": "{[,:]}"\n}');
    expect(formatJsonText('{"a":"x\\"}, {"')).toBe('{\n  "a": "x\\"}, {"');
  });

  it("gives back text that is not JSON unchanged when it closes more than it opened", () => {
    expect(formatJsonText("oops}")).toBe("oops}");
  });
});

describe("formatToolInput / formatToolResult", () => {
  it("prefers the partial text while the input streams, else the final value", () => {
    expect(formatToolInput({}, '{"q":"ti')).toBe('{\n  "q": "ti');
    expect(formatToolInput({ q: "tide" })).toBe('{\n  "q": "tide"\n}');
    expect(formatToolInput(undefined)).toBe("");
  });

  it("pretty-prints JSON results and leaves plain text alone", () => {
    expect(formatToolResult('{"value":1048}')).toBe('{\n  "value": 1048\n}');
    expect(formatToolResult("1048")).toBe("1048");
    expect(formatToolResult("{not json}")).toBe("{not json}");
  });
});
