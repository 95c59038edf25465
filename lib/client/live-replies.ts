// Replies being generated, as seen by this tab: at most one per
// conversation, kept outside React so a reply survives navigation (the first
// send on "/" moves to /c/:id mid-stream) and re-renders nothing but itself.
import type { Message } from "../types";
import * as api from "./api";
import { LiveReply, type ReplyDelivery } from "./live-reply";
import { openReplyStream } from "./stream";

export { LiveReply, type Connection, type LiveReplyState, type ReplyDelivery } from "./live-reply";

const replies = new Map<string, LiveReply>();
let sent = 0;
const registrySubs = new Set<() => void>();
const notifyRegistry = () => registrySubs.forEach((fn) => fn());

export function liveReplyFor(conversationId: string | null | undefined): LiveReply | undefined {
  return conversationId ? replies.get(conversationId) : undefined;
}

export function subscribeLiveReplies(fn: () => void) {
  registrySubs.add(fn);
  return () => void registrySubs.delete(fn);
}

function register(reply: LiveReply) {
  replies.get(reply.conversationId)?.dispose();
  replies.set(reply.conversationId, reply);
  notifyRegistry();
}

/** Forgets a reply (once the server-rendered view has caught up with it). */
export function releaseReply(reply: LiveReply) {
  if (replies.get(reply.conversationId) !== reply) return;
  replies.delete(reply.conversationId);
  reply.dispose();
  notifyRegistry();
}

function placeholder(conversationId: string, role: Message["role"], content: string, key: string): Message {
  const now = new Date().toISOString();
  return {
    id: `${key}-${role}`,
    conversationId,
    role,
    content,
    parts: content ? [{ type: "text", text: content }] : [],
    status: role === "user" ? "complete" : "pending",
    metadata: {},
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Posts a message and tracks its reply. The reply shows at once
 * (optimistically); `accepted` settles when the server has taken the
 * message, and rejects with its ApiError (the reply is then withdrawn).
 */
export function sendMessage(args: { conversationId: string; content: string; delivery: ReplyDelivery; baseCount: number }) {
  const { conversationId, content, delivery, baseCount } = args;
  const key = `local-${Date.now().toString(36)}-${++sent}`;
  const reply = new LiveReply(conversationId, delivery, baseCount, placeholder(conversationId, "assistant", "", key), {
    userMessage: placeholder(conversationId, "user", content, key),
    confirmed: false,
    connection: "connecting",
  });
  register(reply);
  const accepted = delivery === "stream" ? postStreaming(reply, content) : postWhole(reply, content);
  accepted.catch(() => releaseReply(reply));
  return { reply, accepted };
}

async function postStreaming(reply: LiveReply, content: string): Promise<void> {
  const res = await api.postMessageStream(reply.conversationId, content);
  reply.setConnection("live");
  reply.follow(
    openReplyStream(res, {
      onEvent: (e) => reply.apply(e),
      onState: (s) => reply.setConnection(s === "reconnecting" ? "reconnecting" : "live"),
    }),
  );
}

/**
 * Non-streamed: the POST answers only when the reply has ended, so its id
 * (needed for Stop) is discovered meanwhile by polling the conversation
 * every 500 ms until the pending assistant message appears.
 */
function postWhole(reply: LiveReply, content: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    api.postMessageWhole(reply.conversationId, content).then(
      ({ userMessage, assistantMessage }) => {
        resolve();
        reply.apply({ id: 0, event: "snapshot", data: { message: assistantMessage, userMessage } });
        reply.replace(assistantMessage);
      },
      (e: unknown) => {
        reject(e);
        // Broke after the reply was found (a dropped request): wait for the saved answer.
        if (reply.getState().confirmed) void reply.poll(reply.getState().messageId, false);
      },
    );
    void reply.discover().then((m) => {
      if (!m) return;
      reply.setConnection("live");
      resolve();
    });
  });
}

/** Re-attaches to a reply that was generating when the page was rendered. */
export function attachReply(args: { message: Message; after?: number; delivery: ReplyDelivery; baseCount: number }): LiveReply {
  const { message, after, delivery, baseCount } = args;
  const reply = new LiveReply(message.conversationId, delivery, baseCount, message, { confirmed: true, connection: "connecting" });
  register(reply);
  if (delivery === "whole") {
    void reply.poll(message.id, false);
    return reply;
  }
  reply.follow(
    openReplyStream((signal) => fetch(api.replyStreamUrl(message.id, after), { signal, cache: "no-store", headers: { accept: "text/event-stream" } }), {
      messageId: message.id,
      after,
      onEvent: (e) => {
        reply.setConnection("live");
        reply.apply(e);
      },
      onState: (s) => reply.setConnection(s === "reconnecting" ? "reconnecting" : "live"),
    }),
  );
  return reply;
}

/**
 * Continues an interrupted or failed reply in place: the same message turns
 * generating again and grows from where it stopped. `accepted` rejects with
 * the server's ApiError (409 if it cannot be continued); the reply is then
 * withdrawn and the saved copy shows again.
 */
export function continueReply(args: { message: Message; delivery: ReplyDelivery; baseCount: number }) {
  const { message, delivery, baseCount } = args;
  const reply = new LiveReply(message.conversationId, delivery, baseCount, { ...message, status: "pending", error: undefined }, {
    confirmed: true,
    connection: "connecting",
  });
  register(reply);
  const accepted =
    delivery === "stream"
      ? api.postContinueStream(message.id).then((res) => {
          reply.setConnection("live");
          reply.follow(
            openReplyStream(res, {
              messageId: message.id,
              onEvent: (e) => reply.apply(e),
              onState: (s) => reply.setConnection(s === "reconnecting" ? "reconnecting" : "live"),
            }),
          );
        })
      : // Answers only at the end: the reply shows "working…" meanwhile.
        api.postContinueWhole(message.id).then(({ assistantMessage }) => reply.replace(assistantMessage));
  accepted.catch(() => releaseReply(reply));
  return { reply, accepted };
}
