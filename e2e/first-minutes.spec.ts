// What a newcomer meets first, against the demo model (issue "The first ten
// minutes"): a badge saying its replies are canned and how to talk to Claude,
// the model named on each reply, a message's time on hover, the demo telling
// the time where it is asked, plain sign-up errors, and a 404 page that says
// what is missing. Screenshots light, dark and narrow under $SHOTS_DIR/polish (default test-results/)
// (or test-results/ when that does not exist).
import { expect, test, type Page } from "@playwright/test";
import { complete, lastAssistant, send, userMessages } from "./support";

const SHOTS = `${process.env.SHOTS_DIR ?? "test-results"}/polish`;

async function shoot(page: Page, name: string) {
  for (const [mode, size] of [
    ["light", { width: 1280, height: 860 }],
    ["dark", { width: 1280, height: 860 }],
    ["narrow", { width: 390, height: 844 }],
  ] as const) {
    await page.emulateMedia({ colorScheme: mode === "dark" ? "dark" : "light" });
    await page.setViewportSize(size);
    await page.screenshot({ path: `${SHOTS}/${name}-${mode}.png` });
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 1280, height: 860 });
}

test("the demo model is marked as canned, with how to talk to Claude; it tells the time where asked; the reply names its model", async ({ page }) => {
  await page.goto("/?new=1");
  const badge = page.getByTestId("demo-badge").getByRole("button", { name: /Demo model — canned replies/ });
  await expect(badge).toBeVisible();
  await expect(badge).toHaveAttribute("aria-expanded", "false");
  await badge.click();
  const help = page.getByTestId("demo-badge-help");
  await expect(help).toContainText("ANTHROPIC_API_KEY");
  await expect(help).toContainText("restart the server");
  await expect(badge).toHaveAttribute("aria-expanded", "true");
  await shoot(page, "demo-badge");
  await page.keyboard.press("Escape");
  await expect(help).toBeHidden();
  await expect(badge).toBeFocused();

  await send(page, "What time is it in Tokyo?");
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  const reply = lastAssistant(page);
  await complete(reply);
  await expect(reply).toContainText("I'll check the clock in Tokyo (Asia/Tokyo).");
  await expect(reply).toContainText("in Asia/Tokyo (UTC+09:00)");
  // The latest reply's bar shows without hovering: the model by its display name.
  const model = reply.getByTestId("reply-model");
  await expect(model).toHaveText("Tether demo");
  await expect(model).toHaveAttribute("data-model-id", "tether-demo-1");
  await shoot(page, "reply-model");
});

test("each message shows when it was written on hover, in a <time> screen readers can read", async ({ page }) => {
  await page.goto("/?new=1");
  await send(page, "What time is it in Atlantis?");
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  const reply = lastAssistant(page);
  await complete(reply);
  // The demo says plainly it cannot tell, instead of answering in UTC.
  await expect(reply).toContainText("I don't know the time zone of “Atlantis”");
  const question = userMessages(page).last();
  const time = question.getByTestId("message-time");
  await question.hover();
  await expect(time).toBeVisible();
  await expect(time).toHaveText(/^\d{1,2}:\d{2}( [AP]M)?$/);
  const at = await time.getAttribute("datetime");
  expect(Math.abs(Date.parse(at!) - Date.now())).toBeLessThan(10 * 60_000);
  await expect(time).toHaveAttribute("title", /\d{4}/);
  await expect(reply.getByTestId("message-time")).toHaveAttribute("datetime", /^\d{4}-\d{2}-\d{2}T/);
  await shoot(page, "message-time-hover");
});

test("a sign-up error reads as a sentence, without the API's field name", async ({ page }) => {
  await page.goto("/signup");
  await page.getByTestId("account-email").fill("not-an-email");
  await page.getByTestId("account-password").fill("a long enough passphrase 42");
  await page.getByTestId("account-submit").click();
  const error = page.getByTestId("account-error");
  await expect(error).toHaveText("Enter a valid email address.");
  await expect(page.getByTestId("account-email")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByTestId("account-password")).not.toHaveAttribute("aria-invalid", "true");
});

test("an unknown address says the page is not found; a missing conversation says so; both lead home", async ({ page }) => {
  const res = await page.goto("/nonsense/path");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
  await expect(page.getByTestId("not-found")).not.toContainText("conversation");
  await expect(page).toHaveTitle(/Page not found/);
  await shoot(page, "not-found");
  const home = page.getByRole("link", { name: "Back to your chats" });
  await expect(home).toHaveAttribute("href", "/");

  const missing = await page.goto("/c/00000000-0000-4000-8000-000000000000");
  expect(missing?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Conversation not found");
  await page.getByRole("link", { name: "Back to your chats" }).click();
  await expect(page).toHaveURL(/\/$/);
});
