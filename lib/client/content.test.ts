import { describe, expect, it } from "vitest";
import { checkContent, contentLength, lengthNotice, MAX_CONTENT_CHARS } from "./content";

describe("checkContent", () => {
  it("refuses empty and blank text", () => {
    expect(checkContent("")).toMatchObject({ ok: false, reason: "empty" });
    expect(checkContent(" \n\t ")).toMatchObject({ ok: false, reason: "empty" });
  });

  it("counts code points, like the server: 32,000 emoji pass, one more does not", () => {
    const max = "😀".repeat(MAX_CONTENT_CHARS);
    expect(max.length).toBe(2 * MAX_CONTENT_CHARS);
    expect(contentLength(max)).toBe(MAX_CONTENT_CHARS);
    expect(checkContent(max)).toEqual({ ok: true });
    expect(checkContent(max + "a")).toEqual({ ok: false, reason: "too_long", length: MAX_CONTENT_CHARS + 1 });
  });

  it("accepts ordinary text", () => {
    expect(checkContent("hello")).toEqual({ ok: true });
  });
});

describe("lengthNotice", () => {
  it("says nothing well below the limit", () => {
    expect(lengthNotice("a".repeat(1000))).toBeNull();
  });

  it("counts near the limit and says how far over it is", () => {
    expect(lengthNotice("a".repeat(30_000))).toEqual({ text: "30,000 / 32,000", over: false });
    expect(lengthNotice("a".repeat(32_005))).toEqual({ text: "5 characters over the 32,000 limit", over: true });
  });
});
