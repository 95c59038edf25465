// The in-process user-event bus: consecutive ids per user, replay of what is
// held, reset once the bounded log has dropped what a client missed.
import { describe, expect, it } from "vitest";
import { MemoryUserEventBus } from "./memory-bus";
import type { UserEvent } from "./types";

const deleted = (conversationId: string) => ({ event: "conversation.deleted", data: { conversationId } }) as const;

describe("MemoryUserEventBus", () => {
  it("numbers each user's events consecutively and keeps users apart", async () => {
    const bus = new MemoryUserEventBus();
    const a: UserEvent[] = [];
    const b: UserEvent[] = [];
    const subA = await bus.subscribe("a", null, (e) => a.push(e));
    const subB = await bus.subscribe("b", null, (e) => b.push(e));
    expect(subA.start.kind).toBe("reset");
    bus.publish("a", deleted("1"));
    bus.publish("a", deleted("2"));
    bus.publish("b", deleted("3"));
    expect(a.map((e) => e.data)).toEqual([{ conversationId: "1" }, { conversationId: "2" }]);
    expect(b.map((e) => e.data)).toEqual([{ conversationId: "3" }]);
    const start = subA.start.kind === "reset" ? subA.start.id : 0;
    expect(a.map((e) => e.id)).toEqual([start + 1, start + 2]);
    subA.close();
    bus.publish("a", deleted("4"));
    expect(a).toHaveLength(2);
    subB.close();
  });

  it("replays after a held id, and resets once the log has dropped events after it", async () => {
    const bus = new MemoryUserEventBus(3);
    const first = (await bus.subscribe("u", null, () => {})).start;
    const base = first.kind === "reset" ? first.id : NaN;
    for (let i = 1; i <= 3; i++) bus.publish("u", deleted(String(i)));
    const replay = (await bus.subscribe("u", base, () => {})).start;
    expect(replay.kind === "replay" && replay.events.map((e) => e.id)).toEqual([base + 1, base + 2, base + 3]);
    expect((await bus.subscribe("u", base + 3, () => {})).start).toEqual({ kind: "replay", events: [] });
    bus.publish("u", deleted("4")); // base + 1 is dropped now
    expect((await bus.subscribe("u", base, () => {})).start).toEqual({ kind: "reset", id: base + 4 });
    const kept = (await bus.subscribe("u", base + 1, () => {})).start;
    expect(kept.kind === "replay" && kept.events.map((e) => e.id)).toEqual([base + 2, base + 3, base + 4]);
    expect((await bus.subscribe("u", base + 5, () => {})).start).toEqual({ kind: "reset", id: base + 4 });
  });

  it("numbers a log made again after it expired above every id of the old one", async () => {
    const bus = new MemoryUserEventBus(10, 5);
    const old = await bus.subscribe("u", null, () => {});
    old.close();
    bus.publish("u", deleted("1"));
    const oldId = old.start.kind === "reset" ? old.start.id + 1 : NaN;
    await expect
      .poll(async () => {
        const s = await bus.subscribe("u", oldId, () => {});
        s.close();
        return s.start.kind === "reset" && s.start.id > oldId;
      })
      .toBe(true);
  });
});
