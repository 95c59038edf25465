// Queued follow-ups (issue 14, docs/PROTOCOL.md §3.8): what the user sends
// while Claude replies waits under the reply, can be edited and removed, is
// the same after a reload and in a second tab, and goes by itself, in order,
// when the reply ends complete. A stopped reply holds the queue and says so.
import { expect, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { assistantMessages, complete, lastAssistant, SCREENSHOT_LOOKS, send, testWithSlowApp, userMessages, waitForPartial } from "./support";

// A server of its own whose demo model writes slowly: a reply is still running while the test queues.
const test = testWithSlowApp("queue", 40);
test.describe.configure({ timeout: 180_000 });

const queued = (page: Page) => page.getByTestId("queued-message");

/** Types into the composer and presses Enter while a reply runs. */
async function queue(page: Page, text: string) {
  const input = page.getByTestId("composer-input");
  await input.fill(text);
  await input.press("Enter");
  await expect(input).toHaveValue("");
}

test("queued while Claude replies: edited, removed, the same after a reload and in another tab, then sent in order by itself", async ({ page, context }) => {
  await page.goto("/?new=1");
  await send(page, "Write a long essay about lighthouses");
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  await waitForPartial(lastAssistant(page), 20);
  await queue(page, "Now about ships");
  await queue(page, "And a typo to remove");
  await queue(page, "Then harbours");
  await expect(queued(page)).toHaveCount(3);

  // Edit the first, remove the second.
  await queued(page).nth(0).getByTestId("queued-edit").click();
  await queued(page).nth(0).getByTestId("queued-editor").fill("Now about sailing ships");
  await queued(page).nth(0).getByTestId("queued-save").click();
  await expect(queued(page).nth(0).getByTestId("queued-text")).toHaveText("Now about sailing ships");
  await queued(page).nth(1).getByTestId("queued-remove").click();
  await expect(queued(page)).toHaveCount(2);

  // Reloaded, and in a second tab: the same queue, from the server.
  await page.reload();
  await expect(queued(page).getByTestId("queued-text")).toHaveText(["Now about sailing ships", "Then harbours"]);
  const other = await context.newPage();
  await other.goto(page.url());
  await expect(queued(other).getByTestId("queued-text")).toHaveText(["Now about sailing ships", "Then harbours"]);

  // The reply ends: the next queued message goes by itself, then the one after it.
  await complete(assistantMessages(page).first(), 120_000);
  await expect(userMessages(page)).toHaveCount(3, { timeout: 120_000 });
  await expect(userMessages(page).nth(1)).toContainText("Now about sailing ships");
  await expect(userMessages(page).nth(2)).toContainText("Then harbours");
  await expect(queued(page)).toHaveCount(0);
  await expect(queued(other)).toHaveCount(0);
  await expect(userMessages(other)).toHaveCount(3);
  await complete(lastAssistant(page), 120_000);
  await expect(userMessages(page)).toHaveCount(3); // the removed one never went
});

test("a stopped reply holds the queue and says so; Continue to the end lets it go", async ({ page }) => {
  await page.goto("/?new=1");
  await send(page, "Write a long essay about glaciers");
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  await waitForPartial(lastAssistant(page), 20);
  await queue(page, "What about icebergs?");
  await page.getByTestId("stop-button").click();
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "interrupted");
  await expect(page.getByTestId("queue")).toHaveAttribute("data-held", "true");
  await expect(page.getByTestId("queue")).toContainText("Queue paused");
  await expect(userMessages(page)).toHaveCount(1);

  await lastAssistant(page).getByTestId("continue-button").click();
  await complete(assistantMessages(page).first(), 120_000);
  await expect(userMessages(page)).toHaveCount(2, { timeout: 60_000 });
  await expect(userMessages(page).last()).toContainText("What about icebergs?");
  await expect(page.getByTestId("queue")).toHaveCount(0);
});

test("an edit still open when its message starts is kept, and can be queued again", async ({ page }) => {
  await page.goto("/?new=1");
  await send(page, "Write a long essay about harbours");
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  await waitForPartial(lastAssistant(page), 20);
  await queue(page, "What about tides?");
  await queued(page).getByTestId("queued-edit").click();
  await queued(page).getByTestId("queued-editor").fill("What about tides — and the moon? 🌕");

  // The reply ends with the edit unsaved: the message goes as it was, the edit stays.
  await complete(assistantMessages(page).first(), 120_000);
  await expect(userMessages(page)).toHaveCount(2);
  await expect(userMessages(page).last()).toContainText("What about tides?");
  await expect(queued(page)).toHaveCount(0);
  await expect(page.getByTestId("queued-left-text")).toHaveText("What about tides — and the moon? 🌕");
  const shots = `${process.env.SHOTS_DIR ?? "test-results"}/queue`;
  mkdirSync(shots, { recursive: true });
  await page.getByTestId("queued-left-edit").scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${shots}/queue-left-edit.png` });
  await page.getByTestId("queued-left-queue").click();
  await expect(page.getByTestId("queued-left-edit")).toHaveCount(0);
  // Queued behind the reply that just started, or sent at once if that one has ended already.
  await expect(async () => {
    const inQueue = await queued(page).getByTestId("queued-text").allTextContents();
    const sent = await userMessages(page).allTextContents();
    expect(inQueue.includes("What about tides — and the moon? 🌕") || sent.some((t) => t.includes("and the moon? 🌕"))).toBe(true);
  }).toPass({ timeout: 30_000 });
});

for (const [look, options] of SCREENSHOT_LOOKS) {
  test(`screenshot: the queue under a streaming reply (${look})`, async ({ browser, baseURL }) => {
    const context = await browser.newContext({ ...options, baseURL });
    const page = await context.newPage();
    await page.goto("/?new=1");
    await send(page, "Write a long essay about lighthouses");
    await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
    await waitForPartial(lastAssistant(page), 20);
    await queue(page, "Now tell me about the ships they guided, and the keepers' lives");
    await queue(page, "Then a short poem about a foghorn");
    await page.getByTestId("composer-input").fill("And one more thing…");
    await expect(queued(page)).toHaveCount(2);
    const shots = `${process.env.SHOTS_DIR ?? "test-results"}/queue`;
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: `${shots}/queue-${look}.png` });
    await page.getByTestId("stop-button").click();
    await expect(page.getByTestId("queue")).toHaveAttribute("data-held", "true");
    await page.screenshot({ path: `${shots}/queue-held-${look}.png` });
    await context.close();
  });
}
