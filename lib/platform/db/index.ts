// The database seam: one Prisma client over either the embedded PGlite
// (default) or PostgreSQL (DATABASE_URL). Nothing above this file knows which.
import type { PGlite } from "@electric-sql/pglite";
import { PrismaClient } from "../../generated/prisma/client";
import { embeddedDataDir, openEmbeddedDatabase } from "./embedded";
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

export async function openDatabase(config: DbConfig, opts: { migrate?: boolean } = {}): Promise<DbHandle> {
  const migrate = opts.migrate ?? true;
  if (config.kind === "postgres") {
    const { PrismaPg } = await import("@prisma/adapter-pg");
    const adapter = new PrismaPg(pgPoolConfig(config.url, config.schema, config.poolSize), config.schema ? { schema: config.schema } : undefined);
    const prisma = new PrismaClient({ adapter });
    if (migrate && !(await migrationsApplied(rawQuery(prisma)))) {
      const { applyMigrations } = await import("./schema-engine");
      await applyMigrations(new PrismaPg(pgPoolConfig(config.url, config.schema, config.poolSize), config.schema ? { schema: config.schema } : undefined));
    }
    return { prisma, kind: "postgres", close: () => prisma.$disconnect() };
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
 * PGlite runs queries synchronously in WebAssembly on the server's only
 * thread; a chain of them (one promise callback after another) starved SSE
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
