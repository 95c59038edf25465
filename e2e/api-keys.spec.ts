// Settings → API keys, end to end in Chromium: an account creates a key and
// sees its secret once (with the SDK line that uses it), finds it after a
// reload by name and prefix only, and revokes it behind a confirmation; a
// guest is asked to sign up instead. Screenshots light, dark and narrow of
// the card with a new key, the revoke dialog and the revoked key go to
// $SHOTS_DIR (default test-results/api-keys/), to be looked at.
import { expect, test, type Page } from "@playwright/test";
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { SCREENSHOT_LOOKS } from "./support";

const SHOTS = `${process.env.SHOTS_DIR ?? "test-results"}/api-keys`;
const SECRET = /^sk-tether-[A-Za-z0-9_-]{43}$/;

async function signUp(page: Page) {
  await page.goto("/");
  const res = await page.request.post("/api/auth/sign-up", { data: { email: `keys-${randomUUID().slice(0, 8)}@example.com`, password: "tide-pool-secret" } });
  expect(res.status()).toBe(201);
}

for (const [look, options] of SCREENSHOT_LOOKS) {
  test(`an account creates a key, sees it once, finds it by prefix after a reload, and revokes it (${look})`, async ({ browser, baseURL }) => {
    mkdirSync(SHOTS, { recursive: true });
    const context = await browser.newContext({ ...options, baseURL, permissions: ["clipboard-read", "clipboard-write"] });
    const page = await context.newPage();
    await signUp(page);
    await page.goto("/settings");
    const card = page.getByTestId("api-key-settings");
    await expect(card).toBeVisible();
    await expect(card).toContainText("No keys yet.");

    await card.getByTestId("api-key-name").fill("Build server");
    await card.getByTestId("api-key-create").click();
    const fresh = card.getByTestId("api-key-new");
    await expect(fresh).toContainText("Copy this key now. You won't be able to see it again.");
    const secret = await fresh.getByTestId("api-key-secret").inputValue();
    expect(secret).toMatch(SECRET);
    const origin = new URL(baseURL!).origin;
    expect(await fresh.getByTestId("api-key-snippet").textContent()).toBe(`new Anthropic({\n  baseURL: "${origin}",\n  apiKey: "${secret}",\n})`);
    await fresh.getByTestId("api-key-copy").click();
    await expect(fresh.getByTestId("api-key-copy")).toHaveText("Copied");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await expect(card.getByTestId("api-key-name")).toHaveValue("");
    const item = card.getByTestId("api-key-item");
    await expect(item).toHaveCount(1);
    await expect(item.getByTestId("api-key-prefix")).toHaveText(`${secret.slice(0, 14)}…`);
    await expect(item).toContainText("Last used never");
    await card.scrollIntoViewIfNeeded();
    await card.screenshot({ path: `${SHOTS}/new-key-${look}.png` });

    // After a reload the secret is nowhere on the page: only the name and the prefix.
    await page.reload();
    await expect(item).toHaveCount(1);
    await expect(item).toContainText("Build server");
    await expect(item.getByTestId("api-key-prefix")).toHaveText(`${secret.slice(0, 14)}…`);
    await expect(card.getByTestId("api-key-new")).toHaveCount(0);
    expect(await page.content()).not.toContain(secret.slice(14));

    await item.getByTestId("api-key-revoke").click();
    const dialog = page.getByTestId("api-key-revoke-dialog");
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText("Revoke “Build server”?");
    await expect(dialog).toContainText(`${secret.slice(0, 14)}…`);
    await page.screenshot({ path: `${SHOTS}/revoke-dialog-${look}.png` });
    await dialog.getByTestId("api-key-revoke-dialog-confirm").click();
    await expect(dialog).toBeHidden();
    await expect(item).toHaveAttribute("data-revoked", "true");
    await expect(item).toContainText("Revoked");
    await expect(item.getByTestId("api-key-revoke")).toHaveCount(0);

    await page.reload();
    await expect(item).toHaveAttribute("data-revoked", "true");
    await expect(item.getByTestId("api-key-revoke")).toHaveCount(0);
    const { keys } = await (await page.request.get("/api/keys")).json();
    expect(keys).toEqual([expect.objectContaining({ name: "Build server", prefix: secret.slice(0, 14), revokedAt: expect.any(String) })]);
    await card.scrollIntoViewIfNeeded();
    await card.screenshot({ path: `${SHOTS}/revoked-key-${look}.png` });
    await context.close();
  });
}

test("a guest is asked to sign up, and cannot create a key", async ({ browser }) => {
  mkdirSync(SHOTS, { recursive: true });
  const context = await browser.newContext(SCREENSHOT_LOOKS[0][1]);
  const page = await context.newPage();
  await page.goto("/settings");
  const card = page.getByTestId("api-key-settings");
  await expect(card.getByTestId("api-keys-guest")).toHaveText("Sign up to create API keys.");
  await expect(card.getByTestId("api-key-name")).toHaveCount(0);
  const res = await page.request.post("/api/keys", { data: { name: "mine" } });
  expect(res.status()).toBe(403);
  await card.screenshot({ path: `${SHOTS}/guest-light.png` });
  await context.close();
});
