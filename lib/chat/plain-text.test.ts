// The linear trims do what the patterns they replace did, and stay linear on
// hostile text (lib/testing/linear-time.ts: ratios, never the clock).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { adversarialTexts, growth, ordinaryText, slowdown } from "../testing/linear-time";
import { exportFileBase } from "./export";
import { trimCharsEnd, trimCharsStart, trimSpaceAndCharsEnd } from "./plain-text";

const pieces = [" ", "\t", "\n", "\u3000", ",", ".", "?", "…", '"', "“", "a", "é", "🙂", "\ud83d", "-", "x y"];
const shortText = fc.array(fc.constantFrom(...pieces), { maxLength: 12 }).map((a) => a.join(""));

describe("plain-text trims", () => {
  it("remove what /[…]+$/, /^[…]+/ and /[\\s…]+$/u removed, on short text", () => {
    fc.assert(
      fc.property(shortText, (s) => {
        // The patterns replaced, as the oracle (quadratic, so only on these short strings).
        /* eslint-disable regexp/no-super-linear-move */
        expect(trimCharsEnd(s, "?!.…:;,")).toBe(s.replace(/[?!.…:;,]+$/u, ""));
        expect(trimCharsStart(s, `"'“‘`)).toBe(s.replace(/^["'“‘]+/u, ""));
        expect(trimSpaceAndCharsEnd(s, ".?!,;:")).toBe(s.replace(/[\s.?!,;:]+$/u, ""));
        /* eslint-enable regexp/no-super-linear-move */
      }),
      { numRuns: 2000 },
    );
  });

  it("keep a surrogate pair whole", () => {
    expect(trimCharsEnd("a🙂", "🙂")).toBe("a");
    expect(trimCharsEnd("a🙂", ".")).toBe("a🙂");
    expect(trimCharsStart("🙂a", "🙂")).toBe("a");
  });

  // Linear work takes 16 times longer on 16 times the text; quadratic, 256 times.
  it.each(Object.keys(adversarialTexts()))("stay linear up to 32,000 characters: %s", (name) => {
    const make = (length: number) => adversarialTexts("", length)[name];
    expect(growth((s) => trimCharsEnd(s, "?!.…:;,"), make)).toBeLessThan(64);
    expect(growth((s) => trimCharsStart(s, `"'“‘`), make)).toBeLessThan(64);
    expect(growth((s) => trimSpaceAndCharsEnd(s, ".?!,;:"), make)).toBeLessThan(64);
  });
});

describe("exportFileBase", () => {
  it("joins the title's words with dashes", () => {
    expect(exportFileBase("  Tides — why two a day?! ")).toBe("Tides-why-two-a-day");
    expect(exportFileBase("東京 ラーメン")).toBe("東京-ラーメン");
    expect(exportFileBase("?!")).toBe("conversation");
  });

  it.each(Object.entries(adversarialTexts()))("stays linear on a 32,000-character title: %s", (_name, hostile) => {
    expect(slowdown(exportFileBase, hostile, ordinaryText(hostile.length))).toBeLessThan(50);
  });
});
