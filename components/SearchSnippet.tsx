import type { SnippetSegment } from "@/lib/chat/types";

/** A search hit's snippet: plain text, the matched words in <mark> (never HTML from the server). */
export function SearchSnippet({ segments }: { segments: SnippetSegment[] }) {
  return (
    <>
      {segments.map((s, i) =>
        s.match ? (
          <mark key={i} className="rounded-sm bg-clay-100 px-0.5 text-zinc-900 dark:bg-clay-900 dark:text-zinc-50">
            {s.text}
          </mark>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </>
  );
}
