import { useMemo, useRef } from "react";
import { markdownChunks, type MarkdownChunk } from "@/lib/client/markdown-blocks";
import { Markdown } from "./Markdown";

/**
 * One run of a reply's text, rendered as markdown in chunks of blocks (a
 * frame re-renders the last chunk only). The container carries the exact
 * string it renders in `data-text`: the rendered markup is not the text
 * itself, and tests compare this (byte for byte) with what was saved.
 */
export function ReplyText({ text, live, cursor }: { text: string; live: boolean; cursor: boolean }) {
  const previous = useRef<MarkdownChunk[]>([]);
  const chunks = useMemo(() => (previous.current = markdownChunks(text, live, previous.current)), [text, live]);
  return (
    <div data-testid="message-content" data-text={text} data-streaming={cursor || undefined} className="reply-text leading-7 break-words">
      {chunks.map((chunk, i) => (
        <Markdown key={i} text={chunk.text} blocks={chunk.blocks} />
      ))}
      {cursor && <span className="reply-cursor" aria-hidden data-testid="reply-cursor" />}
    </div>
  );
}
