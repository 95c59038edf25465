"use client";
// The sidebar's list kept current by the tab's event stream: chats created,
// renamed, titled or deleted in another tab (or device) show at once, and a
// chat whose reply starts moves to the top, as the server orders them
// (docs/PROTOCOL.md §3.4). A new server list (a refresh) is the base again,
// with the events it is too old to include (lib/client/conversation-list.ts).
import { useRef, useState } from "react";
import type { Conversation } from "@/lib/chat/types";
import { ConversationList } from "@/lib/client/conversation-list";
import { useTabEventListener } from "./useTabEvents";

/** `asOf`: the last event id the server's list includes (the layout's TabStart). */
export function useLiveConversations(conversations: Conversation[], asOf: number | null): readonly Conversation[] {
  const live = useRef<ConversationList | null>(null);
  live.current ??= new ConversationList(conversations, asOf);
  const [, setVersion] = useState(0);
  // A render with a new server list: fold in what it is too old to include.
  live.current.rebase(conversations, asOf);
  useTabEventListener((e) => {
    if (live.current?.apply(e)) setVersion((v) => v + 1);
  });
  return live.current.current;
}
