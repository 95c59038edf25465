"use client";
// A polite live region for screen readers (WCAG 4.1.3): "Claude is replying"
// when a reply starts, and how it ended when it ends: never its tokens. Each
// reply is announced once, even when the page it started on is replaced (the
// first message of a new chat moves to /c/:id mid-reply, and on a busy
// machine the new page can arrive after the reply has ended): a new region
// starts with what the old one last said, which is not announced again.
import { useEffect, useState } from "react";
import type { LiveReply } from "@/lib/client/live-reply";
import type { Message } from "@/lib/chat/types";
import { interruptionCause } from "@/lib/reply/status";
import { useLiveReply } from "./useLiveReply";

const STARTED = "Claude is replying";
/** What was last said about each reply. */
const announced = new WeakMap<LiveReply, string>();

/** How a reply ended, in the words of its badge (StreamingMessage): only a user's Stop is "stopped". */
function ended(m: Pick<Message, "status" | "metadata">): string {
  if (m.status === "interrupted") return interruptionCause(m.metadata?.stopReason) === "user" ? "Reply stopped" : "Reply interrupted";
  return m.status === "failed" ? "Reply failed" : "Reply finished";
}

export function ReplyAnnouncer({ conversationId }: { conversationId: string | null }) {
  const { reply, state } = useLiveReply(conversationId);
  const [text, setText] = useState(() => (reply && announced.get(reply)) || "");
  const finished = state?.finished;

  useEffect(() => {
    if (!reply || finished === undefined) return;
    const seen = announced.get(reply);
    const said = !finished ? STARTED : ended(reply.getMessage());
    // Each ending is said once; "replying" only before anything else was.
    if (seen === said || (seen && !finished)) return;
    announced.set(reply, said);
    setText(said);
  }, [reply, finished]);

  return (
    <div role="status" aria-live="polite" aria-atomic="true" data-testid="reply-announcer" className="sr-only">
      {text}
    </div>
  );
}
