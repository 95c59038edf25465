// Search (with its hits on older branches) and export, in the browser against
// the demo model.
import { expect, test } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { complete, lastAssistant, pagerLabel, SCREENSHOT_LOOKS, send, shownText, uniqueWord, userMessages } from "./support";

test("search finds a unique word, highlights it, and opens the conversation scrolled to the message", async ({ page }) => {
  const word = uniqueWord("quokka");
  await page.goto("/?new=1");
  await send(page, `Tell me about the ${word} island`);
  await complete(lastAssistant(page));
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/); // the new chat's address comes by a navigation that a busy machine can delay
  const conversationUrl = page.url();
  const target = (await userMessages(page).first().getAttribute("data-message-id"))!;
  // More after it, so the hit is far from the bottom.
  for (const more of ["Describe ocean currents in depth", "Describe desert ecosystems in depth"]) {
    await send(page, more);
    await complete(lastAssistant(page));
  }
  await page.goto("/?new=1");

  const box = page.getByTestId("search-input");
  await box.fill("zzznomatchyyy");
  await expect(page.getByTestId("search-empty")).toBeVisible();
  await box.fill(word);
  const results = page.getByTestId("search-result");
  const conversationId = conversationUrl.split("/c/")[1];
  // One result for the conversation, however many of its messages match.
  const result = results.and(page.locator(`[data-conversation-id="${conversationId}"]`));
  await expect(result).toHaveCount(1);
  const snippet = result.getByTestId("search-snippet").and(page.locator(`[data-message-id="${target}"]`));
  await expect(snippet.locator("mark")).toHaveText(new RegExp(word, "i"));
  await expect(snippet).toContainText(`Tell me about the ${word} island`);
  // The reply's snippet too, without its markdown (the demo writes the topic in **bold**).
  await expect(result.getByTestId("search-snippet")).toHaveCount(2);
  for (const text of await result.getByTestId("search-snippet").allTextContents()) expect(text).not.toMatch(/\*\*|##|`/);
  // Keyboard: down to the result, Enter opens it at its best hit.
  const best = (await result.getAttribute("data-message-id"))!;
  const index = (await results.evaluateAll((els) => els.map((e) => e.getAttribute("data-conversation-id")))).indexOf(conversationId);
  for (let i = 0; i < index; i++) await box.press("ArrowDown");
  await expect(result).toHaveAttribute("aria-selected", "true");
  await box.press("Enter");

  await expect(page).toHaveURL(conversationUrl); // ?m= is dropped once used
  const message = page.locator(`[data-testid="message"][data-message-id="${best}"]`);
  await expect(message).toHaveAttribute("data-flash", "");
  await expect(message).toBeInViewport();
  await expect(lastAssistant(page)).not.toBeInViewport(); // scrolled to the hit, not to the bottom
});

test("screenshots: search results, one per conversation with snippets (light, dark, narrow)", async ({ browser }) => {
  const word = uniqueWord("lighthouse");
  for (const [name, options] of SCREENSHOT_LOOKS) {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    if (name === "light") {
      // Two conversations that mention the word (the guest's cookie is per context: one look writes them all).
      for (const question of [`Tell me about the ${word} keepers of old`, `How does a ${word} lens work, think it through?`]) {
        await page.goto("/?new=1");
        await send(page, question);
        await complete(lastAssistant(page));
      }
      await context.storageState({ path: "test-results/search-state.json" });
    }
    await context.close();
  }
  for (const [name, options] of SCREENSHOT_LOOKS) {
    const context = await browser.newContext({ ...options, storageState: "test-results/search-state.json" });
    const page = await context.newPage();
    await page.goto("/?new=1");
    if (name === "narrow") await page.getByTestId("sidebar-toggle").click();
    await page.getByTestId("search-input").fill(word);
    await expect(page.getByTestId("search-result")).toHaveCount(2);
    await expect(page.getByTestId("search-results")).toHaveAttribute("data-status", "done");
    await page.screenshot({ path: `test-results/search-${name}.png` });
    await context.close();
  }
});

test("a search hit on an older branch switches the conversation to it", async ({ page }) => {
  const word = uniqueWord("narwhal");
  await page.goto("/?new=1");
  await send(page, `What do ${word} eat`);
  await complete(lastAssistant(page));
  const oldId = (await userMessages(page).first().getAttribute("data-message-id"))!;
  const question = userMessages(page).first();
  await question.hover();
  await question.getByTestId("edit-message").click();
  await question.getByTestId("edit-input").fill("What do walruses eat");
  await question.getByTestId("edit-send").click();
  await complete(lastAssistant(page));
  expect(await shownText(userMessages(page).first())).toBe("What do walruses eat");

  await page.getByTestId("search-input").fill(word);
  // The word is only on the older branch: its question and the reply to it.
  const hit = page.getByTestId("search-result");
  await expect(hit).toHaveCount(1);
  await expect(hit.getByTestId("search-snippet").and(page.locator(`[data-message-id="${oldId}"]`))).toHaveCount(1);
  await hit.click();
  const old = page.locator(`[data-testid="message"][data-message-id="${oldId}"]`);
  await expect(old).toBeVisible();
  expect(await shownText(old)).toBe(`What do ${word} eat`);
  await expect(pagerLabel(old)).toHaveText("1/2");
});

test("export downloads Markdown and JSON with the exact texts", async ({ page }) => {
  const question = `Give me tips for ${uniqueWord("baking")} bread`;
  await page.goto("/?new=1");
  await send(page, question);
  await complete(lastAssistant(page));
  const answer = await shownText(lastAssistant(page));
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/); // the new chat's address comes by a navigation that a busy machine can delay
  const id = page.url().split("/c/")[1];
  const item = page.locator(`[data-testid="conversation-item"][data-conversation-id="${id}"]`);

  await item.getByTestId("conversation-menu-button").click();
  await expect(item.getByTestId("menu-rename")).toBeFocused(); // the menu opens on its first item
  let download = page.waitForEvent("download");
  await item.getByTestId("export-markdown").click();
  const md = await download;
  expect(md.suggestedFilename()).toMatch(/\.md$/);
  const markdown = await readFile((await md.path())!, "utf8");
  expect(markdown).toContain(question);
  expect(markdown).toContain(answer);

  await item.getByTestId("conversation-menu-button").click();
  for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowDown"); // past Rename, Pin, Archive, Share, Markdown
  await expect(item.getByTestId("export-json")).toBeFocused();
  download = page.waitForEvent("download");
  await page.keyboard.press("Enter");
  const js = await download;
  expect(js.suggestedFilename()).toMatch(/\.json$/);
  const data = JSON.parse(await readFile((await js.path())!, "utf8"));
  expect(data.format).toBe("tether.conversation.v1");
  expect(data.conversation.id).toBe(id);
  expect(data.messages.map((m: { role: string; content: string }) => [m.role, m.content])).toEqual([
    ["user", question],
    ["assistant", answer],
  ]);
  expect(data.messages[1].parts.length).toBeGreaterThan(0);
  expect(data.messages[1].metadata.model).toBeTruthy();

  // Esc closes the menu, back to its button.
  await item.getByTestId("conversation-menu-button").click();
  await page.keyboard.press("Escape");
  await expect(item.getByTestId("conversation-menu")).toHaveCount(0);
  await expect(item.getByTestId("conversation-menu-button")).toBeFocused();
});
