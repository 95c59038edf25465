// Usage and cost in the browser: a reply's usage line, the conversation's total
// in its menu, and the settings page's last 30 days — against the fake
// Anthropic API (real SDK), whose usage reports follow the API's, prompt
// caching included. Screenshots light, dark and narrow.
import { expect, test } from "@playwright/test";
import { useFakeAnthropicApp } from "./fake-anthropic-app";
import { SCREENSHOT_LOOKS, send } from "./support";

const rich = useFakeAnthropicApp();

// Long enough (over 1024 tokens) for the prompt cache: the second turn reads the first.
const DOCUMENT = `Summarise this. ${"The tide comes in and the tide goes out along the rocky shore. ".repeat(90)}`;

test("a reply shows its usage and cost; the conversation menu sums them; settings show the last 30 days (light, dark, narrow)", async ({ browser }) => {
  for (const [name, options] of SCREENSHOT_LOOKS) {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    const first = await rich.ask(page, DOCUMENT, { text: "The tide rises and falls on the shore." });
    await expect(first).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
    await send(page, "And what about the rocks?");
    const second = page.locator('[data-testid="message"][data-role="assistant"]').nth(1);
    await expect(second).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
    // The latest reply's bar is always shown: tokens in and out, the cache read, the cost.
    const line = second.getByTestId("reply-usage");
    await expect(line).toBeVisible();
    await expect(line).toHaveText(/^[\d.]+K? in · [\d.]+K? out · [\d.]+K? cached · \$\d/);
    await expect(line).toHaveAttribute("title", /Model: claude-sonnet-5-5[\s\S]*Cache read: [1-9][\d,]* tokens/);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.screenshot({ path: `test-results/usage-reply-${name}.png` });

    if (name !== "narrow") {
      // The sidebar's menu of the conversation: its total.
      await page.getByTestId("conversation-menu-button").first().click();
      const total = page.getByTestId("conversation-usage");
      await expect(total).toHaveText(/[\d.]+K? in · [\d.]+K? out\s*\$\d/);
      await page.screenshot({ path: `test-results/usage-menu-${name}.png` });
      await page.keyboard.press("Escape");
    }

    await page.goto(`${rich.app.url}/settings`);
    const section = page.getByTestId("usage-section");
    await expect(section).toContainText("Usage, last 30 days");
    await expect(section.getByTestId("usage-replies")).toHaveText("2");
    await expect(section.getByTestId("usage-cost")).toHaveText(/^\$0\.\d+$/);
    await expect(section.getByTestId("usage-cache-share")).toHaveText(/^\d+ % from the cache$/);
    await expect(section.getByTestId("usage-days").locator("tbody tr")).toHaveCount(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await section.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `test-results/usage-settings-${name}.png`, fullPage: true });
    await context.close();
  }
});
