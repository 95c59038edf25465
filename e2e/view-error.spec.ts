// A server view cut off mid-answer (the server died while sending it: a crash
// or a deploy right after a reconnect) is a render error in Next.js, thrown
// above every page. The tab says so and loads the view again by itself once
// the server answers, without a page load; it never stays on the framework's
// dead end. components/ServerViewError.tsx.
import { expect, test } from "@playwright/test";
import { complete, lastAssistant, send } from "./support";

test("a server view cut off after its first row is loaded again by itself, in the same page", async ({ page, context }) => {
  await page.goto("/?new=1");
  await send(page, "Tell me about lighthouses");
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  await complete(lastAssistant(page));
  const text = await lastAssistant(page).getAttribute("data-text");
  // Told the moment the notice is in the page, so no later refresh is cut.
  let shown = false;
  await page.exposeFunction("tetherViewErrorShown", () => void (shown = true));
  await page.evaluate(() => {
    Object.assign(window, { tetherStillHere: true });
    let told = false;
    new MutationObserver(() => {
      if (told || !document.querySelector("[data-testid=view-error]")) return;
      told = true;
      (window as unknown as { tetherViewErrorShown: () => void }).tetherViewErrorShown();
    }).observe(document, { subtree: true, childList: true });
  });

  // Once the connection is back, a refresh of the view arrives with its root
  // row only: the layout's and the page's rows never come. Every one until the
  // notice shows: a busy machine can run the page's own refresh (the one that
  // picks up a new chat's title) next to the banner's, and the later answer wins.
  let armed = false;
  let cut = 0;
  await page.route(/\/c\/[^?]+\?_rsc=/, async (route) => {
    const headers = route.request().headers();
    if (headers["next-router-prefetch"] || headers["next-router-segment-prefetch"] || !armed || shown) return route.continue();
    cut += 1;
    const whole = await route.fetch();
    const rows = (await whole.text()).split("\n");
    const root = rows.findIndex((r) => r.startsWith("0:"));
    expect(root).toBeGreaterThanOrEqual(0);
    expect(rows.length).toBeGreaterThan(root + 2); // there was more to cut
    // The cut body as a whole answer (no stale length or encoding that would make it a network error).
    const kept = Object.fromEntries(Object.entries(whole.headers()).filter(([k]) => k !== "content-length" && k !== "content-encoding"));
    await route.fulfill({ status: 200, headers: kept, body: rows.slice(0, root + 1).join("\n") + "\n" });
  });
  // Offline, then back: the page refreshes its view when the server answers (ConnectionBanner).
  await context.setOffline(true);
  await expect(page.getByTestId("connection-banner")).toBeVisible();
  armed = true;
  await context.setOffline(false);
  // The cut shows as this app's notice (not the framework's dead end), which then goes by itself.
  await expect.poll(() => shown).toBe(true);
  expect(cut).toBeGreaterThanOrEqual(1);
  await expect(page.getByTestId("view-error")).toHaveCount(0);

  await complete(lastAssistant(page));
  expect(await lastAssistant(page).getAttribute("data-text")).toBe(text);
  await expect(page.getByRole("complementary", { name: "Conversations" })).toBeVisible();
  expect(await page.evaluate(() => "tetherStillHere" in window)).toBe(true);
});
