// Scaled mode: two app instances sharing PostgreSQL and Redis. A reply
// started on A is followed, stopped and continued from B; a shared link's
// viewer on B watches it and is shut out by a revocation on A; a message
// queued on B goes when A's reply ends; A killed mid-reply
// leaves a partial that B's sweep resumes by itself (docs/PROTOCOL.md §5.5).
import { expect, test } from "@playwright/test";
import pg from "pg";
import { lastAssistant, send, shownText, startApp, userMessages, waitForPartial, type AppServer } from "./support";

const PG_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const schema = `e2e_scaled_${Date.now()}`;
const env = {
  DATABASE_URL: `${PG_URL}?schema=${schema}`,
  REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
  SESSION_SECRET: "e2e-scaled-secret-shared-by-both-instances",
  LLM_PROVIDER: "demo",
  // Slow enough that a reply still streams when the second instance's page
  // has caught up and Stop is pressed, however busy the machine (~20 s a reply).
  DEMO_TOKEN_DELAY_MS: "60",
  CHECKPOINT_INTERVAL_MS: "200",
  STALE_REPLY_MS: "3000",
  SWEEP_INTERVAL_MS: "1000",
  HEARTBEAT_MS: "500",
  DATA_DIR: "/tmp/tether-e2e-scaled-unused",
};
let a: AppServer;
let b: AppServer;

test.describe.configure({ mode: "serial", timeout: 150_000 });

test.beforeAll(async () => {
  a = await startApp(3201, env); // first: it creates the schema and migrates
  b = await startApp(3202, env);
});

test.afterAll(async () => {
  await a?.kill("SIGKILL");
  await b?.kill("SIGKILL");
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`drop schema if exists "${schema}" cascade`);
  await admin.end();
});

const saved = async (base: string, request: import("@playwright/test").APIRequestContext, id: string) =>
  (await (await request.get(`${base}/api/messages/${id}`)).json()) as { content: string; status: string };

test("a reply started on A is followed, stopped and continued from B with the exact text", async ({ page, context }) => {
  await page.goto(`${a.url}/?new=1`);
  await send(page, "Tell me about two servers sharing a stream");
  const onA = lastAssistant(page);
  await waitForPartial(onA, 30);
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  const path = new URL(page.url()).pathname;
  const id = (await onA.getAttribute("data-message-id"))!;

  const other = await context.newPage(); // cookies are per host, not port: same user
  await other.goto(`${b.url}${path}`);
  const onB = lastAssistant(other);
  await expect(onB).toHaveAttribute("data-status", "streaming");
  const before = (await shownText(onB)).length;
  await expect.poll(async () => (await shownText(onB)).length).toBeGreaterThan(before); // live through Redis

  await other.getByTestId("stop-button").click();
  await expect(onB).toHaveAttribute("data-status", "interrupted");
  await expect(onA).toHaveAttribute("data-status", "interrupted");
  const partial = await shownText(onB);
  expect((await saved(b.url, other.request, id)).content).toBe(partial);
  expect(await shownText(onA)).toBe(partial);

  await onB.getByTestId("continue-button").click();
  await expect(lastAssistant(other)).toHaveAttribute("data-status", "complete", { timeout: 90_000 });
  const final = await shownText(lastAssistant(other));
  expect(final.startsWith(partial.trimEnd())).toBe(true);
  expect((await saved(a.url, page.request, id)).content).toBe(final);
});

test("a shared link opened on B shows a reply generating on A live, and revoking it on A shuts B's viewer out at once", async ({ page, browser }) => {
  await page.goto(`${a.url}/?new=1`);
  await send(page, "Tell me about links that can be taken back");
  const onA = lastAssistant(page);
  await waitForPartial(onA, 30);
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  const conversationId = new URL(page.url()).pathname.slice(3);
  const shared = await page.request.post(`${a.url}/api/conversations/${conversationId}/share`);
  expect(shared.status()).toBe(201);
  const { share } = (await shared.json()) as { share: { token: string } };

  const stranger = await browser.newContext(); // no session at all
  const view = await stranger.newPage();
  await view.goto(`${b.url}/s/${share.token}`);
  const mirror = lastAssistant(view);
  await expect(mirror).toHaveAttribute("data-status", "streaming");
  const before = (await shownText(mirror)).length;
  await expect.poll(async () => (await shownText(mirror)).length).toBeGreaterThan(before); // live through Redis

  const revoked = await page.request.delete(`${a.url}/api/conversations/${conversationId}/share`);
  expect(revoked.status()).toBe(204);
  await expect(view.getByTestId("not-found")).toContainText("no longer shared"); // heard on B through Redis
  expect((await view.request.get(`${b.url}/api/share/${share.token}`)).status()).toBe(404);
  await expect(onA).toHaveAttribute("data-status", "streaming"); // the owner's reply goes on
  await page.getByTestId("stop-button").click();
  await expect(onA).toHaveAttribute("data-status", "interrupted");
  await stranger.close();
});

test("a message queued on B while A writes the reply goes by itself when A's reply ends, once", async ({ page, context }) => {
  await page.goto(`${a.url}/?new=1`);
  await send(page, "Tell me about queues shared by two servers");
  const onA = lastAssistant(page);
  await waitForPartial(onA, 30);
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  const path = new URL(page.url()).pathname;

  const other = await context.newPage();
  await other.goto(`${b.url}${path}`);
  await expect(lastAssistant(other)).toHaveAttribute("data-status", "streaming");
  const input = other.getByTestId("composer-input");
  await input.fill("And what happens after?");
  await input.press("Enter");
  await expect(other.getByTestId("queued-text")).toHaveText("And what happens after?");
  await expect(page.getByTestId("queued-text")).toHaveText("And what happens after?"); // A's page hears it through Redis

  await expect(userMessages(page)).toHaveCount(2, { timeout: 120_000 });
  await expect(userMessages(other)).toHaveCount(2);
  await expect(page.getByTestId("queue")).toHaveCount(0);
  await expect(other.getByTestId("queue")).toHaveCount(0);
  await page.getByTestId("stop-button").click(); // the queued message's reply, on whichever instance runs it
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "interrupted");
  await expect(userMessages(other)).toHaveCount(2); // started once
});

test("A killed mid-reply: B's sweep resumes it by itself from the saved partial, and a page on B watches it complete", async ({ page }) => {
  await page.goto(`${a.url}/?new=1`);
  await send(page, "A story that will be cut off by a crash");
  const reply = lastAssistant(page);
  await waitForPartial(reply, 80);
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  const path = new URL(page.url()).pathname;
  const id = (await reply.getAttribute("data-message-id"))!;
  await a.kill("SIGKILL");
  // What A saved before it died (B resumes it only once it is STALE_REPLY_MS quiet).
  const cut = await saved(b.url, page.request, id);
  expect(["streaming", "resuming"]).toContain(cut.status);
  expect(cut.content.length).toBeGreaterThan(0);

  await page.goto(`${b.url}${path}`);
  const onB = lastAssistant(page);
  await expect(onB).toHaveAttribute("data-status", "complete", { timeout: 90_000 });
  const final = await shownText(onB);
  expect(final.startsWith(cut.content.trimEnd())).toBe(true);
  expect(final.length).toBeGreaterThan(cut.content.length);
  expect((await saved(b.url, page.request, id)).content).toBe(final);
  await expect(onB.getByTestId("continue-button")).toHaveCount(0);
});
