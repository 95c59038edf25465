// The sidebar with many chats: date groups (Pinned, Today, Yesterday,
// Previous 7 days, Older), full-width titles, one ⋯ menu per row (Rename,
// Pin, Archive, exports, Delete), "Archived (n)", and screenshots. Runs its own
// app: 20 chats are made, then their last activity is moved back in the
// database while the app is stopped (nothing else can date a chat).
import { expect, test, type Browser, type Page } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openEmbeddedDatabase } from "../lib/platform/db/embedded";
import { startOfDay } from "../lib/client/conversation-groups";
import { freePort, SCREENSHOT_LOOKS, startApp, type AppServer } from "./support";

test.describe.configure({ mode: "serial" });

const SHOTS = `${process.env.SHOTS_DIR ?? "test-results"}/sidebar`;
const dataDir = mkdtempSync(join(tmpdir(), "tether-sidebar-"));
let port: number;
let app: AppServer;
let storageState: Awaited<ReturnType<import("@playwright/test").BrowserContext["storageState"]>>;
const ids: string[] = [];

const env = { DATA_DIR: dataDir, LLM_PROVIDER: "demo", DEMO_TOKEN_DELAY_MS: "2", CONVERSATION_TITLES: "off" };
const HOUR = 3_600_000;

/** When chat i was last active: 4 today, 4 yesterday, 5 in the previous 7 days, 7 older. */
function lastActive(i: number, now: number): Date {
  if (i < 4) return new Date(Math.max(startOfDay(now, "local"), now - (i + 1) * 60_000));
  if (i < 8) return new Date(startOfDay(now, "local", 1) + (20 - i) * HOUR);
  if (i < 13) return new Date(startOfDay(now, "local", i - 6) + 12 * HOUR);
  return new Date(startOfDay(now, "local", 10 + (i - 13) * 9) + 12 * HOUR);
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000); // two app starts on a busy machine
  port = await freePort();
  app = await startApp(port, env);
  const context = await browser.newContext({ baseURL: app.url });
  const page = await context.newPage();
  await page.goto("/?new=1");
  for (let i = 0; i < 20; i++) {
    const title = i === 0 ? "Planning the spring garden: tomatoes, basil and where the sun falls" : `Chat number ${20 - i} on a long topic`;
    const res = await page.request.post("/api/conversations", { data: { title } });
    expect(res.status()).toBe(201);
    ids.push((await res.json()).id);
  }
  storageState = await context.storageState();
  await context.close();
  await app.kill();
  const now = Date.now();
  const db = await openEmbeddedDatabase(dataDir);
  try {
    for (const [i, id] of ids.entries()) await db.pglite.query(`UPDATE "Conversation" SET "updatedAt" = $1 WHERE id = $2`, [lastActive(i, now), id]);
  } finally {
    await db.release();
  }
  app = await startApp(port, env);
});

test.afterAll(async () => app?.kill());

const open = (browser: Browser, look: (typeof SCREENSHOT_LOOKS)[number][1] = SCREENSHOT_LOOKS[0][1]) => browser.newContext({ ...look, baseURL: app.url, storageState });
const row = (page: Page, id: string) => page.locator(`[data-testid="conversation-item"][data-conversation-id="${id}"]`);
const groupOf = (page: Page, id: string) => row(page, id).locator("xpath=ancestor::section[1]").getAttribute("data-group");
const groupSizes = (page: Page) =>
  page.getByTestId("conversation-group").evaluateAll((els) => els.map((el) => [el.getAttribute("data-group"), el.querySelectorAll("li").length]));

test("20 chats in date groups, titles across the row, one ⋯ menu; pin moves a chat to Pinned", async ({ browser }) => {
  const context = await open(browser);
  const page = await context.newPage();
  await page.goto(`/c/${ids[0]}`);
  expect(await groupSizes(page)).toEqual([
    ["Today", 4],
    ["Yesterday", 4],
    ["Previous 7 days", 5],
    ["Older", 7],
  ]);

  // The title uses the row's width (no hidden buttons keep space): far more than 20 characters show.
  const first = row(page, ids[0]);
  const [link, item] = [await first.locator("a[data-row-link]").boundingBox(), await first.boundingBox()];
  expect(link!.width).toBeGreaterThanOrEqual(item!.width - 1);
  const other = row(page, ids[5]);
  const title = other.getByTestId("conversation-title");
  expect(await title.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true); // "Chat number 15 on a long topic": 30 characters, whole
  // One menu button per row, hidden until hover (the open chat's row always shows it).
  await expect(other.locator("button")).toHaveCount(1);
  await expect(other.getByTestId("conversation-menu-button")).toBeHidden();
  await other.hover();
  await expect(other.getByTestId("conversation-menu-button")).toBeVisible();
  await expect(first.getByTestId("conversation-menu-button")).toBeVisible();

  // Pin an old chat: it heads the list, and stays pinned after a reload.
  const old = ids[18];
  await row(page, old).hover();
  await row(page, old).getByTestId("conversation-menu-button").click();
  const menu = row(page, old).getByTestId("conversation-menu");
  await expect(menu.getByRole("menuitem")).toHaveText(["Rename", "Pin", "Archive", "Share…", /Export as Markdown/, /Export as JSON/, "Delete"]);
  await menu.getByRole("menuitem", { name: "Pin" }).click();
  await expect.poll(() => groupOf(page, old)).toBe("Pinned");
  await page.reload();
  expect((await groupSizes(page))[0]).toEqual(["Pinned", 1]);
  await row(page, old).hover();
  await row(page, old).getByTestId("conversation-menu-button").click();
  await expect(row(page, old).getByRole("menuitem", { name: "Unpin" })).toBeVisible();
  await page.keyboard.press("Escape");
  await context.close();
});

test("archive hides a chat under Archived (n); it still opens by URL and can be unarchived", async ({ browser }) => {
  const context = await open(browser);
  const page = await context.newPage();
  const target = ids[9];
  await page.goto(`/c/${ids[0]}`);
  await row(page, target).hover();
  await row(page, target).getByTestId("conversation-menu-button").click();
  await row(page, target).getByTestId("menu-archive").click();
  await expect(row(page, target)).toHaveCount(0);
  const toggle = page.getByTestId("archived-toggle");
  await expect(toggle).toHaveText("Archived (1)");
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await toggle.click();
  await expect(page.getByTestId("archived-list").locator(`[data-conversation-id="${target}"]`)).toBeVisible();

  // Still opens by its URL, and "/" never picks it.
  await page.goto(`/c/${target}`);
  await expect(page.getByTestId("composer-input")).toBeVisible();
  await expect(page.getByTestId("mobile-title")).toHaveText("Chat number 11 on a long topic");
  const api = await (await page.request.get(`/api/conversations/${target}`)).json();
  expect(typeof api.conversation.archivedAt).toBe("string");

  await page.getByTestId("archived-toggle").click();
  const archivedRow = page.getByTestId("archived-list").locator(`[data-conversation-id="${target}"]`);
  await archivedRow.getByTestId("conversation-menu-button").click();
  await archivedRow.getByTestId("menu-archive").click(); // "Unarchive"
  await expect(page.getByTestId("archived-toggle")).toHaveCount(0);
  await expect.poll(() => groupOf(page, target)).toBe("Previous 7 days");
  await context.close();
});

test("keyboard: the list is one tab stop; arrows move between chats; Shift+F10 opens the menu, Esc returns", async ({ browser }) => {
  const context = await open(browser);
  const page = await context.newPage();
  await page.goto(`/c/${ids[2]}`);
  const active = row(page, ids[2]).locator("a[data-row-link]");
  await expect(active).toHaveAttribute("tabindex", "0");
  expect(await page.locator('a[data-row-link][tabindex="0"]').count()).toBe(1);

  await active.focus();
  await page.keyboard.press("ArrowDown");
  await expect(row(page, ids[3]).locator("a[data-row-link]")).toBeFocused();
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("ArrowUp");
  await expect(row(page, ids[1]).locator("a[data-row-link]")).toBeFocused();
  await page.keyboard.press("End");
  const last = page.locator("a[data-row-link]").last();
  await expect(last).toBeFocused();
  await expect(last).toHaveAttribute("tabindex", "0");
  await page.keyboard.press("Home");
  const firstLink = page.locator("a[data-row-link]").first();
  await expect(firstLink).toBeFocused();

  // Shift+F10: the row's menu, on its first item; Esc back to the row.
  await page.keyboard.press("Shift+F10");
  await expect(page.getByTestId("conversation-menu").getByTestId("menu-rename")).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(page.getByTestId("conversation-menu").getByTestId("menu-pin")).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("conversation-menu")).toHaveCount(0);
  await expect(firstLink).toBeFocused();
  // → reaches the row's ⋯ button, ← goes back.
  await page.keyboard.press("ArrowRight");
  await expect(page.getByTestId("conversation-item").first().getByTestId("conversation-menu-button")).toBeFocused();
  await page.keyboard.press("ArrowLeft");
  await expect(firstLink).toBeFocused();

  // Tab leaves the list at once (one stop for all 20 chats).
  await page.keyboard.press("Tab");
  expect(await page.evaluate(() => !!document.activeElement?.closest("[data-testid=conversation-list]"))).toBe(false);

  // From the top of the page (the composer takes focus on load: start from the body instead),
  // the skip link first, then few stops to the message box.
  const fromTop = () => page.evaluate(() => ((document.body.tabIndex = -1), document.body.focus()));
  await page.goto(`/c/${ids[2]}`);
  await expect(page.getByTestId("composer-input")).toBeFocused(); // the page's own focus came first (hydrated)
  await fromTop();
  await page.keyboard.press("Tab");
  const skip = page.getByTestId("skip-link");
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await expect(skip).toHaveText("Skip to message box");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("composer-input")).toBeFocused();

  await page.goto(`/c/${ids[2]}`);
  await expect(page.getByTestId("composer-input")).toBeFocused();
  await fromTop();
  let presses = 0;
  while (presses < 40 && !(await page.getByTestId("composer-input").evaluate((el) => el === document.activeElement))) {
    await page.keyboard.press("Tab");
    presses++;
  }
  expect(presses).toBeLessThanOrEqual(15);
  await context.close();
});

test("screenshots: 20 grouped chats with one pinned, the open ⋯ menu, the phone top bar (light, dark, narrow)", async ({ browser }) => {
  for (const [name, look] of SCREENSHOT_LOOKS) {
    const context = await open(browser, look);
    const page = await context.newPage();
    await page.goto(`/c/${ids[0]}`);
    if (name === "narrow") {
      await expect(page.getByTestId("mobile-title")).toHaveText(/^Planning the spring garden/);
      await expect(page.getByTestId("mobile-new-chat")).toBeVisible();
      await page.screenshot({ path: `${SHOTS}/phone-top-bar-${name}.png` });
      await page.getByTestId("sidebar-toggle").click();
      await expect(page.getByTestId("sidebar")).toBeInViewport();
      // A touch screen has no hover: every row shows its ⋯, not only the open chat's.
      await expect(row(page, ids[5]).getByTestId("conversation-menu-button")).toBeVisible();
    } else {
      await expect(page.getByTestId("mobile-title")).toBeHidden();
    }
    await expect(page.getByTestId("conversation-group").first()).toHaveAttribute("data-group", "Pinned");
    await page.screenshot({ path: `${SHOTS}/sidebar-20-chats-${name}.png` });
    await row(page, ids[0]).getByTestId("conversation-menu-button").click();
    await expect(row(page, ids[0]).getByTestId("conversation-menu")).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/menu-open-${name}.png` });
    await context.close();
  }
});

test("the phone top bar's New chat opens an empty chat titled New chat", async ({ browser }) => {
  const context = await open(browser, SCREENSHOT_LOOKS[2][1]);
  const page = await context.newPage();
  await page.goto(`/c/${ids[1]}`);
  await expect(page.getByTestId("mobile-title")).toHaveText("Chat number 19 on a long topic");
  await page.getByTestId("mobile-new-chat").click();
  await expect(page).toHaveURL(/\/\?new=1$/);
  await expect(page.getByTestId("mobile-title")).toHaveText("New chat");
  await page.goto("/settings");
  await expect(page.getByTestId("mobile-title")).toHaveText("Settings");
  await context.close();
});
