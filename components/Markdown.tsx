"use client";
// Model text as markdown, progressively while it streams (streamdown):
// finished blocks are memoized and never re-parsed, only the growing tail is
// (and repaired: an unfinished fence, table or emphasis is closed for
// display); a reply is rendered in chunks of blocks (see markdown-blocks.ts);
// code is highlighted by shiki in a Web Worker as it streams (grammars
// bundled, nothing fetched).
//
// `isAnimating` stays off: it is streamdown's context, so flipping it when a
// reply ends re-renders every code block and table of the reply at once
// (200+ ms for a long one), and while on it only disables the copy buttons
// and scrolls capped blocks. Blocks are not height-capped instead, so the
// page's own follow-scroll shows a growing block.
//
// Safety: raw HTML is never interpreted. Without rehype-raw in the chain,
// streamdown turns HTML into literal text (a `<script>` in a reply is shown,
// not run); rehype-sanitize then drops anything else unsafe (`javascript:`
// URLs), and links and images go through the components below.
import { memo, useMemo, type ComponentProps } from "react";
import { defaultRehypePlugins, Streamdown, type Components, type ControlsConfig, type ExtraProps } from "streamdown";
import { workerCode } from "@/lib/client/highlighter";

const SAFE_LINK = /^(https?:|mailto:)/i;

/** A real link (keyboard, middle-click, "copy link" work), opened in a new tab without access to this one. */
function SafeLink({ href, children, title }: ComponentProps<"a"> & ExtraProps) {
  if (!href || !SAFE_LINK.test(href)) {
    // An unsafe or unfinished (still streaming) target: its text only.
    return <span data-streamdown="link-text">{children}</span>;
  }
  return (
    <a
      href={href}
      title={title ?? href}
      target="_blank"
      rel="noopener noreferrer"
      data-streamdown="link"
      className="font-medium text-clay-700 underline decoration-clay-500/40 underline-offset-2 [overflow-wrap:anywhere] hover:decoration-clay-600 dark:text-clay-400"
    >
      {children}
    </a>
  );
}

/**
 * Images are not loaded: a model (or a prompt injection) could point one at
 * any server and leak the conversation through its URL. Shown as a link.
 */
function ImageLink({ src, alt }: ComponentProps<"img"> & ExtraProps) {
  const label = `Image: ${alt || "untitled"}`;
  if (typeof src !== "string" || !/^https?:/i.test(src)) return <span className="text-zinc-500 italic">[{label}]</span>;
  return (
    <a href={src} title={src} target="_blank" rel="noopener noreferrer" className="text-clay-700 underline underline-offset-2 dark:text-clay-400">
      [{label}]
    </a>
  );
}

// Everything below is created once: streamdown memoizes blocks by comparing
// these by identity.
const components: Components = { a: SafeLink, img: ImageLink };
const plugins = { code: workerCode };
const rehypePlugins = [defaultRehypePlugins.sanitize, defaultRehypePlugins.harden];
const controls: ControlsConfig = {
  code: { copy: true, download: false },
  table: false,
  mermaid: false,
  image: false,
};
const linkSafety = { enabled: false };

type Props = {
  /** The chunk's markdown: its blocks joined. */
  text: string;
  /** Its blocks, as split (and, for a streaming tail, repaired) by markdownChunks(). */
  blocks: string[];
};

/** One chunk of a reply's markdown (see markdownChunks): re-rendered only when its text changes. */
export const Markdown = memo(
  function Markdown({ text, blocks }: Props) {
    // Blocks were split from the whole reply already: hand them over as they are.
    const split = useMemo(() => () => blocks, [blocks]);
    return (
      <Streamdown
        className="reply-md"
        mode="streaming"
        isAnimating={false}
        parseIncompleteMarkdown={false}
        parseMarkdownIntoBlocksFn={split}
        codeBlockMaxHeight={0}
        tableMaxHeight={0}
        plugins={plugins}
        components={components}
        rehypePlugins={rehypePlugins}
        controls={controls}
        linkSafety={linkSafety}
        lineNumbers={false}
      >
        {text}
      </Streamdown>
    );
  },
  (a, b) => a.text === b.text,
);
