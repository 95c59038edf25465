// The embedded database's memory settings (embedded.ts): a new directory is
// made by a process of its own (no warning that it fell back to making it
// here), with a small buffer cache, and opens again with its data.
import { afterAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { captureLogs } from "../log";
import { EMBEDDED_SHARED_BUFFERS, openEmbeddedDatabase } from "./embedded";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("openEmbeddedDatabase", () => {
  it("makes a new database in a process of its own, with a small buffer cache, and opens it again with its rows", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tether-embedded-"));
    dirs.push(dir);
    const logs = captureLogs("warn");
    try {
      const first = await openEmbeddedDatabase(join(dir, "data"));
      expect(existsSync(join(dir, "data", "pglite", "PG_VERSION"))).toBe(true);
      expect((await first.pglite.query<{ shared_buffers: string }>("SHOW shared_buffers")).rows[0].shared_buffers).toBe(EMBEDDED_SHARED_BUFFERS);
      await first.pglite.query("CREATE TABLE kept (x text)");
      await first.pglite.query("INSERT INTO kept VALUES ('é🦊')");
      await first.release();
      const second = await openEmbeddedDatabase(join(dir, "data"));
      expect((await second.pglite.query<{ x: string }>("SELECT x FROM kept")).rows).toEqual([{ x: "é🦊" }]);
      expect((await second.pglite.query<{ shared_buffers: string }>("SHOW shared_buffers")).rows[0].shared_buffers).toBe(EMBEDDED_SHARED_BUFFERS);
      await second.release();
      expect(logs.text()).not.toContain("could not create the embedded database");
    } finally {
      logs.restore();
    }
  });
});
