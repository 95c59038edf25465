import { useEffect, useMemo, useRef, type RefObject } from "react";
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
  const root = useRef<HTMLDivElement>(null);
  useReachableCode(root);
  return (
    <div ref={root} data-testid="message-content" data-text={text} data-streaming={cursor || undefined} className="reply-text leading-7 break-words">
      {chunks.map((chunk, i) => (
        <Markdown key={i} text={chunk.text} blocks={chunk.blocks} />
      ))}
      {cursor && <span className="reply-cursor" aria-hidden data-testid="reply-cursor" />}
    </div>
  );
}

const CODE_BODY = '[data-streamdown="code-block-body"]:not([tabindex])';

/**
 * A code block scrolls sideways, so a keyboard must reach it (WCAG 2.1.1):
 * each body, as the markdown renderer adds it, becomes a named, focusable
 * region (Tab to it, then the arrow keys scroll it).
 */
function useReachableCode(root: RefObject<HTMLElement | null>) {
  useEffect(() => {
    const el = root.current;
    if (!el) return;
    const mark = () => {
      for (const body of el.querySelectorAll<HTMLElement>(CODE_BODY)) {
        body.tabIndex = 0;
        body.setAttribute("role", "region");
        body.setAttribute("aria-label", body.dataset.language ? `Code (${body.dataset.language})` : "Code");
      }
    };
    mark();
    // Most batches while a reply streams only add text: look again only when an element came.
    const watch = new MutationObserver((batch) => {
      if (batch.some((m) => Array.prototype.some.call(m.addedNodes, (n: Node) => n.nodeType === Node.ELEMENT_NODE))) mark();
    });
    watch.observe(el, { childList: true, subtree: true });
    return () => watch.disconnect();
  }, [root]);
}
