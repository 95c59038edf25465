// The first screen of a new chat (the composer centred, suggestions that send
// themselves) and a reply with thinking and two tool calls, each folded to one
// line, against the demo model. Screenshots in every look.
import { expect, test, type Page } from "@playwright/test";
import { complete, lastAssistant, SCREENSHOT_LOOKS, send, userMessages } from "./support";

/** The vertical centre of the composer, as a fraction of the page's height. */
async function composerCentre(page: Page): Promise<number> {
  const box = (await page.getByTestId("composer-input").boundingBox())!;
  const height = page.viewportSize()!.height;
  return (box.y + box.height / 2) / height;
}

test("a new chat centres the composer, and a suggestion sends itself and shows its tools folded", async ({ page }) => {
  await page.goto("/?new=1");
  await expect(page.getByRole("heading", { name: "How can I help you today?" })).toBeVisible();
  const suggestions = page.getByTestId("suggestion");
  await expect(suggestions).toHaveCount(4);
  expect(await composerCentre(page)).toBeGreaterThan(0.3);
  expect(await composerCentre(page)).toBeLessThan(0.7);

  const tools = suggestions.and(page.locator('[data-suggestion="tools"]'));
  const prompt = "Calculate 17 * 23 and tell me the current time in Asia/Tokyo.";
  await expect(tools).toContainText(prompt);
  await tools.click();
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  await expect(userMessages(page).first()).toContainText(prompt);
  await expect(suggestions).toHaveCount(0);
  const reply = lastAssistant(page);
  await complete(reply);
  // Two calls, one line each, folded once done, with what each found.
  const lines = reply.getByTestId("tool-summary");
  await expect(lines).toHaveCount(2);
  await expect(lines.nth(0)).toHaveText("Used calculate → 391");
  await expect(lines.nth(1)).toHaveText(/^Used current_time → \d\d:\d\d:\d\d Asia\/Tokyo$/);
  for (const line of await lines.all()) await expect(line).toHaveAttribute("aria-expanded", "false");
  await expect(reply.getByTestId("tool-input")).toHaveCount(2);
  for (const input of await reply.getByTestId("tool-input").all()) await expect(input).toBeHidden();
  // The composer has moved to the bottom.
  expect(await composerCentre(page)).toBeGreaterThan(0.75);
});

test("screenshots: the empty state, and a reply with thinking and two tool calls, folded and opened (light, dark, narrow)", async ({ browser }) => {
  for (const [name, options] of SCREENSHOT_LOOKS) {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    await page.goto("/?new=1");
    await expect(page.getByTestId("suggestion")).toHaveCount(4);
    await expect(page.getByTestId("demo-badge")).toBeVisible(); // the model list has loaded
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    if (name === "narrow") {
      // A phone: the composer at the bottom (thumb's reach), every suggestion whole just above it, the heading above them.
      expect(await composerCentre(page)).toBeGreaterThan(0.8);
      const composer = (await page.getByTestId("composer-input").boundingBox())!;
      for (const s of await page.getByTestId("suggestion").all()) {
        await expect(s).toBeInViewport({ ratio: 1 });
        const box = (await s.boundingBox())!;
        expect(box.y + box.height).toBeLessThan(composer.y);
      }
      const heading = (await page.getByRole("heading", { name: "How can I help you today?" }).boundingBox())!;
      expect(heading.y + heading.height).toBeLessThan((await page.getByTestId("suggestion").first().boundingBox())!.y);
    }
    await page.screenshot({ path: `test-results/empty-state-${name}.png` });

    await send(page, "Think it through: calculate 17 * 23 and tell me the time in Asia/Tokyo.");
    const reply = lastAssistant(page);
    await complete(reply);
    await expect(reply.getByTestId("thinking-summary").first()).toHaveText(/^Thought for \d+ s$/);
    await expect(reply.getByTestId("tool-summary")).toHaveCount(2);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.getByTestId("message-list").evaluate((el) => (el.scrollTop = 0));
    await page.screenshot({ path: `test-results/folded-reply-${name}.png` });
    await reply.getByTestId("tool-summary").first().click();
    await expect(reply.getByTestId("tool-result").first()).toBeVisible();
    await page.screenshot({ path: `test-results/folded-reply-opened-${name}.png` });
    await context.close();
  }
});
