// On a phone: a code block is one frame whose long lines scroll sideways
// (never cut, never wrapped, never widening the page).
import { expect, test } from "@playwright/test";
import { complete, lastAssistant, SCREENSHOT_LOOKS, send } from "./support";

test("a code block on a phone is one frame that scrolls sideways (light, dark, narrow screenshots)", async ({ browser }) => {
  for (const [name, look] of SCREENSHOT_LOOKS) {
    const context = await browser.newContext({ ...look, baseURL: test.info().project.use.baseURL });
    const page = await context.newPage();
    await page.goto("/?new=1");
    await send(page, "Show me a retry loop in Python with exponential backoff and a comment on each line");
    const reply = lastAssistant(page);
    await complete(reply);
    const block = reply.locator('[data-streamdown="code-block"]').first();
    await expect(block).toBeVisible();
    const body = block.locator('[data-streamdown="code-block-body"]');
    // One frame: the body draws no border of its own, and no line wraps.
    // (Polled: the highlighted body replaces the plain one once the worker answers.)
    await expect
      .poll(() =>
        body.evaluate((el) => {
          const s = getComputedStyle(el);
          const pre = el.querySelector("pre");
          return { border: s.borderTopWidth, overflowX: s.overflowX, whiteSpace: pre ? getComputedStyle(pre).whiteSpace : "" };
        }),
      )
      .toEqual({ border: "0px", overflowX: "auto", whiteSpace: "pre" });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    if (name === "narrow") {
      // The longest line is wider than the phone: the frame scrolls, the text is whole.
      expect(await body.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    }
    await block.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${process.env.SHOTS_DIR ?? "test-results"}/sidebar/code-block-${name}.png` });
    await context.close();
  }
});
