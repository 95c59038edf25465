// The render benchmark's replies (bench/render.ts): a long markdown reply with
// many code blocks, tables, lists and links, and plain prose of the same
// length.

// Deterministic pseudo-random (the same reply every run).
function rng(seed: number) {
  return () => (seed = (Math.imul(seed ^ (seed >>> 15), 2246822507) + 0x6d2b79f5) >>> 0) / 2 ** 32;
}

const WORDS =
  "stream token render block parse frame cursor reply buffer layout paint commit fiber memo highlight grammar table column index value state event socket resume".split(
    " ",
  );

function sentence(r: () => number, words = 8 + Math.floor(r() * 10), markup = true): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    let w = WORDS[Math.floor(r() * WORDS.length)];
    const roll = r();
    if (markup && roll < 0.05) w = `**${w}**`;
    else if (markup && roll < 0.09) w = `\`${w}()\``;
    else if (markup && roll < 0.11) w = `[${w}](https://example.com/${w})`;
    else if (markup && roll < 0.13) w = `_${w}_`;
    out.push(w);
  }
  const s = out.join(" ");
  return s[0].toUpperCase() + s.slice(1) + ".";
}

const CODE: Record<string, (r: () => number, n: number) => string> = {
  ts: (r, n) =>
    [`export function step${n}(state: State, event: StreamEvent): State {`]
      .concat(Array.from({ length: 8 + Math.floor(r() * 10) }, (_, i) => `  const v${i} = state.values[${i}] ?? ${Math.floor(r() * 100)}; // ${WORDS[i % WORDS.length]}`))
      .concat(["  return { ...state, seq: event.id, values: [v0, v1] };", "}"])
      .join("\n"),
  python: (r, n) =>
    [`def handle_${n}(events, limit=${Math.floor(r() * 50)}):`, `    """Fold events into a message."""`, "    out = []"]
      .concat(Array.from({ length: 6 + Math.floor(r() * 8) }, (_, i) => `    if events[${i}]["type"] == "delta":\n        out.append(events[${i}]["text"])`))
      .concat(['    return "".join(out)'])
      .join("\n"),
  bash: (r, n) =>
    Array.from({ length: 4 + Math.floor(r() * 6) }, (_, i) => `curl -sN http://127.0.0.1:3000/api/messages/${n}/stream?after=${i * 10} | grep -c "event: delta"`).join(
      "\n",
    ),
  json: (r, n) => JSON.stringify({ id: n, event: "delta", data: { index: 0, text: WORDS.slice(0, 3 + Math.floor(r() * 5)) }, retry: [1, 2, 4] }, null, 2),
};
const LANGS = Object.keys(CODE);

/** ~`chars` characters of markdown: sections with prose, lists, tables and many code blocks. */
export function markdownReply(chars: number): { text: string; codeBlocks: number; tables: number } {
  const r = rng(42);
  let text = "";
  let codeBlocks = 0;
  let tables = 0;
  for (let n = 1; text.length < chars; n++) {
    text += `## Part ${n}: ${sentence(r, 3, false).slice(0, -1)}\n\n${sentence(r)} ${sentence(r)} ${sentence(r)}\n\n`;
    const lang = LANGS[n % LANGS.length];
    text += `\`\`\`${lang}\n${CODE[lang](r, n)}\n\`\`\`\n\n`;
    codeBlocks++;
    if (n % 3 === 0) {
      text += `| step | cost | note |\n|------|-----:|------|\n`;
      for (let i = 0; i < 4; i++) text += `| ${WORDS[(n + i) % WORDS.length]} | ${Math.floor(r() * 1000)} | ${sentence(r, 4)} |\n`;
      text += "\n";
      tables++;
    } else {
      text += Array.from({ length: 3 }, () => `- ${sentence(r, 6)}`).join("\n") + "\n\n";
    }
    text += `${sentence(r)} ${sentence(r)}\n\n`;
  }
  return { text: text.trimEnd(), codeBlocks, tables };
}

/** Plain prose of the same length: paragraphs only, no markup. */
export function proseReply(chars: number): string {
  const r = rng(7);
  let text = "";
  while (text.length < chars) text += `${Array.from({ length: 5 }, () => sentence(r, undefined, false)).join(" ")}\n\n`;
  return text.slice(0, chars).trimEnd();
}
