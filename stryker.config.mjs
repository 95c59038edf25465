// Mutation testing (Stryker) of the streaming core and the HTTP layer: each
// mutant is a small change to the code (a condition flipped, a statement
// removed…) that the tests should notice. Not part of `npm test`: a full run
// takes hours on 2 cores. Run one module at a time (docs/TESTING.md):
//   npm run test:mutation -- --mutate lib/reply/status.ts
// MUTATION_TESTS=lib/http/sse.test.ts (comma-separated globs) narrows the
// tests for a quick look (vitest.mutation.config.ts): mutants that only other
// tests would kill then survive.
// Reports and the incremental file go to reports/mutation/ (git-ignored); a
// later run retests only mutants whose code or tests changed.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
const config = {
  mutate: [
    "lib/reply/lifecycle.ts",
    "lib/reply/status.ts",
    "lib/reply/admission.ts",
    "lib/reply/stop.ts",
    "lib/reply/generation/checkpoint.ts",
    "lib/stream/memory-bus.ts",
    "lib/stream/redis-bus.ts",
    "lib/http/sse.ts",
    "lib/http/api.ts",
    "lib/auth/session.ts",
  ],
  testRunner: "vitest",
  // `related`: only the test files that import the mutated module (directly or not) run.
  vitest: { configFile: "vitest.mutation.config.ts", related: true },
  coverageAnalysis: "perTest",
  checkers: ["typescript"],
  // A log line's text is no guarantee: mutants inside `log.*(…)` calls are ignored, not scored.
  plugins: ["@stryker-mutator/*", "./stryker/logging-ignorer.mjs"],
  ignorers: ["logging"],
  tsconfigFile: "tsconfig.json",
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  concurrency: 2,
  // The tests use real PostgreSQL and Redis and wait on events: give a busy machine room.
  timeoutMS: 30_000,
  timeoutFactor: 2,
  incremental: true,
  incrementalFile: "reports/mutation/stryker-incremental.json",
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  clearTextReporter: { allowEmojis: false, logTests: false },
  tempDirName: ".stryker-tmp",
  ignorePatterns: [".next", ".next*", "data", "test-results", "playwright-report", "bench/results", ".tools", ".scratch", "reports", "e2e"],
  thresholds: { high: 80, low: 60, break: null },
};

export default config;
