// The Vitest configuration of mutation runs (stryker.config.mjs): the usual
// one, or with MUTATION_TESTS set (comma-separated globs) only those test
// files, for a quick look at one module. Mutants that only other tests would
// kill then survive: the full run is the measure.
import { defineConfig } from "vitest/config";
import base from "./vitest.config";

const only = process.env.MUTATION_TESTS?.split(",")
  .map((g) => g.trim())
  .filter(Boolean);

export default only?.length ? defineConfig({ ...base, test: { ...base.test, include: only } }) : base;
