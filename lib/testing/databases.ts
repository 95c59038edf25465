// The two databases the app runs on, for tests that must hold on both:
// in-memory PGlite (the embedded default's engine) and the local PostgreSQL
// in a throw-away schema, dropped afterwards.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { openDatabase, type DbHandle } from "../platform/db";

export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

/** For `describe.each`: [name, open, dispose] per database; `prefix` names the PostgreSQL schema. */
export function bothDatabases(prefix: string): [string, () => Promise<DbHandle>, () => Promise<void>][] {
  const schema = `t_${prefix}_${process.pid}_${Date.now()}`;
  return [
    ["PGlite", () => openDatabase({ kind: "pglite-memory" }), async () => {}],
    [
      "PostgreSQL",
      () => openDatabase({ kind: "postgres", url: TEST_PG_URL, schema }),
      async () => {
        const admin = new pg.Client({ connectionString: TEST_PG_URL });
        await admin.connect();
        await admin.query(`drop schema if exists "${schema}" cascade`);
        await admin.end();
      },
    ],
  ];
}

/**
 * The embedded default as the server runs it: PGlite on disk, in a process of
 * its own, reached through the pg driver (lib/platform/db/embedded-process.ts).
 */
export function servedEmbedded(): [string, () => Promise<DbHandle>, () => Promise<void>] {
  let dir: string | undefined;
  return [
    "PGlite in its own process",
    () => openDatabase({ kind: "pglite", dataDir: (dir = mkdtempSync(join(tmpdir(), "tether-served-"))) }),
    async () => void (dir && rmSync(dir, { recursive: true, force: true })),
  ];
}

/**
 * For a `describe` block over one of bothDatabases' entries: opens the
 * database before its tests, closes (and drops) it after. Call the result
 * for the handle.
 */
export function useDatabase(open: () => Promise<DbHandle>, dispose: () => Promise<void>): () => DbHandle {
  let h: DbHandle | undefined;
  beforeAll(async () => {
    h = await open();
  });
  afterAll(async () => {
    await h?.close();
    await dispose();
  });
  return () => {
    if (!h) throw new Error("the database is opened in beforeAll");
    return h;
  };
}
