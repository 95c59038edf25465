// The composition root: builds every service of the app from its
// configuration, once, and passes each piece down to what uses it. Route
// handlers and Inngest functions get the app from lib/runtime.ts; tests
// build their own with createApp (and replace any part through `parts`).
import type { Config } from "./config";
import { openDatabase, type Db, type DbHandle } from "./platform/db";
import { createRateLimiter, type RequestRateLimiter } from "./platform/rate-limit";
import { Shutdown } from "./platform/shutdown";
import { createStreamBus } from "./stream";
import type { StreamBus } from "./stream/bus";
import { createReplyControl, type ReplyControl } from "./stream/control";
import { createUserEventBus } from "./events";
import type { UserEventBus } from "./events/bus";
import { createProvider } from "./llm";
import type { LlmProvider } from "./llm/types";
import { ModelCatalog } from "./llm/models";
import { createToolRegistry } from "./tools";
import type { ToolRegistry } from "./tools/registry";
import { createJobRunner, type JobRunner } from "./jobs";
import { GenerationRegistry } from "./reply/registry";
import type { GenerationDeps } from "./reply/generation/generation";
import { createReplyJobs, type ReplyJobs } from "./reply/jobs";
import type { Admission } from "./reply/admission";
import { stopReply, type StopDeps } from "./reply/stop";
import type { Accounts, AuthSettings } from "./auth/auth";
import type { AttemptLimiters } from "./auth/attempt-limits";
import { GenerationCapacity } from "./reply/capacity";
import { purgeIdle, type PurgeResult } from "./auth/purge";
import { RedisRevocations, SessionCache } from "./auth/session-cache";
import { createFileStore, type FileStore } from "./files";
import { sweepFiles } from "./files/attachments";
import { forgetExpiredKeys } from "./reply/idempotency";
import { startQueued } from "./reply/queue";

export type App = {
  config: Config;
  /** The database, opened on first use (`next build` imports routes and must never open it). */
  dbHandle(): Promise<DbHandle>;
  db(): Promise<Db>;
  bus: StreamBus;
  /** Per-user events (GET /api/events): memory, or Redis in scaled mode. */
  events: UserEventBus;
  control: ReplyControl;
  generations: GenerationRegistry;
  provider: LlmProvider;
  /** The models users may choose (GET /api/models), and the choice for each reply. */
  models: ModelCatalog;
  tools: ToolRegistry | undefined;
  jobs: JobRunner;
  replyJobs: ReplyJobs;
  limiters: { messages: RequestRateLimiter; guests: RequestRateLimiter; search: RequestRateLimiter; share: RequestRateLimiter } & AttemptLimiters;
  /** MAX_ACTIVE_GENERATIONS: what this instance generates at once, all users together. */
  capacity: GenerationCapacity;
  shutdown: Shutdown;
  /** Attachment bytes: DATA_DIR/files, or the S3 bucket (lib/files). */
  files: FileStore;
  auth: AuthSettings;
  /** What account operations (sessions, sign-in) use. */
  accounts(): Promise<Accounts>;
  /** What a generation uses. */
  generationDeps(): Promise<GenerationDeps>;
  /** What admission (post, Continue, regenerate, edit) uses. */
  admission(): Promise<Admission>;
  /** What Stop uses. */
  stopping(): Promise<StopDeps>;
  /** Starts the conversation's next queued message if it is ready for it (lib/reply/queue.ts). */
  startQueued(conversationId: string): Promise<boolean>;
  /** Deletes expired sessions and idle guests (the periodic timer and the Inngest cron). */
  purgeIdle(): Promise<PurgeResult & { files: number; idempotencyKeys: number }>;
  /** Releases what the app opened (database, Redis connections). */
  close(): Promise<void>;
};

/** Parts a test (or a tool) provides instead of building them from the config. */
export type AppParts = Partial<Pick<App, "bus" | "events" | "control" | "generations" | "provider" | "tools" | "jobs" | "files">> & {
  dbHandle?: DbHandle | (() => Promise<DbHandle>);
};

export function createApp(config: Config, parts: AppParts = {}): App {
  let dbPromise: Promise<DbHandle> | undefined;
  const given = parts.dbHandle;
  const dbHandle = (): Promise<DbHandle> => {
    if (given) return typeof given === "function" ? given() : Promise.resolve(given);
    dbPromise ??= openDatabase(config.db).catch((e) => {
      dbPromise = undefined; // a later request may retry (e.g. the lock was freed)
      throw e;
    });
    return dbPromise;
  };
  const db = async () => (await dbHandle()).prisma;
  const generations = parts.generations ?? new GenerationRegistry();
  const bus = parts.bus ?? createStreamBus(config);
  const events = parts.events ?? createUserEventBus(config.redisUrl);
  const control = parts.control ?? createReplyControl(config.redisUrl, (id) => void generations.stop(id));
  const provider = parts.provider ?? createProvider(config.provider);
  const models = new ModelCatalog({ provider, allowList: config.provider.allowList, ttlMs: config.provider.modelsTtlMs });
  const tools = "tools" in parts ? parts.tools : createToolRegistry(config.tools);
  const files = parts.files ?? createFileStore(config);
  let limiters: App["limiters"] | undefined;
  const shutdown = new Shutdown();
  // Verified sessions for SESSION_CACHE_S; revocations reach every instance through Redis.
  const sessions = new SessionCache(config.session.cacheMs, config.redisUrl ? new RedisRevocations(config.redisUrl) : null);
  // The runner and the job code need each other: the runner reaches the job
  // code through a function, called only once both exist.
  const jobs = parts.jobs ?? createJobRunner(config.jobs, () => replyJobs);

  const generationDeps = async (): Promise<GenerationDeps> => ({
    db: await db(),
    provider,
    models,
    publish: (id, evs) => bus.publish(id, evs),
    events,
    persistFallback: (id, state) => jobs.persist(id, state),
    tools,
    checkpointMs: config.reply.checkpointMs,
    finalSaveRetryMs: config.reply.finalSaveRetryMs,
    idleTimeoutMs: config.reply.idleTimeoutMs,
    maxToolSteps: config.tools.maxSteps,
    searchLimiter: app.limiters.search,
    prices: config.prices,
    files,
  });
  const replyJobs: ReplyJobs = createReplyJobs({
    db,
    bus,
    events,
    generations,
    provider,
    generationDeps,
    requestTitle: (id) => jobs.requestTitle(id),
    startGeneration: (id) => jobs.startGeneration(id),
    startQueued: (conversationId) => app.startQueued(conversationId),
    autoResumeAttempts: config.reply.autoResumeAttempts,
    draining: () => shutdown.draining,
    titles: config.titles,
    staleMs: config.reply.staleMs,
    resumeStaleMs: config.reply.resumeStaleMs,
  });

  const app: App = {
    config,
    dbHandle,
    db,
    bus,
    events,
    control,
    generations,
    provider,
    models,
    tools,
    jobs,
    replyJobs,
    get limiters() {
      // Built on first use: a Redis-backed limiter connects when made.
      return (limiters ??= {
        messages: createRateLimiter("messages", config.rates.messages, config.redisUrl),
        signInPair: createRateLimiter("sign-in-pair", config.rates.signInPair, config.redisUrl),
        signInAddress: createRateLimiter("sign-in-address", config.rates.signInAddress, config.redisUrl),
        signUp: createRateLimiter("sign-up", config.rates.signUp, config.redisUrl),
        guests: createRateLimiter("guests", config.rates.guests, config.redisUrl),
        search: createRateLimiter("search", config.rates.search, config.redisUrl),
        share: createRateLimiter("share", config.rates.share, config.redisUrl),
      });
    },
    capacity: new GenerationCapacity(generations, config.reply.maxActive),
    shutdown,
    files,
    auth: { secret: config.session.secret, dataDir: config.dataDir, accountDays: config.session.accountDays, trustedProxyHops: config.http.trustedProxyHops },
    async accounts() {
      const replies = {
        maxActivePerUser: config.reply.maxActivePerUser,
        stop: async (ids: string[]) => {
          const s = await app.stopping();
          await Promise.all(ids.map((id) => stopReply(s, id)));
        },
      };
      return { db: await db(), settings: app.auth, replies, sessions, events };
    },
    generationDeps,
    admission: async () => ({
      db: await db(),
      limiter: app.limiters.messages,
      maxActivePerUser: config.reply.maxActivePerUser,
      capacity: app.capacity,
      shutdown,
      fileLimits: config.files.limits,
      events,
    }),
    stopping: async () => ({ db: await db(), generations, control, bus, events, remoteStopWaitMs: config.reply.remoteStopWaitMs }),
    startQueued: async (conversationId) =>
      startQueued({ admission: await app.admission(), handOver: { db: await db(), bus, jobs, events }, capacity: app.capacity, events }, conversationId),
    // Files after users: a purged guest's files are then already orphaned.
    purgeIdle: async () => {
      const forgetUsers = async (ids: string[]) => void (await Promise.all(ids.map((userId) => sessions.revoke({ userId }))));
      const purged = await purgeIdle(await db(), { emptyGuestTtlMs: config.purge.emptyGuestTtlMs, forgetUsers });
      const swept = await sweepFiles(await db(), files, { unsentTtlMs: config.files.unsentTtlMs });
      return { ...purged, files: swept, idempotencyKeys: await forgetExpiredKeys(await db()) };
    },
    async close() {
      const closable = [bus, events, control, files, sessions, ...Object.values(limiters ?? {})] as unknown as ({ close?: () => Promise<void> } | undefined)[];
      await Promise.all(closable.map((c) => c?.close?.().catch(() => {})));
      if (!given && dbPromise) await (await dbPromise.catch(() => null))?.close();
    },
  };
  return app;
}
