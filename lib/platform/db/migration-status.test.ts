// When the schema engine may be skipped at start (migration-status.ts): only
// when `prisma migrate deploy` would have nothing to do, on both databases.
// Each case changes one thing the engine would act on and must see `false`.
import { afterAll, describe, expect, it } from "vitest";
import { cp, mkdtemp, readdir, rm, writeFile, appendFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { bothDatabases, useDatabase } from "../../testing/databases";
import { migrationsApplied, type RawQuery } from "./migration-status";

const MIGRATIONS = resolve("prisma/migrations");
const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** A copy of the project's migrations to change. */
async function copy(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "tether-migration-status-"));
  dirs.push(dir);
  await cp(MIGRATIONS, dir, { recursive: true });
  return dir;
}

describe.each(bothDatabases("migstatus"))("migrationsApplied on %s", (_name, open, dispose) => {
  const handle = useDatabase(open, dispose);
  const query: RawQuery = (sql) => handle().prisma.$queryRawUnsafe(sql);

  it("is true for a database migrated from prisma/migrations as they are", async () => {
    expect(await migrationsApplied(query, MIGRATIONS)).toBe(true);
  });

  it("is false for a new migration, a changed file, a missing folder, or a failed or rolled-back record", async () => {
    const added = await copy();
    const newest = (await readdir(added))
      .filter((n) => !n.endsWith(".toml"))
      .sort()
      .at(-1)!;
    await cp(join(added, newest), join(added, "29991231000000_later"), { recursive: true });
    await writeFile(join(added, "29991231000000_later", "migration.sql"), "SELECT 1;\n");
    expect(await migrationsApplied(query, added)).toBe(false);

    const changed = await copy();
    await appendFile(join(changed, newest, "migration.sql"), "\n-- edited\n");
    expect(await migrationsApplied(query, changed)).toBe(false);

    const fewer = await copy();
    await rm(join(fewer, newest), { recursive: true });
    expect(await migrationsApplied(query, fewer)).toBe(false);

    const db = handle().prisma;
    await db.$executeRawUnsafe(`UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '${newest}'`);
    expect(await migrationsApplied(query, MIGRATIONS)).toBe(false);
    await db.$executeRawUnsafe(`UPDATE "_prisma_migrations" SET rolled_back_at = NULL, finished_at = NULL WHERE migration_name = '${newest}'`);
    expect(await migrationsApplied(query, MIGRATIONS)).toBe(false);
    await db.$executeRawUnsafe(`UPDATE "_prisma_migrations" SET finished_at = now() WHERE migration_name = '${newest}'`);
    expect(await migrationsApplied(query, MIGRATIONS)).toBe(true);
  });

  it("is false where there is no record at all (a new database)", async () => {
    const none: RawQuery = (sql) => handle().prisma.$queryRawUnsafe(sql.replace('"_prisma_migrations"', '"_no_such_table"'));
    expect(await migrationsApplied(none, MIGRATIONS)).toBe(false);
  });
});
