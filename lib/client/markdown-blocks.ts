// Splits streaming markdown into blocks and repairs only the growing tail.
//
// Streamdown's own streaming path runs `remend` (which closes an unfinished
// `**bold`, `[link](…`, inline code…) over the whole text on every update,
// then splits it into blocks. That costs time in proportion to the whole
// reply on every frame, and a marker anywhere earlier can leak into the tail:
// after a `***` rule it appends a stray `*` to everything that follows,
// even inside a code block. Blocks before the last one are finished (the
// splitter only ever re-reads the tail; its cache keeps the rest), so
// repairing the last block alone gives the same result for finished blocks,
// costs only the tail's length, and keeps the repair local.
import remend from "remend";
import { parseMarkdownIntoBlocks } from "streamdown";

/** Blocks of markdown that is still streaming: finished blocks as they are, the last one repaired. */
export function streamingBlocks(markdown: string): string[] {
  const blocks = parseMarkdownIntoBlocks(markdown);
  if (blocks.length === 0) return blocks;
  const tail = blocks[blocks.length - 1];
  const repaired = remend(completeTableHeader(holdDanglingMarker(tail)));
  if (repaired === tail) return blocks;
  // The splitter caches its array: never change it in place.
  const out = blocks.slice();
  out[out.length - 1] = repaired;
  return out;
}

// An emphasis or code marker with nothing after it yet ("A **") cannot be
// closed by the repair: it would flash as literal text for a frame. It is
// held back until the text it opens arrives.
const DANGLING_MARKER = /(^|[\s([{"'])(?:\*{1,3}|_{1,3}|~{1,2}|`{1,2})$/;

/** The tail without a trailing marker that opens nothing yet (not inside a code block). */
export function holdDanglingMarker(block: string): string {
  if (FENCE.test(block)) return block;
  return block.replace(DANGLING_MARKER, "$1");
}

const ROW = /^ {0,3}\|/;
const PARTIAL_DELIMITER = /^ {0,3}\|?[ \t|:-]*$/;
const DELIMITER_CELL = /^\s*:?-+:?\s*$/;
const FENCE = /^ {0,3}(```|~~~)/;

/** The cells of a table row (`| a | b |` → ["a", "b"]), escaped pipes kept. */
function rowCells(row: string): string[] {
  let r = row.trim();
  if (r.startsWith("|")) r = r.slice(1);
  if (r.endsWith("|") && !r.endsWith("\\|")) r = r.slice(0, -1);
  return r.split(/(?<!\\)\|/);
}

/**
 * A table is only a table once its delimiter row (`|---|---|`) is complete:
 * until then its header row would show as a paragraph of pipes and then
 * jump into a table. While the tail ends in a header row, or a header row
 * and a partial delimiter row, complete the delimiter so the table shows
 * from its first cell. (Only for rows that start with `|`, as models write them.)
 */
export function completeTableHeader(block: string): string {
  if (FENCE.test(block)) return block; // a code block: its pipes are code
  const end = block.endsWith("\n") ? block.length - 1 : block.length;
  const lastStart = block.lastIndexOf("\n", end - 1) + 1;
  const last = block.slice(lastStart, end);
  const prevStart = lastStart > 0 ? block.lastIndexOf("\n", lastStart - 2) + 1 : -1;
  const prev = prevStart >= 0 ? block.slice(prevStart, lastStart - 1) : undefined;
  const beforePrev = prevStart > 0 ? block.slice(block.lastIndexOf("\n", prevStart - 2) + 1, prevStart - 1) : undefined;
  const isRow = (line: string | undefined) => line !== undefined && ROW.test(line);
  const delimiter = (header: string, partial = "") => {
    const given = partial ? rowCells(partial) : [];
    const cells = rowCells(header).map((_, i) => (given[i] !== undefined && DELIMITER_CELL.test(given[i]) ? given[i].trim() : "---"));
    return `| ${cells.join(" | ")} |`;
  };

  if (isRow(last) && !isRow(prev)) {
    // A lone `|` starting a header: nothing to show yet.
    if (!/[^\s|]/.test(last)) return block.endsWith("\n") ? block : block.slice(0, lastStart);
    // `| a | b |` just arrived (a header: no table row above it).
    return block.endsWith("\n") ? `${block}${delimiter(last)}` : `${block}\n${delimiter(last)}`;
  }
  // `| a | b |` then a delimiter row still being written.
  if (!block.endsWith("\n") && PARTIAL_DELIMITER.test(last) && /[-:|]/.test(last) && isRow(prev) && !isRow(beforePrev)) {
    const complete = delimiter(prev!, last);
    return block.slice(0, lastStart) + complete;
  }
  return block;
}

/** Blocks of finished markdown (shown as written: no repair). */
export const finishedBlocks: (markdown: string) => string[] = parseMarkdownIntoBlocks;

/** Blocks rendered by one streamdown instance. */
export type MarkdownChunk = { text: string; blocks: string[] };

/** Blocks per chunk: a frame compares a reply's chunks, not all its blocks. */
export const CHUNK_BLOCKS = 16;

/**
 * A reply's markdown as chunks of CHUNK_BLOCKS blocks, by block index: the
 * first 16 blocks, the next 16… Each chunk is rendered (and memoized) on its
 * own, so a frame of a long reply re-renders only the last chunk and React
 * compares a few dozen chunks instead of every block, and the browser lays
 * out a few dozen boxes. Chunks whose blocks did not change are returned
 * as they were in `previous` (same object, same text string).
 */
export function markdownChunks(text: string, streaming: boolean, previous: readonly MarkdownChunk[] = []): MarkdownChunk[] {
  const blocks = streaming ? streamingBlocks(text) : finishedBlocks(text);
  const chunks: MarkdownChunk[] = [];
  for (let start = 0, i = 0; start < blocks.length; start += CHUNK_BLOCKS, i++) {
    const end = Math.min(start + CHUNK_BLOCKS, blocks.length);
    const before = previous[i];
    let same = before !== undefined && before.blocks.length === end - start;
    for (let k = start; same && k < end; k++) same = before!.blocks[k - start] === blocks[k];
    chunks.push(same ? before! : { text: blocks.slice(start, end).join(""), blocks: blocks.slice(start, end) });
  }
  return chunks;
}
