// Accounts: a guest chats, signs up and keeps everything, signs out, and
// finds the same conversations and settings after signing in elsewhere.
import { expect, test, type Page } from "@playwright/test";
import { randomUUID } from "node:crypto";
import { lastAssistant, send } from "./support";

const PASSWORD = "tide-pool-secret";

async function shoot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/accounts-${name}.png`, fullPage: true });
}

test("a guest signs up, keeps their chats and settings, signs out, and signs in in another browser", async ({ page, browser }) => {
  const email = `e2e-${randomUUID().slice(0, 8)}@example.com`;

  // A guest chats and turns streaming off.
  await page.goto("/");
  const area = page.getByTestId("account-area");
  await expect(area).toHaveAttribute("data-account", "guest");
  await expect(area).toContainText("Guest");
  await send(page, "Tell me about tide pools");
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
  const chatUrl = page.url();
  await page.getByTestId("settings-link").click();
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByTestId("account-settings")).toContainText("guest");
  await shoot(page, "settings-guest");
  await page.getByTestId("streaming-toggle").uncheck();
  await expect(page.getByTestId("settings-status")).toContainText("Saved");

  // Sign up from the sidebar; a weak password is refused with a clear message.
  await page.getByTestId("signup-link").click();
  await expect(page).toHaveURL(/\/signup$/);
  await expect(page.getByTestId("account-form")).toContainText("conversation and settings will be kept");
  await shoot(page, "signup-light");
  await page.getByTestId("account-email").fill(email);
  await page.getByTestId("account-password").fill("short");
  await page.getByTestId("account-submit").click();
  await expect(page.getByTestId("account-error")).toContainText("at least 8 characters");
  await expect(page.getByTestId("account-password")).toHaveAttribute("aria-invalid", "true");
  await shoot(page, "signup-weak-password");
  await page.getByTestId("account-password").fill("password1");
  await page.getByTestId("account-submit").click();
  await expect(page.getByTestId("account-error")).toContainText("This password is too common.");
  await page.getByTestId("account-password").fill(PASSWORD);
  await page.getByTestId("account-submit").click();

  // Signed in, with the guest's conversation and setting.
  await expect(page).toHaveURL(chatUrl);
  await expect(area).toHaveAttribute("data-account", "user");
  await expect(page.getByTestId("account-email-label")).toHaveText(email);
  await expect(page.getByTestId("conversation-item")).toHaveCount(1);
  // (Its title is the first message, or the title job's summary of it.)
  await expect(page.getByTestId("conversation-item").first()).toContainText(/tide pools/i);
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete");
  await shoot(page, "sidebar-signed-in");
  await page.goto("/settings");
  await expect(page.getByTestId("streaming-toggle")).not.toBeChecked();
  await expect(page.getByTestId("settings-email")).toHaveText(email);
  await expect(page.getByTestId("other-sessions")).toContainText("No other browser");

  // Sign out: a fresh guest, with nothing.
  await page.getByTestId("sign-out").click();
  await expect(area).toHaveAttribute("data-account", "guest");
  await expect(page.getByTestId("conversation-item")).toHaveCount(0);
  expect((await page.request.get(chatUrl)).status()).toBe(404);

  // Another browser: a wrong password first, then in, and everything is there.
  const other = await browser.newContext();
  const second = await other.newPage();
  await second.goto("/signin");
  await second.getByTestId("account-email").fill(email);
  await second.getByTestId("account-password").fill("not-the-password");
  await second.getByTestId("account-submit").click();
  await expect(second.getByTestId("account-error")).toHaveText("Wrong email or password.");
  await shoot(second, "signin-wrong-password");
  await second.getByTestId("account-password").fill(PASSWORD);
  await second.getByTestId("account-submit").click();
  await expect(second).toHaveURL(chatUrl);
  await expect(second.getByTestId("conversation-item")).toHaveCount(1);
  await expect(lastAssistant(second)).toHaveAttribute("data-status", "complete");
  await second.goto("/settings");
  await expect(second.getByTestId("streaming-toggle")).not.toBeChecked();

  // The first browser signs in again; the second signs it out remotely.
  await page.goto("/signin");
  await page.getByTestId("account-email").fill(email);
  await page.getByTestId("account-password").fill(PASSWORD);
  await page.getByTestId("account-submit").click();
  await expect(page.getByTestId("account-email-label")).toHaveText(email);
  await second.reload();
  await expect(second.getByTestId("other-sessions")).toContainText("Also signed in on 1 other browser");
  await shoot(second, "settings-sessions-light");
  await second.emulateMedia({ colorScheme: "dark" });
  await shoot(second, "settings-sessions-dark");
  await second.getByTestId("revoke-others").click();
  await expect(second.getByTestId("sessions-status")).toContainText("Signed out of 1 other session");
  await page.reload();
  await expect(area).toHaveAttribute("data-account", "guest");
  await expect(page.getByTestId("conversation-item")).toHaveCount(0);
  await second.reload();
  await expect(second.getByTestId("settings-email")).toHaveText(email);

  // The email is taken now.
  const third = await browser.newContext({ colorScheme: "dark" });
  const page3 = await third.newPage();
  await page3.goto("/signup");
  await page3.getByTestId("account-email").fill(email.toUpperCase());
  await page3.getByTestId("account-password").fill(PASSWORD);
  await page3.getByTestId("account-submit").click();
  // Refused without saying whether the email has an account; the way on is offered.
  await expect(page3.getByTestId("account-error")).toContainText("If you already have one, sign in.");
  await expect(page3.getByTestId("account-error").getByRole("link", { name: "Sign in instead" })).toBeVisible();
  await shoot(page3, "signup-email-taken-dark");
  await page3.goto("/signin");
  await shoot(page3, "signin-dark");
  // Narrow screens: the account area sits at the foot of the drawer.
  await page3.setViewportSize({ width: 390, height: 760 });
  await page3.goto("/signup");
  await shoot(page3, "signup-mobile-dark");
  await page3.getByTestId("sidebar-toggle").click();
  await expect(page3.getByTestId("signup-link")).toBeVisible();
  await expect.poll(async () => (await page3.getByTestId("sidebar").boundingBox())?.x).toBe(0); // slid in
  await shoot(page3, "drawer-mobile-dark");
  await other.close();
  await third.close();
});
