// The registry of replies this tab follows (each a LiveReply, live-reply.ts):
// at most one per conversation, kept outside React so a reply survives
// navigation (the first send on "/" moves to /c/:id mid-stream) and
// re-renders nothing but itself. Also how each one starts: send,
// regenerate, edit and resend, continue, or attach to one already running.
import type { FilePart, Message, MessageVersions } from "../chat/types";
import { isGenerating } from "../reply/status";
import * as api from "./api";
import { LiveReply } from "./live-reply";
import { openReplyStream } from "./stream";
import { withNewVersion } from "./versions";

const replies = new Map<string, LiveReply>();
let sent = 0;
const nextKey = () => `local-${Date.now().toString(36)}-${++sent}`;
const DISCOVER_MS = 500;

/**
 * Versions to show on a regenerated reply, or a resent edited message,
 * until the server's own numbers arrive (the pager reads "2/2" at once).
 */
type VersionHints = { user?: MessageVersions; assistant?: MessageVersions };
const hints = new WeakMap<LiveReply, VersionHints>();
export const versionHintsOf = (reply: LiveReply | undefined): VersionHints | undefined => (reply ? hints.get(reply) : undefined);
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
export function sendMessage(args: { conversationId: string; content: string; streaming: boolean; baseCount: number; files?: FilePart[] }) {
  const { conversationId, content, streaming, baseCount } = args;
  const files = args.files ?? [];
  const key = nextKey();
  const user = placeholder(conversationId, "user", content, key);
  const reply = new LiveReply(conversationId, streaming, baseCount, placeholder(conversationId, "assistant", "", key), {
    userMessage: files.length ? { ...user, parts: [...user.parts, ...files] } : user,
    confirmed: false,
    connection: "connecting",
  });
  return start(reply, (options) =>
    api.postMessage(
      conversationId,
      content,
      options,
      files.map((f) => f.fileId),
    ),
  );
}

/**
 * Regenerates the latest reply (`message`, at `baseCount` in the shown
 * path): the new reply streams in its place at once, the old one becomes an
 * earlier version. Same pipeline, Stop and Continue as any reply.
 */
export function regenerateReply(args: { message: Message; streaming: boolean; baseCount: number; known: Iterable<string> }) {
  const { message, streaming, baseCount } = args;
  const key = nextKey();
  const reply = new LiveReply(
    message.conversationId,
    streaming,
    baseCount,
    { ...placeholder(message.conversationId, "assistant", "", key), parentId: message.parentId },
    {
      confirmed: false,
      connection: "connecting",
    },
  );
  hints.set(reply, { assistant: withNewVersion(message.id, message.versions, reply.getMessage().id) });
  return start(reply, (options) => api.postRegenerate(message.id, options), new Set(args.known));
}

/**
 * Edits a user message (at `baseCount` in the shown path) and resends it:
 * the path is cut there, the new message and its reply show at once, and
 * what followed the old message stays on the server as an earlier branch.
 */
export function editAndResend(args: { message: Message; content: string; streaming: boolean; baseCount: number; known: Iterable<string> }) {
  const { message, content, streaming, baseCount } = args;
  const conversationId = message.conversationId;
  const key = nextKey();
  const user = { ...placeholder(conversationId, "user", content, key), parentId: message.parentId };
  const reply = new LiveReply(conversationId, streaming, baseCount, placeholder(conversationId, "assistant", "", key), {
    userMessage: user,
    confirmed: false,
    connection: "connecting",
  });
  hints.set(reply, { user: withNewVersion(message.id, message.versions, user.id) });
  return start(reply, (options) => api.postEdit(message.id, content, options), new Set(args.known));
}

/** Sends the request that starts a reply, streamed or not as `options` say. */
type ReplyRequest = (options: api.ReplyOptions) => Promise<api.ReplyAnswer<{ userMessage?: Message; assistantMessage: Message }>>;

/**
 * Registers the reply and sends its request. `known`: ids of the path shown
 * before (a regenerated or edited path still ends with them until the
 * server has taken the request).
 */
function start(reply: LiveReply, request: ReplyRequest, known?: ReadonlySet<string>) {
  register(reply);
  const answer = request({ streaming: reply.streaming });
  const accepted = reply.streaming
    ? answer.then((a) => {
        if (a.streaming) followAnswer(reply, a.response);
      })
    : awaitWhole(reply, answer, known);
  accepted.catch(() => releaseReply(reply));
  return { reply, accepted };
}

/** Follows a streamed answer (`messageId`: the reply's, when already known). */
function followAnswer(reply: LiveReply, response: Response, messageId?: string) {
  reply.setConnection("live");
  reply.follow(
    openReplyStream(response, {
      messageId,
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
function awaitWhole(reply: LiveReply, answer: ReturnType<ReplyRequest>, known?: ReadonlySet<string>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    answer.then(
      (a) => {
        resolve();
        if (a.streaming) return;
        reply.apply({ id: 0, event: "snapshot", data: { message: a.assistantMessage, userMessage: a.userMessage } });
        reply.replace(a.assistantMessage);
      },
      (e: unknown) => {
        reject(e);
        // Broke after the reply was found (a dropped request): wait for the saved answer.
        if (reply.getState().confirmed) void reply.poll(reply.getState().messageId, false);
      },
    );
    void (known ? discoverNew(reply, known) : reply.discover()).then((m) => {
      if (!m) return;
      reply.setConnection("live");
      resolve();
    });
  });
}

/**
 * Like LiveReply.discover, for a path that is being replaced: the reply's
 * messages are the first ones after `baseCount` that were not on it before.
 */
async function discoverNew(reply: LiveReply, known: ReadonlySet<string>): Promise<Message | undefined> {
  while (replies.get(reply.conversationId) === reply && !reply.getState().finished) {
    try {
      const { messages } = await api.getConversation(reply.conversationId);
      const mine = messages.slice(reply.baseCount).filter((m) => !known.has(m.id));
      const assistant = mine.find((m) => m.role === "assistant");
      if (assistant) {
        // Its ids, not its text: a reply asked for whole shows once it has ended.
        const shown = isGenerating(assistant.status) ? { ...assistant, content: "", parts: [] } : assistant;
        reply.apply({ id: 0, event: "snapshot", data: { message: shown, userMessage: mine.find((m) => m.role === "user") } });
        return assistant;
      }
    } catch (e) {
      if (e instanceof api.ApiError && e.status === 404) return undefined;
    }
    await new Promise((r) => setTimeout(r, DISCOVER_MS));
  }
  return undefined;
}

/** Re-attaches to a reply that was generating when the page was rendered. */
export function attachReply(args: { message: Message; after?: number; streaming: boolean; baseCount: number }): LiveReply {
  const { message, after, streaming, baseCount } = args;
  const reply = new LiveReply(message.conversationId, streaming, baseCount, message, { confirmed: true, connection: "connecting" });
  register(reply);
  if (!streaming) {
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
export function continueReply(args: { message: Message; streaming: boolean; baseCount: number }) {
  const { message, streaming, baseCount } = args;
  const reply = new LiveReply(
    message.conversationId,
    streaming,
    baseCount,
    { ...message, status: "pending", error: undefined },
    {
      confirmed: true,
      connection: "connecting",
    },
  );
  register(reply);
  // Not streamed, it answers only at the end: the reply shows "working…" meanwhile.
  const accepted = api
    .postContinue(message.id, { streaming })
    .then((a) => (a.streaming ? followAnswer(reply, a.response, message.id) : reply.replace(a.assistantMessage)));
  accepted.catch(() => releaseReply(reply));
  return { reply, accepted };
}
