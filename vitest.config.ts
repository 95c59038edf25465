import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL("./", import.meta.url)) } },
  test: {
    include: ["{lib,app,inngest,components,prisma}/**/*.test.ts"],
    environment: "node",
    // Background title requests would take scripted replies from the fake
    // upstream; the tests of titles turn them on themselves.
    env: { CONVERSATION_TITLES: "off" },
    setupFiles: ["lib/testing/vitest-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
