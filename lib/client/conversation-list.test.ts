// The sidebar's list: events fold in as they come, and a server list that
// was read before some of them (a refresh already under way when a chat was
// renamed, created or deleted elsewhere) does not undo them.
import { describe, expect, it } from "vitest";
import type { Conversation } from "../chat/types";
import { ConversationList } from "./conversation-list";
import type { TabEvent } from "./user-events";

const chat = (id: string, title: string): Conversation => ({
  id,
  title,
  model: null,
  systemPrompt: "",
  pinnedAt: null,
  archivedAt: null,
  apiKey: null,
  createdAt: "2026-12-01T00:00:00.000Z",
  updatedAt: "2026-12-01T00:00:00.000Z",
});
const titles = (l: ConversationList) => l.current.map((c) => `${c.id}:${c.title}`);
const renamed = (id: number, c: Conversation, title: string): TabEvent => ({ id, event: "conversation.updated", data: { conversation: { ...c, title } } });

describe("ConversationList", () => {
  const a = chat("a", "Plan a picnic");
  const b = chat("b", "Lisbon");

  it("a refresh read before a rename does not undo it; one read after it is taken as it is", () => {
    const list = new ConversationList([a, b], 5);
    expect(list.apply(renamed(6, a, "Renamed in the first tab"))).toBe(true);
    expect(titles(list)).toEqual(["a:Renamed in the first tab", "b:Lisbon"]);
    // The refresh that was under way: as of event 5, with the old title.
    list.rebase([a, b], 5);
    expect(titles(list)).toEqual(["a:Renamed in the first tab", "b:Lisbon"]);
    // A later one includes event 6 and a rename made since (its event not here yet).
    list.rebase([{ ...a, title: "Renamed again" }, b], 6);
    expect(titles(list)).toEqual(["a:Renamed again", "b:Lisbon"]);
  });

  it("a chat created or deleted elsewhere survives a stale refresh; events the list already has change nothing", () => {
    const list = new ConversationList([a, b], 5);
    const c = chat("c", "New elsewhere");
    list.apply({ id: 6, event: "conversation.created", data: { conversation: c } });
    list.apply({ id: 7, event: "conversation.deleted", data: { conversationId: "b" } });
    list.apply({ id: 8, event: "conversation.titled", data: { conversationId: "a", title: "Picnic plans" } });
    list.rebase([a, b], 5);
    expect(titles(list)).toEqual(["c:New elsewhere", "a:Picnic plans"]);
    // A list read after all three (it has them): the same, nothing doubled.
    const fresh = [c, { ...a, title: "Picnic plans" }];
    list.rebase(fresh, 8);
    expect(list.current).toBe(fresh);
    // Heard again (another tab's copy, a replay): no change, so the sidebar does not render again.
    expect(list.apply({ id: 9, event: "conversation.titled", data: { conversationId: "a", title: "Picnic plans" } })).toBe(false);
    expect(list.apply({ id: 10, event: "conversation.updated", data: { conversation: c } })).toBe(false);
    expect(list.apply({ id: 11, event: "conversation.deleted", data: { conversationId: "b" } })).toBe(false);
    expect(list.apply({ id: 12, event: "conversation.created", data: { conversation: c } })).toBe(false);
    expect(list.current).toBe(fresh);
    expect(list.apply({ id: 13, event: "conversation.titled", data: { conversationId: "c", title: "Renamed" } })).toBe(true);
  });

  it("a reply starting moves its chat to the top once; a stale list gets the move again", () => {
    const list = new ConversationList([a, b], 1);
    list.apply({ id: 2, event: "reply.started", data: { conversationId: "b", messageId: "m" } });
    expect(list.current.map((c) => c.id)).toEqual(["b", "a"]);
    list.rebase([a, b], 1);
    expect(list.current.map((c) => c.id)).toEqual(["b", "a"]);
    // Other events leave the list alone.
    expect(list.apply({ id: 3, event: "reply.ended", data: { conversationId: "b", messageId: "m", status: "complete" } })).toBe(false);
  });

  it("without an event id for the server list, the list is taken as it is", () => {
    const list = new ConversationList([a], null);
    list.apply(renamed(4, a, "Renamed"));
    list.rebase([a], null);
    expect(titles(list)).toEqual(["a:Plan a picnic"]);
  });
});
