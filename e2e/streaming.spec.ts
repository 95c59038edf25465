// Issue 3: replies that survive Stop, reload, a second tab, a dropped
// connection, a killed server and a send whose answer was lost, with the
// exact text in the end.
import { expect, test } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assistantMessages, complete, freePort, lastAssistant, savedMessage, send, shownText, startApp, testWithSlowApp, userMessages, waitForPartial } from "./support";

test("a reply visibly grows while it streams, with a cursor, though its stream is gzipped", async ({ page }) => {
  await page.goto("/?new=1");
  const posted = page.waitForResponse((r) => r.request().method() === "POST" && /\/api\/conversations\/[^/]+\/messages$/.test(r.url()));
  await send(page, "Describe how glaciers move");
  // The browser asked for gzip and got it: each frame was decodable as it came (lib/http/sse-gzip.ts).
  expect((await (await posted).allHeaders())["content-encoding"]).toBe("gzip");
  const reply = lastAssistant(page);
  await expect(reply).toHaveAttribute("data-status", "streaming");
  await expect(reply.getByTestId("reply-cursor")).toBeVisible();
  const lengths = new Set<number>();
  while (lengths.size < 4) {
    lengths.add((await shownText(reply)).length);
    if ((await reply.getAttribute("data-status")) !== "streaming") break;
    await page.waitForTimeout(100);
  }
  expect(lengths.size).toBeGreaterThanOrEqual(4);
  await page.screenshot({ path: "test-results/streaming.png" });
  await expect(reply).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
  await expect(reply.getByTestId("reply-cursor")).toHaveCount(0);
});

test("with SSE_GZIP=off the browser's stream comes uncompressed, and the reply is as exact", async ({ page }) => {
  const app = await startApp(await freePort(), {
    DATA_DIR: mkdtempSync(join(tmpdir(), "tether-nogzip-")),
    LLM_PROVIDER: "demo",
    DEMO_TOKEN_DELAY_MS: "5",
    SSE_GZIP: "off",
  });
  try {
    await page.goto(`${app.url}/?new=1`);
    const posted = page.waitForResponse((r) => r.request().method() === "POST" && /\/api\/conversations\/[^/]+\/messages$/.test(r.url()));
    await send(page, "Describe how glaciers move");
    const response = await posted;
    expect(await response.request().headerValue("accept-encoding")).toMatch(/gzip/);
    expect((await response.allHeaders())["content-encoding"]).toBeUndefined();
    const reply = lastAssistant(page);
    await complete(reply);
    const id = (await reply.getAttribute("data-message-id"))!;
    expect(await shownText(reply)).toBe((await (await page.request.get(`${app.url}/api/messages/${id}`)).json()).content);
  } finally {
    await app.kill("SIGKILL");
  }
});

test("Stop keeps the partial reply, across a reload, and Continue completes it", async ({ page }) => {
  await page.goto("/?new=1");
  await send(page, "Write a long essay about lighthouses");
  const reply = lastAssistant(page);
  await waitForPartial(reply, 60);
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  await page.getByTestId("stop-button").click();
  await expect(reply).toHaveAttribute("data-status", "interrupted");
  await expect(reply.getByTestId("status-badge")).toHaveText("Stopped");
  const partial = await shownText(reply);
  const id = (await reply.getAttribute("data-message-id"))!;
  expect((await savedMessage(page.request, id)).content).toBe(partial);

  await page.reload();
  const again = lastAssistant(page);
  await expect(again).toHaveAttribute("data-status", "interrupted");
  expect(await shownText(again)).toBe(partial);
  await page.screenshot({ path: "test-results/stopped.png" });

  await again.getByTestId("continue-button").click();
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
  const final = await shownText(lastAssistant(page));
  expect(final.startsWith(partial.trimEnd())).toBe(true);
  expect(final.length).toBeGreaterThan(partial.length);
  expect((await savedMessage(page.request, id)).content).toBe(final);
  await page.reload();
  expect(await shownText(lastAssistant(page))).toBe(final);
});

test("a reload mid-stream shows the partial text before any script, then completes exactly", async ({ page, browser, context }) => {
  await page.goto("/?new=1");
  await send(page, "Explain the water cycle in detail");
  const reply = lastAssistant(page);
  await waitForPartial(reply, 40);
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  const url = page.url();
  const id = (await reply.getAttribute("data-message-id"))!;
  // Checkpoints land every 500 ms: wait until one holds text.
  let savedLength = 0;
  await expect.poll(async () => (savedLength = (await savedMessage(page.request, id)).content.length)).toBeGreaterThan(0);

  // The server-rendered page alone (no JavaScript) already has the partial.
  const noJs = await browser.newContext({ javaScriptEnabled: false, storageState: await context.storageState() });
  const bare = await noJs.newPage();
  await bare.goto(url);
  const ssr = await shownText(lastAssistant(bare));
  expect(ssr.length).toBeGreaterThanOrEqual(savedLength);
  await noJs.close();

  await page.reload();
  const resumed = lastAssistant(page);
  await expect(resumed).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
  const final = await shownText(resumed);
  expect(final.startsWith(ssr)).toBe(true);
  expect((await savedMessage(page.request, id)).content).toBe(final);
});

// A server of its own whose demo model writes slower than the suite's: the
// second tab must open while the reply still streams, however busy the machine
// (at the suite's pace, a page load under load outlasted a whole reply).
const slowTest = testWithSlowApp("second-tab", 40);

slowTest("a second tab follows the same reply live", async ({ page, context }) => {
  slowTest.setTimeout(120_000);
  await page.goto("/?new=1");
  await send(page, "List facts about octopuses");
  const reply = lastAssistant(page);
  await waitForPartial(reply, 20);
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  const second = await context.newPage();
  await second.goto(page.url());
  const mirror = lastAssistant(second);
  await expect(mirror).toHaveAttribute("data-status", "streaming");
  await expect(second.getByTestId("stop-button")).toBeVisible();
  await expect(reply).toHaveAttribute("data-status", "complete", { timeout: 90_000 });
  await expect(mirror).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
  const id = (await reply.getAttribute("data-message-id"))!;
  const saved = (await savedMessage(page.request, id)).content;
  expect(await shownText(reply)).toBe(saved);
  expect(await shownText(mirror)).toBe(saved);
});

test("a dropped connection mid-reply reconnects by itself and ends with the exact text", async ({ page, context }) => {
  await page.goto("/?new=1");
  await send(page, "Teach me about volcanoes");
  const reply = lastAssistant(page);
  await waitForPartial(reply, 30);
  await context.setOffline(true);
  await expect(reply.getByTestId("reconnecting")).toBeVisible();
  const whileOffline = (await shownText(reply)).length;
  await page.waitForTimeout(1000); // stay offline for a while: the reply goes on on the server
  await context.setOffline(false);
  await expect(reply).toHaveAttribute("data-status", "complete", { timeout: 40_000 });
  await expect(reply.getByTestId("reconnecting")).toHaveCount(0);
  const id = (await reply.getAttribute("data-message-id"))!;
  const final = await shownText(reply);
  expect(final.length).toBeGreaterThan(whileOffline);
  expect(final).toBe((await savedMessage(page.request, id)).content);
});

test("auto-resume off, the server killed mid-reply: the partial survives, turns interrupted, and Continue completes it", async ({ page }) => {
  const dataDir = mkdtempSync(join(tmpdir(), "tether-kill-"));
  const env = { DATA_DIR: dataDir, LLM_PROVIDER: "demo", DEMO_TOKEN_DELAY_MS: "25", CHECKPOINT_INTERVAL_MS: "200", AUTO_RESUME_ATTEMPTS: "0" };
  const port = await freePort();
  let app = await startApp(port, env);
  try {
    await page.goto(`${app.url}/?new=1`);
    await send(page, "Tell me a long story about a clockmaker");
    const reply = lastAssistant(page);
    await waitForPartial(reply, 120);
    await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
    const url = page.url();
    const id = (await reply.getAttribute("data-message-id"))!;
    await app.kill("SIGKILL");
    app = await startApp(port, env); // takes over the stale lock, sweeps the orphan
    await page.goto(url);
    const after = lastAssistant(page);
    await expect(after).toHaveAttribute("data-status", "interrupted", { timeout: 20_000 });
    await expect(after.getByTestId("status-badge")).toHaveText("Interrupted"); // not "Stopped": nobody pressed Stop
    const partial = await shownText(after);
    expect(partial.length).toBeGreaterThan(0);
    const saved = await (await page.request.get(`${app.url}/api/messages/${id}`)).json();
    expect(saved.content).toBe(partial);
    await after.getByTestId("continue-button").click();
    await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 40_000 });
    const final = await shownText(lastAssistant(page));
    expect(final.startsWith(partial.trimEnd())).toBe(true);
    expect((await (await page.request.get(`${app.url}/api/messages/${id}`)).json()).content).toBe(final);
  } finally {
    await app.kill("SIGKILL");
  }
});

test("a send whose answer is lost on the way back is sent again by itself and attaches to its reply: one message, one reply", async ({ page }) => {
  await page.goto("/?new=1");
  const keys: string[] = [];
  await page.route("**/api/conversations/*/messages", async (route) => {
    if (route.request().method() !== "POST") return route.continue();
    keys.push((await route.request().headerValue("idempotency-key")) ?? "");
    if (keys.length > 1) return route.continue();
    // The server gets the first send and starts its reply; the browser never hears back.
    await route.fetch();
    await route.abort("connectionreset");
  });
  await send(page, "Tell me about tides");
  const reply = lastAssistant(page);
  await complete(reply);
  expect(keys).toHaveLength(2);
  expect(keys[1]).toBe(keys[0]);
  await expect(userMessages(page)).toHaveCount(1);
  await expect(assistantMessages(page)).toHaveCount(1);
  const id = (await reply.getAttribute("data-message-id"))!;
  expect(await shownText(reply)).toBe((await savedMessage(page.request, id)).content);
  // The server too has one exchange (reloaded at the chat's address, which a busy machine can delay).
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  await page.reload();
  await expect(userMessages(page)).toHaveCount(1);
  await expect(assistantMessages(page)).toHaveCount(1);
});
