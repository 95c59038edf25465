// The app against the fake Anthropic API (real SSE wire format, real SDK):
// one app and one fake per spec file that uses them, and each test scripts
// the fake for its reply.
import { expect, test, type Locator, type Page } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeAnthropic, type FakeAnthropic, type Scenario } from "../lib/testing/fake-anthropic";
import { freePort, lastAssistant, send, startApp, type AppServer } from "./support";

export type FakeAnthropicApp = {
  readonly fake: FakeAnthropic;
  readonly app: AppServer;
  /** The message as the app saved it (this app, not the config's server). */
  saved(page: Page, id: string): Promise<{ content: string; status: string }>;
  /** Scripts the fake's replies, then sends `text` in a new chat; returns the reply. */
  ask(page: Page, text: string, ...scenarios: Scenario[]): Promise<Locator>;
};

/**
 * Registers this spec file's hooks: its tests run in order, against an app
 * (own data dir) and a fake started before the first and stopped after the
 * last; the fake is reset before each test.
 */
export function useFakeAnthropicApp(): FakeAnthropicApp {
  test.describe.configure({ mode: "serial" });

  let fake: FakeAnthropic;
  let app: AppServer;

  test.beforeAll(async () => {
    fake = await startFakeAnthropic({ port: 0 });
    app = await startApp(await freePort(), {
      DATA_DIR: mkdtempSync(join(tmpdir(), "tether-rich-")),
      LLM_PROVIDER: "anthropic",
      ANTHROPIC_API_KEY: "test-key",
      ANTHROPIC_BASE_URL: fake.url,
      CONVERSATION_TITLES: "off", // a title request would take a reply scripted for a test
    });
  });

  test.afterAll(async () => {
    await app?.kill();
    await fake?.close();
  });

  test.beforeEach(() => fake.reset());

  return {
    get fake() {
      return fake;
    },
    get app() {
      return app;
    },
    async saved(page, id) {
      const res = await page.request.get(`${app.url}/api/messages/${id}`);
      expect(res.status()).toBe(200);
      return (await res.json()) as { content: string; status: string };
    },
    async ask(page, text, ...scenarios) {
      fake.enqueue(...scenarios);
      await page.goto(`${app.url}/?new=1`);
      await send(page, text);
      // The first send moves the page to /c/:id; interact only once it has (the
      // page is rendered anew there, and its composer takes the focus).
      await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
      return lastAssistant(page);
    },
  };
}
