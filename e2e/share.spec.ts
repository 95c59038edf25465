// Live share links (issue 14, docs/PROTOCOL.md §3.7): the owner shares a
// conversation from its menu; a viewer without a session reads it and watches
// a reply while it is written; Stop sharing ends the viewer's page at once.
import { expect, type Browser, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { complete, lastAssistant, savedMessage, SCREENSHOT_LOOKS, send, shownText, testWithSlowApp, userMessages } from "./support";

// A server of its own whose demo model writes slowly, so a reply is still
// streaming when the viewer looks, however busy the machine.
const test = testWithSlowApp("share", 40);
test.describe.configure({ timeout: 120_000 });

const row = (page: Page, id: string) => page.locator(`[data-testid="conversation-item"][data-conversation-id="${id}"]`);

/** A chat with one finished exchange, open in `page`; returns its id. */
async function chatWithExchange(page: Page, text: string): Promise<string> {
  await page.goto("/?new=1");
  await send(page, text);
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  await complete(lastAssistant(page));
  return new URL(page.url()).pathname.slice(3);
}

/** Shares the chat through its menu; returns the link the dialog shows (the dialog stays open). */
async function shareFromMenu(page: Page, id: string): Promise<string> {
  await row(page, id).hover();
  await row(page, id).getByTestId("conversation-menu-button").click();
  await page.getByTestId("menu-share").click();
  const dialog = page.getByTestId("share-dialog");
  await expect(dialog).toBeVisible();
  await dialog.getByTestId("share-create").click();
  const url = dialog.getByTestId("share-url");
  await expect(url).toHaveValue(/\/s\/[A-Za-z0-9_-]{43}$/);
  return url.inputValue();
}

/** A browser with no cookies at all: a stranger given the link. */
async function viewer(browser: Browser, baseURL: string | undefined, options = {}) {
  const context = await browser.newContext({ ...options, baseURL });
  return { context, page: await context.newPage() };
}

test("a viewer without a session reads the chat, watches a reply live, and is shut out at once when sharing stops", async ({ page, browser, baseURL }) => {
  const id = await chatWithExchange(page, "Suggest a name for a sailing boat");
  const link = await shareFromMenu(page, id);
  await page.getByTestId("share-close").click();

  const { context, page: view } = await viewer(browser, baseURL);
  await view.goto(link);
  await expect(view.getByTestId("shared-title")).toContainText("Suggest a name for a sailing boat");
  await expect(userMessages(view)).toHaveCount(1);
  expect(await shownText(lastAssistant(view))).toBe(await shownText(lastAssistant(page)));
  // Read-only, never indexed, and no session was made for the viewer.
  await expect(view.getByTestId("composer-input")).toHaveCount(0);
  await expect(view.locator('meta[name="robots"]')).toHaveAttribute("content", /noindex/);
  expect((await context.cookies()).filter((c) => c.name.includes("session"))).toEqual([]);
  // The owner's own routes are closed to it.
  expect((await view.request.get(`/api/conversations/${id}`)).status()).toBe(401);

  // A new message from the owner appears, and its reply grows on the viewer's screen.
  await send(page, "Write a long essay about lighthouses");
  await expect(userMessages(view)).toHaveCount(2);
  const mirror = lastAssistant(view);
  await expect(mirror).toHaveAttribute("data-status", "streaming");
  const early = (await shownText(mirror)).length;
  await expect.poll(async () => (await shownText(mirror)).length).toBeGreaterThan(early);
  await complete(lastAssistant(page));
  await complete(mirror);
  // Byte-exact on the viewer's screen: the owner's screen and the database hold the same text.
  const saved = await savedMessage(page.request, (await mirror.getAttribute("data-message-id"))!);
  expect(saved.status).toBe("complete");
  expect(await shownText(mirror)).toBe(saved.content);
  expect(await shownText(lastAssistant(page))).toBe(saved.content);

  // Reloaded mid-reply, the viewer gets the text so far at once and the rest live.
  await send(page, "Write a long essay about glaciers");
  await expect(userMessages(view)).toHaveCount(3);
  await expect(lastAssistant(view)).toHaveAttribute("data-status", "streaming");
  await view.reload();
  await expect(lastAssistant(view)).toHaveAttribute("data-status", /streaming|complete/);
  await complete(lastAssistant(page));
  await complete(lastAssistant(view));
  expect(await shownText(lastAssistant(view))).toBe(await shownText(lastAssistant(page)));

  // Stop sharing while a reply streams: the viewer's page says so at once, and the link is gone.
  await send(page, "Write a long essay about tides");
  await expect(userMessages(view)).toHaveCount(4);
  await expect(lastAssistant(view)).toHaveAttribute("data-status", "streaming");
  await row(page, id).hover();
  await row(page, id).getByTestId("conversation-menu-button").click();
  await page.getByTestId("menu-share").click();
  await page.getByTestId("share-revoke").click();
  await expect(page.getByTestId("share-create")).toBeVisible();
  await expect(view.getByTestId("not-found")).toContainText("no longer shared");
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "streaming"); // the owner's reply goes on
  await view.reload();
  await expect(view.getByTestId("not-found")).toBeVisible();
  expect((await view.request.get(link.replace("/s/", "/api/share/"))).status()).toBe(404);
  await complete(lastAssistant(page));
  await context.close();
});

for (const [look, options] of SCREENSHOT_LOOKS) {
  test(`screenshot: the share dialog, and the shared page while a reply streams (${look})`, async ({ browser, baseURL }) => {
    const owner = await browser.newContext({ ...options, baseURL });
    const page = await owner.newPage();
    const id = await chatWithExchange(page, "Suggest a name for a sailing boat");
    if (look === "narrow") await page.getByTestId("sidebar-toggle").click();
    const link = await shareFromMenu(page, id);
    const shots = `${process.env.SHOTS_DIR ?? "test-results"}/share`;
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: `${shots}/share-dialog-${look}.png` });
    await page.getByTestId("share-close").click();

    const { context, page: view } = await viewer(browser, baseURL, options);
    await view.goto(link);
    // A reply started as another tab would (not awaited: it streams for a while).
    await page.evaluate(
      (id) =>
        void fetch(`/api/conversations/${id}/messages`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ content: "Write a long essay about lighthouses", stream: false }),
        }),
      id,
    );
    await expect(lastAssistant(view)).toHaveAttribute("data-status", "streaming");
    await expect.poll(async () => (await shownText(lastAssistant(view))).length).toBeGreaterThan(200);
    await view.screenshot({ path: `${shots}/shared-page-${look}.png` });
    await context.close();
    await owner.close();
  });
}
