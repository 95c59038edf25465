// Per-user events (docs/PROTOCOL.md §4.8): what every open tab of a user
// hears about, whatever tab or instance caused it. Published by the owner of
// each change (lib/chat/conversations.ts, lib/chat/titles.ts, lib/reply/),
// carried by the user-event bus (bus.ts), served at GET /api/events.
import type { Conversation, Message } from "../chat/types";
import { interruptionCause } from "../reply/status";

/** How a reply ended: its final status, `stopped` when its run was stopped (Stop, delete, shutdown). */
export type ReplyEnd = "complete" | "failed" | "interrupted" | "stopped";

export type UserEventMap = {
  "conversation.created": { conversation: Conversation };
  /** Renamed, or its model or system prompt changed (PATCH). */
  "conversation.updated": { conversation: Conversation };
  /** A title set by the server: from the first message, or generated after the first reply. */
  "conversation.titled": { conversationId: string; title: string };
  "conversation.deleted": { conversationId: string };
  /** Moved from this guest into the account it signed up or in to (published on the guest's stream). */
  "conversation.moved": { conversationId: string };
  /** Its public link created or revoked (docs/PROTOCOL.md §3.7): a revocation ends open viewers. */
  "conversation.shared": { conversationId: string; shared: boolean };
  "message.created": { conversationId: string; messageId: string; role: "user" };
  "reply.started": { conversationId: string; messageId: string; userMessageId?: string };
  "reply.ended": { conversationId: string; messageId: string; status: ReplyEnd };
  /** Its queue of follow-ups changed: added, edited, removed, or one started (docs/PROTOCOL.md §3.8). */
  "queue.changed": { conversationId: string };
};

export type UserEventName = keyof UserEventMap;
export const USER_EVENT_NAMES = [
  "conversation.created",
  "conversation.updated",
  "conversation.titled",
  "conversation.deleted",
  "conversation.moved",
  "conversation.shared",
  "message.created",
  "reply.started",
  "reply.ended",
  "queue.changed",
] as const satisfies readonly UserEventName[];

/** An event before the bus numbers it. */
export type UserEventBody = { [K in UserEventName]: { event: K; data: UserEventMap[K] } }[UserEventName];
/** A numbered event: ids increase by one per user, never reused. */
export type UserEvent = UserEventBody & { id: number };

/** Where the owners of changes publish. Never throws: an event lost is a tab that refetches later, never a failed request. */
export interface UserEventSink {
  publish(userId: string, event: UserEventBody): void;
}

/** A reply's end as the event stream tells it. */
export function replyEndOf(message: Pick<Message, "status" | "metadata">): ReplyEnd {
  if (message.status === "interrupted") return interruptionCause(message.metadata?.stopReason) === "user" ? "stopped" : "interrupted";
  return message.status === "complete" ? "complete" : message.status === "failed" ? "failed" : "interrupted";
}

/** Publishes a reply's end for its owner (a sink may be absent in tests and tools). */
export function announceReplyEnd(sink: UserEventSink | undefined, userId: string, message: Message): void {
  sink?.publish(userId, { event: "reply.ended", data: { conversationId: message.conversationId, messageId: message.id, status: replyEndOf(message) } });
}
