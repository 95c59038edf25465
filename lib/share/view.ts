// What a viewer of a shared conversation sees (docs/PROTOCOL.md §3.7): its
// title and its current path, each message without what belongs to the owner
// alone — usage, cost and timings, file ids, other versions' ids, the
// conversation's id, and what tools found in the owner's other conversations.
// The reply streams a viewer opens go through the same rules.
import type { Db } from "../platform/db";
import { AppError } from "../errors";
import { toMessage } from "../chat/conversations";
import { shownPath } from "../chat/message-tree";
import type { Message, Part } from "../chat/types";
import { isGenerating } from "../reply/status";
import type { SharedConversation } from "./links";
import { isOwnerDataTool } from "../tools";
import type { StreamView } from "../stream/events";

/** Every shared message's conversationId: a viewer never learns the real one. */
export const SHARED_CONVERSATION_ID = "shared";
/** What a viewer reads instead of a result that shows the owner's other conversations. */
export const HIDDEN_TOOL_RESULT = "(Not shown: this result came from the owner's other conversations.)";
/**
 * Why a reply failed, as a viewer reads it: the code, not the owner's message,
 * which can name the deployment (its key's workspace, a host, what the API
 * said of the request).
 */
export const viewerError = (e: { code: string }) => ({ code: e.code, message: "The reply could not be completed." });

/**
 * Tracks which tool calls of a reply read the owner's other conversations
 * (lib/tools, `ownerDataOnly`), so their results are hidden from viewers:
 * the call comes before its result, in the message's parts and in its
 * stream alike. A result whose call was never seen (a stream resumed after
 * the call, past what the saved row held) is hidden too; the `done` that
 * ends the stream shows it if it may be shown.
 */
class HiddenResults {
  private readonly ids = new Set<string>();
  private readonly known = new Set<string>();

  see(p: Part): void {
    if (p.type !== "tool_use") return;
    this.known.add(p.id);
    if (isOwnerDataTool(p.name)) this.ids.add(p.id);
  }

  part(p: Part): Part {
    if (p.type === "file") {
      const { data: _data, fileId: _fileId, ...rest } = p;
      return { ...rest, fileId: "" };
    }
    if (p.type === "tool_result" && this.hides(p.toolUseId)) return { ...p, content: HIDDEN_TOOL_RESULT };
    return p;
  }

  /** Whether what a tool call reports is hidden: it read the owner's other conversations, or its call was not seen. */
  hides(toolUseId: string): boolean {
    return this.ids.has(toolUseId) || !this.known.has(toolUseId);
  }

  message(m: Message): Message {
    for (const p of m.parts) this.see(p);
    const shown: Message = {
      id: m.id,
      conversationId: SHARED_CONVERSATION_ID,
      role: m.role,
      content: m.content,
      parts: m.parts.map((p) => this.part(p)),
      status: m.status,
      // The model and why a reply ended are part of what a reader sees (its badges).
      metadata: { ...(m.metadata.model ? { model: m.metadata.model } : {}), ...(m.metadata.stopReason !== undefined ? { stopReason: m.metadata.stopReason } : {}) },
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
      parentId: null,
    };
    if (m.error) shown.error = viewerError(m.error);
    return shown;
  }
}

/** A message as a viewer sees it. */
export function sharedMessage(m: Message): Message {
  return new HiddenResults().message(m);
}

/** One viewer's reply stream (lib/http/sse.ts): its messages and tool results as a viewer sees them. `saved`: the reply as last saved (its tool calls). */
export function sharedStreamView(saved: Message, onClose: () => void): StreamView {
  const hidden = new HiddenResults();
  for (const p of saved.parts) hidden.see(p);
  return {
    present: (m) => hidden.message(m),
    event(e) {
      // Its progress says what it found ("Found 3 matching messages"): a hidden call's says only that it works.
      if (e.event === "tool_progress") return hidden.hides(e.data.toolUseId) ? { ...e, data: { toolUseId: e.data.toolUseId, message: "Working…" } } : e;
      if (e.event === "error") return { ...e, data: viewerError(e.data) };
      if (e.event !== "part_start") return e;
      hidden.see(e.data.part);
      const part = hidden.part(e.data.part);
      return part === e.data.part ? e : { ...e, data: { ...e.data, part } };
    },
    onClose,
  };
}

export type SharedView = {
  conversation: { title: string };
  messages: Message[];
  /** The event id the last message's text includes, when that message is still generating (resume after it). */
  resumeAfter?: number;
};

/** The conversation's title and current path as a viewer sees them. */
export async function sharedView(db: Db, share: SharedConversation): Promise<SharedView> {
  const conversation = await db.conversation.findUnique({ where: { id: share.conversationId } });
  if (!conversation) throw new AppError("not_found", "shared conversation not found");
  const messages = await shownPath(db, conversation, toMessage);
  const view: SharedView = { conversation: { title: conversation.title }, messages };
  const last = messages.at(-1);
  if (last?.role === "assistant" && isGenerating(last.status)) {
    // Its text and `seq` from one read of the row: the stream resumes right after that text.
    const row = await db.message.findUnique({ where: { id: last.id } });
    if (row) {
      messages[messages.length - 1] = toMessage(row);
      view.resumeAfter = row.seq;
    }
  }
  view.messages = messages.map(sharedMessage);
  return view;
}

/** A message a viewer may stream, as saved: on the conversation's current path. Anything else: 404. */
export async function requireSharedMessage(db: Db, share: SharedConversation, messageId: string): Promise<Message> {
  const conversation = await db.conversation.findUnique({ where: { id: share.conversationId }, select: { id: true, currentLeafId: true } });
  const path = conversation ? await shownPath(db, conversation, toMessage) : [];
  const found = path.find((m) => m.id === messageId);
  if (!found) throw new AppError("not_found", "message not found");
  return found;
}
