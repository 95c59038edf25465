import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import regexp from "eslint-plugin-regexp";
import tseslint from "typescript-eslint";

export default defineConfig([
  // Next.js's recommended set (React, React Hooks, jsx-a11y, @next/next with
  // Core Web Vitals, eslint-plugin-import with the TypeScript resolver).
  ...nextVitals,
  // typescript-eslint's recommended set as it is. (eslint-config-next/typescript
  // would add the same set but turn no-unused-vars and no-unused-expressions
  // down to warnings; here they stay errors.)
  ...tseslint.configs.recommended,
  {
    settings: {
      // Never parse packages for import/no-cycle: a cycle cannot run through
      // node_modules, and parsing them is slow (PGlite's bundle even overflows
      // the parser's stack).
      "import/ignore": ["node_modules"],
    },
    rules: {
      // Import cycles between our modules, through static imports, re-exports
      // and dynamic import()s alike (a lazy import() only defers the cycle).
      // Type-only imports are not counted. Resolves extensionless relative
      // paths and the "@/" alias through tsconfig.json.
      "import/no-cycle": ["error", { ignoreExternal: true }],
      // A leading underscore marks a value left unused on purpose (a
      // destructured field dropped, a callback's unused argument).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
      // These four check code for the React Compiler, which Tether does not
      // use. The patterns they flag are deliberate and measured
      // (docs/RENDERING.md): markdown chunks memoized against the previous
      // render's chunks in a ref, follow-scroll writing to the scroller
      // element, and state reset when a prop changes.
      "react-hooks/set-state-in-effect": "off",
      "react-hooks/refs": "off",
      "react-hooks/immutability": "off",
      "react-hooks/preserve-manual-memoization": "off",
    },
  },
  {
    // Regular expressions see user and model text of any length here: one
    // that backtracks super-linearly stalls the only thread for every user
    // (docs/SECURITY.md, "Text and regular expressions").
    files: ["lib/**/*.{ts,tsx}", "app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}"],
    plugins: { regexp },
    rules: {
      "regexp/no-super-linear-backtracking": "error",
      "regexp/no-super-linear-move": "error",
    },
  },
  {
    // Test files register their setup through use*() helpers called at the
    // top of the file: useRouteHarness() (lib/testing/route-harness.ts: "call
    // at the top of a test file", vitest beforeAll/afterAll) and
    // useFakeAnthropicApp() (e2e/fake-anthropic-app.ts: "registers this spec
    // file's hooks", Playwright). They are not React hooks, and these files
    // render no React, so the rules of hooks do not apply.
    files: ["**/*.test.ts", "e2e/**/*.spec.ts"],
    rules: {
      "react-hooks/rules-of-hooks": "off",
    },
  },
  globalIgnores([
    ".next/**",
    ".next*/**", // NEXT_DIST_DIR builds beside the usual .next
    "out/**",
    "build/**",
    "next-env.d.ts",
    "data/**",
    "lib/generated/**", // the generated Prisma client
    "test-results/**",
    "playwright-report/**",
    "bench/results/**",
    ".tools/**", // Node.js fetched by scripts/with-node-lts.sh
    ".scratch/**",
    ".stryker-tmp/**", // Stryker's sandboxes (npm run test:mutation)
    "reports/**", // mutation reports
  ]),
]);
