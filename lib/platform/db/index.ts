// The database seam: one Prisma client over either the embedded PGlite
// (default) or PostgreSQL (DATABASE_URL). Nothing above this file knows which.
// The server reaches both through the pg driver: PGlite is served by a process
// of its own (embedded-process.ts). In-memory PGlite (tests), and PGlite on
// disk should that process fail to start, run in this process instead.
import type { PGlite } from "@electric-sql/pglite";
import { PrismaClient } from "../../generated/prisma/client";
import { embeddedDataDir, openEmbeddedDatabase, serveEmbeddedDatabase } from "./embedded";
import { log } from "../log";
import { migrationsApplied, type RawQuery } from "./migration-status";

const rawQuery =
  (prisma: PrismaClient): RawQuery =>
  (sql) =>
    prisma.$queryRawUnsafe(sql);

export type Db = PrismaClient;
export type DbKind = "pglite" | "postgres";
export type DbHandle = { prisma: Db; kind: DbKind; close(): Promise<void> };

export type DbConfig = { kind: "pglite"; dataDir: string } | { kind: "pglite-memory" } | { kind: "postgres"; url: string; schema?: string; poolSize?: number };

/** Pg pool config that both Prisma and the schema engine can use. */
export function pgPoolConfig(url: string, schema?: string, poolSize = 10) {
  const u = new URL(url);
  u.searchParams.delete("schema");
  return {
    connectionString: u.toString(),
    max: poolSize,
    ...(schema ? { options: `-c search_path="${schema.replace(/"/g, '""')}"` } : {}),
  };
}

/** Connections from the server to its embedded database process; PGlite runs their statements one at a time. */
export const EMBEDDED_POOL_SIZE = 10;

/** Prisma over the pg driver, the schema migrated first if it is behind. */
async function overPg(poolConfig: () => object, schema: string | undefined, migrate: boolean): Promise<PrismaClient> {
  const { PrismaPg } = await import("@prisma/adapter-pg");
  const prisma = new PrismaClient({ adapter: new PrismaPg(poolConfig(), schema ? { schema } : undefined) });
  if (migrate && !(await migrationsApplied(rawQuery(prisma)))) {
    const { applyMigrations } = await import("./schema-engine");
    await applyMigrations(new PrismaPg(poolConfig(), schema ? { schema } : undefined));
  }
  return prisma;
}

export async function openDatabase(config: DbConfig, opts: { migrate?: boolean } = {}): Promise<DbHandle> {
  const migrate = opts.migrate ?? true;
  if (config.kind === "postgres") {
    const prisma = await overPg(() => pgPoolConfig(config.url, config.schema, config.poolSize), config.schema, migrate);
    return { prisma, kind: "postgres", close: () => prisma.$disconnect() };
  }
  if (config.kind === "pglite") {
    // The same pg path, to PGlite in a process of its own (embedded-process.ts).
    const served = await serveEmbeddedDatabase(embeddedDataDir(config.dataDir));
    if (served) {
      let prisma: PrismaClient;
      try {
        prisma = await overPg(() => ({ ...served.served.pg, max: EMBEDDED_POOL_SIZE }), undefined, migrate);
      } catch (e) {
        await served.release();
        throw e;
      }
      // Without it nothing can be saved: end, so that a supervisor starts the server again (the sweep resumes what was cut).
      served.served.onExit((code) => {
        log.error({ component: "db", code }, "the embedded database process exited; stopping");
        process.exit(1);
      });
      return {
        prisma,
        kind: "pglite",
        async close() {
          await prisma.$disconnect();
          await served.release();
        },
      };
    }
  }
  const { PrismaPGlite } = await import("pglite-prisma-adapter");
  let pglite: PGlite;
  let release: () => Promise<void>;
  if (config.kind === "pglite-memory") {
    const { PGlite } = await import("@electric-sql/pglite");
    pglite = await PGlite.create();
    release = () => pglite.close();
  } else {
    ({ pglite, release } = await openEmbeddedDatabase(embeddedDataDir(config.dataDir)));
  }
  try {
    if (migrate && !(await migrationsApplied(async (sql) => (await pglite.query<{ migration_name: string; checksum: string }>(sql)).rows))) {
      const { applyMigrations } = await import("./schema-engine");
      await applyMigrations(new PrismaPGlite(pglite));
    }
  } catch (e) {
    await release();
    throw e;
  }
  yieldBeforeQueries(pglite);
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    prisma,
    kind: "pglite",
    async close() {
      await prisma.$disconnect();
      await release();
    },
  };
}

/**
 * PGlite in this process runs queries synchronously in WebAssembly on its
 * only thread; a chain of them (one promise callback after another) starved SSE
 * writes and timers for up to a second under load. Giving the event loop a
 * turn before each top-level query keeps streams flowing. (Queries inside a
 * transaction are left alone: yielding there would only hold its lock longer.)
 */
function yieldBeforeQueries(pglite: PGlite): void {
  const query = pglite.query.bind(pglite);
  pglite.query = (async (...args: Parameters<typeof query>) => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    return query(...args);
  }) as typeof pglite.query;
}

/** The longest a search query may run on PostgreSQL before it is cancelled. */
export const SEARCH_STATEMENT_TIMEOUT_MS = 5_000;

type TxClient = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/**
 * Runs a read under a statement timeout (a transaction with `SET LOCAL
 * statement_timeout`): a search that a huge history makes slow is cancelled
 * with an error instead of holding a connection. PostgreSQL enforces it;
 * PGlite accepts the setting (its queries are bounded by their LIMIT and indexes).
 */
export function boundedQuery<T>(db: Db, read: (tx: TxClient) => Promise<T>, timeoutMs = SEARCH_STATEMENT_TIMEOUT_MS): Promise<T> {
  return db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
    return read(tx);
  });
}
