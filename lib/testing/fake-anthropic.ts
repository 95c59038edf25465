// A local fake of the Anthropic Messages API that speaks the real SSE wire
// format, so the real @anthropic-ai/sdk can be driven through every failure a
// production stream meets (overload, mid-stream errors, dropped sockets,
// stalls) without a key or network. Scenario formats: fake-anthropic-script.ts.
//
// Requests the real API would refuse (unanswered tool calls, misplaced tool
// results, unsigned thinking, prefill with thinking…: fake-anthropic-validate.ts)
// get its 400 before any scenario is picked.
// Which scenario answers a request, first match wins:
//   1. the programmatic queue (`enqueue`), consumed in order; an entry may be a
//      function of the request body (e.g. a reply that quotes a tool result);
//   2. a marker in the last user message: `[[scenario:NAME]]` and/or
//      `[[fake:{…json Scenario…}]]` (for a server in another process);
//   3. the default (`setScenario`; initially an echo).
// A failing scenario with `times: n` fails its first n requests and then
// succeeds: in the queue it serves n + 1 requests; by marker or default the
// count is per identical request body, so the SDK's retries see it recover.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createHash, randomUUID } from "node:crypto";
import type { AddressInfo, Socket } from "node:net";
import { buildMessage, buildSteps, errorBody, isFailing, readRequest, scenarioFromText, type Scenario, type Step } from "./fake-anthropic-script";
import { requestProblem } from "./fake-anthropic-validate";
import { cacheControlProblem, FakePromptCache } from "./fake-anthropic-cache";
import { FAKE_MODELS, serveModels, type FakeModels } from "./fake-anthropic-models";
import { MAX_REQUEST_BYTES } from "./fake-anthropic-files";

export type { Scenario, FakeBlock, FakeEnding } from "./fake-anthropic-script";
export { PRESETS, toolResultsIn } from "./fake-anthropic-script";
export { FAKE_MODELS, type FakeModel, type FakeModels } from "./fake-anthropic-models";

/** A queued reply computed from the request body (parsed JSON). */
export type ScenarioFn = (body: any) => Scenario; // eslint-disable-line @typescript-eslint/no-explicit-any

export type RecordedRequest = {
  index: number;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body (undefined when it was not JSON). */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests poke into it freely
  rawBody: string;
  scenario: string;
  status: number;
  /** What the server did: streamed | json | http_error | error_event | dropped | stalled | eof. */
  outcome: string;
  /** The client closed the connection before the server finished the response. */
  aborted: boolean;
  finished: boolean;
  /** Resolves once the response is over (finished, dropped or closed by the client). */
  closed: Promise<void>;
  /** Input token counts the response reported (prompt caching included: fake-anthropic-cache.ts). */
  usage?: { input_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number };
  /** With `recordTimings`: epoch ms (sub-ms: performance.timeOrigin + now()) when the request was read and when each content delta was written. */
  timings?: { receivedAt: number; deltaSentAt: number[] };
};

export type FakeAnthropicOptions = {
  port?: number;
  host?: string;
  defaultScenario?: Scenario;
  /** When set, requests without `Authorization: Bearer <key>` (or x-api-key) get 401. */
  requireApiKey?: string;
  /** Record `timings` on each request (the benchmark measures delivery latency with them). */
  recordTimings?: boolean;
  /** Answer 400 to requests the real API refuses (default true). */
  validate?: boolean;
  /** Smallest prompt prefix (tokens) the fake caches; default 1024. */
  cacheMinTokens?: number;
  /** What GET /v1/models lists (default FAKE_MODELS). */
  models?: FakeModels;
};

export type FakeAnthropic = {
  /** Base URL for the SDK / ANTHROPIC_BASE_URL (no /v1). */
  url: string;
  port: number;
  requests: RecordedRequest[];
  enqueue(...scenarios: (Scenario | ScenarioFn)[]): void;
  setScenario(scenario: Scenario): void;
  /** Resolves once at least `n` requests to /v1/messages have arrived. */
  waitForRequests(n: number): Promise<RecordedRequest[]>;
  /** What GET /v1/models answers from now on (POST /_fake/models over HTTP). */
  setModels(models: FakeModels): void;
  /** Requests to /v1/models so far (they are not in `requests`). */
  readonly modelRequests: number;
  reset(): void;
  close(): Promise<void>;
};

type QueueEntry = { scenario: Scenario | ScenarioFn; served: number; resolved?: Scenario };

export async function startFakeAnthropic(opts: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const requests: RecordedRequest[] = [];
  let queue: QueueEntry[] = [];
  let defaultScenario: Scenario = opts.defaultScenario ?? { name: "echo" };
  let seenBodies = new Map<string, number>();
  let waiters: { n: number; resolve: () => void }[] = [];
  let models: FakeModels = opts.models ?? { models: FAKE_MODELS };
  let modelRequests = 0;
  const sockets = new Set<Socket>();
  const cache = new FakePromptCache({ minTokens: opts.cacheMinTokens });

  function pick(body: unknown, raw: string): { scenario: Scenario; failing: boolean } {
    const head = queue[0];
    if (head) {
      const s = typeof head.scenario === "function" ? (head.resolved ??= head.scenario(body)) : head.scenario;
      const failing = isFailing(s) && (s.times === undefined || head.served < s.times);
      head.served++;
      if (!failing || s.times === undefined || head.served > s.times) queue.shift();
      return { scenario: s, failing };
    }
    const info = readRequest(body);
    const s = scenarioFromText(info.lastUserText) ?? defaultScenario;
    const key = createHash("sha1").update(raw).digest("hex");
    const nth = seenBodies.get(key) ?? 0;
    seenBodies.set(key, nth + 1);
    return { scenario: s, failing: isFailing(s) && (s.times === undefined || nth < s.times) };
  }

  async function handleMessages(req: IncomingMessage, res: ServerResponse, rec: RecordedRequest) {
    const fail = (status: number, body: unknown, retryAfterMs = 1) => {
      rec.status = status;
      rec.outcome = "http_error";
      res.writeHead(status, {
        "content-type": "application/json",
        "request-id": `req_fake_${rec.index}`,
        "retry-after-ms": String(retryAfterMs),
      });
      res.end(JSON.stringify(body));
    };
    if (opts.requireApiKey) {
      const auth = String(req.headers.authorization ?? "").replace(/^Bearer /, "") || String(req.headers["x-api-key"] ?? "");
      if (auth !== opts.requireApiKey) return fail(401, errorBody(401, {}));
    }
    if (Buffer.byteLength(rec.rawBody) > MAX_REQUEST_BYTES) return fail(413, errorBody(413, {}));
    if (rec.body === undefined || !Array.isArray(rec.body.messages)) {
      return fail(400, errorBody(400, { errorMessage: "messages: Field required" }));
    }
    const problem = opts.validate === false ? undefined : (requestProblem(rec.body) ?? cacheControlProblem(rec.body));
    if (problem) return fail(400, errorBody(400, { errorMessage: problem }));
    let picked;
    try {
      picked = pick(rec.body, rec.rawBody);
    } catch (e) {
      return fail(400, errorBody(400, { errorMessage: `fake server: ${(e as Error).message}` }));
    }
    const { scenario: s, failing } = picked;
    rec.scenario = s.name ?? (s.status ? `status_${s.status}` : (s.end ?? "custom"));
    if (failing && s.status !== undefined) return fail(s.status, errorBody(s.status, s), s.retryAfterMs);
    rec.usage = cache.account(rec.body);
    const steps = buildSteps(s, readRequest(rec.body), `msg_fake_${randomUUID().replaceAll("-", "")}`, rec.usage);
    const end = failing ? s.end : undefined;
    if (rec.body.stream !== true) {
      if (end === "drop") return void ((rec.outcome = "dropped"), res.socket?.destroy());
      if (end === "stall") return void (rec.outcome = "stalled");
      if (end === "error" || end === "eof") return fail(529, errorBody(529, s));
      rec.outcome = "json";
      res.writeHead(200, { "content-type": "application/json", "request-id": `req_fake_${rec.index}` });
      res.end(JSON.stringify(buildMessage(steps)));
      return;
    }
    await stream(res, rec, steps, s, end);
  }

  async function stream(res: ServerResponse, rec: RecordedRequest, steps: Step[], s: Scenario, end: Scenario["end"]) {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "request-id": `req_fake_${rec.index}`,
    });
    res.socket?.setNoDelay(true);
    rec.outcome = "streamed";
    const gone = abortOnClose(res);
    // Each write is awaited so a later drop never discards already-"sent" text.
    // `burst` events share one write (one network read upstream of the app).
    const burst = Math.max(1, s.burst ?? 1);
    let pending = "";
    let inPending = 0;
    const flushPending = () => {
      const text = pending;
      pending = "";
      inPending = 0;
      return text === "" ? Promise.resolve() : new Promise<void>((resolve) => res.write(text, () => resolve()));
    };
    const write = async (event: string, data: unknown) => {
      pending += `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
      if (++inPending >= burst) await flushPending();
    };
    // The ending strikes before the first step past `failAt` code points of content
    // (with all content sent: before the last content_block_stop).
    const total = steps.reduce((n, step) => n + step.size, 0);
    const failAt = Math.min(s.failAfter ?? total, total);
    let sent = 0;
    for (const step of steps) {
      if (gone.aborted) return;
      const early = step.event === "message_start" || step.event === "ping";
      if (end && !early && sent >= failAt) break;
      if (step.event === "content_block_delta" && s.delayMs && inPending === 0) await sleep(s.delayMs, gone);
      if (gone.aborted) return;
      if (step.event === "content_block_delta") rec.timings?.deltaSentAt.push(performance.timeOrigin + performance.now());
      await write(step.event, step.data);
      sent += step.size;
    }
    await flushPending();
    if (gone.aborted) return;
    if (end === "error") {
      rec.outcome = "error_event";
      await write("error", errorBody(undefined, s));
      await flushPending();
      res.end();
    } else if (end === "drop") {
      rec.outcome = "dropped";
      res.socket?.destroy();
    } else if (end === "stall") {
      rec.outcome = "stalled";
      await new Promise((resolve) => gone.addEventListener("abort", resolve, { once: true }));
    } else {
      if (end === "eof") rec.outcome = "eof";
      res.end();
    }
  }

  // An AbortSignal that fires when the connection closes (client abort, drop, or
  // close(), which destroys every socket).
  function abortOnClose(res: ServerResponse): AbortSignal {
    const ac = new AbortController();
    res.once("close", () => ac.abort());
    return ac.signal;
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const rawBody = await readBody(req);
    let body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      body = undefined;
    }
    const path = (req.url ?? "/").split("?")[0];
    if (path.startsWith("/_fake/")) return control(req.method ?? "GET", path, body, res);
    if (path.startsWith("/v1/models")) {
      const auth = String(req.headers.authorization ?? "").replace(/^Bearer /, "") || String(req.headers["x-api-key"] ?? "");
      const config: FakeModels = opts.requireApiKey && auth !== opts.requireApiKey ? { status: 401 } : models;
      if (serveModels(req, res, config, modelRequests++)) return;
    }
    if (req.method !== "POST" || path !== "/v1/messages") {
      res.writeHead(404, { "content-type": "application/json" });
      return res.end(JSON.stringify(errorBody(404, { errorMessage: `Not found: ${req.method} ${path}` })));
    }
    let resolveClosed!: () => void;
    const rec: RecordedRequest = {
      index: requests.length,
      method: req.method,
      path,
      headers: req.headers,
      body,
      rawBody,
      scenario: "",
      status: 200,
      outcome: "",
      aborted: false,
      finished: false,
      closed: new Promise<void>((r) => (resolveClosed = r)),
      ...(opts.recordTimings ? { timings: { receivedAt: performance.timeOrigin + performance.now(), deltaSentAt: [] } } : {}),
    };
    res.once("finish", () => (rec.finished = true));
    res.once("close", () => {
      // A client abort: the connection closed before the response was done (our own drop excluded).
      if (!res.writableFinished && rec.outcome !== "dropped") rec.aborted = true;
      resolveClosed();
    });
    requests.push(rec);
    waiters = waiters.filter((w) => (requests.length >= w.n ? (w.resolve(), false) : true));
    await handleMessages(req, res, rec);
  }

  // Lets an out-of-process server be driven over HTTP (e2e tests, benchmarks).
  function control(method: string, path: string, body: unknown, res: ServerResponse) {
    const json = (status: number, data?: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(data === undefined ? "" : JSON.stringify(data));
    };
    const scenarios = (Array.isArray(body) ? body : [body]) as Scenario[];
    if (method === "POST" && path.match(/^\/_fake\/(enqueue|default)$/) && !scenarios.every((x) => x && typeof x === "object")) {
      return json(400, { error: "body must be a JSON scenario object (or an array of them)" });
    }
    if (method === "POST" && path === "/_fake/enqueue") return (api.enqueue(...scenarios), json(204));
    if (method === "POST" && path === "/_fake/default") return (api.setScenario(scenarios[0]), json(204));
    if (method === "POST" && path === "/_fake/reset") return (api.reset(), json(204));
    if (method === "POST" && path === "/_fake/models") return (api.setModels(body as FakeModels), json(204));
    if (method === "GET" && path === "/_fake/requests") {
      return json(
        200,
        requests.map(({ closed: _closed, ...r }) => r),
      );
    }
    json(404, { error: "unknown control endpoint" });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify(errorBody(500, { errorMessage: `fake server crashed: ${String(e)}` })));
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const api: FakeAnthropic = {
    url: `http://${opts.host ?? "127.0.0.1"}:${port}`,
    port,
    requests,
    enqueue: (...scenarios) => queue.push(...scenarios.map((scenario) => ({ scenario, served: 0 }))),
    setScenario: (scenario) => void (defaultScenario = scenario),
    waitForRequests: (n) =>
      new Promise((resolve) => {
        if (requests.length >= n) return resolve(requests);
        waiters.push({ n, resolve: () => resolve(requests) });
      }),
    setModels: (m) => void (models = m),
    get modelRequests() {
      return modelRequests;
    },
    reset: () => {
      models = opts.models ?? { models: FAKE_MODELS };
      modelRequests = 0;
      queue = [];
      requests.length = 0;
      seenBodies = new Map();
      cache.clear();
      defaultScenario = opts.defaultScenario ?? { name: "echo" };
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
  return api;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
