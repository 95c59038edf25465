// "New chat" pressed before a new conversation's page has reached its own
// address (/c/:id, a server round trip after the first send): the empty chat
// must come back, not the conversation it just started (lib/client/new-chat.ts).
import { expect, test, type Page, type Request } from "@playwright/test";
import { lastAssistant, send, waitForPartial } from "./support";

const EMPTY = { name: "How can I help you today?" };

/**
 * Holds the page's requests for /c/:id, as a busy server would. Returns what
 * lets them go and waits until each has ended (answered or cancelled).
 */
async function holdAddress(page: Page): Promise<() => Promise<void>> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const requests: Request[] = [];
  await page.route(/\/c\/[0-9a-f-]{36}/, async (route) => {
    requests.push(route.request());
    await held;
    await route.continue();
  });
  return async () => {
    const ended = (request: Request) =>
      Promise.race(["requestfinished", "requestfailed"].map((event) => page.waitForEvent(event as "requestfinished", (r) => r === request)));
    const done = Promise.all(requests.map(ended));
    release();
    await done;
    await page.unrouteAll({ behavior: "wait" });
  };
}

async function startAndStop(page: Page) {
  await send(page, "Write a long story about a clockmaker");
  const reply = lastAssistant(page);
  await waitForPartial(reply, 30);
  await page.keyboard.press("Escape");
  await expect(reply).toHaveAttribute("data-status", "interrupted");
  await expect(page).toHaveURL(/\/\?new=1$/); // its address is still held back
}

test("New chat while the new conversation's address is still on its way gives an empty chat", async ({ page }) => {
  for (const ask of [() => page.keyboard.press("Control+Shift+O"), () => page.getByTestId("new-chat").click()]) {
    const release = await holdAddress(page);
    await page.goto("/?new=1");
    await startAndStop(page);

    await ask();
    await expect(page.getByRole("heading", EMPTY)).toBeVisible();
    await expect(page.getByTestId("message")).toHaveCount(0);
    await release();
    // The held navigation does not come back over the empty chat.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await expect(page.getByRole("heading", EMPTY)).toBeVisible();
    await expect(page).toHaveURL(/\/\?new=1$/);
  }
});
