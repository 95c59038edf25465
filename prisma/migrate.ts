// Offline replacement for `prisma migrate deploy` / `migrate dev --create-only`
// (the Prisma CLI needs a native engine we cannot download; see
// lib/platform/db/schema-engine.ts).
//   tsx prisma/migrate.ts deploy         apply pending migrations to the app's database
//   tsx prisma/migrate.ts create <name>  write a migration for schema.prisma changes
// deploy targets what the app would use: PostgreSQL if DATABASE_URL is set,
// else the embedded PGlite under ${DATA_DIR:-./data} (refused while the
// server holds it).
import { relative } from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { applyMigrations, createMigration } from "../lib/platform/db/schema-engine";
import { pgPoolConfig } from "../lib/platform/db";
import { embeddedDataDir, openEmbeddedDatabase } from "../lib/platform/db/embedded";
import { configFromProcess } from "../lib/config";

const USAGE = "usage: tsx prisma/migrate.ts deploy | create <name>";
const shown = (path: string) => (relative(process.cwd(), path).startsWith("..") ? path : relative(process.cwd(), path) || ".");

function report(applied: string[], target: string): void {
  if (applied.length === 0) console.log(`${target}: already up to date`);
  else console.log(`${target}: applied ${applied.length} migration(s): ${applied.join(", ")}`);
}

async function deploy(): Promise<void> {
  const config = configFromProcess().db;
  if (config.kind === "postgres") {
    const u = new URL(config.url);
    const target = `PostgreSQL ${u.host}${u.pathname}${config.schema ? ` (schema ${config.schema})` : ""}`;
    const factory = new PrismaPg(pgPoolConfig(config.url, config.schema, config.poolSize), config.schema ? { schema: config.schema } : undefined);
    report((await applyMigrations(factory)).applied, target);
    return;
  }
  const { pglite, release } = await openEmbeddedDatabase(embeddedDataDir(config.dataDir));
  try {
    report((await applyMigrations(new PrismaPGlite(pglite))).applied, `embedded database ${shown(config.dataDir)}`);
  } finally {
    await release();
  }
}

async function create(name: string | undefined): Promise<void> {
  if (!name) throw new Error(`missing migration name; ${USAGE}`);
  const res = await createMigration(name);
  if (res) console.log(`created ${shown(res.dir)}/migration.sql`);
  else console.log("no changes: the migrations already match prisma/schema.prisma");
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...args] = argv;
  if (cmd === "deploy" && args.length === 0) return deploy();
  if (cmd === "create" && args.length <= 1) return create(args[0]);
  throw new Error(USAGE);
}

// Exit explicitly: nothing should linger, but a stray handle (the engine keeps
// timers, a pool may idle) must not hold the script open for seconds.
main(process.argv.slice(2)).then(
  () => process.exit(0),
  (e: unknown) => {
    const msg = e instanceof Error ? e.message : String(e);
    console.error(`migrate: ${msg.replace(/\s*\n\s*/g, " ")}`);
    process.exit(1);
  },
);
