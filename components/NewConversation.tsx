"use client";
// The page of a conversation not created yet ("/", app/page.tsx): a fresh
// Conversation for every "New chat", even when the address does not change
// (lib/client/new-chat.ts).
import { useSyncExternalStore, type ComponentProps } from "react";
import { newChatRequests, subscribeNewChat } from "@/lib/client/new-chat";
import { Conversation } from "./Conversation";

export function NewConversation(props: Omit<ComponentProps<typeof Conversation>, "conversationId" | "messages">) {
  const requests = useSyncExternalStore(subscribeNewChat, newChatRequests, () => 0);
  return <Conversation key={requests} conversationId={null} messages={[]} {...props} />;
}
