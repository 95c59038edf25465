// Regenerate with versions, edit and resend with branches, in the browser
// against the demo model.
import { expect, test, type Page } from "@playwright/test";
import { assistantMessages, complete, lastAssistant, pagerLabel, savedMessage, send, shownText, userMessages, waitForPartial } from "./support";

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
