// Extended thinking and tool calls in a reply: each one line ("Thought for
// 6 s", "Used calculate → 1048"), open while it runs and folded once done,
// expandable to the full card (input, progress, result). Runs the app
// against the fake Anthropic API.
import { expect, test } from "@playwright/test";
import { useFakeAnthropicApp } from "./fake-anthropic-app";
import { lastAssistant, send, shownText } from "./support";

const rich = useFakeAnthropicApp();
const { ask, saved } = rich;

test("extended thinking streams in an open section that folds to one line with its duration once the answer starts", async ({ page }) => {
  const thinking = "The user asks about tides. Tides come from the Moon's gravity and the Earth's rotation; I should explain both, then give an example. ".repeat(3);
  const answer = "Tides are caused mainly by the **Moon**.";
  const reply = await ask(page, "Why are there tides?", { thinking, text: answer, chunk: 3, delayMs: 60 });
  const section = reply.getByTestId("thinking");

  await expect(section).toBeVisible();
  await expect(section).toHaveAttribute("data-live", "true");
  await expect(section).toHaveJSProperty("open", true);
  const content = section.getByTestId("thinking-content");
  await expect(content).toBeVisible();
  const early = (await content.textContent())!.length;
  await expect.poll(async () => (await content.textContent())!.length).toBeGreaterThan(early);
  await expect(section.getByTestId("thinking-summary")).toHaveText("Thinking…");
  await page.screenshot({ path: "test-results/thinking-live.png" });

  // The answer starts: thinking collapses, the text streams below it.
  await expect(section).not.toHaveAttribute("data-live", "true", { timeout: 20_000 });
  await expect(section).toHaveJSProperty("open", false);
  await expect(content).toBeHidden();
  // How long it thought, measured by the server (docs/PROTOCOL.md §1).
  await expect(section.getByTestId("thinking-summary")).toHaveText(/^Thought for \d+ s$/);
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
  await expect(folded.getByTestId("thinking-summary")).toHaveText(/^Thought for \d+ s$/);
  expect(await folded.getByTestId("thinking-content").textContent()).toBe(thinking);
  // Opened by the reader, it stays open.
  await folded.locator("summary").click();
  await expect(folded.getByTestId("thinking-content")).toBeVisible();
});

test("a tool call is open while its input streams in and it runs, then folds to one line with its result", async ({ page }) => {
  const reply = await ask(
    page,
    "What is 2^10 + 24?",
    // Slow enough to watch the input being written (about 4 s, on a busy machine too).
    { text: "Let me calculate that.", tool: { name: "calculate", input: { expression: "2^10 + 24" } }, chunk: 1, delayMs: 120 },
    { text: "2^10 + 24 = **1048**." },
  );
  const card = reply.getByTestId("tool-use");
  await expect(card).toBeVisible();
  await expect(card).toHaveAttribute("data-tool-state", "running");
  await expect(card).toHaveAttribute("data-tool-name", "calculate");
  await expect(card.getByTestId("tool-status")).toContainText("Writing input");
  await expect(card.getByTestId("tool-summary")).toHaveAttribute("aria-expanded", "true");
  // Partial JSON, pretty-printed as it arrives.
  await expect(card.getByTestId("tool-input")).toContainText('"expression": "2^10');
  await page.screenshot({ path: "test-results/tool-running.png" });

  await expect(card).toHaveAttribute("data-tool-state", "done", { timeout: 20_000 });
  // Done: one line, folded; the button opens the full card.
  const line = card.getByTestId("tool-summary");
  await expect(line).toHaveAttribute("aria-expanded", "false");
  await expect(line).toHaveText("Used calculate → 1048");
  await expect(card.getByTestId("tool-input")).toBeHidden();
  await line.click();
  await expect(line).toHaveAttribute("aria-expanded", "true");
  await expect(card.getByTestId("tool-input")).toHaveText('{\n  "expression": "2^10 + 24"\n}');
  await expect(card.getByTestId("tool-result")).toContainText("1048");
  await line.press("Enter");
  await expect(card.getByTestId("tool-result")).toBeHidden();
  await expect(reply).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  const id = (await reply.getAttribute("data-message-id"))!;
  expect(await shownText(reply)).toBe((await saved(page, id)).content);
  await page.reload();
  await expect(lastAssistant(page).getByTestId("tool-use")).toHaveAttribute("data-tool-state", "done");
  await expect(lastAssistant(page).getByTestId("tool-summary")).toHaveAttribute("aria-expanded", "false");
});

test("a tool card shows live progress from tool_progress events, then an error result", async ({ page }) => {
  // The tools run too fast to watch their progress: this reply's stream is
  // scripted here, event by event, in the wire format of docs/PROTOCOL.md §4.
  const now = new Date().toISOString();
  const ids = { user: "8f0e9a52-0000-4000-8000-000000000001", reply: "8f0e9a52-0000-4000-8000-000000000002" };
  const frame = (id: number | null, event: string, data: unknown) => `${id === null ? "" : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  const message = (conversationId: string, patch: Record<string, unknown>) => ({
    id: ids.reply,
    conversationId,
    role: "assistant",
    content: "",
    parts: [],
    status: "pending",
    metadata: {},
    createdAt: now,
    updatedAt: now,
    ...patch,
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

  await page.goto(`${rich.app.url}/?new=1`);
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
  // Folded to one line that says why; opened, the full error.
  await expect(card.getByTestId("tool-summary")).toHaveText("search_conversations failed → The search index is unavailable.");
  await card.getByTestId("tool-summary").click();
  await expect(card.getByTestId("tool-result")).toContainText("The search index is unavailable.");
  await expect(card.getByTestId("tool-result")).toHaveAttribute("data-error", "true");
  await expect(lastAssistant(page).getByTestId("message-content")).toHaveAttribute("data-text", "Sorry, the search failed.");
});
