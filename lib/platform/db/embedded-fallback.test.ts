// When the embedded database's own process cannot start (embedded-process.ts),
// the server opens PGlite in its own process instead (index.ts): migrated,
// holding the directory's lock so that no second server opens it too, and
// with its rows there at the next start. Only the process start is made to
// fail here; PGlite, the migrations and the lock are the real ones.
import { afterAll, describe, expect, it, vi } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { captureLogs } from "../log";
import { DataDirLockedError } from "./lock";
import { startEmbeddedProcess } from "./embedded-process";
import { openDatabase } from ".";

vi.mock("./embedded-process", async (original) => ({
  ...(await original<typeof import("./embedded-process")>()),
  startEmbeddedProcess: vi.fn(async () => {
    throw new Error("the database process could not start (test)");
  }),
}));

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("the embedded database without a process of its own", () => {
  it("opens in the server's process: migrated, locked against a second opener, and its rows kept for the next start", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "tether-fallback-"));
    dirs.push(dataDir);
    const logs = captureLogs("warn");
    try {
      const first = await openDatabase({ kind: "pglite", dataDir });
      expect(vi.mocked(startEmbeddedProcess)).toHaveBeenCalledTimes(1);
      expect(logs.entries().some((l) => /opening it here/.test(String(l.msg)) && /could not start \(test\)/.test(String(l.err)))).toBe(true);
      expect(first.kind).toBe("pglite");
      const user = await first.prisma.user.create({ data: { name: "Zoë 🦊", isAnonymous: true } });
      // The directory is this process's now: a second server is refused, not let in beside it.
      await expect(openDatabase({ kind: "pglite", dataDir })).rejects.toBeInstanceOf(DataDirLockedError);
      await first.close();

      const second = await openDatabase({ kind: "pglite", dataDir });
      expect(vi.mocked(startEmbeddedProcess)).toHaveBeenCalledTimes(2);
      expect(await second.prisma.user.findUnique({ where: { id: user.id } })).toMatchObject({ name: "Zoë 🦊", isAnonymous: true });
      await second.close();
    } finally {
      logs.restore();
    }
  });
});
