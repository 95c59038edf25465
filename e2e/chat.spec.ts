// Issue 2: a new user chats with the demo model; conversations and settings.
import { expect, test } from "@playwright/test";
import { assistantMessages, lastAssistant, savedMessage, send, shownText } from "./support";

test("a first visit gets a guest session and can chat with the demo model", async ({ page, context }) => {
  await page.goto("/");
  const cookie = (await context.cookies()).find((c) => c.name === "tether_session");
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.sameSite).toBe("Lax");
  await expect(page.getByRole("heading", { name: "How can I help you today?" })).toBeVisible();

  await send(page, "Tell me about tide pools 🌊");
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  const reply = lastAssistant(page);
  await expect(reply).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
  const text = await shownText(reply);
  expect(text).toContain("tide pools");
  expect(text).toContain("```"); // the demo model writes code blocks
  const id = (await reply.getAttribute("data-message-id"))!;
  expect((await savedMessage(page.request, id)).content).toBe(text);
  // Named from the first message at once, then by the title job (the demo
  // model's deterministic summary) once the reply is complete.
  await expect
    .poll(async () => {
      await page.reload();
      return page.getByTestId("conversation-item").first().textContent();
    })
    .toContain("Tide pools 🌊");
  await page.screenshot({ path: "test-results/chat-complete.png" });
});

test("composer: Shift+Enter makes a new line, and Stop takes Send's place while a reply generates", async ({ page }) => {
  await page.goto("/?new=1");
  const input = page.getByTestId("composer-input");
  await input.fill("line one");
  await input.press("Shift+Enter");
  await input.pressSequentially("line two");
  await expect(input).toHaveValue("line one\nline two");
  await input.press("Enter");
  await expect(page.locator('[data-testid="message"][data-role="user"]').last()).toContainText("line one\nline two");
  await expect(page.getByTestId("stop-button")).toBeVisible();
  await expect(page.getByTestId("send-button")).toHaveCount(0);
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
  await expect(page.getByTestId("send-button")).toBeDisabled(); // empty input
  await input.fill("next");
  await expect(page.getByTestId("send-button")).toBeEnabled();
});

test("rename and delete conversations", async ({ page }) => {
  await page.goto("/?new=1");
  await send(page, "Conversation to rename");
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/); // the new chat's address comes by a navigation that a busy machine can delay
  const id = page.url().split("/c/")[1];
  const item = page.locator(`[data-testid="conversation-item"][data-conversation-id="${id}"]`);

  await item.getByTestId("conversation-menu-button").click();
  await item.getByTestId("menu-rename").click();
  const input = item.getByTestId("rename-input");
  await input.fill("Renamed ✨ chat");
  await input.press("Enter");
  await expect(item).toContainText("Renamed ✨ chat");
  await page.reload();
  await expect(item).toContainText("Renamed ✨ chat");

  await item.getByTestId("conversation-menu-button").click();
  await item.getByTestId("menu-rename").click();
  await item.getByTestId("rename-input").fill("not saved");
  await item.getByTestId("rename-input").press("Escape");
  await expect(item).toContainText("Renamed ✨ chat");

  await item.getByTestId("conversation-menu-button").click();
  await item.getByTestId("menu-delete").click();
  await page.getByTestId("confirm-delete").click();
  await expect(item).toHaveCount(0);
  expect((await page.request.get(`/api/conversations/${id}`)).status()).toBe(404);
});

test("the streaming setting persists across reloads, and replies then arrive whole", async ({ page }) => {
  await page.goto("/settings");
  const toggle = page.getByTestId("streaming-toggle");
  await expect(toggle).toBeChecked();
  await toggle.click();
  await expect(toggle).not.toBeChecked();
  await expect.poll(async () => (await (await page.request.get("/api/settings")).json()).streaming).toBe(false);
  await page.reload();
  await expect(page.getByTestId("streaming-toggle")).not.toBeChecked();

  await page.goto("/?new=1");
  await send(page, "Explain recursion without streaming");
  await expect(page.getByTestId("working-indicator")).toBeVisible();
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
  const reply = lastAssistant(page);
  const id = (await reply.getAttribute("data-message-id"))!;
  expect(await shownText(reply)).toBe((await savedMessage(page.request, id)).content);

  await page.goto("/settings");
  await page.getByTestId("streaming-toggle").click();
  await expect.poll(async () => (await (await page.request.get("/api/settings")).json()).streaming).toBe(true);
});

test("another browser cannot see the first one's conversation", async ({ page, browser }) => {
  await page.goto("/?new=1");
  await send(page, "A private note about my garden");
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/); // the new chat's address comes by a navigation that a busy machine can delay
  const url = page.url();
  const id = url.split("/c/")[1];
  const mid = (await lastAssistant(page).getAttribute("data-message-id"))!;

  const other = await browser.newContext();
  const stranger = await other.newPage();
  const res = await stranger.goto(url);
  expect(res?.status()).toBe(404);
  await stranger.goto("/?new=1");
  await expect(stranger.getByTestId("conversation-item")).toHaveCount(0);
  expect((await stranger.request.get(`/api/conversations/${id}`)).status()).toBe(404);
  expect((await stranger.request.get(`/api/messages/${mid}`)).status()).toBe(404);
  expect(await assistantMessages(stranger).count()).toBe(0);
  await other.close();
});
