// The assembler's thinking duration (docs/PROTOCOL.md §1, §4.2): set on the
// part when its block ends, carried by part_stop, rebuilt by the reducer.
import { describe, expect, it } from "vitest";
import { ReplyAssembler } from "./assembler";
import { applyEvent } from "../../stream/reduce";
import type { Message } from "../../chat/types";
import type { StreamEvent } from "../../stream/events";

const empty: Message = {
  id: "a",
  conversationId: "c",
  role: "assistant",
  content: "",
  parts: [],
  status: "streaming",
  metadata: {},
  createdAt: "2026-12-05T00:00:00.000Z",
  updatedAt: "2026-12-05T00:00:00.000Z",
};

describe("thinking duration", () => {
  it("is set when the thinking block ends, sent in part_stop with the signature, and rebuilt by the reducer", () => {
    const a = new ReplyAssembler([], 0);
    const events: StreamEvent[] = [
      ...a.apply({ type: "block_start", index: 0, block: { type: "thinking" } }),
      ...a.apply({ type: "thinking_delta", index: 0, thinking: "Let me see." }),
      ...a.apply({ type: "signature", index: 0, signature: "sig" }),
      ...a.apply({ type: "block_stop", index: 0 }),
      ...a.apply({ type: "block_start", index: 1, block: { type: "text" } }),
      ...a.apply({ type: "text_delta", index: 1, text: "Hi" }),
      ...a.apply({ type: "block_stop", index: 1 }),
    ];
    const thinking = a.parts[0];
    expect(thinking.type === "thinking" && typeof thinking.durationMs).toBe("number");
    const stops = events.filter((e) => e.event === "part_stop");
    expect(stops[0].data).toEqual({ index: 0, durationMs: (thinking as { durationMs: number }).durationMs, signature: "sig" });
    expect(stops[1].data).toEqual({ index: 1 }); // text parts have no duration
    const rebuilt = events.reduce((msg, e) => applyEvent(msg, e), empty);
    // The signature travels in part_stop: the rebuilt parts are the assembler's, signature included.
    expect(rebuilt.parts).toEqual([thinking, { type: "text", text: "Hi" }]);
  });

  it("is absent for thinking cut off before its end", () => {
    const a = new ReplyAssembler([], 0);
    a.apply({ type: "block_start", index: 0, block: { type: "thinking" } });
    a.apply({ type: "thinking_delta", index: 0, thinking: "Let me" });
    a.settleOpenBlocks();
    expect(a.parts[0]).toEqual({ type: "thinking", thinking: "Let me" });
  });

  it("a part_stop's duration is ignored for parts other than thinking", () => {
    const msg: Message = { ...empty, parts: [{ type: "text", text: "x" }] };
    expect(applyEvent(msg, { id: 1, event: "part_stop", data: { index: 0, durationMs: 5 } }).parts).toEqual([{ type: "text", text: "x" }]);
  });
});
