// Structured JSON logs (pino), one line per event on stdout. Written
// synchronously, without pino transports: those run worker threads, which
// bundling breaks and a crash can lose. Every line logged inside an HTTP
// request carries its request id (and user / message ids once known) from an
// AsyncLocalStorage, so a generation started by a request carries them too.
//
// What is logged: ids, counts, codes, timings. Never message content,
// prompts, API keys, cookies or secrets; `redact` is the safety net should a
// field of that name slip into a log call anyway.
import { AsyncLocalStorage } from "node:async_hooks";
import pino, { type DestinationStream, type Level, type Logger } from "pino";
import { processSingleton } from "./process-global";

export type LogContext = {
  reqId?: string;
  route?: string;
  userId?: string;
  messageId?: string;
  conversationId?: string;
  /** The gateway's API key (its id, never the secret). */
  apiKeyId?: string;
};

/** Field names whose values never reach a log line (at any of the first three levels). */
const SECRET_KEYS = [
  "content",
  "text",
  "thinking",
  "prompt",
  "system",
  "messages",
  "parts",
  "input",
  "body",
  "delta",
  "partial",
  "apiKey",
  "api_key",
  "x-api-key",
  "authorization",
  "cookie",
  "cookies",
  "set-cookie",
  "password",
  "secret",
  "sessionSecret",
  "token",
  "eventKey",
  "signingKey",
];
const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `["${k}"]`);
export const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [key(k).replace(/^\./, ""), `*${key(k)}`, `*.*${key(k)}`]);

// One context store and one logger per process, shared by every bundle that
// imports this module (Next bundles it once per route: a module-level store
// would differ between the route that sets it and the logger that reads it).
type Sink = { target: DestinationStream | null };
type LogState = { logger: Logger; sink: Sink; context: AsyncLocalStorage<LogContext> };
function state(): LogState {
  return processSingleton("log", () => {
    const sink: Sink = { target: null };
    const context = new AsyncLocalStorage<LogContext>();
    return { logger: createLogger(sink, context), sink, context };
  });
}
const context = state().context;

/** Runs `fn` with a request's log context. */
export function runWithLogContext<T>(ctx: LogContext, fn: () => T): T {
  return context.run(ctx, fn);
}

/** Adds fields (e.g. the user id once the session is read) to the current request's context. */
export function annotateLog(fields: LogContext): void {
  const store = context.getStore();
  if (store) Object.assign(store, fields);
}

// The destination is swappable (tests capture lines) and opened on first write.
function createLogger(sink: Sink, context: AsyncLocalStorage<LogContext>): Logger {
  const out: DestinationStream = {
    write: (line: string) => {
      (sink.target ??= pino.destination({ dest: 1, sync: true })).write(line);
    },
  };
  return pino(
    {
      level: "info", // the app sets LOG_LEVEL's (lib/app.ts)
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      // A copy: pino merges each call's fields into what mixin returns.
      mixin: () => ({ ...context.getStore() }),
    },
    out,
  );
}

export const log: Logger = state().logger;

/** LOG_LEVEL, as configured (lib/config.ts). */
export function setLogLevel(level: Level | "silent"): void {
  log.level = level;
}

/** A logger whose lines carry `bindings` (e.g. `{ component: "generation", messageId }`). */
export function childLog(bindings: Record<string, unknown>): Logger {
  return log.child(bindings);
}

/**
 * The plain facts of an error, without what it may carry (request bodies,
 * headers). Prisma's validation messages can quote the query's arguments (a
 * message's text): only their first line is kept.
 */
export function errorFields(e: unknown): { type: string; code?: string | number; message: string; stack?: string } {
  if (!(e instanceof Error)) return { type: typeof e, message: String(e).slice(0, 300) };
  const code = (e as { code?: unknown }).code;
  const type = e.constructor?.name || e.name;
  const firstLineOnly = type.startsWith("PrismaClient");
  const message = (firstLineOnly ? e.message.trim().split("\n")[0] : e.message).slice(0, 300);
  const frames = e.stack
    ?.split("\n")
    .filter((l) => /^\s+at /.test(l))
    .slice(0, 8)
    .join("\n");
  return { type, ...(typeof code === "string" || typeof code === "number" ? { code } : {}), message, ...(frames ? { stack: frames } : {}) };
}

/** For tests: collects every line logged until `restore()`, at `level`. */
export function captureLogs(level: Level = "info") {
  const s = state();
  const lines: string[] = [];
  const previous = { target: s.sink.target, level: s.logger.level };
  s.sink.target = { write: (line: string) => void lines.push(line) };
  s.logger.level = level;
  return {
    text: () => lines.join(""),
    entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    restore: () => {
      s.sink.target = previous.target;
      s.logger.level = previous.level;
    },
  };
}
