"use client";
// A shared conversation as its viewers see it (/s/:token, docs/PROTOCOL.md
// §3.7): read-only, its current path, and a reply still being written shown
// live (the same snapshot, replay and resume as the owner's, through the
// link's own stream route). The link's event stream says when to fetch the
// conversation again and when the link is gone; a revoked link replaces the
// page with a notice at once.
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";
import type { Message } from "@/lib/chat/types";
import { LiveReply } from "@/lib/client/live-reply";
import { ApiError } from "@/lib/client/api";
import { openReplyStream } from "@/lib/client/stream";
import { getSharedView, sharedReplyStreamUrl, shareEventsUrl, type SharedView } from "@/lib/client/share";
import { isGenerating } from "@/lib/reply/status";
import { JumpToLatest } from "./JumpToLatest";
import { SharedNotice } from "./SharedFrame";
import { StreamingMessage } from "./StreamingMessage";
import { UserMessage } from "./UserMessage";
import { useFollowScroll } from "./useFollowScroll";

/** How long a viewer waits before opening the event stream again after the server refused it (429, 503). */
const EVENTS_RETRY_MS = 5_000;

function follow(token: string, message: Message, after: number | undefined, baseCount: number, onLost: () => void): LiveReply {
  const reply = new LiveReply(message.conversationId, true, baseCount, message, { confirmed: true, connection: "connecting" });
  const url = (id: string, from: number | undefined) => sharedReplyStreamUrl(token, id, from);
  const stream = openReplyStream((signal) => fetch(url(message.id, after), { signal, cache: "no-store", headers: { accept: "text/event-stream" } }), {
    messageId: message.id,
    after,
    resumeUrl: url,
    onEvent: (e) => {
      reply.setConnection("live");
      reply.apply(e);
    },
    onState: (s) => reply.setConnection(s === "reconnecting" ? "reconnecting" : "live"),
  });
  reply.follow(stream);
  // The owner's fallback (polling the owner's message route) is not open to a viewer: ask the link again instead.
  stream.final.catch(() => {
    if (!reply.getState().finished) onLost();
  });
  return reply;
}

function LiveMessage({ reply }: { reply: LiveReply }) {
  const state = useSyncExternalStore(reply.subscribeState, reply.getState, reply.getState);
  return <StreamingMessage reply={reply} state={state} streaming />;
}

export function SharedConversation({ token, initial }: { token: string; initial: SharedView }) {
  const [view, setView] = useState(initial);
  const [revoked, setRevoked] = useState(false);
  const [live, setLive] = useState<LiveReply | null>(null);
  // Raised when a reply's stream is lost for good: the reply is followed again from the link.
  const [attempt, setAttempt] = useState(0);
  const after = useRef(initial.resumeAfter);
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);
  // Like the owner's page: at the newest message, following a reply as it grows unless the reader scrolls up.
  const { toBottom, away } = useFollowScroll(scroller, content);
  const fetching = useRef<AbortController | null>(null);

  const refetch = useCallback(async () => {
    fetching.current?.abort();
    const ac = (fetching.current = new AbortController());
    try {
      const next = await getSharedView(token, ac.signal);
      after.current = next.resumeAfter;
      setView(next);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) setRevoked(true);
    }
  }, [token]);

  // The reply still being written, followed live; a saved one once it ended.
  const last = view.messages.at(-1);
  const generatingId = last?.role === "assistant" && isGenerating(last.status) ? last.id : null;
  useEffect(() => {
    if (!generatingId || revoked || !last) return;
    const reply = follow(token, last, after.current, view.messages.length - 1, () => {
      reply.dispose();
      void refetch().then(() => setTimeout(() => setAttempt((n) => n + 1), EVENTS_RETRY_MS));
    });
    setLive(reply);
    return () => {
      reply.dispose();
      setLive(null);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- one stream per generating reply
  }, [generatingId, revoked, token, attempt]);

  // Its end: the saved copy takes over.
  useEffect(() => {
    if (!live) return;
    return live.subscribeState(() => {
      if (live.getState().finished) void refetch();
    });
  }, [live, refetch]);

  useEffect(() => {
    if (revoked) return;
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const open = () => {
      source = new EventSource(shareEventsUrl(token));
      source.addEventListener("changed", () => void refetch());
      source.addEventListener("revoked", () => {
        source?.close();
        setRevoked(true);
      });
      source.onerror = () => {
        // Refused (404 gone, 429, 503): the browser gives up on its own. Ask the link itself, then try again.
        if (source?.readyState !== EventSource.CLOSED) return;
        void refetch();
        retry = setTimeout(open, EVENTS_RETRY_MS);
      };
    };
    open();
    return () => {
      clearTimeout(retry);
      source?.close();
    };
  }, [token, revoked, refetch]);

  if (revoked) return <SharedNotice title="This link is no longer shared" detail="Its owner stopped sharing this conversation, or deleted it." />;

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div ref={scroller} className="min-h-0 flex-1 overflow-y-auto" data-testid="message-list">
        <div ref={content} className="mx-auto flex w-full max-w-3xl flex-col gap-6 px-4 py-6 sm:px-6">
          <header className="border-b border-zinc-200 pb-4 dark:border-zinc-800">
            <p className="text-xs font-medium tracking-wide text-zinc-500 uppercase dark:text-zinc-400">Shared conversation · read-only</p>
            <h1 data-testid="shared-title" className="mt-1 text-xl font-semibold tracking-tight break-words">
              {view.conversation.title}
            </h1>
          </header>
          {view.messages.map((m) =>
            m.role === "user" ? (
              <UserMessage key={m.id} message={m} />
            ) : live && m.id === live.getState().messageId ? (
              <LiveMessage key={m.id} reply={live} />
            ) : (
              <StreamingMessage key={m.id} message={m} streaming />
            ),
          )}
          {view.messages.length === 0 && <p className="text-zinc-600 dark:text-zinc-400">Nothing has been said here yet.</p>}
        </div>
      </div>
      {/* Just above the page's bottom edge while the reader is scrolled up from a growing reply. */}
      {live && away && (
        <div className="relative h-0">
          <JumpToLatest onClick={toBottom} />
        </div>
      )}
    </div>
  );
}
