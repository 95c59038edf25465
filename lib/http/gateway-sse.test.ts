// A gateway stream whose bus loses events it cannot give back ends without
// message_stop: the reader resumes by the last frame's id (docs/GATEWAY.md).
import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { losingBus } from "../testing/losing-bus";
import type { Message } from "../chat/types";
import type { Db } from "../platform/db";
import { ids, increasing, readFrames, textOf } from "../testing/gateway-frames";
import { gatewaySse } from "./gateway-sse";

function msg(id: string): Message {
  const now = new Date().toISOString();
  return { id, conversationId: randomUUID(), role: "assistant", content: "", parts: [], status: "pending", metadata: {}, createdAt: now, updatedAt: now };
}

describe("gatewaySse, when the bus loses events it cannot give back", () => {
  it("ends after the frames it had, without message_stop", async () => {
    const { bus, losing, lose } = losingBus();
    const id = randomUUID();
    await bus.open(msg(id), 0);
    const res = await gatewaySse({ db: {} as Db, bus: losing, keepAliveMs: 60_000 }, id, { model: "claude-test", after: null });
    const body = readFrames(res);
    await new Promise((r) => setImmediate(r));
    bus.publish(id, [
      { id: 1, event: "status", data: { status: "streaming" } },
      { id: 2, event: "part_start", data: { index: 0, part: { type: "text", text: "" } } },
      { id: 3, event: "delta", data: { index: 0, text: "données 👩‍💻" } },
    ]);
    await new Promise((r) => setImmediate(r));
    lose();
    bus.publish(id, [{ id: 4, event: "delta", data: { index: 0, text: " skipped" } }]);
    const frames = await body; // it ended by itself
    // Every event it had, in order, each under its own id; the last id is where a resume picks up (event 4 onwards).
    expect(frames.filter((f) => f.event !== "ping").map((f) => [f.id, f.event])).toEqual([
      ["1", "message_start"],
      ["2", "content_block_start"],
      ["3", "content_block_delta"],
    ]);
    expect(increasing(ids(frames))).toBe(true);
    expect(textOf(frames)).toBe("données 👩‍💻");
  });
});
