import { defineConfig } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Each run gets a fresh embedded database, owned by the server Playwright starts.
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(join(tmpdir(), "tether-e2e-"));
process.env.E2E_DATA_DIR = dataDir; // workers re-read this config: keep one dir
const port = Number(process.env.E2E_PORT) || 3100;

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [["list"]] : [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    // The app must be built first (npm test does it).
    command: `node node_modules/next/dist/bin/next start -p ${port} -H 127.0.0.1`,
    url: `http://127.0.0.1:${port}/api/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      DATA_DIR: dataDir,
      LLM_PROVIDER: "demo",
      DEMO_TOKEN_DELAY_MS: "12",
      NODE_ENV: "production",
      // Request and generation logs would bury the test output; warnings still show.
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
      // Every browser context is a new guest, all from 127.0.0.1, and many specs sign up
      // from there too (the limits themselves are tested in app/api/auth/attempts.test.ts
      // and e2e/client-address.spec.ts).
      GUEST_RATE_LIMIT: "0",
      SIGN_UP_RATE_LIMIT: "0",
    },
  },
});
