// Settings, end to end in Chromium: the theme choice (applied at once, kept
// across reloads, rendered by the server so the first paint has it), export
// all, delete all behind a dialog that names what goes, change password,
// delete account, and the notice after signing out. Screenshots light, dark
// and narrow of every section and dialog go to $SHOTS_DIR (default
// test-results/settings-account/), to be looked at.
import { expect, test, type Browser, type Page } from "@playwright/test";
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { lastAssistant, send, SCREENSHOT_LOOKS } from "./support";

const PASSWORD = "tide-pool-secret";
const NEW_PASSWORD = "harbour-lantern-42";
const SHOTS = process.env.SHOTS_DIR ?? "test-results/settings-account";

/** How light the page's background is, 0 (black) to 255 (white), whatever colour space the browser reports it in. */
const background = (page: Page) =>
  page.evaluate(() => {
    const pen = document.createElement("canvas").getContext("2d")!;
    pen.fillStyle = getComputedStyle(document.body).backgroundColor;
    pen.fillRect(0, 0, 1, 1);
    const [r, g, b] = pen.getImageData(0, 0, 1, 1).data;
    return Math.round((r + g + b) / 3);
  });
const WHITE = 255;
const ZINC_950 = 10; // #09090b

/** A whole settings page in one picture: the page scrolls inside its own column, so the window is made tall. */
async function shootTall(page: Page, name: string) {
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: size.width, height: 2600 });
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
  await page.setViewportSize(size);
}

async function signUp(page: Page): Promise<string> {
  const email = `e2e-${randomUUID().slice(0, 8)}@example.com`;
  await page.goto("/");
  const res = await page.request.post("/api/auth/sign-up", { data: { email, password: PASSWORD } });
  expect(res.status()).toBe(201);
  return email;
}

async function chat(page: Page, text: string) {
  await page.goto("/?new=1"); // "/" alone opens the newest conversation
  await send(page, text);
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
}

test("the theme: Dark on a light system and Light on a dark one, kept across reloads, System follows the system", async ({ browser }) => {
  const light = await browser.newContext({ colorScheme: "light", viewport: { width: 1280, height: 900 } });
  const page = await light.newPage();
  await page.goto("/settings");
  await expect(page.getByTestId("theme-system")).toBeChecked();
  expect(await background(page)).toBe(WHITE);

  await page.getByText("Dark", { exact: true }).click();
  await expect(page.getByTestId("theme-dark")).toBeChecked();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect.poll(() => background(page)).toBeLessThanOrEqual(ZINC_950);
  // The server renders the choice into the page: no light flash before any script runs.
  const html = await (await page.goto("/"))!.text();
  expect(html).toMatch(/<html[^>]*data-theme="dark"/);
  await expect.poll(() => background(page)).toBeLessThanOrEqual(ZINC_950);
  // A reply with a table and highlighted code, in the chosen theme.
  await chat(page, "Tell me about tide pools");
  await page.screenshot({ path: `${SHOTS}/theme-dark-on-light-system.png` });

  // Arrow keys move within the segmented control (one radio group).
  await page.goto("/settings");
  await page.getByTestId("theme-dark").focus();
  await page.keyboard.press("ArrowLeft");
  await expect(page.getByTestId("theme-light")).toBeChecked();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
  await page.keyboard.press("ArrowLeft");
  await expect(page.getByTestId("theme-system")).toBeChecked();
  await expect(page.locator("html")).not.toHaveAttribute("data-theme", /./);
  expect(await background(page)).toBe(WHITE);
  await page.emulateMedia({ colorScheme: "dark" });
  await expect.poll(() => background(page)).toBeLessThanOrEqual(ZINC_950);
  await light.close();

  const dark = await browser.newContext({ colorScheme: "dark", viewport: { width: 1280, height: 900 } });
  const second = await dark.newPage();
  await second.goto("/settings");
  await expect.poll(() => background(second)).toBeLessThanOrEqual(ZINC_950);
  await second.getByText("Light", { exact: true }).click();
  await expect.poll(() => background(second)).toBe(WHITE);
  await second.reload();
  await expect(second.getByTestId("theme-light")).toBeChecked();
  expect(await background(second)).toBe(WHITE);
  await chat(second, "Tell me about tide pools");
  expect(await background(second)).toBe(WHITE);
  await second.screenshot({ path: `${SHOTS}/theme-light-on-dark-system.png` });
  await dark.close();
});

test("export all downloads every conversation; delete all asks first, names what goes, and empties the sidebar", async ({ page }) => {
  await chat(page, "Tell me about tide pools");
  await chat(page, "Tell me about lighthouses");
  await page.getByTestId("settings-link").click();
  await expect(page).toHaveURL(/\/settings$/);

  const [markdown] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-all-markdown").click()]);
  expect(markdown.suggestedFilename()).toMatch(/^tether-export-\d{4}-\d{2}-\d{2}\.md$/);
  const md = await readFile((await markdown.path())!, "utf8");
  expect(md).toMatch(/^# Tether export/);
  expect(md).toMatch(/tide pools/i);
  expect(md).toMatch(/lighthouses/i);
  const [json] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-all-json").click()]);
  const doc = JSON.parse(await readFile((await json.path())!, "utf8"));
  expect(doc.format).toBe("tether.export.v1");
  expect(doc.conversations).toHaveLength(2);

  await expect(page.getByTestId("conversation-count")).toContainText("2 conversations");
  await page.getByTestId("delete-all-open").click();
  const dialog = page.getByTestId("delete-all-dialog");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("heading")).toHaveText("Delete all 2 conversations?");
  await expect(dialog).toContainText("cannot be undone");
  // Escape cancels; nothing is deleted.
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("conversation-item")).toHaveCount(2);
  await page.getByTestId("delete-all-open").click();
  await page.getByTestId("delete-all-dialog-cancel").click();
  await expect(dialog).toBeHidden();
  await page.getByTestId("delete-all-open").click();
  await page.getByTestId("delete-all-dialog-confirm").click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("data-status")).toHaveText("Deleted 2 conversations.");
  await expect(page.getByTestId("conversation-item")).toHaveCount(0);
  await expect(page.getByTestId("delete-all-open")).toBeDisabled();
  expect((await (await page.request.get("/api/conversations")).json()).conversations).toEqual([]);
});

test("a guest sees no password or account deletion; signing out says so once", async ({ page }) => {
  await page.goto("/settings");
  await expect(page.getByTestId("account-settings")).toContainText("guest");
  await expect(page.getByTestId("password-settings")).toHaveCount(0);
  await expect(page.getByTestId("delete-account-settings")).toHaveCount(0);

  const email = await signUp(page);
  await page.goto("/settings");
  await expect(page.getByTestId("settings-email")).toHaveText(email);
  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/$/); // the notice's parameter is gone from the address
  const notice = page.getByTestId("page-notice");
  await expect(notice).toContainText("You're signed out");
  await expect(page.getByTestId("account-area")).toHaveAttribute("data-account", "guest");
  await page.screenshot({ path: `${SHOTS}/signed-out-notice.png` });
  await page.getByTestId("page-notice-dismiss").click();
  await expect(notice).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId("account-area")).toHaveAttribute("data-account", "guest");
  await expect(notice).toHaveCount(0);
});

test("change password keeps this browser signed in and signs out the others; delete account takes everything", async ({ page, browser }) => {
  const email = await signUp(page);
  await chat(page, "Tell me about tide pools");
  const other = await browser.newContext();
  const elsewhere = await other.newPage();
  await elsewhere.goto("/");
  expect((await elsewhere.request.post("/api/auth/sign-in", { data: { email, password: PASSWORD } })).status()).toBe(200);

  await page.goto("/settings");
  await expect(page.getByTestId("other-sessions")).toContainText("Also signed in on 1 other browser");
  await page.getByTestId("current-password").fill("not-my-password");
  await page.getByTestId("new-password").fill(NEW_PASSWORD);
  await page.getByTestId("new-password-again").fill(NEW_PASSWORD + "x");
  await expect(page.getByTestId("change-password")).toBeDisabled();
  await page.getByTestId("new-password-again").fill(NEW_PASSWORD);
  await page.getByTestId("change-password").click();
  await expect(page.getByTestId("password-status")).toContainText("current password is not right");
  await page.getByTestId("current-password").fill(PASSWORD);
  await page.getByTestId("change-password").click();
  await expect(page.getByTestId("password-status")).toContainText("Password changed. Signed out of 1 other browser.");
  await expect(page.getByTestId("other-sessions")).toContainText("No other browser");
  await page.reload();
  await expect(page.getByTestId("settings-email")).toHaveText(email);
  await elsewhere.reload();
  await expect(elsewhere.getByTestId("account-area")).toHaveAttribute("data-account", "guest");
  await other.close();

  await page.getByTestId("delete-account-open").click();
  const dialog = page.getByTestId("delete-account-dialog");
  await expect(dialog.getByRole("heading")).toHaveText("Delete your account?");
  await expect(dialog).toContainText(email);
  await expect(dialog).toContainText("1 conversation");
  await expect(page.getByTestId("delete-account-dialog-confirm")).toBeDisabled();
  await page.getByTestId("delete-account-password").fill(PASSWORD); // the old one: refused
  await page.getByTestId("delete-account-dialog-confirm").click();
  await expect(dialog.getByRole("alert")).toContainText("not right");
  await page.getByTestId("delete-account-password").fill(NEW_PASSWORD);
  await page.getByTestId("delete-account-dialog-confirm").click();
  await expect(page.getByTestId("page-notice")).toContainText("Your account and all its data were deleted");
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId("account-area")).toHaveAttribute("data-account", "guest");
  await expect(page.getByTestId("conversation-item")).toHaveCount(0);
  expect((await page.request.post("/api/auth/sign-in", { data: { email, password: NEW_PASSWORD } })).status()).toBe(401);
});

async function accountWithChats(browser: Browser, look: (typeof SCREENSHOT_LOOKS)[number][1]) {
  const context = await browser.newContext(look);
  const page = await context.newPage();
  const email = await signUp(page);
  await chat(page, "Tell me about tide pools");
  return { context, page, email };
}

test("screenshots: the settings page, the delete-all and delete-account dialogs (light, dark, narrow)", async ({ browser }) => {
  test.setTimeout(300_000);
  for (const [name, look] of SCREENSHOT_LOOKS) {
    const { context, page } = await accountWithChats(browser, look);
    await page.goto("/settings");
    await expect(page.getByTestId("delete-account-settings")).toBeVisible();
    await shootTall(page, `settings-account-${name}`);
    await page.getByTestId("delete-all-open").click();
    await expect(page.getByTestId("delete-all-dialog")).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/delete-all-dialog-${name}.png` });
    await page.keyboard.press("Escape");
    await page.getByTestId("delete-account-open").click();
    await page.getByTestId("delete-account-password").fill("secret");
    await page.screenshot({ path: `${SHOTS}/delete-account-dialog-${name}.png` });
    await context.close();
    const guest = await browser.newContext(look);
    const guestPage = await guest.newPage();
    await guestPage.goto("/settings");
    await expect(guestPage.getByTestId("appearance-settings")).toBeVisible();
    await shootTall(guestPage, `settings-guest-${name}`);
    await guest.close();
  }
});
