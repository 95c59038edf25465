// Shared steps of the end-to-end tests.
import { expect, test as base, type APIRequestContext, type BrowserContextOptions, type Locator, type Page } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

/** The looks every screenshot test takes, to be looked at: light and dark on a desktop, and a narrow phone. */
export const SCREENSHOT_LOOKS: readonly (readonly [string, BrowserContextOptions])[] = [
  ["light", { colorScheme: "light", viewport: { width: 1280, height: 900 } }],
  ["dark", { colorScheme: "dark", viewport: { width: 1280, height: 900 } }],
  ["narrow", { colorScheme: "light", viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }],
];

export const assistantMessages = (page: Page) => page.locator('[data-testid="message"][data-role="assistant"]');
export const lastAssistant = (page: Page) => assistantMessages(page).last();
export const userMessages = (page: Page) => page.locator('[data-testid="message"][data-role="user"]');
/** The "n/m" label of a message's version pager. */
export const pagerLabel = (message: Locator) => message.getByTestId("version-label");
/** A word nobody else typed (letters only: the full-text parser keeps it whole). */
export const uniqueWord = (prefix: string) => prefix + Array.from({ length: 8 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join("");

/** Waits until the reply is complete (a whole demo reply takes a few seconds). */
export async function complete(reply: Locator, timeout = 30_000) {
  await expect(reply).toHaveAttribute("data-status", "complete", { timeout });
}

/**
 * The text a message shows, exactly: each text run's container carries in
 * `data-text` the very string its markdown is rendered from (rendered markup
 * is not the text itself: `**a**` shows as a bold "a").
 */
export async function shownText(message: Locator): Promise<string> {
  const runs = await message.getByTestId("message-content").evaluateAll((els) => els.map((el) => el.getAttribute("data-text")));
  if (runs.some((r) => r === null)) throw new Error("a message-content element has no data-text");
  return runs.join("");
}

/** What the reader sees of a message's text (the rendered markdown's text content). */
export async function renderedText(message: Locator): Promise<string> {
  return (await message.getByTestId("message-content").allTextContents()).join("");
}

/** A TCP port nobody listens on right now (for servers a test starts). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function send(page: Page, text: string) {
  const input = page.getByTestId("composer-input");
  // The box is never locked; Send (not Stop) says no reply is running.
  await expect(page.getByTestId("send-button")).toBeVisible();
  await input.fill(text);
  await input.press("Enter");
}

export async function savedMessage(request: APIRequestContext, id: string) {
  const res = await request.get(`/api/messages/${id}`);
  expect(res.status()).toBe(200);
  return (await res.json()) as { id: string; content: string; status: string };
}

/** Waits until the reply shows at least `chars` characters while still generating. */
export async function waitForPartial(message: Locator, chars: number) {
  await expect.poll(async () => (await shownText(message)).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(chars);
}

export type AppServer = { url: string; process: ChildProcess; kill(signal?: NodeJS.Signals): Promise<void> };

/** Starts the built app as a process of its own (for tests that kill it). */
export async function startApp(port: number, env: Record<string, string>): Promise<AppServer> {
  const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(port), "-H", "127.0.0.1"], {
    // Specs make hundreds of guests and replies from 127.0.0.1: no guest limit, no instance cap unless a spec sets one.
    env: { ...process.env, NODE_ENV: "production", LOG_LEVEL: process.env.LOG_LEVEL ?? "warn", GUEST_RATE_LIMIT: "0", MAX_ACTIVE_GENERATIONS: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group: a kill reaches every process it started
  });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`app exited early:\n${output}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`app did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    process: child,
    async kill(signal: NodeJS.Signals = "SIGTERM") {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      process.kill(-child.pid!, signal);
      await exited;
    },
  };
}

/**
 * A Playwright `test` whose every worker has a server of its own (a demo model
 * writing one token every `tokenDelayMs`, a fresh DATA_DIR), with `baseURL`
 * pointing at it: slow enough that a reply is surely still streaming while a
 * test acts, however busy the machine.
 */
export function testWithSlowApp(name: string, tokenDelayMs: number) {
  return base.extend<object, { slowApp: AppServer }>({
    slowApp: [
      async ({}, use) => {
        const app = await startApp(await freePort(), {
          DATA_DIR: mkdtempSync(join(tmpdir(), `tether-${name}-`)),
          LLM_PROVIDER: "demo",
          DEMO_TOKEN_DELAY_MS: String(tokenDelayMs),
        });
        await use(app);
        await app.kill();
      },
      { scope: "worker", timeout: 90_000 },
    ],
    baseURL: async ({ slowApp }, provide) => provide(slowApp.url),
  });
}
