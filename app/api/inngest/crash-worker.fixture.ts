// A worker process for retry.test.ts: it calls the served /api/inngest
// handler with one generate-reply execution request, exactly as an Inngest
// server would (unsigned, INNGEST_DEV=1), and generates the reply until the
// test kills it with SIGKILL. Configuration comes from the environment
// (DATABASE_URL with ?schema=, REDIS_URL, ANTHROPIC_BASE_URL…).
// Run: node --import tsx app/api/inngest/crash-worker.fixture.ts <messageId>
import { randomUUID } from "node:crypto";
import { POST } from "./route";

const messageId = process.argv[2];
const event = { name: "tether/reply.generate", data: { messageId }, id: randomUUID(), ts: Date.now() };
const body = {
  event,
  events: [event],
  steps: {},
  ctx: { run_id: `run-${randomUUID()}`, attempt: 0, disable_immediate_execution: false, use_api: false, stack: { stack: [], current: 0 } },
  version: 2,
};
process.stdout.write("executing\n");
const res = await POST(
  new Request("http://localhost/api/inngest?fnId=tether-generate-reply&stepId=step", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  }) as never,
  undefined,
);
// Reached only if the test did not kill us in time.
process.stdout.write(`finished ${res.status}\n`);
process.exit(0);
