// CLI: a fake Anthropic API in its own process, for e2e tests and benchmarks.
//   npx tsx lib/testing/fake-anthropic-server.ts --port 4010 [--host 127.0.0.1]
//     [--scenario NAME] [--delay MS] [--chunk N] [--api-key KEY]
// Prints its base URL (give it to the app as ANTHROPIC_BASE_URL) on stdout.
// Drive it per message with `[[scenario:NAME]]` / `[[fake:{…}]]` in the user's
// text, or over HTTP: POST /_fake/enqueue, /_fake/default, /_fake/reset,
// /_fake/models (what GET /v1/models lists: {"models": […]} or {"status": n}),
// GET /_fake/requests.
import { parseArgs } from "node:util";
import { PRESETS, startFakeAnthropic, type Scenario } from "./fake-anthropic";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4010" },
    host: { type: "string", default: "127.0.0.1" },
    scenario: { type: "string", default: "echo" },
    delay: { type: "string" },
    chunk: { type: "string" },
    "api-key": { type: "string" },
  },
});

const preset = PRESETS[values.scenario];
if (!preset) {
  console.error(`unknown scenario "${values.scenario}"; known: ${Object.keys(PRESETS).join(", ")}`);
  process.exit(2);
}
const defaultScenario: Scenario = { name: values.scenario, ...preset };
if (values.delay !== undefined) defaultScenario.delayMs = Number(values.delay);
if (values.chunk !== undefined) defaultScenario.chunk = Number(values.chunk);

const fake = await startFakeAnthropic({
  port: Number(values.port),
  host: values.host,
  defaultScenario,
  requireApiKey: values["api-key"],
});
console.log(fake.url);

const stop = () => {
  fake.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
