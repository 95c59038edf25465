"use client";
// The sidebar's list kept current by the tab's event stream: chats created,
// renamed, titled or deleted in another tab (or device) show at once, and a
// chat whose reply starts moves to the top, as the server orders them
// (docs/PROTOCOL.md §3.4). A new server list (a refresh) replaces the lot.
import { useState } from "react";
import type { Conversation } from "@/lib/chat/types";
import type { TabEvent } from "@/lib/client/user-events";
import { useTabEventListener } from "./useTabEvents";

export function applyToList(list: Conversation[], e: TabEvent): Conversation[] {
  switch (e.event) {
    case "conversation.created":
      return list.some((c) => c.id === e.data.conversation.id) ? list : [e.data.conversation, ...list];
    case "conversation.updated":
      return list.map((c) => (c.id === e.data.conversation.id ? { ...c, ...e.data.conversation } : c));
    case "conversation.titled":
      return list.map((c) => (c.id === e.data.conversationId ? { ...c, title: e.data.title } : c));
    case "conversation.deleted":
      return list.filter((c) => c.id !== e.data.conversationId);
    case "reply.started": {
      const moved = list.find((c) => c.id === e.data.conversationId);
      return moved ? [{ ...moved, updatedAt: new Date().toISOString() }, ...list.filter((c) => c !== moved)] : list;
    }
    default:
      return list;
  }
}

export function useLiveConversations(conversations: Conversation[]): Conversation[] {
  const [live, setLive] = useState({ from: conversations, list: conversations });
  // The server's list is newer than what the events built: start from it.
  if (live.from !== conversations) setLive({ from: conversations, list: conversations });
  useTabEventListener((e) => setLive((s) => ({ from: s.from, list: applyToList(s.list, e) })));
  return live.from === conversations ? live.list : conversations;
}
