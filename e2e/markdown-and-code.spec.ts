// Replies rendered as markdown while they stream: an open code fence is
// already a highlighted code block, code blocks have a copy button, and a
// whole rich reply (thinking, a tool call, headings, a table, code) in
// screenshots. Runs the app against the fake Anthropic API.
import { expect, test } from "@playwright/test";
import { useFakeAnthropicApp } from "./fake-anthropic-app";
import { lastAssistant, SCREENSHOT_LOOKS, send, shownText } from "./support";

const rich = useFakeAnthropicApp();
const { ask, saved } = rich;

const CODE = [
  "export function mergeSort<T>(xs: T[], cmp: (a: T, b: T) => number): T[] {",
  "  if (xs.length <= 1) return xs;",
  "  const mid = xs.length >> 1;",
  "  const left = mergeSort(xs.slice(0, mid), cmp);",
  "  const right = mergeSort(xs.slice(mid), cmp);",
  "  return merge(left, right, cmp);",
  "}",
].join("\n");

test("markdown renders while it streams: an open code fence is already a highlighted code block, never raw text", async ({ page }) => {
  const head = `## Sorting\n\nA **stable** sort with \`cmp\`:\n\n| name | cost |\n|------|------|\n| merge | n log n |\n\n\`\`\`ts\n${CODE}\n`;
  // The upstream goes quiet inside the fence: the reply stays mid-stream with it open.
  rich.fake.enqueue({ text: `${head}\`\`\`\n\nDone.`, chunk: 1, delayMs: 4, end: "stall", failAfter: Array.from(head).length });
  await page.goto(`${rich.app.url}/?new=1`);

  // Watch every DOM change for markdown syntax showing as text (a flicker):
  // fences, bold markers, heading hashes, table pipes. And once the code
  // block appears, watch the finished blocks above it: nothing in them may
  // change again (only the growing tail is re-rendered).
  await page.evaluate(() => {
    const w = window as unknown as { __leaks: string[]; __touched: string[]; __watched: number };
    w.__leaks = [];
    w.__touched = [];
    w.__watched = 0;
    new MutationObserver(() => {
      const els = document.querySelectorAll('[data-role="assistant"] .reply-md :is(p, li, h1, h2, h3, h4, h5, h6, td, th, blockquote)');
      for (const el of els) {
        const t = el.textContent ?? "";
        if (/```|\*\*|^\s*(\||#{1,6}\s)/.test(t)) w.__leaks.push(t.slice(-80));
      }
      const reply = [...document.querySelectorAll('[data-role="assistant"]')].at(-1);
      if (!w.__watched && reply?.querySelector('[data-streamdown="code-block"]')) {
        const finished = reply.querySelectorAll('.reply-md > :is(h2, p, [data-streamdown="table-wrapper"])');
        w.__watched = finished.length;
        for (const el of finished) {
          new MutationObserver(() => w.__touched.push(el.tagName)).observe(el, { subtree: true, childList: true, characterData: true, attributes: true });
        }
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await send(page, "Show me merge sort");
  const reply = lastAssistant(page);

  await expect.poll(async () => (await shownText(reply)).length, { timeout: 20_000 }).toBe(head.length);
  await expect(reply).toHaveAttribute("data-status", "streaming");
  const run = reply.getByTestId("message-content");
  await expect(run).toHaveAttribute("data-streaming", "true");

  // Heading, emphasis, inline code and the table are real elements.
  await expect(run.getByRole("heading", { name: "Sorting" })).toBeVisible();
  await expect(run.locator("strong, [data-streamdown=strong]").first()).toHaveText("stable");
  await expect(run.locator('[data-streamdown="inline-code"]')).toHaveText("cmp");
  await expect(run.locator("table td").first()).toHaveText("merge");

  // The unterminated fence is a code block, highlighted token by token.
  const block = run.locator('[data-streamdown="code-block"]');
  await expect(block).toHaveCount(1);
  await expect(block).toHaveAttribute("data-language", "ts");
  const body = block.locator('[data-streamdown="code-block-body"]');
  await expect(body).toContainText("return merge(left, right, cmp);");
  await expect.poll(() => body.locator('span[style*="--sdm-c"]').count()).toBeGreaterThan(10);
  const colors = await body.locator('span[style*="--sdm-c"]').evaluateAll((spans) => new Set(spans.map((s) => getComputedStyle(s).color)).size);
  expect(colors).toBeGreaterThan(2);

  // Layout intact: nothing wider than the reply, the caret follows the block.
  const width = (await reply.boundingBox())!.width;
  expect((await block.boundingBox())!.width).toBeLessThanOrEqual(width + 1);
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await expect(reply.getByTestId("reply-cursor")).toBeVisible();
  const watch = await page.evaluate(() => {
    const w = window as unknown as { __leaks: string[]; __touched: string[]; __watched: number };
    return { __leaks: w.__leaks, __touched: w.__touched, __watched: w.__watched };
  });
  expect(watch.__leaks).toEqual([]);
  expect(watch.__watched).toBe(3); // the heading, the paragraph, the table
  expect(watch.__touched).toEqual([]);
  await page.screenshot({ path: "test-results/markdown-open-fence.png" });

  await page.getByTestId("stop-button").click();
  await expect(reply).toHaveAttribute("data-status", "interrupted");
  const id = (await reply.getAttribute("data-message-id"))!;
  expect((await saved(page, id)).content).toBe(await shownText(reply));
  // Saved and reloaded: the same rendering from the server's HTML.
  await page.reload();
  const again = lastAssistant(page);
  await expect(again.locator('[data-streamdown="code-block"]')).toHaveCount(1);
  await expect(again.getByRole("heading", { name: "Sorting" })).toBeVisible();
});

test("a finished code block has a working, keyboard-reachable copy button", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: rich.app.url });
  const text = `Here:\n\n\`\`\`python\nprint("hello")\nprint("world")\n\`\`\`\n`;
  const reply = await ask(page, "Print hello", { text, chunk: 8, delayMs: 5 });
  await expect(reply).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  expect(await shownText(reply)).toBe(text);
  await expect(page.getByTestId("composer-input")).toBeEnabled(); // the page is done with the reply
  const copy = reply.locator('[data-streamdown="code-block-copy-button"]');
  await expect(copy).toBeEnabled();
  await expect(copy).toHaveAccessibleName(/copy/i);
  await copy.focus();
  await expect(copy).toBeFocused();
  // "Copied" is announced (to screen readers too) for two seconds: watch from before the key press.
  const announced = expect(reply.getByRole("status").filter({ hasText: "Copied" })).toHaveCount(1);
  await page.keyboard.press("Enter");
  await announced;
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toMatch(/^print\("hello"\)\nprint\("world"\)\n?$/);
});

const SORTING = `# Sorting in TypeScript

Here is a **quick** overview with \`Array.prototype.sort\`, a [link to MDN](https://developer.mozilla.org/) and _some_ emphasis.

## Comparison

| Algorithm | Average | Stable |
|-----------|---------|:------:|
| Merge sort | O(n log n) | yes |
| Quick sort | O(n log n) | no |
| Insertion sort | O(n²) | yes |

## Code

\`\`\`ts
${CODE}
\`\`\`

1. Split the list in two.
2. Sort each half.
3. Merge them.

> Stable sorts keep equal elements in order.

\`\`\`python
def insertion_sort(xs):
    for i in range(1, len(xs)):
        j = i
        while j > 0 and xs[j - 1] > xs[j]:
            xs[j - 1], xs[j] = xs[j], xs[j - 1]
            j -= 1
    return xs
\`\`\`
`;

test("screenshots: a reply with thinking, a tool call, headings, a table and code (light, dark, narrow)", async ({ browser }) => {
  for (const [name, options] of SCREENSHOT_LOOKS) {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    const reply = await ask(
      page,
      "Compare sorting algorithms, and tell me 2^10 + 24",
      {
        thinking: "The user wants a comparison of sorting algorithms with code, and a quick calculation. I will use the calculator first.",
        text: "Let me work out the number first.",
        tool: { name: "calculate", input: { expression: "2^10 + 24" } },
        chunk: 6,
        delayMs: 2,
      },
      { text: `2^10 + 24 = **1048**.\n\n${SORTING}`, chunk: 12, delayMs: 2 },
    );
    await expect(reply).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
    await expect(reply.getByTestId("tool-use")).toHaveAttribute("data-tool-state", "done");
    await expect(reply.locator('[data-streamdown="code-block"]')).toHaveCount(2);
    await expect.poll(() => reply.locator('[data-streamdown="code-block-body"] span[style*="--sdm-c"]').count()).toBeGreaterThan(20);
    // Nothing sticks out sideways, even on a phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    // A table is one frame: its outer wrapper draws no border of its own.
    expect(await reply.locator('[data-streamdown="table-wrapper"]').evaluate((el) => getComputedStyle(el).borderTopWidth)).toBe("0px");
    // Each copy button sits inside its language bar, not across its edge.
    for (const block of await reply.locator('[data-streamdown="code-block"]').all()) {
      const bar = (await block.locator('[data-streamdown="code-block-header"]').boundingBox())!;
      const copy = (await block.locator('[data-streamdown="code-block-copy-button"]').boundingBox())!;
      expect(copy.y).toBeGreaterThanOrEqual(bar.y);
      expect(copy.y + copy.height).toBeLessThanOrEqual(bar.y + bar.height);
      // The code scrolls sideways: a keyboard reaches it (a named, focusable region).
      await expect(block.locator('[data-streamdown="code-block-body"]')).toHaveAttribute("tabindex", "0");
      await expect(block.getByRole("region", { name: /^Code/ })).toHaveCount(1);
    }
    await reply.getByTestId("thinking").locator("summary").click();
    await page.getByTestId("message-list").evaluate((el) => (el.scrollTop = 0));
    await page.screenshot({ path: `test-results/rich-reply-${name}.png` });
    await page.getByTestId("message-list").evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.screenshot({ path: `test-results/rich-reply-${name}-end.png` });
    await context.close();
  }
});
