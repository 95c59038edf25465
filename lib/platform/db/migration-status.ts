// Whether `prisma migrate deploy` would find nothing to do: every migration in
// prisma/migrations is recorded in `_prisma_migrations` as finished and not
// rolled back, with the checksum (SHA-256) of its file as it is now, and the
// table records no other. Then the schema engine (schema-engine.ts) is not
// loaded at all: its WebAssembly stays in a server's memory for as long as it
// runs (docs/BENCHMARKS.md, "Idle memory of the embedded database").
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";

type Row = { migration_name: string; checksum: string };
export type RawQuery = (sql: string) => Promise<Row[]>;

const defaultDir = () => resolve(/*turbopackIgnore: true*/ join(process.cwd(), "prisma", "migrations"));

export async function migrationsApplied(query: RawQuery, migrationsDir = defaultDir()): Promise<boolean> {
  let rows: Row[];
  try {
    rows = await query(`SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`);
  } catch {
    return false; // no table yet: a new database
  }
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch(() => []);
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  const recorded = new Map(rows.map((r) => [r.migration_name, r.checksum]));
  if (recorded.size !== names.length) return false;
  for (const name of names) {
    const sql = await readFile(join(migrationsDir, name, "migration.sql")).catch(() => null);
    if (!sql || recorded.get(name) !== createHash("sha256").update(sql).digest("hex")) return false;
  }
  return true;
}
