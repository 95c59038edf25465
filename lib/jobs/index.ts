// The job-runner seam (SPEC §6): embedded mode runs the Inngest functions'
// code in this process; scaled mode sends events to Inngest. Code above this
// seam starts generations and durable saves the same way in both.
import { InProcessJobRunner } from "./in-process";
import { InngestJobRunner } from "./inngest-runner";
import type { JobRunner, JobRunnerKind } from "./types";

export type { JobRunner, JobRunnerKind } from "./types";
export { InProcessJobRunner, PERSIST_RETRY_DELAYS_MS } from "./in-process";
export { InngestJobRunner } from "./inngest-runner";

type Env = Record<string, string | undefined>;

const set = (v: string | undefined) => Boolean(v?.trim());
// The SDK reads INNGEST_DEV=0/false as "not dev".
const devSet = (v: string | undefined) => set(v) && !/^(0|false|no|off)$/i.test(v!.trim());

/** Inngest when any of its keys (or dev mode) is configured; else in-process. */
export function jobRunnerKind(env: Env = process.env): JobRunnerKind {
  return set(env.INNGEST_EVENT_KEY) || set(env.INNGEST_SIGNING_KEY) || devSet(env.INNGEST_DEV) ? "inngest" : "in-process";
}

export function createJobRunner(kind: JobRunnerKind): JobRunner {
  return kind === "inngest" ? new InngestJobRunner() : new InProcessJobRunner();
}

// One runner per kind per process, kept across hot reloads.
const g = globalThis as typeof globalThis & { __tetherJobRunners?: Map<JobRunnerKind, JobRunner> };

export function getJobRunner(env: Env = process.env): JobRunner {
  const runners = (g.__tetherJobRunners ??= new Map());
  const kind = jobRunnerKind(env);
  let runner = runners.get(kind);
  if (!runner) {
    runner = createJobRunner(kind);
    runners.set(kind, runner);
  }
  return runner;
}
