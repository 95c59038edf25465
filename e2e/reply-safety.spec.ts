// Hostile HTML in a reply or a user message is shown as text, never run, and
// links are safe. Runs the app against the fake Anthropic API.
import { expect, test } from "@playwright/test";
import { useFakeAnthropicApp } from "./fake-anthropic-app";
import { lastAssistant, renderedText, shownText } from "./support";

const { ask } = useFakeAnthropicApp();

test("hostile HTML in a reply or a message is shown as text, never run, and links are safe", async ({ page }) => {
  const hostile = [
    "<script>window.__pwned = 'script'</script>",
    '<img src="x" onerror="window.__pwned = \'img\'">',
    "<iframe src=\"javascript:window.__pwned = 'iframe'\"></iframe>",
    "[click me](javascript:window.__pwned='link')",
    "<a href=\"javascript:window.__pwned='anchor'\">anchor</a>",
    "![pixel](https://tracker.example/p.png?leak=secret)",
    "Read the [docs](https://developer.mozilla.org/en-US/).",
  ].join("\n\n");
  const reply = await ask(page, `Repeat this: ${hostile}`, { text: hostile, chunk: 7, delayMs: 3 });
  await expect(reply).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  expect(await shownText(reply)).toBe(hostile);

  for (const root of [reply, page.locator('[data-testid="message"][data-role="user"]').last()]) {
    await expect(root.locator("script, img, iframe, [onerror]")).toHaveCount(0);
    await expect(root.locator('[href^="javascript:" i], [src^="javascript:" i]')).toHaveCount(0);
    await expect(root).toContainText("<script>window.__pwned = 'script'</script>");
  }
  // The user's own text is plain text, line breaks kept.
  const user = page.locator('[data-testid="message"][data-role="user"]').last().getByTestId("message-content");
  expect(await user.textContent()).toBe(`Repeat this: ${hostile}`);

  // Markdown links are real links that open in a new tab without access to this one.
  const docs = reply.getByRole("link", { name: "docs" });
  await expect(docs).toHaveAttribute("href", "https://developer.mozilla.org/en-US/");
  await expect(docs).toHaveAttribute("target", "_blank");
  await expect(docs).toHaveAttribute("rel", /(?=.*noopener)(?=.*noreferrer)/);
  // A `javascript:` link keeps its text but is no link; an image is not loaded.
  await expect(reply.getByText("click me")).toBeVisible();
  await expect(reply.getByRole("link", { name: "click me" })).toHaveCount(0);
  await expect(reply.getByRole("link", { name: /Image: pixel/ })).toHaveAttribute("rel", /noopener/);

  expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();

  await page.reload();
  await expect(lastAssistant(page).locator("script, img, iframe")).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
  expect(await renderedText(lastAssistant(page))).toContain('<img src="x" onerror=');
});
