// Messages between the page and the code-highlighting worker, and the
// worker's queue: requests for a code block that is still streaming are
// superseded by later ones for the same block, so a worker that falls behind
// a fast stream skips straight to the newest text instead of piling up.
import type { HighlightResult } from "streamdown";

export type HighlightRequest = { id: number; code: string; language: string; isIncomplete: boolean };
export type HighlightResponse = { id: number; result?: HighlightResult; skipped?: boolean };

/** A later request continues the same streaming block: same language, its code extends this one's. */
export function supersedes(later: HighlightRequest, earlier: HighlightRequest): boolean {
  return earlier.isIncomplete && later.language === earlier.language && later.code.length > earlier.code.length && later.code.startsWith(earlier.code);
}

/** Takes the next request worth doing; superseded ones come back in `skipped`. */
export function nextRequest(queue: HighlightRequest[]): { next?: HighlightRequest; skipped: HighlightRequest[] } {
  const skipped: HighlightRequest[] = [];
  while (queue.length > 0) {
    const head = queue.shift()!;
    if (queue.some((later) => supersedes(later, head))) skipped.push(head);
    else return { next: head, skipped };
  }
  return { skipped };
}
