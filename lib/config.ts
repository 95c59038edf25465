// Every environment variable Tether reads, declared once: type, default,
// range and a one-line description. The process environment is parsed here
// and nowhere else (the composition root, lib/app.ts, asks for it once); a
// bad value stops the server at start with a message naming the variable.
// README's configuration table is checked against VARIABLES by a test.
import { z } from "zod";
import { DEFAULT_PRICES, loadPriceTable } from "./usage/prices";

const blankIsUnset = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : typeof v === "string" ? v.trim() : v);
const whole = (min: number, max: number) =>
  z.coerce.number({ error: "must be a whole number" }).int("must be a whole number").min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);
const int = (def: number, min: number, max = Number.MAX_SAFE_INTEGER) => z.preprocess(blankIsUnset, whole(min, max).default(def));
const optInt = (min: number) => z.preprocess(blankIsUnset, whole(min, Number.MAX_SAFE_INTEGER).optional());
const str = () => z.preprocess(blankIsUnset, z.string().optional());
const onOff = (def: "on" | "off") => z.preprocess((v) => blankIsUnset(v)?.toString().toLowerCase(), z.enum(["on", "off"]).default(def));
const isOrigin = (u: string) => {
  const url = new URL(u);
  return url.pathname === "/" && !url.search && !url.hash && !url.username && !url.password;
};
const flag = () => z.preprocess((v) => blankIsUnset(v)?.toString().toLowerCase(), z.enum(["1", "true", "yes", "on", "0", "false", "no", "off"]).optional());

/** name → schema and description. Order is the README table's order. */
export const VARIABLES = {
  ANTHROPIC_API_KEY: [str(), "Claude API key; when set, replies come from Claude, else from the built-in demo model"],
  ANTHROPIC_BASE_URL: [z.preprocess(blankIsUnset, z.url().optional()), "Anthropic API base URL, without /v1 (default: the SDK's)"],
  ANTHROPIC_MODEL: [z.preprocess(blankIsUnset, z.string().default("claude-sonnet-5-5")), "model id"],
  ANTHROPIC_MODELS: [
    str(),
    "comma-separated model ids users may choose (those the API key can use, from the Models API, are offered; ANTHROPIC_MODEL always is); unset: every model the key can use",
  ],
  MODELS_CACHE_TTL_S: [int(600, 1), "how long the Models API's list is used before it is fetched again, in seconds"],
  LLM_PROVIDER: [
    z.preprocess((v) => blankIsUnset(v)?.toString().toLowerCase(), z.enum(["anthropic", "demo"]).optional()),
    "anthropic or demo: overrides the choice made by ANTHROPIC_API_KEY",
  ],
  ANTHROPIC_THINKING: [
    z.preprocess((v) => blankIsUnset(v)?.toString().toLowerCase(), z.enum(["auto", "off", "adaptive", "enabled"]).default("auto")),
    "extended thinking: auto (adaptive on models that take it), off, adaptive, enabled",
  ],
  ANTHROPIC_THINKING_BUDGET: [int(8192, 1), "thinking budget in tokens, for ANTHROPIC_THINKING=enabled"],
  ANTHROPIC_MAX_TOKENS: [int(4096, 1), "max_tokens of each model call"],
  PROMPT_CACHING: [onOff("on"), "off: send no cache_control breakpoints (on: long conversations reuse Anthropic's prompt cache each turn)"],
  MODEL_PRICES: [
    z.preprocess(
      blankIsUnset,
      z
        .string()
        .optional()
        .transform((v, ctx) => {
          if (v === undefined) return undefined;
          try {
            return loadPriceTable(v);
          } catch (e) {
            ctx.addIssue({ code: "custom", message: (e as Error).message });
            return z.NEVER;
          }
        }),
    ),
    'price table (JSON, or the path of a JSON file): {"currency":"USD","models":{"<model id>":{"input","output","cacheWrite","cacheRead"}}} per million tokens (default: Anthropic list prices)',
  ],
  DEMO_TOKEN_DELAY_MS: [optInt(0), "demo model: fixed delay per token in ms (default: 20–40 ms)"],
  DATABASE_URL: [
    z.preprocess(
      blankIsUnset,
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
        .optional(),
    ),
    "PostgreSQL URL (optional ?schema=name); unset: the embedded database under DATA_DIR",
  ],
  DATABASE_POOL_SIZE: [int(10, 1, 1000), "PostgreSQL connections per instance"],
  DATA_DIR: [
    z.preprocess(blankIsUnset, z.string().default("./data")),
    "where the embedded database, the generated session secret and (without FILES_S3_BUCKET) attachments live",
  ],
  REDIS_URL: [
    z.preprocess(
      blankIsUnset,
      z
        .string()
        .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
        .optional(),
    ),
    "scaled mode: live streams, Stop requests and rate limits shared through Redis",
  ],
  REDIS_PUBLISH_RETRY_MS: [int(60_000, 1), "how long the Redis bus retries writing a batch of events before giving up"],
  REDIS_PUBLISH_WINDOW_MS: [
    int(0, 0, 1_000),
    "how long the Redis bus gathers a reply's events before writing them (0: what one turn of the event loop published, and more while the reply's last write is under way)",
  ],
  INNGEST_EVENT_KEY: [str(), "Inngest event key: generate replies, durable saves and the sweep on Inngest (functions at /api/inngest)"],
  INNGEST_SIGNING_KEY: [str(), "Inngest signing key (also selects Inngest)"],
  INNGEST_DEV: [str(), "1 (or the dev server's URL): use an Inngest dev server, which also selects Inngest; 0: production mode"],
  INNGEST_BASE_URL: [str(), "URL of a self-hosted or dev Inngest server (read by the Inngest SDK)"],
  INNGEST_SERVE_ORIGIN: [
    z.preprocess(
      blankIsUnset,
      z
        .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
        .refine(isOrigin, "must be an origin only, like https://chat.example.com")
        .optional(),
    ),
    "public origin Inngest calls (<origin>/api/inngest), never taken from a request's Host; required with Inngest in production mode",
  ],
  INNGEST_ALLOW_DEV: [flag(), "1: allow INNGEST_DEV (unsigned calls to /api/inngest run any function) under NODE_ENV=production"],
  HSTS_MAX_AGE_S: [
    int(0, 0, 63_072_000),
    "Strict-Transport-Security max-age on HTTPS responses; 0: not sent (HSTS belongs to the TLS terminator, and a wrong value locks users out of plain HTTP that long)",
  ],
  SESSION_SECRET: [
    z.preprocess(blankIsUnset, z.string().min(32, "must be at least 32 characters").optional()),
    "signs session cookies; every instance of a deployment must share it (default: generated once under DATA_DIR)",
  ],
  SESSION_COOKIE_SECURE: [flag(), "1: always mark cookies Secure and name the session cookie __Host-tether_session (default: only over HTTPS)"],
  AUTH_SESSION_DAYS: [int(30, 1, 3650), "an account's session ends after this many days unused (guests: 400)"],
  SESSION_CACHE_S: [
    int(30, 0, 3600),
    "how long a verified session is trusted without reading its row again, in seconds (sign-out and revocations clear it at once, on every instance); 0: read it on every request",
  ],
  PORT: [int(3000, 1, 65_535), "HTTP port (read by Next.js)"],
  TRUSTED_PROXY_HOPS: [
    int(0, 0, 10),
    "reverse proxies in front of Tether that append to X-Forwarded-For (and set X-Forwarded-Host, X-Forwarded-Proto); 0: trust none, the client is the TCP peer over plain HTTP",
  ],
  LOG_LEVEL: [
    z.preprocess((v) => blankIsUnset(v)?.toString().toLowerCase(), z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional()),
    "JSON log level on stdout (default info; silent under Vitest)",
  ],
  METRICS_TOKEN: [str(), "enables Prometheus metrics at GET /api/metrics, for requests that send it as a Bearer token"],
  MESSAGE_RATE_LIMIT: [int(30, 0), "replies a user may start per window (post, Continue, edit, regenerate, and each start of a queued message); 0 = off"],
  MESSAGE_RATE_WINDOW_S: [int(60, 1), "the window of MESSAGE_RATE_LIMIT, in seconds"],
  SIGN_IN_RATE_LIMIT: [int(10, 0), "sign-in attempts for one email from one client address per window; 0 = off"],
  SIGN_IN_ADDRESS_RATE_LIMIT: [int(50, 0), "sign-in attempts from one client address per window, whatever the emails; 0 = off"],
  SIGN_IN_RATE_WINDOW_S: [int(900, 1), "the window of SIGN_IN_RATE_LIMIT and SIGN_IN_ADDRESS_RATE_LIMIT, in seconds"],
  SIGN_UP_RATE_LIMIT: [int(10, 0), "sign-up attempts from one client address per window; 0 = off"],
  SIGN_UP_RATE_WINDOW_S: [int(3600, 1), "the window of SIGN_UP_RATE_LIMIT, in seconds"],
  SEARCH_RATE_LIMIT: [int(30, 0), "searches a user may run per window (GET /api/search and the search_conversations tool together); 0 = off"],
  SEARCH_RATE_WINDOW_S: [int(60, 1), "the window of SEARCH_RATE_LIMIT, in seconds"],
  SHARE_RATE_LIMIT: [int(300, 0), "requests to shared links (/api/share/…) from one client address per window; 0 = off"],
  SHARE_RATE_WINDOW_S: [int(60, 1), "the window of SHARE_RATE_LIMIT, in seconds"],
  FINAL_SAVE_RETRY_MS: [int(30_000, 1), "a reply's final save is retried this long while the database is down, then handed to the persist job"],
  TOOLS: [onOff("on"), "off: offer the model no tools"],
  TOOL_TIMEOUT_MS: [int(15_000, 1), "time limit of one tool call"],
  MAX_TOOL_STEPS: [int(5, 0), "tool rounds per reply (0: the model may not call tools)"],
  CONVERSATION_TITLES: [onOff("on"), "off: keep the first message as the title (else a background job names each new conversation)"],
  SHUTDOWN_GRACE_MS: [int(10_000, 0), "on SIGTERM, running replies may finish this long, then are stopped and saved"],
  STALE_REPLY_MS: [int(90_000, 1), "scaled mode: a reply quiet this long has lost its generation and is resumed or marked interrupted"],
  AUTO_RESUME_ATTEMPTS: [
    int(2, 0, 100),
    "how often the server continues one reply by itself after a crash or a restart cut it short (0 = off: such replies wait for Continue)",
  ],
  RESUME_STALE_MS: [optInt(1), "an Inngest retry takes over a reply quiet this long (default: STALE_REPLY_MS / 2)"],
  HEARTBEAT_MS: [int(20_000, 1), "scaled mode: how often an instance marks its live replies as alive"],
  SWEEP_INTERVAL_MS: [int(30_000, 1), "how often the stale-reply sweep runs"],
  REMOTE_STOP_WAIT_MS: [int(3_000, 1), "scaled mode: how long Stop waits for the instance running the reply"],
  CHECKPOINT_INTERVAL_MS: [int(500, 1), "a streaming reply is saved at least this often (never per token)"],
  UPSTREAM_IDLE_TIMEOUT_MS: [int(60_000, 1), "an upstream stream silent this long is aborted"],
  MAX_ACTIVE_GENERATIONS_PER_USER: [int(3, 1), "replies one user may have generating at once"],
  // Capacity and guests: what one instance, and one client address, may take.
  MAX_ACTIVE_GENERATIONS: [int(100, 0), "replies this instance generates at once, all users together (503 overloaded beyond); 0 = off"],
  GUEST_RATE_LIMIT: [int(20, 0), "new guests (API or a cookieless page visit) one client address may create per window; 0 = off"],
  GUEST_RATE_WINDOW_S: [int(3600, 1), "the window of GUEST_RATE_LIMIT, in seconds"],
  GUEST_EMPTY_TTL_H: [int(24, 1, 24 * 400), "a guest that never created a conversation is deleted after this many hours without a new or refreshed session"],
  PURGE_INTERVAL_MS: [int(600_000, 0), "how often expired sessions and idle guests are deleted (0: never here; the Inngest cron still runs)"],
  MAX_BODY_BYTES: [int(262_144, 1024), "largest request body accepted"],
  GATEWAY_MAX_BODY_BYTES: [int(33_554_432, 1024), "largest POST /v1/messages body accepted (the gateway, docs/GATEWAY.md; the Messages API takes 32 MB)"],
  // Attachments (docs/API.md#files): caps within what the Messages API takes.
  FILES_S3_BUCKET: [str(), "attachments in this S3-compatible bucket, shared by every instance (set it in scaled mode); unset: files under DATA_DIR/files"],
  FILES_S3_ENDPOINT: [z.preprocess(blankIsUnset, z.url().optional()), "S3 endpoint URL of a non-AWS store (MinIO, R2…); unset: AWS"],
  FILES_S3_REGION: [z.preprocess(blankIsUnset, z.string().default("us-east-1")), "S3 region"],
  FILES_S3_ACCESS_KEY_ID: [str(), "S3 access key id (unset: the AWS SDK's own credential chain)"],
  FILES_S3_SECRET_ACCESS_KEY: [str(), "S3 secret access key"],
  FILES_S3_FORCE_PATH_STYLE: [flag(), "1: path-style bucket URLs (most self-hosted S3 servers need it)"],
  FILES_S3_PREFIX: [z.preprocess(blankIsUnset, z.string().default("attachments/")), "prefix of the object names in the bucket"],
  MAX_IMAGE_BYTES: [int(3_932_160, 1, 3_932_160), "largest image attachment in bytes (the API takes 5 MB of base64, i.e. 3.75 MiB)"],
  MAX_IMAGE_SIDE_PX: [int(8000, 1, 8000), "widest and tallest image attachment, in pixels"],
  MAX_PDF_BYTES: [int(20_971_520, 1, 24_000_000), "largest PDF attachment in bytes"],
  MAX_PDF_PAGES: [int(100, 1, 100), "most pages of a PDF attachment"],
  MAX_TEXT_FILE_BYTES: [int(262_144, 1, 8_388_608), "largest text or code attachment in bytes"],
  MAX_ATTACHMENTS_PER_MESSAGE: [int(10, 0, 100), "files one message may carry (0: attachments off)"],
  MAX_FILE_BYTES_PER_USER: [int(1_073_741_824, 0), "all of one user's stored files together, in bytes (0: no limit): a guest cannot fill the disk"],
  UNSENT_FILE_TTL_H: [int(24, 1, 24 * 400), "an uploaded file never sent with a message is deleted after this many hours"],
  MAX_ATTACHMENT_BYTES_PER_MESSAGE: [int(20_971_520, 1, 24_000_000), "all files of one message together, in bytes (sent as base64 within the API's 32 MB request)"],
  SSE_KEEPALIVE_MS: [int(15_000, 1), "a comment line is sent on an idle stream this often"],
  SSE_GZIP: [
    onOff("on"),
    "off: send event streams uncompressed (on: gzip, flushed at every write, to clients that accept it: about a sixth of the bytes, at one more turn of the event loop per write)",
  ],
  NODE_ENV: [z.preprocess(blankIsUnset, z.string().default("production")), "set by Next.js: development relaxes the page's CSP for hot reload"],
  NEXT_MANUAL_SIG_HANDLE: [flag(), "set by npm start: Tether handles SIGTERM itself (drain, then exit)"],
} as const;

type Vars = typeof VARIABLES;
export type Env = Record<string, string | undefined>;
/** The parsed environment, by variable name. */
export type RawConfig = { [K in keyof Vars]: z.output<Vars[K][0]> };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const truthy = (v: string | undefined) => v !== undefined && ["1", "true", "yes", "on"].includes(v);

/** Parses an environment; throws ConfigError naming every bad variable. */
export function parseConfig(env: Env): Config {
  const raw = {} as Record<string, unknown>;
  const problems: string[] = [];
  for (const [name, [schema]] of Object.entries(VARIABLES)) {
    const r = (schema as z.ZodType).safeParse(env[name]);
    if (r.success) raw[name] = r.data;
    else problems.push(`${name}=${JSON.stringify(env[name])}: ${r.error.issues.map((i) => i.message).join("; ")}`);
  }
  if (!problems.length) problems.push(...combinationProblems(raw as RawConfig));
  if (problems.length) throw new ConfigError(problems);
  return derive(raw as RawConfig, env);
}

// The Inngest SDK reads INNGEST_DEV=0/false as "not dev".
const inngestDev = (v: RawConfig) => v.INNGEST_DEV !== undefined && !/^(0|false|no|off)$/i.test(v.INNGEST_DEV);

/** What no single variable's schema can refuse: values that are unsafe together (docs/DEPLOY.md#inngest). */
function combinationProblems(v: RawConfig): string[] {
  const problems: string[] = [];
  const dev = inngestDev(v);
  if (dev && v.NODE_ENV === "production" && !truthy(v.INNGEST_ALLOW_DEV)) {
    // Dev mode checks no signature: anyone who reaches /api/inngest can run any function.
    problems.push(
      `INNGEST_DEV=${JSON.stringify(v.INNGEST_DEV)}: Inngest dev mode accepts unsigned calls to /api/inngest and is refused in production (NODE_ENV=production); ` +
        `use INNGEST_SIGNING_KEY with INNGEST_DEV=0, or set INNGEST_ALLOW_DEV=1 to run a dev server on purpose`,
    );
  }
  if (!dev && (v.INNGEST_EVENT_KEY || v.INNGEST_SIGNING_KEY) && !v.INNGEST_SERVE_ORIGIN) {
    // Otherwise the SDK registers the URL a sync request's Host header names.
    problems.push(
      "INNGEST_SERVE_ORIGIN: required when Inngest runs in production mode (INNGEST_EVENT_KEY or INNGEST_SIGNING_KEY set): the public origin Inngest calls, e.g. https://chat.example.com",
    );
  }
  return problems;
}

/** What the rest of the app reads: named by what it is for, not by variable. */
function derive(v: RawConfig, env: Env) {
  const dev = inngestDev(v);
  const inngest = Boolean(v.INNGEST_EVENT_KEY || v.INNGEST_SIGNING_KEY || dev);
  return {
    raw: v,
    provider: {
      kind: v.LLM_PROVIDER ?? (v.ANTHROPIC_API_KEY ? "anthropic" : "demo"),
      apiKey: v.ANTHROPIC_API_KEY,
      baseURL: v.ANTHROPIC_BASE_URL,
      model: v.ANTHROPIC_MODEL,
      allowList: v.ANTHROPIC_MODELS?.split(",")
        .map((m) => m.trim())
        .filter(Boolean),
      modelsTtlMs: v.MODELS_CACHE_TTL_S * 1000,
      thinking: v.ANTHROPIC_THINKING,
      thinkingBudget: v.ANTHROPIC_THINKING_BUDGET,
      maxTokens: v.ANTHROPIC_MAX_TOKENS,
      demoTokenDelayMs: v.DEMO_TOKEN_DELAY_MS,
      promptCaching: v.PROMPT_CACHING === "on",
    } as const,
    prices: v.MODEL_PRICES ?? DEFAULT_PRICES,
    db: v.DATABASE_URL
      ? ({ kind: "postgres", url: v.DATABASE_URL, schema: new URL(v.DATABASE_URL).searchParams.get("schema") ?? undefined, poolSize: v.DATABASE_POOL_SIZE } as const)
      : ({ kind: "pglite", dataDir: v.DATA_DIR } as const),
    dataDir: v.DATA_DIR,
    redisUrl: v.REDIS_URL,
    redisPublishRetryMs: v.REDIS_PUBLISH_RETRY_MS,
    redisPublishWindowMs: v.REDIS_PUBLISH_WINDOW_MS,
    jobs: inngest ? ("inngest" as const) : ("in-process" as const),
    inngest: { dev, serveOrigin: v.INNGEST_SERVE_ORIGIN ? new URL(v.INNGEST_SERVE_ORIGIN).origin : undefined },
    session: { secret: v.SESSION_SECRET, forceSecureCookie: truthy(v.SESSION_COOKIE_SECURE), accountDays: v.AUTH_SESSION_DAYS, cacheMs: v.SESSION_CACHE_S * 1000 },
    logLevel: v.LOG_LEVEL ?? (env.VITEST ? "silent" : "info"),
    metricsToken: v.METRICS_TOKEN,
    rates: {
      messages: { points: v.MESSAGE_RATE_LIMIT, windowSec: v.MESSAGE_RATE_WINDOW_S },
      signInPair: { points: v.SIGN_IN_RATE_LIMIT, windowSec: v.SIGN_IN_RATE_WINDOW_S },
      signInAddress: { points: v.SIGN_IN_ADDRESS_RATE_LIMIT, windowSec: v.SIGN_IN_RATE_WINDOW_S },
      signUp: { points: v.SIGN_UP_RATE_LIMIT, windowSec: v.SIGN_UP_RATE_WINDOW_S },
      guests: { points: v.GUEST_RATE_LIMIT, windowSec: v.GUEST_RATE_WINDOW_S },
      search: { points: v.SEARCH_RATE_LIMIT, windowSec: v.SEARCH_RATE_WINDOW_S },
      share: { points: v.SHARE_RATE_LIMIT, windowSec: v.SHARE_RATE_WINDOW_S },
    },
    tools: { enabled: v.TOOLS === "on", timeoutMs: v.TOOL_TIMEOUT_MS, maxSteps: v.MAX_TOOL_STEPS },
    titles: v.CONVERSATION_TITLES === "on",
    reply: {
      checkpointMs: v.CHECKPOINT_INTERVAL_MS,
      idleTimeoutMs: v.UPSTREAM_IDLE_TIMEOUT_MS,
      finalSaveRetryMs: v.FINAL_SAVE_RETRY_MS,
      maxActivePerUser: v.MAX_ACTIVE_GENERATIONS_PER_USER,
      maxActive: v.MAX_ACTIVE_GENERATIONS,
      staleMs: v.STALE_REPLY_MS,
      autoResumeAttempts: v.AUTO_RESUME_ATTEMPTS,
      resumeStaleMs: v.RESUME_STALE_MS ?? Math.round(v.STALE_REPLY_MS / 2),
      heartbeatMs: v.HEARTBEAT_MS,
      sweepIntervalMs: v.SWEEP_INTERVAL_MS,
      remoteStopWaitMs: v.REMOTE_STOP_WAIT_MS,
      shutdownGraceMs: v.SHUTDOWN_GRACE_MS,
    },
    purge: { emptyGuestTtlMs: v.GUEST_EMPTY_TTL_H * 3_600_000, intervalMs: v.PURGE_INTERVAL_MS },
    http: {
      trustedProxyHops: v.TRUSTED_PROXY_HOPS,
      hstsMaxAgeS: v.HSTS_MAX_AGE_S,
      maxBodyBytes: v.MAX_BODY_BYTES,
      gatewayMaxBodyBytes: v.GATEWAY_MAX_BODY_BYTES,
      keepAliveMs: v.SSE_KEEPALIVE_MS,
      gzipStreams: v.SSE_GZIP === "on",
      devCsp: v.NODE_ENV === "development",
    },
    files: {
      s3: v.FILES_S3_BUCKET
        ? {
            bucket: v.FILES_S3_BUCKET,
            endpoint: v.FILES_S3_ENDPOINT,
            region: v.FILES_S3_REGION,
            accessKeyId: v.FILES_S3_ACCESS_KEY_ID,
            secretAccessKey: v.FILES_S3_SECRET_ACCESS_KEY,
            forcePathStyle: truthy(v.FILES_S3_FORCE_PATH_STYLE),
            prefix: v.FILES_S3_PREFIX,
          }
        : undefined,
      limits: {
        imageBytes: v.MAX_IMAGE_BYTES,
        imageSidePx: v.MAX_IMAGE_SIDE_PX,
        pdfBytes: v.MAX_PDF_BYTES,
        pdfPages: v.MAX_PDF_PAGES,
        textBytes: v.MAX_TEXT_FILE_BYTES,
        perMessage: v.MAX_ATTACHMENTS_PER_MESSAGE,
        bytesPerMessage: v.MAX_ATTACHMENT_BYTES_PER_MESSAGE,
        bytesPerUser: v.MAX_FILE_BYTES_PER_USER,
      },
      unsentTtlMs: v.UNSENT_FILE_TTL_H * 3_600_000,
    },
    handleSignals: truthy(v.NEXT_MANUAL_SIG_HANDLE),
  };
}

export type Config = ReturnType<typeof derive>;

/** The one read of the process environment (the composition root's). */
export function configFromProcess(): Config {
  return parseConfig(process.env);
}

/** README's configuration table, rendered from VARIABLES (a test keeps README equal to it). */
export function configurationTable(): string {
  const defaults = parseConfig({}).raw as Record<string, unknown>;
  const rows = Object.entries(VARIABLES).map(([name, [, description]]) => {
    const d = defaults[name];
    return `| \`${name}\` | ${d === undefined ? "unset" : `\`${String(d)}\``} | ${description} |`;
  });
  return ["| variable | default | meaning |", "|---|---|---|", ...rows].join("\n");
}
