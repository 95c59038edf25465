// A reply that fails midway reads in order: what happened (the "Failed"
// badge and the reason), then what one can do, each a labelled button:
// Retry (a new version) and Continue (from where it stopped). Against the
// fake Anthropic API, which breaks the stream on cue. Screenshots light,
// dark and narrow under /work/shots/polish (or test-results/).
import { expect, test } from "@playwright/test";
import { existsSync } from "node:fs";
import { useFakeAnthropicApp } from "./fake-anthropic-app";
import { complete, lastAssistant, pagerLabel } from "./support";

const rich = useFakeAnthropicApp();
const SHOTS = existsSync("/work/shots/polish") ? "/work/shots/polish" : "test-results";

test("a failed reply shows its badge and reason first, then Retry and Continue; Retry makes a new version", async ({ page }) => {
  const reply = await rich.ask(page, "Tell me about tides", {
    text: "Tides rise and fall twice a day because",
    end: "error",
    errorType: "api_error",
    failAfter: 24,
    chunk: 4,
  });
  await expect(reply).toHaveAttribute("data-status", "failed", { timeout: 20_000 });
  const badge = reply.getByTestId("status-badge");
  await expect(badge).toHaveText("Failed");
  const retry = reply.getByRole("button", { name: "Retry", exact: true });
  const next = reply.getByRole("button", { name: "Continue", exact: true });
  await expect(retry).toBeVisible();
  await expect(next).toBeVisible();
  // Reading order: badge, reason, Retry, Continue.
  const order = await reply.evaluate((root) =>
    ["status-badge", "message-error", "retry-button", "continue-button"].map((id) =>
      Array.from(root.querySelectorAll("[data-testid]")).findIndex((el) => el.getAttribute("data-testid") === id),
    ),
  );
  expect(order.every((at) => at >= 0)).toBe(true);
  expect([...order].sort((a, b) => a - b)).toEqual(order);
  // Every button of the reply has a name a screen reader can say.
  const unnamed = await reply.locator("button").evaluateAll((buttons) => buttons.filter((b) => !(b.getAttribute("aria-label") || b.textContent?.trim())).length);
  expect(unnamed).toBe(0);

  for (const [mode, size] of [
    ["light", { width: 1280, height: 860 }],
    ["dark", { width: 1280, height: 860 }],
    ["narrow", { width: 390, height: 844 }],
  ] as const) {
    await page.emulateMedia({ colorScheme: mode === "dark" ? "dark" : "light" });
    await page.setViewportSize(size);
    await page.screenshot({ path: `${SHOTS}/failed-reply-${mode}.png` });
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 1280, height: 860 });

  rich.fake.enqueue({ text: "Tides come from the Moon's pull." });
  await retry.click();
  const again = lastAssistant(page);
  await complete(again);
  await expect(again.getByTestId("message-content")).toHaveAttribute("data-text", "Tides come from the Moon's pull.");
  await expect(pagerLabel(again)).toHaveText("2/2");
  await expect(again.getByRole("button", { name: "Retry", exact: true })).toHaveCount(0);
  // With the key, the reply names its model by the Models API's display name.
  await expect(again.getByTestId("reply-model")).toHaveText("Claude Sonnet 5.5");
});
