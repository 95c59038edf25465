// Issue 16: a composer that is never locked (typing while Claude replies,
// Stop in Send's place, focus back after every reply, the first included)
// and "Jump to latest" while the reader is scrolled up from a growing reply.
// A server of its own with slow replies, so a reply is surely still running.
import { expect, test, type Browser, type Page } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assistantMessages, complete, freePort, lastAssistant, SCREENSHOT_LOOKS, send, startApp, userMessages, waitForPartial, type AppServer } from "./support";

let app: AppServer;
test.beforeAll(async () => {
  app = await startApp(await freePort(), { DATA_DIR: mkdtempSync(join(tmpdir(), "tether-composer-")), LLM_PROVIDER: "demo", DEMO_TOKEN_DELAY_MS: "80" });
});
test.afterAll(async () => app?.kill());

const box = async (page: Page, testId: string) => (await page.getByTestId(testId).boundingBox())!;

test("the composer is never locked: typing while Claude replies, Enter queues it and it goes when the reply ends, Stop in Send's place, focus back after each reply", async ({
  page,
}) => {
  test.setTimeout(180_000);
  await page.goto(`${app.url}/?new=1`);
  const input = page.getByTestId("composer-input");
  await input.fill("Tell me about lighthouses");
  await input.press("Enter");
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/); // the composer was rebuilt here
  // The first reply, by position: once the queued message goes, the last reply is its reply.
  const reply = assistantMessages(page).first();
  await expect(reply).toHaveAttribute("aria-busy", "true");

  // Stop takes Send's place (compared below, once Send is back: the empty
  // chat's composer sat higher, centred); Send is gone until the reply ends.
  const stop = await box(page, "stop-button");
  await expect(page.getByTestId("send-button")).toHaveCount(0);

  // Typing goes on; Enter queues the message (docs/PROTOCOL.md §3.8): the box empties, the queue shows it.
  await expect(input).toBeEnabled();
  await expect(input).toBeFocused();
  await input.pressSequentially("And about ships?");
  await input.press("Enter");
  await expect(input).toHaveValue("");
  await expect(page.getByTestId("queued-text")).toHaveText("And about ships?");
  await expect(userMessages(page)).toHaveCount(1);
  await expect(reply).toHaveAttribute("aria-busy", "true");

  // The first reply ends: the queued message goes by itself, and focus stays in the box.
  await complete(reply, 120_000); // a whole slow reply (80 ms a token)
  await expect(userMessages(page)).toHaveCount(2);
  await expect(userMessages(page).last()).toContainText("And about ships?");
  await expect(page.getByTestId("queue")).toHaveCount(0);
  await expect(input).toBeFocused();

  // Stop by pointer: the button goes away under it, focus still comes back to the box.
  await expect(assistantMessages(page)).toHaveCount(2);
  await waitForPartial(lastAssistant(page), 20);
  await page.getByTestId("stop-button").click();
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "interrupted");
  await expect(input).toBeFocused();
  const send = await box(page, "send-button");
  expect(Math.abs(stop.x + stop.width - (send.x + send.width))).toBeLessThanOrEqual(1);
  expect(Math.abs(stop.y + stop.height - (send.y + send.height))).toBeLessThanOrEqual(1);
});

test("what is typed while a reply runs is a draft: a reload keeps it", async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto(`${app.url}/?new=1`);
  await send(page, "Tell me about glaciers");
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  const input = page.getByTestId("composer-input");
  await input.fill("a follow-up typed mid-reply");
  await expect(lastAssistant(page)).toHaveAttribute("aria-busy", "true");
  await page.reload();
  await expect(input).toHaveValue("a follow-up typed mid-reply");
});

async function scrolledUpMidReply(page: Page) {
  await page.goto(`${app.url}/?new=1`);
  await send(page, "Tell me about the history of clocks");
  const list = page.getByTestId("message-list");
  const reply = lastAssistant(page);
  // Long enough to scroll, and still growing.
  await expect.poll(() => list.evaluate((el) => el.scrollHeight - el.clientHeight), { timeout: 30_000 }).toBeGreaterThan(200);
  await expect(reply).toHaveAttribute("aria-busy", "true");
  await list.evaluate((el) => el.scrollTo({ top: 0 }));
  return { list, reply };
}

test("Jump to latest: shown while scrolled up from a growing reply, scrolls down and follows again, hidden at the bottom", async ({ page }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 900, height: 560 });
  const { list, reply } = await scrolledUpMidReply(page);
  const jump = page.getByRole("button", { name: "Jump to latest" });
  await expect(jump).toBeVisible();
  const gap = () => list.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
  expect(await gap()).toBeGreaterThan(100); // not followed while scrolled up
  // Bottom-centred above the composer.
  const button = (await jump.boundingBox())!;
  const composer = (await page.getByTestId("composer-box").boundingBox())!;
  expect(button.y + button.height).toBeLessThanOrEqual(composer.y);
  expect(Math.abs(button.x + button.width / 2 - (composer.x + composer.width / 2))).toBeLessThanOrEqual(2);

  await jump.click();
  await expect(jump).toHaveCount(0);
  await expect.poll(gap).toBeLessThan(96);
  // Following again: as the reply grows the view stays at the bottom.
  await complete(reply, 120_000);
  await expect.poll(gap).toBeLessThan(96);
  await expect(jump).toHaveCount(0);

  // Scrolling back down by hand hides it too.
  const again = await scrolledUpMidReply(page);
  await expect(jump).toBeVisible();
  await again.list.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  await expect(jump).toHaveCount(0);
});

async function shoot(browser: Browser, what: (page: Page) => Promise<void>, name: string) {
  for (const [look, options] of SCREENSHOT_LOOKS) {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    await what(page);
    await page.screenshot({ path: `test-results/${name}-${look}.png` });
    await context.close();
  }
}

test("screenshots: the composer while a reply streams, and Jump to latest", async ({ browser }) => {
  test.setTimeout(300_000);
  await shoot(
    browser,
    async (page) => {
      await page.goto(`${app.url}/?new=1`);
      await send(page, "Tell me about lighthouses");
      await waitForPartial(lastAssistant(page), 40);
      await page.getByTestId("composer-input").fill("And what about ships?");
      await expect(page.getByTestId("stop-button")).toBeVisible();
    },
    "composer-streaming",
  );
  await shoot(
    browser,
    async (page) => {
      await scrolledUpMidReply(page);
      await expect(page.getByRole("button", { name: "Jump to latest" })).toBeVisible();
    },
    "jump-to-latest",
  );
});
