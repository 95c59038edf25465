// Issue 4: replies rendered as markdown while they stream, extended thinking,
// tool calls, and hostile HTML. Runs the app against the fake Anthropic API
// (real SSE wire format, real SDK), which each test scripts for its reply.
import { expect, test, type Page } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeAnthropic, type FakeAnthropic, type Scenario } from "../lib/testing/fake-anthropic";
import { freePort, lastAssistant, renderedText, send, shownText, startApp, type AppServer } from "./support";

test.describe.configure({ mode: "serial" });

let fake: FakeAnthropic;
let app: AppServer;

test.beforeAll(async () => {
  fake = await startFakeAnthropic({ port: 0 });
  app = await startApp(await freePort(), {
    DATA_DIR: mkdtempSync(join(tmpdir(), "tether-rich-")),
    LLM_PROVIDER: "anthropic",
    ANTHROPIC_API_KEY: "test-key",
    ANTHROPIC_BASE_URL: fake.url,
    CONVERSATION_TITLES: "off", // a title request would take a reply scripted for a test
  });
});

test.afterAll(async () => {
  await app?.kill();
  await fake?.close();
});

test.beforeEach(() => fake.reset());

/** The message as the app saved it (this spec's own app, not the config's server). */
async function saved(page: Page, id: string) {
  const res = await page.request.get(`${app.url}/api/messages/${id}`);
  expect(res.status()).toBe(200);
  return (await res.json()) as { content: string; status: string };
}

async function ask(page: Page, text: string, ...scenarios: Scenario[]) {
  fake.enqueue(...scenarios);
  await page.goto(`${app.url}/?new=1`);
  await send(page, text);
  // The first send moves the page to /c/:id; interact only once it has (the
  // page is rendered anew there, and its composer takes the focus).
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  return lastAssistant(page);
}

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
  fake.enqueue({ text: `${head}\`\`\`\n\nDone.`, chunk: 1, delayMs: 4, end: "stall", failAfter: Array.from(head).length });
  await page.goto(`${app.url}/?new=1`);

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
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: app.url });
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

test("extended thinking streams in an open section that folds away once the answer starts", async ({ page }) => {
  const thinking = "The user asks about tides. Tides come from the Moon's gravity and the Earth's rotation; I should explain both, then give an example. ".repeat(3);
  const answer = "Tides are caused mainly by the **Moon**.";
  const reply = await ask(page, "Why are there tides?", { thinking, text: answer, chunk: 3, delayMs: 25 });
  const section = reply.getByTestId("thinking");

  await expect(section).toBeVisible();
  await expect(section).toHaveAttribute("data-live", "true");
  await expect(section).toHaveJSProperty("open", true);
  const content = section.getByTestId("thinking-content");
  await expect(content).toBeVisible();
  const early = (await content.textContent())!.length;
  await expect.poll(async () => (await content.textContent())!.length).toBeGreaterThan(early);
  await expect(section.locator("summary")).toContainText("Thinking");
  await page.screenshot({ path: "test-results/thinking-live.png" });

  // The answer starts: thinking collapses, the text streams below it.
  await expect(section).not.toHaveAttribute("data-live", "true", { timeout: 20_000 });
  await expect(section).toHaveJSProperty("open", false);
  await expect(content).toBeHidden();
  await expect(reply).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  await expect(reply.locator("strong, [data-streamdown=strong]").first()).toHaveText("Moon");
  const id = (await reply.getAttribute("data-message-id"))!;
  expect(await shownText(reply)).toBe((await saved(page, id)).content);
  expect(await shownText(reply)).toBe(answer);

  // Keyboard: the summary opens and closes it.
  await section.locator("summary").focus();
  await page.keyboard.press("Enter");
  await expect(section).toHaveJSProperty("open", true);
  await expect(content).toHaveText(thinking);
  await page.keyboard.press(" ");
  await expect(section).toHaveJSProperty("open", false);

  // Reloaded: folded, with the whole thinking inside.
  await page.reload();
  const folded = lastAssistant(page).getByTestId("thinking");
  await expect(folded).toHaveJSProperty("open", false);
  expect(await folded.getByTestId("thinking-content").textContent()).toBe(thinking);
});

test("a tool call shows as a card: input streams in, it runs, then shows its result", async ({ page }) => {
  const reply = await ask(
    page,
    "What is 2^10 + 24?",
    // Slow enough to watch the input being written (about 2 s).
    { text: "Let me calculate that.", tool: { name: "calculate", input: { expression: "2^10 + 24" } }, chunk: 1, delayMs: 50 },
    { text: "2^10 + 24 = **1048**." },
  );
  const card = reply.getByTestId("tool-use");
  await expect(card).toBeVisible();
  await expect(card).toHaveAttribute("data-tool-state", "running");
  await expect(card).toHaveAttribute("data-tool-name", "calculate");
  await expect(card.getByTestId("tool-status")).toContainText("Writing input");
  // Partial JSON, pretty-printed as it arrives.
  await expect(card.getByTestId("tool-input")).toContainText('"expression": "2^10');
  await page.screenshot({ path: "test-results/tool-running.png" });

  await expect(card).toHaveAttribute("data-tool-state", "done", { timeout: 20_000 });
  await expect(card.getByTestId("tool-input")).toHaveText('{\n  "expression": "2^10 + 24"\n}');
  await expect(card.getByTestId("tool-result")).toContainText("1048");
  await expect(reply).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  const id = (await reply.getAttribute("data-message-id"))!;
  expect(await shownText(reply)).toBe((await saved(page, id)).content);
  await page.reload();
  await expect(lastAssistant(page).getByTestId("tool-use")).toHaveAttribute("data-tool-state", "done");
});

test("hostile HTML in a reply or a message is shown as text, never run, and links are safe", async ({ page }) => {
  const hostile = [
    "<script>window.__pwned = 'script'</script>",
    '<img src="x" onerror="window.__pwned = \'img\'">',
    '<iframe src="javascript:window.__pwned = \'iframe\'"></iframe>',
    "[click me](javascript:window.__pwned='link')",
    '<a href="javascript:window.__pwned=\'anchor\'">anchor</a>',
    "![pixel](https://tracker.example/p.png?leak=secret)",
    "Read the [docs](https://developer.mozilla.org/en-US/).",
  ].join("\n\n");
  const reply = await ask(page, `Repeat this: ${hostile}`, { text: hostile, chunk: 7, delayMs: 3 });
  await expect(reply).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  expect(await shownText(reply)).toBe(hostile);

  for (const root of [reply, page.locator('[data-testid="message"][data-role="user"]').last()]) {
    await expect(root.locator("script, img, iframe, [onerror]")).toHaveCount(0);
    await expect(root.locator('[href^="javascript:" i], [src^="javascript:" i]')).toHaveCount(0);
    await expect(root).toContainText("<script>window.__pwned = 'script'</script>");
  }
  // The user's own text is plain text, line breaks kept.
  const user = page.locator('[data-testid="message"][data-role="user"]').last().getByTestId("message-content");
  expect(await user.textContent()).toBe(`Repeat this: ${hostile}`);

  // Markdown links are real links that open in a new tab without access to this one.
  const docs = reply.getByRole("link", { name: "docs" });
  await expect(docs).toHaveAttribute("href", "https://developer.mozilla.org/en-US/");
  await expect(docs).toHaveAttribute("target", "_blank");
  await expect(docs).toHaveAttribute("rel", /(?=.*noopener)(?=.*noreferrer)/);
  // A `javascript:` link keeps its text but is no link; an image is not loaded.
  await expect(reply.getByText("click me")).toBeVisible();
  await expect(reply.getByRole("link", { name: "click me" })).toHaveCount(0);
  await expect(reply.getByRole("link", { name: /Image: pixel/ })).toHaveAttribute("rel", /noopener/);

  expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();

  await page.reload();
  await expect(lastAssistant(page).locator("script, img, iframe")).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
  expect(await renderedText(lastAssistant(page))).toContain("<img src=\"x\" onerror=");
});

test("a tool card shows live progress from tool_progress events, then an error result", async ({ page }) => {
  // The tools run too fast to watch their progress: this reply's stream is
  // scripted here, event by event, in the wire format of SPEC §4.
  const now = new Date().toISOString();
  const ids = { user: "8f0e9a52-0000-4000-8000-000000000001", reply: "8f0e9a52-0000-4000-8000-000000000002" };
  const frame = (id: number | null, event: string, data: unknown) => `${id === null ? "" : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  const message = (conversationId: string, patch: Record<string, unknown>) => ({
    id: ids.reply, conversationId, role: "assistant", content: "", parts: [], status: "pending", metadata: {}, createdAt: now, updatedAt: now, ...patch,
  });
  const use = { type: "tool_use", id: "toolu_progress", name: "search_conversations", input: {} };
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));

  await page.route("**/api/conversations/*/messages", async (route) => {
    if (route.request().method() !== "POST") return route.fallback();
    const conversationId = route.request().url().split("/conversations/")[1].split("/")[0];
    const user = { ...message(conversationId, {}), id: ids.user, role: "user", content: "Find my notes about tides", status: "complete" };
    await route.fulfill({
      status: 200,
      headers: { "content-type": "text/event-stream" },
      body:
        frame(0, "snapshot", { message: message(conversationId, {}), userMessage: user }) +
        frame(1, "status", { status: "streaming" }) +
        frame(2, "part_start", { index: 0, part: use }) +
        frame(3, "delta", { index: 0, json: '{"query":"ti' }) +
        frame(4, "delta", { index: 0, json: 'des"}' }) +
        frame(5, "part_stop", { index: 0 }) +
        frame(6, "tool_progress", { toolUseId: use.id, message: "Searching your conversations…", percent: 40 }),
    });
  });
  // The stream above ends without `done`: the page resumes after event 6, and
  // the rest arrives when the test says so.
  await page.route(`**/api/messages/${ids.reply}/stream*`, async (route) => {
    expect(new URL(route.request().url()).searchParams.get("after") ?? route.request().headers()["last-event-id"]).toBe("6");
    await finished;
    const conversationId = (await page.evaluate(() => location.pathname.split("/c/")[1])) ?? "";
    const result = { type: "tool_result", toolUseId: use.id, content: "The search index is unavailable.", isError: true };
    const parts = [{ ...use, input: { query: "tides" } }, result, { type: "text", text: "Sorry, the search failed." }];
    await route.fulfill({
      status: 200,
      headers: { "content-type": "text/event-stream" },
      body:
        frame(7, "part_start", { index: 1, part: result }) +
        frame(8, "part_stop", { index: 1 }) +
        frame(9, "part_start", { index: 2, part: { type: "text", text: "" } }) +
        frame(10, "delta", { index: 2, text: "Sorry, the search failed." }) +
        frame(11, "part_stop", { index: 2 }) +
        frame(12, "done", { message: message(conversationId, { parts, content: "Sorry, the search failed.", status: "complete" }) }),
    });
  });

  await page.goto(`${app.url}/?new=1`);
  await send(page, "Find my notes about tides");
  const card = lastAssistant(page).getByTestId("tool-use");
  await expect(card).toHaveAttribute("data-tool-state", "running");
  await expect(card.getByTestId("tool-input")).toHaveText('{\n  "query": "tides"\n}');
  await expect(card.getByTestId("tool-status")).toHaveText("Searching your conversations…");
  const bar = card.getByRole("progressbar");
  await expect(bar).toHaveAttribute("aria-valuenow", "40");
  await expect(bar).toHaveAttribute("aria-valuetext", "Searching your conversations…");
  await page.screenshot({ path: "test-results/tool-progress.png" });

  finish();
  await expect(card).toHaveAttribute("data-tool-state", "error");
  await expect(card.getByRole("progressbar")).toHaveCount(0);
  await expect(card.getByTestId("tool-result")).toContainText("The search index is unavailable.");
  await expect(card.getByTestId("tool-result")).toHaveAttribute("data-error", "true");
  await expect(lastAssistant(page).getByTestId("message-content")).toHaveAttribute("data-text", "Sorry, the search failed.");
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

test("screenshots: a reply with thinking, a tool call, headings, a table and code (light, dark, mobile)", async ({ browser }) => {
  for (const [name, options] of [
    ["light", { colorScheme: "light", viewport: { width: 1280, height: 900 } }],
    ["dark", { colorScheme: "dark", viewport: { width: 1280, height: 900 } }],
    ["mobile", { colorScheme: "light", viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }],
  ] as const) {
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
    await reply.getByTestId("thinking").locator("summary").click();
    await page.getByTestId("message-list").evaluate((el) => (el.scrollTop = 0));
    await page.screenshot({ path: `test-results/rich-reply-${name}.png` });
    await page.getByTestId("message-list").evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.screenshot({ path: `test-results/rich-reply-${name}-end.png` });
    await context.close();
  }
});

