import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cp, mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { newestLeaf, pathTo, versionsOf } from "./message-tree";
import { applyMigrations } from "../platform/db/schema-engine";

const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n));
const node = (id: string, parentId: string | null, role: "user" | "assistant", t: number) => ({ id, parentId, role, createdAt: at(t) });

// u1 ─ a1          (a1 regenerated as a2; then u1 edited as u1b ─ a3)
//    └ a2 ─ u2 ─ a4
// u1b ─ a3
const tree = [
  node("u1", null, "user", 1),
  node("a1", "u1", "assistant", 2),
  node("a2", "u1", "assistant", 3),
  node("u2", "a2", "user", 4),
  node("a4", "u2", "assistant", 5),
  node("u1b", null, "user", 6),
  node("a3", "u1b", "assistant", 7),
];

describe("the message tree", () => {
  it("follows parents from the leaf to the first message", () => {
    expect(pathTo(tree, "a4").map((r) => r.id)).toEqual(["u1", "a2", "u2", "a4"]);
    expect(pathTo(tree, "a1").map((r) => r.id)).toEqual(["u1", "a1"]);
    expect(pathTo(tree, "a3").map((r) => r.id)).toEqual(["u1b", "a3"]);
  });

  it("without a recorded leaf, shows the newest message's path", () => {
    expect(pathTo(tree, null).map((r) => r.id)).toEqual(["u1b", "a3"]);
    expect(pathTo(tree, "gone").map((r) => r.id)).toEqual(["u1b", "a3"]);
    expect(pathTo([], null)).toEqual([]);
  });

  it("survives a cycle in corrupt data", () => {
    const loop = [node("x", "y", "user", 1), node("y", "x", "assistant", 2)];
    expect(pathTo(loop, "y").map((r) => r.id)).toEqual(["x", "y"]);
  });

  it("ends a branch at its most recent descendants", () => {
    expect(newestLeaf(tree, "u1")).toBe("a4");
    expect(newestLeaf(tree, "a1")).toBe("a1");
    expect(newestLeaf(tree, "u1b")).toBe("a3");
  });

  it("numbers versions among siblings of the same role, oldest first", () => {
    expect(versionsOf(tree, tree[1])).toEqual({ index: 0, count: 2, ids: ["a1", "a2"] });
    expect(versionsOf(tree, tree[2])).toEqual({ index: 1, count: 2, ids: ["a1", "a2"] });
    expect(versionsOf(tree, tree[5])).toEqual({ index: 1, count: 2, ids: ["u1", "u1b"] });
    expect(versionsOf(tree, tree[3])).toBeUndefined();
  });
});

describe("the branches migration", () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await PGlite.create();
  });
  afterAll(async () => {
    await db?.close();
  });

  it("turns existing conversations into one path each, newest message as the leaf", async () => {
    const all = (await readdir(join(process.cwd(), "prisma", "migrations"))).filter((d) => /^\d+_/.test(d)).sort();
    const branches = all.findIndex((d) => d.endsWith("_branches"));
    expect(branches).toBeGreaterThan(0);
    const before = await mkdtemp(join(tmpdir(), "tether-mig-"));
    for (const d of [...all.slice(0, branches), "migration_lock.toml"]) await cp(join("prisma", "migrations", d), join(before, d), { recursive: true });
    await applyMigrations(new PrismaPGlite(db), { migrationsDir: before });

    await db.exec(`
      INSERT INTO "User"(id) VALUES ('00000000-0000-4000-8000-000000000001');
      INSERT INTO "Conversation"(id, "userId", title) VALUES
        ('00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-000000000001', 'old'),
        ('00000000-0000-4000-8000-0000000000c2', '00000000-0000-4000-8000-000000000001', 'empty');
      INSERT INTO "Message"(id, "conversationId", role, status, "createdAt", "updatedAt") VALUES
        ('00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-0000000000c1', 'user', 'complete', '2026-01-01T00:00:01Z', now()),
        ('00000000-0000-4000-8000-00000000000b', '00000000-0000-4000-8000-0000000000c1', 'assistant', 'complete', '2026-01-01T00:00:02Z', now()),
        ('00000000-0000-4000-8000-00000000000c', '00000000-0000-4000-8000-0000000000c1', 'user', 'complete', '2026-01-01T00:00:03Z', now()),
        ('00000000-0000-4000-8000-00000000000d', '00000000-0000-4000-8000-0000000000c1', 'assistant', 'interrupted', '2026-01-01T00:00:04Z', now());
    `);
    const { applied } = await applyMigrations(new PrismaPGlite(db));
    expect(applied.some((m) => m.endsWith("_branches"))).toBe(true);

    const msgs = await db.query<{ id: string; parentId: string | null }>(`SELECT id, "parentId" FROM "Message" ORDER BY "createdAt"`);
    expect(msgs.rows.map((r) => [r.id.slice(-1), r.parentId?.slice(-1) ?? null])).toEqual([
      ["a", null],
      ["b", "a"],
      ["c", "b"],
      ["d", "c"],
    ]);
    const convs = await db.query<{ title: string; currentLeafId: string | null; titleLocked: boolean }>(
      `SELECT title, "currentLeafId", "titleLocked" FROM "Conversation" ORDER BY title`,
    );
    expect(convs.rows).toEqual([
      { title: "empty", currentLeafId: null, titleLocked: false },
      { title: "old", currentLeafId: "00000000-0000-4000-8000-00000000000d", titleLocked: false },
    ]);
  });
});
