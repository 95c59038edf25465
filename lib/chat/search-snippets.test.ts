import { describe, expect, it } from "vitest";
import { adversarialTexts, ordinaryText, slowdown } from "../testing/linear-time";
import { centreOnMatch, groupHits, plainMarkdown, segments, snippetOf, START, STOP, type Hit } from "./search-snippets";

const mark = (word: string) => `${START}${word}${STOP}`;
const textOf = (s: { text: string }[]) => s.map((x) => x.text).join("");
const hit = (conversationId: string, messageId: string | null, marked: string, role: Hit["role"] = messageId ? "user" : null): Hit => ({
  conversationId,
  title: `Chat ${conversationId}`,
  messageId,
  role,
  createdAt: "2026-12-05T10:00:00.000Z",
  marked,
});

describe("plain snippets", () => {
  it("takes the markdown marks out", () => {
    expect(plainMarkdown("## Key ideas\n- **Definition.** Say *precisely* what\n> quoted `code`")).toBe("Key ideas Definition. Say precisely what quoted code");
    expect(plainMarkdown("1. first\n2) second\n- [x] done")).toBe("first second done");
    expect(plainMarkdown("| A | B |\n|---|:-:|\n| 1 | 2 |")).toBe("A B 1 2");
    expect(plainMarkdown("```ts\nconst a = 1;\n```")).toBe("const a = 1;");
    expect(plainMarkdown("see [the docs](https://x.test/a) and ![alt](i.png)")).toBe("see the docs and alt");
    // Not emphasis: arithmetic, snake_case.
    expect(plainMarkdown("2 * 3 = top_words _em_ __strong__ ~~gone~~")).toBe("2 * 3 = top_words em strong gone");
  });

  it("keeps the match marks through markdown", () => {
    expect(segments(plainMarkdown(`- **${mark("Moon")}** pulls`))).toEqual([
      { text: "Moon", match: true },
      { text: " pulls", match: false },
    ]);
  });

  it("starts a little before the first match", () => {
    const lead = "word ".repeat(40);
    const s = snippetOf(`${lead}the ${mark("quokka")} island ${"after ".repeat(60)}`);
    expect(s[0].text.startsWith("…")).toBe(true);
    expect(s[0].text.length).toBeLessThanOrEqual(41);
    expect(s[1]).toEqual({ text: "quokka", match: true });
    expect(textOf(s).length).toBeLessThanOrEqual(162);
    expect(textOf(s).endsWith("…")).toBe(true);
    // Short text is kept whole.
    expect(
      centreOnMatch([
        { text: "a ", match: false },
        { text: "b", match: true },
      ]),
    ).toEqual([
      { text: "a ", match: false },
      { text: "b", match: true },
    ]);
  });

  // Hostile runs of every kind, plus the brackets of links.
  const hostile = { ...adversarialTexts(), brackets: `a${"[".repeat(16_000)}${"](".repeat(8_000)}x`, "link runs": `a${"[a](".repeat(8_000)}x` };
  it.each(Object.entries(hostile))("stays linear on 32,000 characters: %s", (_name, text) => {
    expect(slowdown(snippetOf, text, ordinaryText(text.length))).toBeLessThan(50);
  });
});

describe("grouping", () => {
  it("gives one result per conversation, its title marked, its best snippets in order", () => {
    const results = groupHits(
      [
        hit("c1", null, `About ${mark("tides")}`),
        hit("c1", "m1", `Why are there ${mark("tides")}?`),
        hit("c2", "m5", `**${mark("Tides")}** come from the Moon`, "assistant"),
        hit("c1", "m2", `${mark("tides")} again`, "assistant"),
        hit("c1", "m3", `more ${mark("tides")}`),
        hit("c1", "m4", `even more ${mark("tides")}`),
      ],
      30,
    );
    expect(results.map((r) => r.conversationId)).toEqual(["c1", "c2"]);
    const [c1, c2] = results;
    // The best hit stays at the top level, as before grouping.
    expect(c1).toMatchObject({ messageId: null, role: null, title: "Chat c1" });
    expect(c1.titleMatch).toEqual([
      { text: "About ", match: false },
      { text: "tides", match: true },
    ]);
    expect(c1.snippets.map((s) => s.messageId)).toEqual(["m1", "m2", "m3"]);
    expect(c1.snippets[1].role).toBe("assistant");
    expect(c2).toMatchObject({ messageId: "m5", role: "assistant", titleMatch: null });
    expect(textOf(c2.snippets[0].snippet)).toBe("Tides come from the Moon");
  });

  it("keeps at most `limit` conversations", () => {
    const hits = Array.from({ length: 10 }, (_, i) => hit(`c${i}`, `m${i}`, mark("x")));
    expect(groupHits(hits, 3).map((r) => r.conversationId)).toEqual(["c0", "c1", "c2"]);
  });
});
