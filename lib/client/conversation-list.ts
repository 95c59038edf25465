// The sidebar's list as this tab knows it: the server's list (a render or a
// refresh) with the user's events folded in (docs/PROTOCOL.md §4.8). A server
// list is as of an event id (the layout reads the id before the list), so a
// refresh that was already under way when a rename arrived cannot undo it:
// the events after that id are folded into the new list again. Folding an
// event the list already reflects changes nothing.
import type { Conversation } from "../chat/types";
import type { TabEvent } from "./user-events";

/** Events kept for folding into a later server list; a tab far behind gets a `reset` and refetches anyway. */
const KEPT = 500;

/** The list with one chat changed; the same list when that changes nothing (or it is not listed). */
function replaceIn(list: readonly Conversation[], id: string, change: (c: Conversation) => Conversation): readonly Conversation[] {
  const i = list.findIndex((c) => c.id === id);
  if (i < 0) return list;
  const next = change(list[i]);
  const same = (Object.keys(next) as (keyof Conversation)[]).every((k) => next[k] === list[i][k]);
  return same ? list : [...list.slice(0, i), next, ...list.slice(i + 1)];
}

export function applyToList(list: readonly Conversation[], e: TabEvent): readonly Conversation[] {
  switch (e.event) {
    case "conversation.created":
      return list.some((c) => c.id === e.data.conversation.id) ? list : [e.data.conversation, ...list];
    case "conversation.updated":
      return replaceIn(list, e.data.conversation.id, (c) => ({ ...c, ...e.data.conversation }));
    case "conversation.titled":
      return replaceIn(list, e.data.conversationId, (c) => ({ ...c, title: e.data.title }));
    case "conversation.deleted":
      return list.some((c) => c.id === e.data.conversationId) ? list.filter((c) => c.id !== e.data.conversationId) : list;
    case "reply.started": {
      const moved = list.find((c) => c.id === e.data.conversationId);
      // Not listed, or already on top (the server list saw this reply): nothing moves.
      if (!moved || list[0] === moved) return list;
      return [{ ...moved, updatedAt: new Date().toISOString() }, ...list.filter((c) => c !== moved)];
    }
    default:
      return list;
  }
}

const touchesList = (e: TabEvent) =>
  e.event === "conversation.created" ||
  e.event === "conversation.updated" ||
  e.event === "conversation.titled" ||
  e.event === "conversation.deleted" ||
  e.event === "reply.started";

export class ConversationList {
  private server: readonly Conversation[];
  private asOf: number | null;
  private list: readonly Conversation[];
  private readonly log: TabEvent[] = [];

  /** `asOf`: the id of the last event the server list includes (null: unknown, take it as it is). */
  constructor(server: readonly Conversation[], asOf: number | null) {
    this.server = server;
    this.asOf = asOf;
    this.list = server;
  }

  get current(): readonly Conversation[] {
    return this.list;
  }

  /** A newer list from the server: it, with the events it cannot have seen. */
  rebase(server: readonly Conversation[], asOf: number | null): void {
    if (server === this.server && asOf === this.asOf) return;
    this.server = server;
    this.asOf = asOf;
    const after = this.log.filter((e) => asOf !== null && e.id > asOf);
    this.list = after.reduce<readonly Conversation[]>((l, e) => applyToList(l, e), server);
  }

  /** One event; true when the list changed (an event it already reflects changes nothing: no re-render). */
  apply(e: TabEvent): boolean {
    if (!touchesList(e)) return false;
    this.log.push(e);
    if (this.log.length > KEPT) this.log.splice(0, this.log.length - KEPT);
    const before = this.list;
    this.list = applyToList(this.list, e);
    return this.list !== before;
  }
}
