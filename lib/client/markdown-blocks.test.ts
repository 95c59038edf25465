import { describe, expect, it } from "vitest";
import remend from "remend";
import { parseMarkdownIntoBlocks } from "streamdown";
import { CHUNK_BLOCKS, completeTableHeader, finishedBlocks, holdDanglingMarker, markdownChunks, streamingBlocks } from "./markdown-blocks";

const DOC = `# Title

Some **bold** text, _emphasis_, \`code\` and a [link](https://example.com/a_b).

- item one
- item **two**

| a | b |
|---|---|
| 1 | 2 |

\`\`\`ts
const a = "**not bold**";
\`\`\`

***

\`\`\`py
print("hi")
\`\`\`

Final paragraph with **bold
`;

describe("streamingBlocks", () => {
  it("keeps finished blocks as the splitter made them and repairs only the tail", () => {
    for (let n = 1; n <= DOC.length; n++) {
      const prefix = DOC.slice(0, n);
      const plain = parseMarkdownIntoBlocks(prefix);
      const blocks = streamingBlocks(prefix);
      expect(blocks.length).toBe(plain.length);
      expect(blocks.slice(0, -1)).toEqual(plain.slice(0, -1));
      expect(blocks.at(-1)).toBe(remend(completeTableHeader(holdDanglingMarker(plain.at(-1)!))));
    }
  });

  it("closes unfinished emphasis and inline code in the tail", () => {
    expect(streamingBlocks("Hello **wor").at(-1)).toBe("Hello **wor**");
    expect(streamingBlocks("Use `npm i").at(-1)).toBe("Use `npm i`");
  });

  it("never lets a marker from an earlier block leak into a later one", () => {
    // Repairing the whole text takes the `**` operator of a finished
    // paragraph for an open bold and "closes" it at the end of every later
    // block as it streams; block-local repair leaves them alone.
    const text = "In Python, 2 ** 10 is 1024.\n\nNext we";
    expect(remend(text)).toBe(text + "**");
    expect(streamingBlocks(text).join("")).toBe(text);
  });

  it("does not change the splitter's cached array", () => {
    const text = "a\n\nb **c";
    const before = [...parseMarkdownIntoBlocks(text)];
    streamingBlocks(text);
    expect(parseMarkdownIntoBlocks(text)).toEqual(before);
  });

  it("leaves finished text unrepaired", () => {
    expect(finishedBlocks("x **y").join("")).toBe("x **y");
  });
});

describe("completeTableHeader", () => {
  it("turns a header row into a table at once, and completes a half-written delimiter row", () => {
    expect(completeTableHeader("| name | co")).toBe("| name | co\n| --- | --- |");
    expect(completeTableHeader("| name | cost |\n")).toBe("| name | cost |\n| --- | --- |");
    expect(completeTableHeader("| name | cost |\n|---")).toBe("| name | cost |\n| --- | --- |");
    expect(completeTableHeader("| name | cost |\n|:--|:-")).toBe("| name | cost |\n| :-- | :- |");
    expect(completeTableHeader("Intro:\n| a |")).toBe("Intro:\n| a |\n| --- |");
  });

  it("hides a lone pipe until the header has content", () => {
    expect(completeTableHeader("|")).toBe("");
    expect(completeTableHeader("Intro:\n| ")).toBe("Intro:\n");
  });

  it("leaves complete tables, body rows and code alone", () => {
    const table = "| a | b |\n|---|---|\n| 1 | 2";
    expect(completeTableHeader(table)).toBe(table);
    expect(completeTableHeader(`${table} |\n| 3`)).toBe(`${table} |\n| 3`);
    expect(completeTableHeader("```\n| a |")).toBe("```\n| a |");
    expect(completeTableHeader("a | b")).toBe("a | b");
  });

  it("shows a streaming table as a table at every step after its first cell", () => {
    const text = "| name | cost |\n|------|:----:|\n| merge | n log n |\n";
    for (let n = 3; n <= text.length; n++) {
      const [block] = streamingBlocks(text.slice(0, n));
      expect(block, JSON.stringify(text.slice(0, n))).toMatch(/^\| .*\n\| ?:?-/);
    }
  });
});

describe("markdownChunks", () => {
  const section = (n: number) => `## Part ${n}\n\nSome **text** for part ${n}.\n\n\`\`\`ts\nconst n = ${n};\n\`\`\`\n\n`;
  const long = Array.from({ length: 12 }, (_, i) => section(i)).join("");

  it("groups the blocks by index and covers the text exactly", () => {
    const chunks = markdownChunks(long, false);
    const blocks = finishedBlocks(long);
    expect(chunks.length).toBe(Math.ceil(blocks.length / CHUNK_BLOCKS));
    expect(
      chunks
        .map((c) => c.blocks.length)
        .slice(0, -1)
        .every((n) => n === CHUNK_BLOCKS),
    ).toBe(true);
    expect(chunks.map((c) => c.text).join("")).toBe(long);
    for (const c of chunks) expect(c.blocks.join("")).toBe(c.text);
  });

  it("keeps unchanged chunks (same object) while the text grows, and gives the same chunks once finished", () => {
    let previous = markdownChunks(long.slice(0, 200), true);
    let stable = 0;
    for (let n = 201; n <= long.length; n += 7) {
      const next = markdownChunks(long.slice(0, n), true, previous);
      // Every chunk but the last two (whose blocks may still merge) is the very same object.
      for (let i = 0; i < Math.min(previous.length, next.length) - 2; i++) {
        expect(next[i]).toBe(previous[i]);
        stable++;
      }
      previous = next;
    }
    expect(stable).toBeGreaterThan(0);
    const finished = markdownChunks(long, false, previous);
    expect(finished.map((c) => c.text)).toEqual(markdownChunks(long, false).map((c) => c.text));
  });

  it("repairs the streaming tail only", () => {
    const chunks = markdownChunks(`${long}Last **bold`, true);
    expect(chunks.at(-1)!.text.endsWith("Last **bold**")).toBe(true);
    expect(markdownChunks(`${long}Last **bold`, false).at(-1)!.text.endsWith("Last **bold")).toBe(true);
  });
});

describe("a marker that opens nothing yet", () => {
  it("is held back until its text arrives, so it never flashes as text", () => {
    expect(holdDanglingMarker("A **")).toBe("A ");
    expect(holdDanglingMarker("A *")).toBe("A ");
    expect(holdDanglingMarker("see `")).toBe("see ");
    expect(holdDanglingMarker("x ~~")).toBe("x ");
    expect(holdDanglingMarker("**")).toBe("");
    expect(holdDanglingMarker("A **b")).toBe("A **b"); // has text: the repair closes it
    expect(holdDanglingMarker("2 * 3 = 6")).toBe("2 * 3 = 6");
    expect(holdDanglingMarker("```py\nx = a **")).toBe("```py\nx = a **"); // code is code
    const shown = streamingBlocks("A **").join("");
    expect(shown).not.toContain("*");
  });
});
