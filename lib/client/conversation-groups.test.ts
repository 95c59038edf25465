import { describe, expect, it } from "vitest";
import type { Conversation } from "../chat/types";
import { groupConversations, startOfDay } from "./conversation-groups";

const at = (iso: string) => Date.parse(iso);
const chat = (id: string, updatedAt: string, more: Partial<Conversation> = {}): Conversation => ({
  id,
  title: id,
  model: null,
  systemPrompt: "",
  pinnedAt: null,
  archivedAt: null,
  apiKey: null,
  createdAt: updatedAt,
  updatedAt,
  ...more,
});
const names = (groups: ReturnType<typeof groupConversations>) => groups.map((g) => [g.name, g.conversations.map((c) => c.id)]);

describe("groupConversations", () => {
  const now = at("2026-12-05T15:00:00Z");

  it("sorts into Today, Yesterday, Previous 7 days and Older by calendar day, keeping the list's order", () => {
    const list = [
      chat("future", "2026-12-05T18:00:00Z"),
      chat("noon", "2026-12-05T12:00:00Z"),
      chat("midnight", "2026-12-05T00:00:00Z"),
      chat("late-yesterday", "2026-12-04T23:59:59.999Z"),
      chat("early-yesterday", "2026-12-04T00:00:00Z"),
      chat("two-days", "2026-12-03T23:00:00Z"),
      chat("seven-days", "2026-11-28T00:00:00Z"),
      chat("eight-days", "2026-11-27T23:59:59Z"),
      chat("last-year", "2025-01-01T00:00:00Z"),
    ];
    expect(names(groupConversations(list, now, "utc"))).toEqual([
      ["Today", ["future", "noon", "midnight"]],
      ["Yesterday", ["late-yesterday", "early-yesterday"]],
      ["Previous 7 days", ["two-days", "seven-days"]],
      ["Older", ["eight-days", "last-year"]],
    ]);
  });

  it("puts pinned ones first whatever their age, leaves archived ones out, and drops empty groups", () => {
    const list = [
      chat("today", "2026-12-05T10:00:00Z"),
      chat("archived-today", "2026-12-05T09:00:00Z", { archivedAt: "2026-12-05T09:30:00Z" }),
      chat("old-pinned", "2024-03-01T00:00:00Z", { pinnedAt: "2026-12-01T00:00:00Z" }),
      chat("archived-pinned", "2026-12-05T08:00:00Z", { pinnedAt: "2026-12-01T00:00:00Z", archivedAt: "2026-12-02T00:00:00Z" }),
    ];
    expect(names(groupConversations(list, now, "utc"))).toEqual([
      ["Pinned", ["old-pinned"]],
      ["Today", ["today"]],
    ]);
    expect(groupConversations([], now, "utc")).toEqual([]);
  });

  it("counts days in the browser's zone when asked (local midnight, not UTC's)", () => {
    const local = new Date(2026, 11, 5, 0, 30).getTime();
    const justBefore = new Date(2026, 11, 4, 23, 59).toISOString();
    const justAfter = new Date(2026, 11, 5, 0, 1).toISOString();
    expect(names(groupConversations([chat("after", justAfter), chat("before", justBefore)], local, "local"))).toEqual([
      ["Today", ["after"]],
      ["Yesterday", ["before"]],
    ]);
  });
});

describe("startOfDay", () => {
  it("steps back whole calendar days, across a month's start", () => {
    expect(new Date(startOfDay(at("2026-03-02T05:00:00Z"), "utc", 2)).toISOString()).toBe("2026-02-28T00:00:00.000Z");
    const d = new Date(startOfDay(new Date(2026, 2, 30, 12).getTime(), "local", 1));
    expect([d.getDate(), d.getHours(), d.getMinutes()]).toEqual([29, 0, 0]);
  });
});
