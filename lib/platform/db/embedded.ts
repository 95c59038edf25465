// Opens the embedded PGlite database under DATA_DIR for exactly one owner
// process (see lock.ts).
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { acquireDataDirLock } from "./lock";

/** DATA_DIR, as an absolute path. */
export function embeddedDataDir(dataDir: string): string {
  return resolve(/*turbopackIgnore: true*/ dataDir);
}

export async function openEmbeddedDatabase(dataDir: string): Promise<{ pglite: PGlite; release(): Promise<void> }> {
  // PGlite does not create missing parent directories.
  mkdirSync(dataDir, { recursive: true });
  const lock = acquireDataDirLock(dataDir);
  try {
    const pglite = await PGlite.create(join(dataDir, "pglite"));
    let closed = false;
    return {
      pglite,
      async release() {
        if (closed) return;
        closed = true;
        try {
          await pglite.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (e) {
    lock.release();
    throw e;
  }
}
