// Keyboard shortcuts, composer drafts, and screenshots of the conversation
// features (pager, editor, search, menu), in the browser against the demo model.
import { expect, test } from "@playwright/test";
import { complete, lastAssistant, pagerLabel, savedMessage, send, shownText, uniqueWord, userMessages, waitForPartial } from "./support";

test("shortcuts: Esc stops the streaming reply, Ctrl+K focuses search, Ctrl+Shift+O opens a new chat", async ({ page }) => {
  await page.goto("/?new=1");
  await send(page, "Write a long story about a clockmaker");
  const reply = lastAssistant(page);
  await waitForPartial(reply, 30);
  await page.keyboard.press("Escape");
  await expect(reply).toHaveAttribute("data-status", "interrupted");
  const id = (await reply.getAttribute("data-message-id"))!;
  expect((await savedMessage(page.request, id)).content).toBe(await shownText(reply));

  await page.keyboard.press("Control+k");
  await expect(page.getByTestId("search-input")).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("search-input")).not.toBeFocused();

  await page.keyboard.press("Control+Shift+O");
  await expect(page).toHaveURL(/\/\?new=1$/);
  await expect(page.getByRole("heading", { name: "How can I help you today?" })).toBeVisible();

  // On a phone the search box is in the closed drawer: the shortcut opens it.
  await page.setViewportSize({ width: 390, height: 800 });
  await expect(page.getByTestId("sidebar-toggle")).toBeVisible();
  await page.keyboard.press("Control+k");
  await expect(page.getByTestId("sidebar-toggle")).toHaveAttribute("aria-expanded", "true");
  await expect(page.getByTestId("search-input")).toBeFocused();
  await expect(page.getByTestId("search-input")).toBeInViewport();
});

test("the composer keeps a draft per conversation across reloads", async ({ page }) => {
  await page.goto("/?new=1");
  await send(page, "Hello there");
  await complete(lastAssistant(page));
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/); // the new chat's address comes by a navigation that a busy machine can delay
  const chat = page.url();
  const input = page.getByTestId("composer-input");
  await input.fill("half-written\nsecond line");
  await page.reload();
  await expect(input).toHaveValue("half-written\nsecond line");

  await page.goto("/?new=1");
  await expect(input).toHaveValue("");
  await input.fill("a new chat draft");
  await page.reload();
  await expect(input).toHaveValue("a new chat draft");

  await page.goto(chat);
  await expect(input).toHaveValue("half-written\nsecond line");
  await input.press("Enter");
  await complete(lastAssistant(page));
  await page.reload();
  await expect(input).toHaveValue(""); // sent: the draft is gone
});

test("screenshots: pager, editor, search results and menu, light, dark and narrow", async ({ page }) => {
  const word = uniqueWord("puffin");
  await page.goto("/?new=1");
  await send(page, `Where do ${word} birds nest`);
  await complete(lastAssistant(page));
  await lastAssistant(page).getByTestId("regenerate").click();
  await complete(lastAssistant(page));
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/); // the new chat's address comes by a navigation that a busy machine can delay
  const id = page.url().split("/c/")[1];
  const item = page.locator(`[data-testid="conversation-item"][data-conversation-id="${id}"]`);

  const shoot = async (name: string) => {
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: `test-results/features-${name}-${scheme}.png` });
    }
    await page.emulateMedia({ colorScheme: "light" });
  };

  await expect(pagerLabel(lastAssistant(page))).toHaveText("2/2");
  // The saved copy's action bar (its pager replaces the live reply's) is there.
  await expect(lastAssistant(page).getByTestId("copy-message")).toBeVisible();
  await lastAssistant(page).getByTestId("version-pager").scrollIntoViewIfNeeded();
  await lastAssistant(page).getByTestId("copy-message").hover();
  await shoot("pager");
  await userMessages(page).first().hover();
  await shoot("user-actions");

  const question = userMessages(page).first();
  await question.getByTestId("edit-message").click();
  await expect(question.getByTestId("message-editor")).toBeVisible();
  await shoot("editor");
  await question.getByTestId("edit-cancel").click();

  await page.getByTestId("search-input").fill(word);
  await expect(page.getByTestId("search-result").first()).toBeVisible();
  await expect(page.getByTestId("search-results")).toHaveAttribute("data-status", "done");
  await shoot("search");
  await page.getByTestId("search-input").press("Escape");

  await item.getByTestId("conversation-menu-button").click();
  await expect(item.getByTestId("conversation-menu")).toBeVisible();
  await shoot("menu");
  await page.keyboard.press("Escape");

  // A phone: the pager and the always-visible actions, then the drawer's search.
  await page.setViewportSize({ width: 390, height: 760 });
  await page.reload();
  await expect(pagerLabel(lastAssistant(page))).toHaveText("2/2");
  await shoot("mobile-pager");
  await page.getByTestId("sidebar-toggle").click();
  await page.getByTestId("search-input").fill(word);
  await expect(page.getByTestId("search-results")).toHaveAttribute("data-status", "done");
  await shoot("mobile-search");
  await page.getByTestId("search-input").press("Escape");
  await item.getByTestId("conversation-menu-button").click();
  await shoot("mobile-menu");
});
