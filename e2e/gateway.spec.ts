// The gateway in the web app (issue 18, docs/GATEWAY.md): a request sent with
// an API key shows up in the key owner's sidebar while it runs, marked as the
// API's with the key's name, and opens like any other conversation.
import { expect, type Browser, type BrowserContextOptions, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { complete, lastAssistant, SCREENSHOT_LOOKS, testWithSlowApp, uniqueWord, userMessages } from "./support";

// Slow enough that the reply still streams when the sidebar shows it, however busy the machine.
const test = testWithSlowApp("gateway", 30);
test.describe.configure({ timeout: 120_000 });

/** A signed-up owner with the app open, and a key of theirs. */
async function ownerWithKey(browser: Browser, baseURL: string | undefined, options: BrowserContextOptions = {}) {
  const context = await browser.newContext({ ...options, baseURL });
  const page = await context.newPage();
  const signUp = await page.request.post("/api/auth/sign-up", { data: { email: `${uniqueWord("gw")}@example.com`, password: "correct horse battery" } });
  expect(signUp.status()).toBe(201);
  const created = await page.request.post("/api/keys", { data: { name: "build bot" } });
  expect(created.status()).toBe(201);
  const { secret } = await created.json();
  await page.goto("/?new=1");
  return { context, page, secret: secret as string };
}

/** Posts to the gateway as a program would (no cookie): answers once the reply has ended. */
function askGateway(page: Page, secret: string, text: string) {
  return page.request.fetch("/v1/messages", {
    method: "POST",
    headers: { "x-api-key": secret, "content-type": "application/json", cookie: "" },
    data: { model: "tether-demo-1", max_tokens: 1024, stream: true, messages: [{ role: "user", content: text }] },
  });
}

test("a request with an API key appears in the owner's sidebar live, marked with the key, and opens as a conversation", async ({ browser, baseURL }) => {
  const { context, page, secret } = await ownerWithKey(browser, baseURL);
  const question = `Write a short essay about ${uniqueWord("lighthouses")}`;
  const answered = askGateway(page, secret, question);
  const row = page.locator('[data-testid="conversation-item"]', { hasText: question.slice(0, 30) });
  await expect(row).toBeVisible();
  await expect(row.getByTestId("api-key-badge")).toHaveAttribute("title", "Started with the API key “build bot”");
  await expect(row.getByTestId("badge-generating")).toBeVisible(); // live, while the API's reply streams
  const res = await answered;
  expect(res.status()).toBe(200);
  const body = await res.text();
  expect(body).toContain("event: message_stop");
  await row.locator("a").click();
  await expect(page.getByTestId("api-key-note")).toContainText("“build bot”");
  await expect(userMessages(page)).toHaveCount(1);
  await expect(userMessages(page)).toContainText(question);
  await complete(lastAssistant(page));
  await context.close();
});

for (const [look, options] of SCREENSHOT_LOOKS) {
  test(`screenshot: an API conversation in the sidebar and open (${look})`, async ({ browser, baseURL }) => {
    const { context, page, secret } = await ownerWithKey(browser, baseURL, options);
    const question = "Summarize the release notes for version 2.4";
    expect((await askGateway(page, secret, question)).status()).toBe(200);
    if (look === "narrow") await page.getByTestId("sidebar-toggle").click();
    const row = page.locator('[data-testid="conversation-item"]', { hasText: "Summarize the release notes" });
    await row.locator("a").click();
    await complete(lastAssistant(page)); // on a phone, opening it closed the sidebar
    await page.getByTestId("message-list").evaluate((el) => el.scrollTo(0, 0)); // the note above the messages
    await expect(page.getByTestId("api-key-note")).toBeInViewport();
    const shots = `${process.env.SHOTS_DIR ?? "test-results"}/gateway`;
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: `${shots}/api-conversation-${look}.png` });
    await context.close();
  });
}
