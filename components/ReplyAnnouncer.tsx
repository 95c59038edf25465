"use client";
// A polite live region for screen readers (WCAG 4.1.3): "Claude is replying"
// when a reply starts, and how it ended when it ends: never its tokens. Each
// reply is announced once, even when the page it started on is replaced (the
// first message of a new chat moves to /c/:id mid-reply).
import { useEffect, useState } from "react";
import type { LiveReply } from "@/lib/client/live-reply";
import type { MessageStatus } from "@/lib/chat/types";
import { useLiveReply } from "./useLiveReply";

const announced = new WeakMap<LiveReply, "started" | "ended">();

const ENDED: Partial<Record<MessageStatus, string>> = { complete: "Reply finished", interrupted: "Reply stopped", failed: "Reply failed" };

export function ReplyAnnouncer({ conversationId }: { conversationId: string | null }) {
  const { reply, state } = useLiveReply(conversationId);
  // Mounted mid-reply (the page it started on was replaced): the region
  // already holds what was said, so nothing is announced again.
  const [text, setText] = useState(() => (reply && announced.get(reply) === "started" ? "Claude is replying" : ""));
  const finished = state?.finished;

  useEffect(() => {
    if (!reply || finished === undefined) return;
    const seen = announced.get(reply);
    if (!finished && !seen) {
      announced.set(reply, "started");
      setText("Claude is replying");
    } else if (finished && seen !== "ended") {
      announced.set(reply, "ended");
      setText(ENDED[reply.getMessage().status] ?? "Reply finished");
    }
  }, [reply, finished]);

  return (
    <div role="status" aria-live="polite" aria-atomic="true" data-testid="reply-announcer" className="sr-only">
      {text}
    </div>
  );
}
