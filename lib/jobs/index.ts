// The job-runner seam (docs/PROTOCOL.md §6): embedded mode runs the job code
// (lib/reply/jobs.ts) in this process; scaled mode sends events to Inngest,
// which calls the same code through /api/inngest. Code above this seam starts
// generations and durable saves the same way in both. The kind is chosen in
// lib/config.ts (Inngest when any of its keys, or dev mode, is set).
import { InProcessJobRunner } from "./in-process";
import { InngestJobRunner } from "./inngest-runner";
import type { ReplyJobs } from "../reply/jobs";
import type { JobRunner, JobRunnerKind } from "./types";

export type { JobRunner, JobRunnerKind } from "./types";
export { InProcessJobRunner, PERSIST_RETRY_DELAYS_MS } from "./in-process";
export { InngestJobRunner } from "./inngest-runner";

export function createJobRunner(kind: JobRunnerKind, jobs: () => ReplyJobs): JobRunner {
  const local = new InProcessJobRunner(jobs);
  return kind === "inngest" ? new InngestJobRunner(local) : local;
}
