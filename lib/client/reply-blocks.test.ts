import { describe, expect, it } from "vitest";
import { replyBlocks } from "./reply-blocks";
import type { Part } from "../chat/types";

const use = (id: string, name = "calculate"): Part => ({ type: "tool_use", id, name, input: { expression: "1+1" } });
const result = (id: string, isError = false): Part => ({ type: "tool_result", toolUseId: id, content: isError ? "boom" : "2", isError });
const text = (t: string): Part => ({ type: "text", text: t });

describe("replyBlocks", () => {
  it("joins consecutive text parts into one run and keeps the order of the rest", () => {
    const parts: Part[] = [{ type: "thinking", thinking: "hmm" }, text("a"), text("b"), use("t1"), result("t1"), text("c")];
    const blocks = replyBlocks({ parts, content: "abc" }, false);
    expect(blocks.map((b) => b.kind)).toEqual(["thinking", "text", "tool", "text"]);
    expect(blocks[1]).toMatchObject({ kind: "text", text: "ab", key: "t1" });
    expect(blocks[3]).toMatchObject({ kind: "text", text: "c" });
  });

  it("puts a tool result in its call's card, with the card's state", () => {
    const done = replyBlocks({ parts: [use("t1"), result("t1")], content: "" }, true);
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ kind: "tool", state: "done", result: { toolUseId: "t1" } });
    expect(replyBlocks({ parts: [use("t1"), result("t1", true)], content: "" }, false)[0]).toMatchObject({ state: "error" });
    expect(replyBlocks({ parts: [use("t1")], content: "" }, true)[0]).toMatchObject({ state: "running", result: undefined });
    // The reply ended without a result (stopped, failed): not running any more.
    expect(replyBlocks({ parts: [use("t1")], content: "" }, false)[0]).toMatchObject({ state: "error" });
  });

  it("shows a result whose call is missing on its own", () => {
    expect(replyBlocks({ parts: [result("zz")], content: "" }, false).map((b) => b.kind)).toEqual(["tool_result"]);
  });

  it("marks only the growing tail live, and only while generating", () => {
    const parts: Part[] = [{ type: "thinking", thinking: "hmm" }];
    expect(replyBlocks({ parts, content: "" }, true)[0]).toMatchObject({ kind: "thinking", live: true });
    expect(replyBlocks({ parts, content: "" }, false)[0]).toMatchObject({ live: false });
    const answered = replyBlocks({ parts: [...parts, text("Hi")], content: "Hi" }, true);
    expect(answered.map((b) => "live" in b && b.live)).toEqual([false, true]);
  });

  it("falls back to `content` when no text part carries it", () => {
    expect(replyBlocks({ parts: [], content: "saved" }, false)).toEqual([{ kind: "text", key: "content", text: "saved", live: false }]);
  });

  it("skips holes left by parts that have not started yet", () => {
    const parts = [] as Part[];
    parts[1] = text("x");
    expect(replyBlocks({ parts, content: "x" }, true)).toMatchObject([{ kind: "text", text: "x", live: true }]);
  });
});
