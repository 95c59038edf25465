// Every tab current (issue 16, over the per-user event stream of issue 14,
// docs/PROTOCOL.md §4.8): what one tab does shows in the others live — a
// message and its streaming reply, chats created, renamed and deleted — and
// the sidebar marks chats with a reply generating or one finished unseen.
import { expect, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { complete, lastAssistant, SCREENSHOT_LOOKS, send, shownText, testWithSlowApp, userMessages } from "./support";

// A server of its own whose demo model writes slower than the suite's, so a
// reply is still streaming when the other tab has caught up, however busy
// the machine.
const test = testWithSlowApp("live-tabs", 40);
test.describe.configure({ timeout: 120_000 });

const row = (page: Page, id: string) => page.locator(`[data-testid="conversation-item"][data-conversation-id="${id}"]`);
const chatId = (page: Page) => new URL(page.url()).pathname.slice(3);

/** A chat with one finished exchange, open in `page`. */
async function chatWithExchange(page: Page, text: string): Promise<string> {
  await page.goto("/?new=1");
  await send(page, text);
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  await complete(lastAssistant(page));
  return chatId(page);
}

test("a second tab on the same chat shows a message sent in the first, its reply live, and Stop", async ({ page, context }) => {
  const id = await chatWithExchange(page, "Hello there");
  const other = await context.newPage();
  await other.goto(`/c/${id}`);
  await expect(userMessages(other)).toHaveCount(1);
  await expect(other.getByTestId("stop-button")).toHaveCount(0);

  await send(page, "Write a long essay about lighthouses");
  await expect(userMessages(other)).toHaveCount(2);
  await expect(userMessages(other).last()).toContainText("Write a long essay about lighthouses");
  const mirror = lastAssistant(other);
  await expect(mirror).toHaveAttribute("data-status", "streaming");
  await expect(other.getByTestId("stop-button")).toBeVisible();
  // Live, not a copy: the text grows in the second tab.
  const early = (await shownText(mirror)).length;
  await expect.poll(async () => (await shownText(mirror)).length).toBeGreaterThan(early);

  await complete(lastAssistant(page));
  await complete(mirror);
  await expect(other.getByTestId("stop-button")).toHaveCount(0);
  expect(await shownText(mirror)).toBe(await shownText(lastAssistant(page)));
  // Sending from the second tab now works (no "already being generated").
  await send(other, "And one more");
  await complete(lastAssistant(other));
  await expect(userMessages(page)).toHaveCount(3);
  await complete(lastAssistant(page));
});

test("a chat created, renamed and deleted in one tab changes in the other at once", async ({ page, context }) => {
  const other = await context.newPage();
  await other.goto("/?new=1");
  const id = await chatWithExchange(page, "Plan a picnic by the river");
  await expect(row(other, id)).toContainText("Plan a picnic by the river");

  const renamed = await page.request.patch(`/api/conversations/${id}`, { data: { title: "Renamed in the first tab" } });
  expect(renamed.status()).toBe(200);
  await expect(row(other, id)).toContainText("Renamed in the first tab");
  await expect(row(page, id)).toContainText("Renamed in the first tab");

  // The second tab shows the chat; deleting it in the first sends the second away.
  await other.goto(`/c/${id}`);
  await expect(row(other, id)).toHaveAttribute("data-active", "true");
  expect((await page.request.delete(`/api/conversations/${id}`)).status()).toBe(204);
  await expect(row(other, id)).toHaveCount(0);
  await expect(row(page, id)).toHaveCount(0);
  await expect(other).not.toHaveURL(new RegExp(id));
});

test("the sidebar shows a reply generating elsewhere, then an unread dot until the chat is opened", async ({ page, context }) => {
  const busy = await chatWithExchange(page, "Plan a trip to Lisbon");
  const other = await context.newPage();
  await other.goto("/?new=1");
  await expect(row(other, busy)).toBeVisible();

  await send(page, "Write a long essay about glaciers");
  await expect(row(other, busy).getByTestId("badge-generating")).toBeVisible();
  await expect(row(page, busy).getByTestId("badge-generating")).toBeVisible();
  await complete(lastAssistant(page));
  await expect(row(other, busy).getByTestId("badge-generating")).toHaveCount(0);
  await expect(row(other, busy).getByTestId("badge-unread")).toBeVisible();
  // Open where it ended: read there.
  await expect(row(page, busy).getByTestId("badge-unread")).toHaveCount(0);

  await row(other, busy).getByRole("link").click();
  await expect(other).toHaveURL(new RegExp(busy));
  await expect(row(other, busy).getByTestId("badge-unread")).toHaveCount(0);
  // Read stays read after a reload.
  await other.goto("/?new=1");
  await expect(row(other, busy)).toBeVisible();
  await expect(row(other, busy).getByTestId("badge-unread")).toHaveCount(0);
});

for (const [look, options] of SCREENSHOT_LOOKS) {
  test(`screenshot: the sidebar with a reply generating and an unread one (${look})`, async ({ browser, baseURL }) => {
    const context = await browser.newContext({ ...options, baseURL });
    const page = await context.newPage();
    const unread = await chatWithExchange(page, "Suggest a name for a sailing boat");
    const busy = await chatWithExchange(page, "Plan a trip to Lisbon");
    await page.goto("/?new=1");
    // Replies started from elsewhere (the API, as another tab would).
    const answered = await page.request.post(`/api/conversations/${unread}/messages`, { data: { content: "Another name, please", stream: false } });
    expect(answered.status()).toBe(200);
    await page.evaluate(
      (id) =>
        void fetch(`/api/conversations/${id}/messages`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ content: "Write a long essay about lighthouses", stream: false }),
        }),
      busy,
    );
    if (look === "narrow") await page.getByTestId("sidebar-toggle").click();
    await expect(row(page, unread).getByTestId("badge-unread")).toBeVisible();
    await expect(row(page, busy).getByTestId("badge-generating")).toBeVisible();
    const shots = `${process.env.SHOTS_DIR ?? "test-results"}/events`;
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: `${shots}/sidebar-badges-${look}.png` });
    await context.close();
  });
}
