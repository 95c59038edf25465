// A reply admitted a moment ago, before its log is on the bus: a non-streaming
// repeat (awaitFinalMessage) waits for the log and answers with the ended
// reply, not the pending row (or the resuming one, just claimed by the sweep);
// a reply left pending long ago is not waited for.
import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { MemoryStreamBus } from "./memory-bus";
import { awaitFinalMessage } from "./final-message";
import type { Message } from "../chat/types";
import type { Db } from "../platform/db";
import { losingBus } from "../testing/losing-bus";

function pendingMessage(updatedAt = new Date()): Message {
  return {
    id: randomUUID(),
    conversationId: randomUUID(),
    role: "assistant",
    content: "",
    parts: [],
    status: "pending",
    metadata: {},
    createdAt: updatedAt.toISOString(),
    updatedAt: updatedAt.toISOString(),
  };
}
const rowOf = (m: Message) => ({ ...m, seq: 0, seqCeiling: 0, error: null, createdAt: new Date(m.createdAt), updatedAt: new Date(m.updatedAt) });

describe("subscribeOnceOpen, through awaitFinalMessage", () => {
  it("waits for a just-admitted reply's log, then answers with its end", async () => {
    const bus = new MemoryStreamBus();
    const m = pendingMessage();
    let reads = 0;
    const db = { message: { findUnique: async () => (reads++, rowOf(m)) } } as unknown as Db;
    const answer = awaitFinalMessage({ db, bus }, m.id, 0);
    await expect.poll(() => reads).toBeGreaterThan(1); // it looked, and waits
    await bus.open(m, 0);
    const final: Message = { ...m, status: "complete", content: "whole", parts: [{ type: "text", text: "whole" }] };
    bus.publish(m.id, [{ id: 1, event: "done", data: { message: final } }]);
    expect(await answer).toMatchObject({ id: m.id, status: "complete", content: "whole" });
  });

  it("waits the same way for a reply the sweep has just claimed for resuming, before its log opens", async () => {
    const bus = new MemoryStreamBus();
    const m: Message = { ...pendingMessage(), status: "resuming", content: "kept", parts: [{ type: "text", text: "kept" }] };
    let saved = m; // the final save lands before `done` (docs/PROTOCOL.md §5.2)
    let reads = 0;
    const db = { message: { findUnique: async () => (reads++, rowOf(saved)) } } as unknown as Db;
    const answer = awaitFinalMessage({ db, bus }, m.id, 0);
    await expect.poll(() => reads).toBeGreaterThan(1); // it looked, and waits
    await bus.open(m, 1007);
    const final: Message = { ...m, status: "complete", content: "kept, and more", parts: [{ type: "text", text: "kept, and more" }] };
    saved = final;
    bus.publish(m.id, [{ id: 1008, event: "done", data: { message: final } }]);
    expect(await answer).toMatchObject({ id: m.id, status: "complete", content: "kept, and more" });
  });

  it("does not wait for a reply left pending long ago: it answers with the stored row at once", async () => {
    const bus = new MemoryStreamBus();
    const m = pendingMessage(new Date(Date.now() - 60_000));
    let reads = 0;
    const db = { message: { findUnique: async () => (reads++, rowOf(m)) } } as unknown as Db;
    expect(await awaitFinalMessage({ db, bus }, m.id, 0)).toMatchObject({ id: m.id, status: "pending" });
    expect(reads).toBe(1);
  });
});

describe("awaitFinalMessage, when the bus loses events it cannot give back", () => {
  it("subscribes again from the live state and answers with the reply's end", async () => {
    const { bus, losing, starts, lose } = losingBus();
    const m = pendingMessage();
    await bus.open(m, 0);
    const db = { message: { findUnique: async () => rowOf(m) } } as unknown as Db;
    const answer = awaitFinalMessage({ db, bus: losing }, m.id, 0);
    await expect.poll(() => starts.length).toBe(1);
    lose();
    await expect.poll(() => starts).toEqual([0, null]);
    const final: Message = { ...m, status: "complete", content: "whole", parts: [{ type: "text", text: "whole" }] };
    bus.publish(m.id, [{ id: 1, event: "done", data: { message: final } }]);
    expect(await answer).toMatchObject({ id: m.id, status: "complete", content: "whole" });
  });
});
