// The app works under its own Content-Security-Policy: not one violation while
// it loads, streams a markdown reply whose code is highlighted in the Web
// Worker, reloads it server-rendered, and opens the settings. Also: the
// security headers on a page and on API answers, and a control showing that
// an injected inline script really is refused (so "no violations" means
// something).
import { expect, test, type Page } from "@playwright/test";
import { lastAssistant, send } from "./support";

type Violation = { directive: string; blocked: string; sample: string; source: string };

/** Collects CSP violations (DOM events, on every document of the page) and CSP console errors. */
async function watchCsp(page: Page): Promise<{ violations: Violation[]; consoleErrors: string[] }> {
  const violations: Violation[] = [];
  const consoleErrors: string[] = [];
  await page.exposeBinding("__cspViolation", (_src, v: Violation) => void violations.push(v));
  // Runs before any of the page's own scripts, in every document, and is not subject to the CSP.
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      const report = (window as unknown as { __cspViolation: (v: unknown) => void }).__cspViolation;
      report({ directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample, source: `${e.sourceFile}:${e.lineNumber}` });
    });
  });
  page.on("console", (m) => {
    if (/Content[- ]Security[- ]Policy/i.test(m.text())) consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => {
    if (/Content[- ]Security[- ]Policy|unsafe-eval|unsafe-inline/i.test(e.message)) consoleErrors.push(e.message);
  });
  return { violations, consoleErrors };
}

function directives(policy: string | undefined): Map<string, string[]> {
  return new Map(
    (policy ?? "")
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([k, ...v]) => [k, v]),
  );
}

test("the app runs under its CSP: load, stream a highlighted reply, reload, settings — zero violations", async ({ page }) => {
  const csp = await watchCsp(page);
  const workers: string[] = [];
  page.on("worker", (w) => workers.push(w.url()));

  const res = await page.goto("/?new=1");
  expect(res?.status()).toBe(200);
  const headers = res!.headers();
  const policy = directives(headers["content-security-policy"]);
  const nonce = /'nonce-([^']+)'/.exec(headers["content-security-policy"] ?? "")?.[1];
  expect(nonce).toBeTruthy();
  expect(policy.get("script-src")).toEqual(["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"]);
  expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
  expect(policy.get("object-src")).toEqual(["'none'"]);
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(headers["x-frame-options"]).toBe("DENY");
  // Every script Next.js rendered carries this response's nonce. (Chunks its
  // scripts load later, such as a page's error boundary, need none: they are
  // trusted through 'strict-dynamic', and any violation is counted below.)
  const tags = (await res!.text()).match(/<script\b[^>]*>/g) ?? [];
  expect(tags.length).toBeGreaterThan(0);
  for (const tag of tags) expect(tag).toContain(` nonce="${nonce}"`);
  const loaded = await page.evaluate(() => [...document.scripts].filter((s) => s.nonce).map((s) => s.nonce));
  expect(new Set(loaded)).toEqual(new Set([nonce]));

  // A reply with markdown and code blocks, highlighted by the worker while it streams.
  await send(page, "How do retries with backoff work?");
  const reply = lastAssistant(page);
  const code = reply.locator('[data-streamdown="code-block-body"]').first();
  await expect.poll(() => code.locator('span[style*="--sdm-c"]').count(), { timeout: 30_000 }).toBeGreaterThan(5);
  await expect(reply).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
  expect(workers.length).toBeGreaterThan(0); // highlighted in the Web Worker, which the CSP let start

  // Server-rendered: the saved reply with its style attributes, under a fresh nonce.
  const reload = await page.reload();
  const nonce2 = /'nonce-([^']+)'/.exec(reload!.headers()["content-security-policy"] ?? "")?.[1];
  expect(nonce2).toBeTruthy();
  expect(nonce2).not.toBe(nonce);
  await expect.poll(() => lastAssistant(page).locator('[data-streamdown="code-block-body"] span[style*="--sdm-c"]').count(), { timeout: 30_000 }).toBeGreaterThan(5);

  await page.getByTestId("settings-link").click();
  await expect(page).toHaveURL(/\/settings$/);
  const toggle = page.getByTestId("streaming-toggle");
  await toggle.click();
  await expect.poll(async () => (await (await page.request.get("/api/settings")).json()).streaming).toBe(false);
  await toggle.click();
  await expect.poll(async () => (await (await page.request.get("/api/settings")).json()).streaming).toBe(true);
  await page.goto("/settings"); // and loaded directly

  expect(csp.violations).toEqual([]);
  expect(csp.consoleErrors).toEqual([]);

  // Control: the collector does see a violation, and injected markup cannot run
  // script (an inline handler, as an HTML injection would bring).
  await page.evaluate(() => {
    document.body.insertAdjacentHTML("beforeend", '<img alt="" src="/no-such-image.png" onerror="window.__injected = true">');
  });
  await expect.poll(() => csp.violations.length).toBeGreaterThan(0);
  expect(csp.violations[0].directive).toBe("script-src-attr");
  expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
});

test("API answers carry the security headers and a deny-all CSP", async ({ request }) => {
  for (const res of [await request.get("/api/health"), await request.get("/api/conversations"), await request.post("/api/auth/guest")]) {
    const h = res.headers();
    expect(h["x-content-type-options"]).toBe("nosniff");
    expect(h["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(h["x-frame-options"]).toBe("DENY");
    expect(directives(h["content-security-policy"]).get("default-src")).toEqual(["'none'"]);
    expect(directives(h["content-security-policy"]).get("frame-ancestors")).toEqual(["'none'"]);
  }
  // Static files too.
  const css = await request.get("/icon.svg");
  expect(css.headers()["x-content-type-options"]).toBe("nosniff");
});

test("the watch is sharp: under a policy without worker and style-attribute room, the same flow reports violations", async ({ page }) => {
  const csp = await watchCsp(page);
  // The real policy, minus what the app needs for the worker and style attributes.
  await page.route(/\/(\?.*)?$|\/c\/[^/]+$/, async (route) => {
    if (route.request().resourceType() !== "document") return route.fallback();
    const res = await route.fetch();
    const policy = (res.headers()["content-security-policy"] ?? "")
      .split("; ")
      .filter((d) => !d.startsWith("style-src-attr"))
      .map((d) => (d.startsWith("worker-src") ? "worker-src 'none'" : d.replace(/^style-src 'self' 'unsafe-inline'$/, "style-src 'self'")))
      .join("; ");
    await route.fulfill({ response: res, headers: { ...res.headers(), "content-security-policy": policy } });
  });
  await page.goto("/?new=1");
  await send(page, "How do retries with backoff work?");
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
  await page.reload(); // server-rendered code spans carry style attributes
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete");
  await expect.poll(() => [...new Set(csp.violations.map((v) => v.directive))].sort(), { timeout: 15_000 }).toEqual(["style-src-attr", "worker-src"]);
});
