// A reply that fails midway reads in order: what happened (the "Failed"
// badge and the reason), then what one can do, each a labelled button:
// Retry (a new version) and Continue (from where it stopped). Against the
// fake Anthropic API, which breaks the stream on cue. Screenshots light,
// dark and narrow under $SHOTS_DIR/polish (default test-results/).
import { expect, test } from "@playwright/test";
import { useFakeAnthropicApp } from "./fake-anthropic-app";
import { complete, lastAssistant, pagerLabel } from "./support";

const rich = useFakeAnthropicApp();
const SHOTS = `${process.env.SHOTS_DIR ?? "test-results"}/polish`;

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

test("a reply that fails in a chat not open here: a warning badge on its row until it is opened; a hidden tab counts it in its title and, once allowed in Settings, notifies", async ({
  page,
  context,
}) => {
  const url = rich.app.url;
  await context.grantPermissions(["notifications"], { origin: url });
  // What the browser would show, recorded (the real Notification still runs), and a visibility the test can set.
  await page.addInitScript(() => {
    const w = window as unknown as { shown: { title: string; body?: string; tag?: string }[]; hide(hidden: boolean): void };
    w.shown = [];
    const Real = window.Notification;
    window.Notification = class extends Real {
      constructor(title: string, o?: NotificationOptions) {
        super(title, o);
        w.shown.push({ title, body: o?.body, tag: o?.tag });
      }
    } as typeof Notification;
    let hidden = false;
    Object.defineProperty(document, "visibilityState", { get: () => (hidden ? "hidden" : "visible") });
    Object.defineProperty(document, "hidden", { get: () => hidden });
    w.hide = (h) => {
      hidden = h;
      document.dispatchEvent(new Event("visibilitychange"));
    };
  });
  await page.goto(`${url}/settings`);
  await page.getByTestId("notify-toggle").check();
  await expect(page.getByTestId("notify-toggle")).toBeChecked();

  const open = await rich.ask(page, "Tell me about harbours", { text: "Harbours shelter ships." });
  await complete(open);
  const elsewhere = await page.request.post(`${url}/api/conversations`, { data: { title: "Lighthouse keepers" } });
  const other = ((await elsewhere.json()) as { id: string }).id;
  const row = page.locator(`[data-testid="conversation-item"][data-conversation-id="${other}"]`);
  await expect(row).toBeVisible();
  const title = await page.title();

  await page.evaluate(() => (window as unknown as { hide(h: boolean): void }).hide(true));
  rich.fake.enqueue({ text: "Keepers lived", end: "error", errorType: "api_error", failAfter: 6, chunk: 3 });
  const res = await page.request.post(`${url}/api/conversations/${other}/messages`, { data: { content: "Who kept them?", stream: false } });
  expect(((await res.json()) as { assistantMessage: { status: string } }).assistantMessage.status).toBe("failed");

  await expect(row.getByTestId("badge-trouble")).toHaveAttribute("data-trouble", "failed");
  await expect(row.getByTestId("badge-trouble")).toContainText("Reply failed");
  await expect(page).toHaveTitle(`(1) ${title}`);
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { shown: unknown[] }).shown))
    .toEqual([{ title: "A reply failed", body: "Lighthouse keepers", tag: expect.stringMatching(/^reply-/) }]);
  await page.screenshot({ path: `${SHOTS}/trouble-badge-light.png` });

  await page.evaluate(() => (window as unknown as { hide(h: boolean): void }).hide(false));
  await expect(page).toHaveTitle(title);
  await row.getByRole("link").click();
  await expect(page).toHaveURL(new RegExp(`/c/${other}$`));
  await expect(row.getByTestId("badge-trouble")).toHaveCount(0);
  await page.reload();
  await expect(row).toBeVisible();
  await expect(row.getByTestId("badge-trouble")).toHaveCount(0);
});
