// Issue 7: regenerate with versions, edit and resend with branches, search,
// export, shortcuts and drafts, in the browser against the demo model.
import { expect, test, type Locator, type Page } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { assistantMessages, lastAssistant, savedMessage, send, shownText, waitForPartial } from "./support";

const userMessages = (page: Page) => page.locator('[data-testid="message"][data-role="user"]');
const pagerLabel = (message: Locator) => message.getByTestId("version-label");
/** A word nobody else typed (letters only: the full-text parser keeps it whole). */
const uniqueWord = (prefix: string) => prefix + Array.from({ length: 8 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join("");

async function complete(reply: Locator) {
  await expect(reply).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
}

/** A new chat whose first reply is stopped early: a short, distinct version 1. */
async function chatWithStoppedReply(page: Page, text: string) {
  await page.goto("/?new=1");
  await send(page, text);
  const reply = lastAssistant(page);
  await waitForPartial(reply, 30);
  await page.getByTestId("stop-button").click();
  await expect(reply).toHaveAttribute("data-status", "interrupted");
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  return { id: (await reply.getAttribute("data-message-id"))!, text: await shownText(reply) };
}

test("regenerate: the new reply streams in place, the old one is version 1/2, exactly, across reloads", async ({ page }) => {
  const first = await chatWithStoppedReply(page, "Tell me about lighthouses");
  const old = lastAssistant(page);
  await expect(old.getByTestId("version-pager")).toHaveCount(0);

  await old.getByTestId("regenerate").click();
  const reply = lastAssistant(page);
  await expect(assistantMessages(page)).toHaveCount(1); // in place: the old one left the path at once
  await expect(reply).not.toHaveAttribute("data-message-id", first.id);
  await expect(reply).toHaveAttribute("aria-busy", "true");
  // The pager shows at once, inert while the reply generates.
  await expect(pagerLabel(reply)).toHaveText("2/2");
  await expect(reply.getByTestId("version-prev")).toBeDisabled();
  await complete(reply);
  const newId = (await reply.getAttribute("data-message-id"))!;
  const full = await shownText(reply);
  expect(full.length).toBeGreaterThan(first.text.length);
  expect((await savedMessage(page.request, newId)).content).toBe(full);

  const saved = page.locator(`[data-message-id="${newId}"]`);
  await expect(saved.getByTestId("version-prev")).toBeEnabled();
  await expect(saved.getByTestId("version-next")).toBeDisabled();
  await saved.getByTestId("version-prev").click();
  const back = page.locator(`[data-message-id="${first.id}"]`);
  await expect(pagerLabel(back)).toHaveText("1/2");
  await expect(back).toHaveAttribute("data-status", "interrupted");
  expect(await shownText(back)).toBe(first.text);
  await expect(assistantMessages(page)).toHaveCount(1);

  // The choice is the server's: a reload shows version 1 again.
  await page.reload();
  await expect(pagerLabel(back)).toHaveText("1/2");
  expect(await shownText(back)).toBe(first.text);
  await back.getByTestId("version-next").click();
  await expect(pagerLabel(saved)).toHaveText("2/2");
  expect(await shownText(saved)).toBe(full);
  await page.reload();
  await expect(pagerLabel(saved)).toHaveText("2/2");
  expect(await shownText(saved)).toBe(full);
  // Regenerate is offered on the latest reply only, Edit on the user message.
  await expect(page.getByTestId("regenerate")).toHaveCount(1);
  await expect(userMessages(page).getByTestId("edit-message")).toHaveCount(1);
});

test("regenerate, then Stop, then Continue completes the new version", async ({ page }) => {
  await page.goto("/?new=1");
  await send(page, "Write a long essay about glaciers");
  await complete(lastAssistant(page));
  const original = await shownText(lastAssistant(page));

  await lastAssistant(page).getByTestId("regenerate").click();
  const reply = lastAssistant(page);
  await waitForPartial(reply, 40);
  await page.getByTestId("stop-button").click();
  await expect(reply).toHaveAttribute("data-status", "interrupted");
  const partial = await shownText(reply);
  const id = (await reply.getAttribute("data-message-id"))!;
  expect((await savedMessage(page.request, id)).content).toBe(partial);
  await expect(pagerLabel(reply)).toHaveText("2/2");

  await reply.getByTestId("continue-button").click();
  await complete(lastAssistant(page));
  const final = await shownText(lastAssistant(page));
  expect(final.startsWith(partial.trimEnd())).toBe(true);
  expect(final.length).toBeGreaterThan(partial.length);
  expect((await savedMessage(page.request, id)).content).toBe(final);
  await expect(lastAssistant(page)).toHaveAttribute("data-message-id", id); // the same version grew
  await expect(pagerLabel(lastAssistant(page))).toHaveText("2/2");
  await lastAssistant(page).getByTestId("version-prev").click();
  await expect(pagerLabel(lastAssistant(page))).toHaveText("1/2");
  expect(await shownText(lastAssistant(page))).toBe(original);
});

test("with streaming off, regenerate and edit arrive whole, and Stop works before the reply is known", async ({ page }) => {
  await page.goto("/?new=1");
  await send(page, "Tell me about comets");
  await complete(lastAssistant(page));
  const first = await shownText(lastAssistant(page));
  const firstId = (await lastAssistant(page).getAttribute("data-message-id"))!;
  expect((await page.request.patch("/api/settings", { data: { streaming: false } })).status()).toBe(200);
  await page.reload();

  // Stop right away: the reply's id is still being discovered, the stop waits for it.
  await lastAssistant(page).getByTestId("regenerate").click();
  await expect(lastAssistant(page).getByTestId("working-indicator")).toBeVisible();
  await page.getByTestId("stop-button").click();
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "interrupted");
  const stoppedId = (await lastAssistant(page).getAttribute("data-message-id"))!;
  expect(stoppedId).not.toBe(firstId);
  expect((await savedMessage(page.request, stoppedId)).status).toBe("interrupted");
  await expect(pagerLabel(lastAssistant(page))).toHaveText("2/2");

  // Regenerate again, whole this time: the reply appears complete, version 3/3.
  await lastAssistant(page).getByTestId("regenerate").click();
  await expect(lastAssistant(page).getByTestId("working-indicator")).toBeVisible();
  await complete(lastAssistant(page));
  await expect(pagerLabel(lastAssistant(page))).toHaveText("3/3");
  const third = (await lastAssistant(page).getAttribute("data-message-id"))!;
  expect(await shownText(lastAssistant(page))).toBe((await savedMessage(page.request, third)).content);
  await lastAssistant(page).getByTestId("version-prev").click();
  await lastAssistant(page).getByTestId("version-prev").click();
  await expect(pagerLabel(lastAssistant(page))).toHaveText("1/3");
  expect(await shownText(lastAssistant(page))).toBe(first);

  const question = userMessages(page).first();
  await question.hover();
  await question.getByTestId("edit-message").click();
  await question.getByTestId("edit-input").fill("Tell me about asteroids");
  await question.getByTestId("edit-send").click();
  await expect(lastAssistant(page).getByTestId("working-indicator")).toBeVisible();
  await complete(lastAssistant(page));
  const id = (await lastAssistant(page).getAttribute("data-message-id"))!;
  expect(await shownText(lastAssistant(page))).toBe((await savedMessage(page.request, id)).content);
  await expect(pagerLabel(userMessages(page).first())).toHaveText("2/2");
  await expect(assistantMessages(page)).toHaveCount(1);
});

test("edit and resend: a new branch, and the pager on the message reaches the old branch with its reply", async ({ page }) => {
  await page.goto("/?new=1");
  await send(page, "Explain how tides work");
  await complete(lastAssistant(page));
  const oldUserId = (await userMessages(page).first().getAttribute("data-message-id"))!;
  const oldReply = await shownText(lastAssistant(page));
  const oldReplyId = (await lastAssistant(page).getAttribute("data-message-id"))!;

  // Esc cancels an edit and changes nothing.
  const question = userMessages(page).first();
  await question.hover();
  await question.getByTestId("edit-message").click();
  const editor = question.getByTestId("edit-input");
  await expect(editor).toBeFocused();
  await expect(editor).toHaveValue("Explain how tides work");
  await editor.fill("not sent");
  await editor.press("Escape");
  await expect(question.getByTestId("message-editor")).toHaveCount(0);
  expect(await shownText(question)).toBe("Explain how tides work");
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete"); // Esc did not reach anything else

  await question.hover();
  await question.getByTestId("edit-message").click();
  await question.getByTestId("edit-input").fill("Explain how volcanoes work");
  await question.getByTestId("edit-input").press("Enter");

  const edited = userMessages(page).first();
  await expect(edited).not.toHaveAttribute("data-message-id", oldUserId);
  expect(await shownText(edited)).toBe("Explain how volcanoes work");
  await expect(pagerLabel(edited)).toHaveText("2/2");
  const reply = lastAssistant(page);
  await expect(reply).not.toHaveAttribute("data-message-id", oldReplyId);
  await complete(reply);
  const newReply = await shownText(reply);
  expect(newReply).not.toBe(oldReply);
  await expect(userMessages(page)).toHaveCount(1);
  await expect(assistantMessages(page)).toHaveCount(1);

  // The old branch, whole: the old question and its own reply.
  await edited.getByTestId("version-prev").click();
  const oldQuestion = page.locator(`[data-message-id="${oldUserId}"]`);
  await expect(pagerLabel(oldQuestion)).toHaveText("1/2");
  expect(await shownText(oldQuestion)).toBe("Explain how tides work");
  await expect(lastAssistant(page)).toHaveAttribute("data-message-id", oldReplyId);
  expect(await shownText(lastAssistant(page))).toBe(oldReply);

  await page.reload();
  await expect(pagerLabel(oldQuestion)).toHaveText("1/2");
  await oldQuestion.getByTestId("version-next").click();
  await expect(pagerLabel(userMessages(page).first())).toHaveText("2/2");
  expect(await shownText(lastAssistant(page))).toBe(newReply);
});

test("search finds a unique word, highlights it, and opens the conversation scrolled to the message", async ({ page }) => {
  const word = uniqueWord("quokka");
  await page.goto("/?new=1");
  await send(page, `Tell me about the ${word} island`);
  await complete(lastAssistant(page));
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
  const hit = results.and(page.locator(`[data-message-id="${target}"]`));
  await expect(hit).toHaveCount(1);
  await expect(hit.locator("mark")).toHaveText(new RegExp(word, "i"));
  await expect(hit).toContainText(`Tell me about the ${word} island`);
  // Keyboard: down to the hit, Enter opens it.
  const index = (await results.evaluateAll((els) => els.map((e) => e.getAttribute("data-message-id")))).indexOf(target);
  for (let i = 0; i < index; i++) await box.press("ArrowDown");
  await expect(hit).toHaveAttribute("aria-selected", "true");
  await box.press("Enter");

  await expect(page).toHaveURL(conversationUrl); // ?m= is dropped once used
  const message = page.locator(`[data-testid="message"][data-message-id="${target}"]`);
  await expect(message).toHaveAttribute("data-flash", "");
  await expect(message).toBeInViewport();
  await expect(lastAssistant(page)).not.toBeInViewport(); // scrolled to the hit, not to the bottom
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
  const hit = page.getByTestId("search-result").and(page.locator(`[data-message-id="${oldId}"]`));
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
  const id = page.url().split("/c/")[1];
  const item = page.locator(`[data-testid="conversation-item"][data-conversation-id="${id}"]`);

  await item.getByTestId("conversation-menu-button").click();
  await expect(item.getByTestId("export-markdown")).toBeFocused(); // the menu opens on its first item
  let download = page.waitForEvent("download");
  await item.getByTestId("export-markdown").click();
  const md = await download;
  expect(md.suggestedFilename()).toMatch(/\.md$/);
  const markdown = await readFile((await md.path())!, "utf8");
  expect(markdown).toContain(question);
  expect(markdown).toContain(answer);

  await item.getByTestId("conversation-menu-button").click();
  await page.keyboard.press("ArrowDown");
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
