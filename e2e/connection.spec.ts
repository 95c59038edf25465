// Issue 16: the app never leaves for the browser's error page. A server of
// the test's own is stopped and started again on the same port and data
// directory mid-session; meanwhile Regenerate, a link to another chat, a
// refresh and typing keep the page, a banner says so, and it recovers by itself.
import { expect, test, type Page } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { complete, freePort, lastAssistant, pagerLabel, SCREENSHOT_LOOKS, send, startApp } from "./support";

// A mark on the page's window: gone if the page was ever loaded again (or replaced by an error page).
const markPage = (page: Page) => page.evaluate(() => Object.assign(window, { tetherStillHere: true }));
const expectSamePage = async (page: Page) => expect(await page.evaluate(() => "tetherStillHere" in window)).toBe(true);

async function newChat(page: Page, url: string, text: string) {
  await page.goto(`${url}/?new=1`);
  await send(page, text);
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  await complete(lastAssistant(page));
  return page.url();
}

test("server restart mid-session: the page stays, a banner says so, nothing typed is lost, and it recovers by itself", async ({ page }) => {
  test.setTimeout(360_000);
  const env = { DATA_DIR: mkdtempSync(join(tmpdir(), "tether-restart-")), LLM_PROVIDER: "demo", DEMO_TOKEN_DELAY_MS: "2" };
  const port = await freePort();
  let app = await startApp(port, env);
  try {
    const first = await newChat(page, app.url, "Tell me about lighthouses");
    const second = await newChat(page, app.url, "Tell me about glaciers");
    const firstId = first.split("/").pop()!;
    const banner = page.getByRole("status").filter({ hasText: "Can't reach the server — retrying" });
    await expect(banner).toHaveCount(0);
    await markPage(page);

    await app.kill();
    const input = page.getByTestId("composer-input");
    await input.fill("typed while the server is away");

    // Regenerate: the request fails, the page stays. The app sends it once
    // more a second later (lib/client/api.ts); both must have failed before the
    // server is back, or the retry would regenerate on the new server.
    const failedRegenerates: string[] = [];
    page.on("requestfailed", (r) => void (r.url().endsWith("/regenerate") && failedRegenerates.push(r.url())));
    await lastAssistant(page).getByTestId("regenerate").click();
    await expect(banner).toBeVisible();
    await expect(page).toHaveURL(second);
    await expect(input).toHaveValue("typed while the server is away");

    // A link to another chat: its RSC request fails, no full page load.
    await page.locator(`[data-conversation-id="${firstId}"] a`).click();
    await expect(banner).toBeVisible();
    await expect(page).toHaveURL(second);
    await expect(input).toHaveValue("typed while the server is away");
    await input.press("End");
    await input.pressSequentially(", and more");
    await expect(input).toHaveValue("typed while the server is away, and more");
    await expectSamePage(page);
    await expect.poll(() => failedRegenerates.length, { timeout: 30_000 }).toBe(2);

    app = await startApp(port, env);
    // Back by itself: the banner goes, and the link clicked meanwhile is followed (Next.js retried it).
    await expect(banner).toHaveCount(0, { timeout: 60_000 });
    await expect(page).toHaveURL(first, { timeout: 60_000 });
    await expect(page.getByTestId("composer-error")).toHaveCount(0); // "could not reach" is stale now

    // The text typed on the other chat is its draft, and Regenerate works there now.
    await page.locator(`[data-conversation-id="${second.split("/").pop()}"] a`).click();
    await expect(page).toHaveURL(second);
    await expect(input).toHaveValue("typed while the server is away, and more");
    await lastAssistant(page).getByTestId("regenerate").click();
    await expect(pagerLabel(lastAssistant(page))).toHaveText("2/2");
    await complete(lastAssistant(page));
    await expectSamePage(page); // every step was a soft navigation
  } finally {
    await app.kill();
  }
});

test("a server restarted as a reply ends (SIGTERM lets it finish): the page stays and catches up by itself", async ({ page }) => {
  test.setTimeout(360_000);
  const env = { DATA_DIR: mkdtempSync(join(tmpdir(), "tether-restart-")), LLM_PROVIDER: "demo", DEMO_TOKEN_DELAY_MS: "15", SHUTDOWN_GRACE_MS: "4000" };
  const port = await freePort();
  let app = await startApp(port, env);
  try {
    await page.goto(`${app.url}/?new=1`);
    await send(page, "Tell me a long story about a clockmaker");
    await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
    const url = page.url();
    await markPage(page);
    const input = page.getByTestId("composer-input");
    await input.fill("typed during the restart");
    // Draining: the reply finishes or is stopped and saved, then the server exits;
    // the refresh after the reply's end meets a draining or a stopped server.
    await app.kill();
    const banner = page.getByRole("status").filter({ hasText: "Can't reach the server — retrying" });
    await input.press("End");
    await input.pressSequentially(" and after");
    await expect(page).toHaveURL(url);
    app = await startApp(port, env);
    await expect(banner).toHaveCount(0, { timeout: 60_000 });
    await expect(lastAssistant(page)).not.toHaveAttribute("aria-busy", "true", { timeout: 60_000 });
    await expect(input).toHaveValue("typed during the restart and after");
    await expect(page).toHaveURL(url);
    await expectSamePage(page);
  } finally {
    await app.kill();
  }
});

test("screenshots: the banner, light, dark and narrow", async ({ browser }) => {
  test.setTimeout(360_000);
  const env = { DATA_DIR: mkdtempSync(join(tmpdir(), "tether-restart-")), LLM_PROVIDER: "demo", DEMO_TOKEN_DELAY_MS: "2" };
  const app = await startApp(await freePort(), env);
  const pages: [string, Page][] = [];
  try {
    for (const [look, options] of SCREENSHOT_LOOKS) {
      const page = await (await browser.newContext(options)).newPage();
      await newChat(page, app.url, "Tell me about lighthouses");
      pages.push([look, page]);
    }
    await app.kill();
    for (const [look, page] of pages) {
      await page.getByTestId("composer-input").fill("Typed while the server is away");
      await lastAssistant(page).getByTestId("regenerate").click();
      await expect(page.getByTestId("connection-banner")).toBeVisible();
      await page.screenshot({ path: `test-results/connection-banner-${look}.png` });
    }
  } finally {
    await app.kill();
    for (const [, page] of pages) await page.context().close();
  }
});
