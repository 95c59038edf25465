import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash, randomUUID } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaPg } from "@prisma/adapter-pg";
import { applyMigrations, createMigration, schemaDrift, withCharAsText } from "./schema-engine";
import { pgPoolConfig } from "./index";

const MIGRATIONS = resolve("prisma/migrations");
const SCHEMA = resolve("prisma/schema.prisma");
const PG_URL = process.env.TEST_DATABASE_URL ?? "postgresql://root@127.0.0.1:5432/test";
const TABLES = [
  "Account",
  "ApiKey",
  "Attachment",
  "Conversation",
  "GatewayRequest",
  "IdempotencyKey",
  "Message",
  "QueuedMessage",
  "Session",
  "ShareLink",
  "User",
  "UserSettings",
  "Verification",
  "_prisma_migrations",
];

async function repoMigrations(dir = MIGRATIONS): Promise<{ name: string; checksum: string }[]> {
  const names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  return Promise.all(
    names.sort().map(async (name) => ({
      name,
      checksum: createHash("sha256")
        .update(await readFile(join(dir, name, "migration.sql")))
        .digest("hex"),
    })),
  );
}

type Row = Record<string, unknown>;
type Query = (sql: string, params?: unknown[]) => Promise<Row[]>;

async function migrationRows(q: Query, table = "_prisma_migrations"): Promise<Row[]> {
  return q(
    `select migration_name, checksum, finished_at is not null as finished, rolled_back_at, logs
       from ${table} order by migration_name`,
  );
}

function expectRecorded(rows: Row[], expected: { name: string; checksum: string }[]): void {
  expect(rows).toEqual(expected.map((m) => ({ migration_name: m.name, checksum: m.checksum, finished: true, rolled_back_at: null, logs: null })));
}

const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "tether-migrations-"));
  tempDirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe("applyMigrations on in-memory PGlite", () => {
  let db: PGlite;
  const q: Query = async (sql, params) => (await db.query<Row>(sql, params)).rows;
  beforeAll(async () => {
    db = await PGlite.create();
  });
  afterAll(async () => {
    await db?.close();
  });

  it("creates the tables and records every migration, then is a no-op", async () => {
    const expected = await repoMigrations();
    expect(expected.length).toBeGreaterThan(0);

    const first = await applyMigrations(new PrismaPGlite(db));
    expect(first.applied).toEqual(expected.map((m) => m.name));
    const tables = await q(`select table_name from information_schema.tables where table_schema = 'public' order by 1`);
    expect(tables.map((t) => t.table_name)).toEqual(TABLES);
    expectRecorded(await migrationRows(q), expected);

    const second = await applyMigrations(new PrismaPGlite(db));
    expect(second.applied).toEqual([]);
    expectRecorded(await migrationRows(q), expected);
  });

  it("gives a working schema: enums, defaults and cascading foreign keys", async () => {
    const userId = randomUUID();
    const convId = randomUUID();
    await q(`insert into "User" (id) values ($1)`, [userId]);
    await q(`insert into "Conversation" (id, "userId", title) values ($1, $2, 't')`, [convId, userId]);
    await q(`insert into "Message" (id, "conversationId", role, status, "updatedAt") values ($1, $2, 'user', 'complete', now())`, [randomUUID(), convId]);
    await expect(
      q(`insert into "Message" (id, "conversationId", role, status, "updatedAt") values ($1, $2, 'user', 'bogus', now())`, [randomUUID(), convId]),
    ).rejects.toThrow(/invalid input value for enum/);
    await q(`delete from "User" where id = $1`, [userId]);
    expect(await q(`select id from "Message" where "conversationId" = $1`, [convId])).toEqual([]);
  });
});

describe("applyMigrations on PostgreSQL in an isolated schema", () => {
  const admin = new pg.Client({ connectionString: PG_URL });
  const run = randomUUID().replace(/-/g, "").slice(0, 12);
  const precreated = `mig_test_${run}_a`;
  const missing = `mig_test_${run}_b`; // left for the engine to create
  const failing = `mig_test_${run}_c`;
  const q: Query = async (sql, params) => (await admin.query<Row>(sql, params)).rows;
  const factory = (schema: string) => new PrismaPg(pgPoolConfig(PG_URL, schema), { schema });

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`create schema "${precreated}"`);
  });
  afterAll(async () => {
    await admin.query(`drop schema if exists "${precreated}" cascade`);
    await admin.query(`drop schema if exists "${missing}" cascade`);
    await admin.query(`drop schema if exists "${failing}" cascade`);
    await admin.end();
  });

  it("puts the tables and _prisma_migrations in that schema, and a second run is a no-op", async () => {
    const expected = await repoMigrations();
    const first = await applyMigrations(factory(precreated));
    expect(first.applied).toEqual(expected.map((m) => m.name));
    const tables = await q(`select table_name from information_schema.tables where table_schema = $1 order by 1`, [precreated]);
    expect(tables.map((t) => t.table_name)).toEqual(TABLES);
    expectRecorded(await migrationRows(q, `"${precreated}"._prisma_migrations`), expected);

    expect((await applyMigrations(factory(precreated))).applied).toEqual([]);
    expectRecorded(await migrationRows(q, `"${precreated}"._prisma_migrations`), expected);
  });

  it("creates a missing schema", async () => {
    const expected = await repoMigrations();
    expect(await q(`select 1 from pg_namespace where nspname = $1`, [missing])).toEqual([]);
    expect((await applyMigrations(factory(missing))).applied).toEqual(expected.map((m) => m.name));
    expectRecorded(await migrationRows(q, `"${missing}"._prisma_migrations`), expected);
  });

  it("sends each migration as one script: a function's body arrives whole, and a migration that fails part-way leaves nothing of itself", async () => {
    const migrationsDir = join(await tempDir(), "migrations");
    await cp(MIGRATIONS, migrationsDir, { recursive: true });
    const bad = `20990101000000_bad_${randomUUID().slice(0, 8)}`;
    await mkdir(join(migrationsDir, bad));
    const body = `CREATE TABLE "Partial" (id int);\nCREATE FUNCTION "semi"() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;\nALTER TABLE "NoSuchTable" ADD COLUMN x int;\n`;
    await writeFile(join(migrationsDir, bad, "migration.sql"), body);
    await expect(applyMigrations(factory(failing), { migrationsDir })).rejects.toThrow(/NoSuchTable/);
    const functions = async () =>
      (await q(`select proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where nspname = $1 order by 1`, [failing])).map((r) => r.proname);
    expect(await functions()).toEqual(["tether_admit_post"]);
    expect(await q(`select 1 from information_schema.tables where table_schema = $1 and table_name = 'Partial'`, [failing])).toEqual([]);
  });

  it("leaves a database that introspects as identical to schema.prisma", async () => {
    await applyMigrations(factory(precreated));
    const introspectable = new PrismaPg(withCharAsText(pgPoolConfig(PG_URL, precreated)), { schema: precreated });
    expect(await schemaDrift(introspectable)).toBeNull();
  });
});

describe("createMigration", () => {
  it("returns null and writes nothing when the migrations match schema.prisma", async () => {
    const before = await readdir(MIGRATIONS);
    expect(await createMigration("nothing_to_do")).toBeNull();
    expect(await readdir(MIGRATIONS)).toEqual(before);
  });

  it("writes the difference as a new migration that then applies cleanly", { timeout: 120_000 }, async () => {
    const migrationsDir = join(await tempDir(), "migrations");
    await cp(MIGRATIONS, migrationsDir, { recursive: true });
    const table = `Tag${randomUUID().replace(/-/g, "").slice(0, 8)}`;
    const schemaPath = join(await tempDir(), "schema.prisma");
    await writeFile(schemaPath, `${await readFile(SCHEMA, "utf8")}\nmodel ${table} {\n  id Int @id\n  name String @unique\n}\n`);
    const now = new Date("2099-01-02T03:04:05Z");

    const created = await createMigration("Add tags!", { migrationsDir, schemaPath, now });
    expect(created?.dir).toBe(join(migrationsDir, "20990102030405_add_tags"));
    expect(created?.sql).toContain(`CREATE TABLE "${table}"`);
    expect(created?.sql).toContain(`CREATE UNIQUE INDEX "${table}_name_key"`);
    expect(created?.sql).not.toMatch(/CREATE TABLE "(User|Message)"/);
    expect(await readFile(join(created!.dir, "migration.sql"), "utf8")).toBe(created?.sql);

    expect(await createMigration("again", { migrationsDir, schemaPath })).toBeNull();
    const db = await PGlite.create();
    try {
      const res = await applyMigrations(new PrismaPGlite(db), { migrationsDir });
      expect(res.applied.at(-1)).toBe("20990102030405_add_tags");
      expect((await db.query(`select count(*)::int as n from "${table}"`)).rows).toEqual([{ n: 0 }]);
    } finally {
      await db.close();
    }
  });

  it("starts an empty folder with the lock file and the whole schema", async () => {
    const migrationsDir = join(await tempDir(), "migrations");
    const created = await createMigration("init", { migrationsDir });
    expect(created?.sql).toMatch(/CREATE TYPE "MessageStatus" AS ENUM/);
    expect(created?.sql).toMatch(/FOREIGN KEY \("conversationId"\) REFERENCES "Conversation"\("id"\) ON DELETE CASCADE/);
    expect(await readFile(join(migrationsDir, "migration_lock.toml"), "utf8")).toMatch(/^provider = "postgresql"$/m);
  });
});

describe("applyMigrations errors", () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await PGlite.create();
  });
  afterAll(async () => {
    await db?.close();
  });

  it("reports a failing migration without the engine backtrace and records it as failed", async () => {
    const migrationsDir = join(await tempDir(), "migrations");
    await cp(MIGRATIONS, migrationsDir, { recursive: true });
    const bad = `20990101000000_bad_${randomUUID().slice(0, 8)}`;
    await mkdir(join(migrationsDir, bad));
    await writeFile(join(migrationsDir, bad, "migration.sql"), `ALTER TABLE "NoSuchTable" ADD COLUMN x int;`);

    const err = await applyMigrations(new PrismaPGlite(db), { migrationsDir }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toContain(bad);
    expect(err?.message).toContain("NoSuchTable");
    expect(err?.message).not.toMatch(/\n[^\S\n]*0: /);
    const rows = (await db.query<Row>(`select migration_name, finished_at from _prisma_migrations where migration_name = $1`, [bad])).rows;
    expect(rows).toEqual([{ migration_name: bad, finished_at: null }]);
  });

  it("refuses a missing migrations folder", async () => {
    const migrationsDir = join(await tempDir(), "none");
    await expect(applyMigrations(new PrismaPGlite(db), { migrationsDir })).rejects.toThrow(/cannot read the migrations directory/);
  });
});
