// WCAG 2.2 AA, checked by axe-core on the main pages in light and dark (zero
// violations expected), and what axe cannot see: the polite live region that
// announces a reply's start and end (never its tokens).
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { complete, lastAssistant, send, uniqueWord } from "./support";
import { demoReply } from "../lib/llm/demo-replies";

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];

async function expectNoViolations(page: Page, where: string) {
  // A page's title must be there. (Metadata is blocking for every client,
  // next.config.mjs; a client-side navigation still applies it a moment
  // after the URL changes, and on a busy machine axe could run in between.)
  await expect(page, `${where}: the page's title`).toHaveTitle(/\S/);
  const { violations } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const found = violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `  ${n.target.join(" ")} ${n.failureSummary ?? ""}`).join("\n")}`);
  expect(found, `${where}: axe violations`).toEqual([]);
}

/**
 * A word whose question the demo model answers with its code sample (the
 * reply is picked from the question): highlighted TypeScript with a comment
 * and parameters, whose theme colours axe must then find readable.
 */
function wordWithCode(): string {
  for (;;) {
    const word = uniqueWord("axe");
    if (demoReply(`Tell me about ${word}`).includes("```typescript")) return word;
  }
}

for (const scheme of ["light", "dark"] as const) {
  test.describe(`${scheme} theme`, () => {
    test.use({ colorScheme: scheme });

    test(`axe finds nothing on the main pages (${scheme})`, async ({ page }) => {
      const word = wordWithCode();
      await page.goto("/?new=1");
      await expect(page.getByTestId("composer-input")).toBeVisible();
      await expectNoViolations(page, "new chat");

      await send(page, `Tell me about ${word}`);
      await complete(lastAssistant(page));
      await expect(page.getByTestId("message-actions").last()).toBeVisible();
      // Highlighted (the worker has answered): the comment's colour is there to be checked.
      await expect(lastAssistant(page).locator('[data-streamdown="code-block-body"] span[style*="6a737d" i]').first()).toBeVisible();
      await expectNoViolations(page, "a conversation with a finished reply");

      await page.getByTestId("search-input").fill(word);
      await expect(page.getByTestId("search-results")).toHaveAttribute("data-status", "done");
      await expectNoViolations(page, "search open");
      await page.getByTestId("search-input").press("Escape");

      await page.goto("/settings");
      await expect(page.getByRole("heading").first()).toBeVisible();
      await expectNoViolations(page, "settings");

      for (const path of ["/signin", "/signup"]) {
        await page.goto(path);
        await expect(page.getByTestId("account-form")).toBeVisible();
        await expectNoViolations(page, path);
      }
    });
  });
}

test("a polite live region says when Claude starts replying and when the reply ends", async ({ page }) => {
  await page.goto("/?new=1");
  const announcer = page.getByTestId("reply-announcer");
  await expect(announcer).toHaveAttribute("aria-live", "polite");
  await expect(announcer).toHaveText("");
  // Record every text the region ever holds: two announcements, no tokens.
  await page.evaluate(() => {
    const w = window as unknown as { __said: string[] };
    w.__said = [];
    new MutationObserver(() => {
      const text = document.querySelector("[data-testid=reply-announcer]")?.textContent ?? "";
      if (text && w.__said.at(-1) !== text) w.__said.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await send(page, "Explain durable streaming");
  await complete(lastAssistant(page));
  await expect(page.getByTestId("reply-announcer")).toHaveText("Reply finished");
  expect(await page.evaluate(() => (window as unknown as { __said: string[] }).__said)).toEqual(["Claude is replying", "Reply finished"]);
});

test("the reply announcer says when a reply was stopped, also when the chat's own page arrives after the stop", async ({ page }) => {
  // On a busy machine the move from /?new=1 to /c/:id can land after the
  // reply ended: hold it until then, so the new page's region starts late.
  let letThrough!: () => void;
  const held = new Promise<void>((resolve) => (letThrough = resolve));
  await page.route(/\/c\/[^/?]+(\?.*)?$/, async (route) => {
    await held;
    await route.continue();
  });
  await page.goto("/?new=1");
  await send(page, "Write a long essay about rivers");
  await expect(page.getByTestId("reply-announcer")).toHaveText("Claude is replying");
  await page.getByTestId("stop-button").click();
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "interrupted", { timeout: 30_000 });
  await expect(page.getByTestId("reply-announcer")).toHaveText("Reply stopped");
  letThrough();
  await expect(page).toHaveURL(/\/c\/[^/?]+$/);
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "interrupted");
  await expect(page.getByTestId("reply-announcer")).toHaveText("Reply stopped");
});
