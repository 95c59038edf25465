"use client";
// A conversation: the saved messages (server-rendered props), the reply this
// tab is following (the reply registry), and the composer. Saved
// messages render once per server refresh; only the live reply renders per
// frame. With no conversation yet ("/"), the first send creates one.
// Regenerate, edit-and-resend and the version pager change which path of
// the conversation's tree is shown (docs/API.md); they run through the same
// live-reply machinery as a sent message.
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, useTransition } from "react";
import * as api from "@/lib/client/api";
import { connection, navigate, refreshView } from "@/lib/client/connection";
import { newChatRequests } from "@/lib/client/new-chat";
import { continueReply, editAndResend, liveReplyFor, regenerateReply, releaseReply, sendMessage, versionHintsOf } from "@/lib/client/reply-registry";
import type { FilePart, Message } from "@/lib/chat/types";
import type { FileLimits } from "@/lib/client/attachments";
import { holdsQueue, isGenerating } from "@/lib/reply/status";
import type { QueuedMessage } from "@/lib/client/queue";
import { Composer } from "./Composer";
import { EmptyHeading, StarterSuggestions } from "./EmptyChat";
import { ConversationSetup, type Setup } from "./ConversationSetup";
import { ApiKeyNote } from "./ApiKeyBadge";
import { JumpToLatest } from "./JumpToLatest";
import { StreamingMessage, type ReplyActions } from "./StreamingMessage";
import { UserMessage } from "./UserMessage";
import { useFollowScroll } from "./useFollowScroll";
import { useLiveReply } from "./useLiveReply";
import { ReplyAnnouncer } from "./ReplyAnnouncer";
import { useMessageTarget } from "./useMessageTarget";
import { useConversationEvents } from "./useConversationEvents";
import { useSavedReplyHandover } from "./useSavedReplyHandover";
import { QueuedMessages } from "./QueuedMessages";
import { useQueue } from "./useQueue";
import { useStopReply } from "./useStopReply";

type Props = {
  conversationId: string | null;
  messages: Message[];
  /** The user's setting: replies shown as they are written (off: whole, once finished). */
  streaming: boolean;
  /** The server's attachment limits, for the composer's checks before upload. */
  fileLimits?: FileLimits;
  /** Id of the last stream event the saved generating reply includes. */
  resumeAfter?: number;
  /** The conversation's model and system prompt (none yet on "/"). */
  setup?: Setup;
  /** The user's default model (settings). */
  defaultModel?: string | null;
  /** Its queue of follow-ups, as the server rendered it. */
  queue?: QueuedMessage[];
  /** The API key that started it through the gateway (docs/GATEWAY.md). */
  apiKey?: { id: string; name: string } | null;
};

export function Conversation({
  conversationId: initialId,
  messages,
  streaming,
  resumeAfter,
  setup: initialSetup,
  defaultModel = null,
  fileLimits,
  queue: initialQueue,
  apiKey = null,
}: Props) {
  const router = useRouter();
  const [conversationId, setConversationId] = useState(initialId);
  const [setup, setSetup] = useState<Setup>(initialSetup ?? { model: null, systemPrompt: "" });
  const [error, setError] = useState<string | null>(null);
  const { reply, state } = useLiveReply(conversationId);
  const queue = useQueue(conversationId, initialQueue);
  // A reply started in another tab: shown once the refreshed view has it.
  const elsewhere = useConversationEvents(conversationId);
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const { toBottom, away } = useFollowScroll(scroller, content);
  const [editing, setEditing] = useState<{ id: string; draft: string } | null>(null);
  // Handlers read the latest path through this, so they stay the same
  // functions across refreshes (the memoized messages do not re-render).
  const shown = useRef(messages);
  useLayoutEffect(() => {
    shown.current = messages;
  }, [messages]);
  useMessageTarget(scroller, conversationId, messages);

  // "Could not reach the server" is stale once it answers again (the banner said the rest).
  useEffect(() => connection.subscribe(() => connection.getState() === "online" && setError((e) => (e === api.NETWORK_MESSAGE ? null : e))), []);

  // A reply generating in the saved view: follow it live; a finished one: hand it back.
  const unattached = useSavedReplyHandover({ messages, reply, state, resumeAfter, streaming });

  // Re-render the server view (sidebar title and order, saved messages) when
  // the server has the message sent from here, and again when the reply ends.
  const sentConfirmed = !!state?.userMessage && state.confirmed;
  const finished = state?.finished ?? false;
  useEffect(() => {
    if (!sentConfirmed && !finished) return;
    // The first send of a new conversation navigates to /c/:id, which renders
    // the server view anyway; a refresh racing that navigation can cancel it.
    if (!finished && initialId === null) return;
    // Only if the server answers (a restart just after the reply is no error page).
    void refreshView(router);
  }, [router, sentConfirmed, finished, initialId]);

  // A new conversation is named in the background once its first reply is
  // complete (lib/chat/titles.ts): look again shortly after, for the sidebar.
  const firstReplyDone = finished && reply?.getMessage().status === "complete" && messages.filter((m) => m.role === "user").length <= 1;
  useEffect(() => {
    if (!firstReplyDone) return;
    const timer = setTimeout(() => void refreshView(router), 2_500);
    return () => clearTimeout(timer);
  }, [firstReplyDone, router]);

  const onSend = useCallback(
    async (text: string, files: FilePart[]): Promise<boolean> => {
      setError(null);
      try {
        let id = conversationId;
        const asked = newChatRequests();
        if (!id) {
          id = (await api.createConversation(undefined, setup)).id;
          setConversationId(id);
        }
        const { accepted } = sendMessage({ conversationId: id, content: text, streaming, baseCount: messages.length, files });
        toBottom();
        await accepted;
        // The reply keeps streaming through this navigation: it lives in the
        // registry. Not once the user went elsewhere meanwhile: "New chat"
        // (lib/client/new-chat.ts) or another page.
        const stayed = () => newChatRequests() === asked && window.location.pathname === "/";
        if (initialId === null) void navigate(router, `/c/${id}`, "replace", stayed);
        return true;
      } catch (e) {
        setError(api.describeError(e));
        return false;
      }
    },
    [conversationId, streaming, messages.length, initialId, router, toBottom, setup],
  );

  // Sent while a reply runs: queued (docs/PROTOCOL.md §3.8); false keeps the text in the box.
  const onQueue = useCallback(
    (text: string) =>
      queue.add(text).then(
        () => true,
        (e: unknown) => (setError(api.describeError(e)), false),
      ),
    [queue],
  );

  const onStopSaved = useCallback(
    async (messageId: string) => {
      try {
        await api.stopMessage(messageId);
      } catch (e) {
        setError(api.describeError(e));
      }
      void refreshView(router);
    },
    [router],
  );

  const onContinue = useCallback(
    async (message: Message) => {
      setError(null);
      const index = messages.findIndex((m) => m.id === message.id);
      const { accepted } = continueReply({ message, streaming, baseCount: index < 0 ? messages.length : index });
      toBottom();
      try {
        await accepted;
      } catch (e) {
        setError(api.describeError(e));
        void refreshView(router);
      }
    },
    [messages, streaming, router, toBottom],
  );

  // The version pager: switch the shown path, then re-render the server view.
  const [selecting, setSelecting] = useState(false);
  const [refreshing, startRefresh] = useTransition();
  const onSelect = useCallback(
    async (id: string) => {
      setError(null);
      setSelecting(true);
      // A finished reply not yet handed over to its saved copy would hide the new path.
      const live = liveReplyFor(conversationId);
      if (live?.getState().finished) releaseReply(live);
      try {
        await api.selectMessage(id);
        if (await connection.probe()) startRefresh(() => router.refresh());
      } catch (e) {
        setError(api.describeError(e));
      } finally {
        setSelecting(false);
      }
    },
    [conversationId, router],
  );

  const onRegenerate = useCallback(
    (message: Message) => {
      const path = shown.current;
      const index = path.findIndex((m) => m.id === message.id);
      if (index < 0) return;
      setError(null);
      setEditing(null);
      const { accepted } = regenerateReply({ message, streaming, baseCount: index, known: path.map((m) => m.id) });
      toBottom();
      accepted.catch((e: unknown) => {
        setError(api.describeError(e));
        void refreshView(router);
      });
    },
    [streaming, router, toBottom],
  );

  const onEdit = useCallback((message: Message) => setEditing({ id: message.id, draft: message.content }), []);
  const onEditCancel = useCallback(() => {
    const id = editing?.id;
    setEditing(null);
    // Back to the Edit button the editor replaced.
    requestAnimationFrame(() => scroller.current?.querySelector<HTMLElement>(`[data-message-id="${id}"] [data-testid="edit-message"]`)?.focus());
  }, [editing]);
  const onEditSend = useCallback(
    (message: Message, content: string) => {
      const path = shown.current;
      const index = path.findIndex((m) => m.id === message.id);
      if (index < 0) return;
      setError(null);
      setEditing(null);
      const { accepted } = editAndResend({ message, content, streaming, baseCount: index, known: path.map((m) => m.id) });
      toBottom();
      accepted.catch((e: unknown) => {
        setError(api.describeError(e));
        setEditing({ id: message.id, draft: content }); // the edit is not lost
      });
    },
    [streaming, toBottom],
  );

  // Saved messages from the live reply on are the live reply's to show.
  const baseCount = reply?.baseCount;
  const saved = useMemo(() => (baseCount === undefined ? messages : messages.slice(0, baseCount)), [messages, baseCount]);
  const generating = reply ? !state?.finished : !!unattached || !!elsewhere;
  const empty = saved.length === 0 && !reply;
  const hints = versionHintsOf(reply);
  const stop = useStopReply({ generating, reply, unattached: unattached?.id, elsewhere, onStopSaved });

  // Nothing that changes the path while a reply generates or a switch is under way.
  const locked = generating || selecting || refreshing;
  const replyActions = useMemo<ReplyActions>(() => ({ locked, onSelect, onRegenerate }), [locked, onSelect, onRegenerate]);
  const userActions = useMemo(() => ({ locked, onSelect, onEdit }), [locked, onSelect, onEdit]);
  const editor = useMemo(() => editing && { draft: editing.draft, locked, onCancel: onEditCancel, onSend: onEditSend }, [editing, locked, onEditCancel, onEditSend]);

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      {/* Empty: the composer in the middle, the heading above it, suggestions below (same elements, so nothing remounts on the first send);
          on a phone the composer stays at the bottom, the suggestions above it. */}
      <div ref={scroller} className={`min-h-0 flex-1 overflow-y-auto ${empty ? "flex flex-col justify-end max-sm:justify-center" : ""}`} data-testid="message-list">
        <div ref={content} className="mx-auto flex w-full max-w-3xl flex-col gap-6 px-4 py-6 sm:px-6">
          {empty ? <EmptyHeading /> : <h1 className="sr-only">Conversation</h1>}
          {apiKey && <ApiKeyNote name={apiKey.name} />}
          {/* One keyed list (one array) for saved and live messages: when the
              saved copy of the live reply arrives, it lands on the same key. */}
          {[
            ...saved.map((m, i) => {
              const settled = !isGenerating(m.status);
              return m.role === "user" ? (
                <UserMessage key={m.id} message={m} actions={settled ? userActions : undefined} editing={editing?.id === m.id ? (editor ?? undefined) : undefined} />
              ) : (
                <StreamingMessage
                  key={m.id}
                  message={m}
                  streaming={streaming}
                  // Only the latest reply can be continued or regenerated (the server says the same).
                  onContinue={i === saved.length - 1 && !generating ? onContinue : undefined}
                  actions={settled ? replyActions : undefined}
                  latest={i === saved.length - 1 && !reply}
                />
              );
            }),
            reply && state?.userMessage && <UserMessage key={state.userMessage.id} message={state.userMessage} versionsHint={hints?.user} />,
            reply && state && <StreamingMessage key={state.messageId} reply={reply} state={state} streaming={streaming} versionsHint={hints?.assistant} />,
          ]}
          <QueuedMessages queue={queue} held={!generating && holdsQueue((reply && state?.finished ? reply.getMessage() : saved.at(-1))?.status ?? "complete")} />
        </div>
      </div>
      <div className="relative shrink-0 bg-gradient-to-t from-white from-70% pt-2 max-sm:order-last dark:from-zinc-950">
        {generating && away && <JumpToLatest onClick={toBottom} />}
        <ConversationSetup conversationId={conversationId} setup={setup} onChange={setSetup} userDefaultModel={defaultModel} disabled={generating} />
        <Composer
          draftId={conversationId}
          fileLimits={fileLimits}
          replying={generating}
          onStop={stop}
          stopping={state?.stopping}
          error={error}
          onDismissError={() => setError(null)}
          onSend={onSend}
          onQueue={generating && conversationId ? onQueue : undefined}
        />
      </div>
      {empty && (
        <div className="min-h-0 flex-1 overflow-y-auto max-sm:flex-none">
          <StarterSuggestions disabled={generating} onPick={(prompt) => onSend(prompt, [])} />
        </div>
      )}
      <ReplyAnnouncer conversationId={conversationId} />
    </div>
  );
}
