// API keys on both databases (PGlite and PostgreSQL): a secret is shown once
// and stored only as its SHA-256; names are checked in code points; guests
// make none; at most MAX_API_KEYS_PER_USER active keys, also when asked at
// once; revocation is the owner's alone and idempotent; verification finds
// only active keys, by hash, and notes their use at most once a minute.
// Every database operation is watched (a Prisma query extension on the real
// client), so "no query" and "the use was noted" are awaited, not timed.
import { createHash, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Db } from "../platform/db";
import { captureLogs } from "../platform/log";
import { bothDatabases, useDatabase } from "../testing/databases";
import { makeUser } from "../testing/guests";
import { API_KEY_PREFIX, createApiKey, listApiKeys, MAX_API_KEYS_PER_USER, revokeApiKey, verifyApiKey } from "./keys";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const account = async (db: Db) => (await makeUser(db, { guest: false })).userId;

/** The real client, with every operation it runs recorded; `settled` awaits them all (the fire-and-forget write too). */
function watched(db: Db, opts: { failWrites?: boolean } = {}) {
  const ops: { operation: string; done: Promise<unknown> }[] = [];
  const client = db.$extends({
    query: {
      $allOperations({ operation, args, query }) {
        const done = opts.failWrites && operation === "updateMany" ? Promise.reject(new Error("write refused by the test")) : query(args);
        ops.push({ operation, done });
        return done;
      },
    },
  });
  return { db: client as unknown as Db, ops, settled: () => Promise.allSettled(ops.map((o) => o.done)) };
}

/** The secret with one character in the middle replaced by a different one. */
function tampered(secret: string): string {
  const i = Math.floor(secret.length / 2) + 5;
  return secret.slice(0, i) + (secret[i] === "A" ? "B" : "A") + secret.slice(i + 1);
}

const rejects = async (p: Promise<unknown>, status: number, code: string) => expect(p).rejects.toMatchObject({ status, code });

describe.each(bothDatabases("api_keys"))("API keys on %s", (_name, open, dispose) => {
  const handle = useDatabase(open, dispose);

  it("creates a key whose secret is shown once and stored only as its SHA-256", async () => {
    const db = handle().prisma;
    const userId = await account(db);
    const { key, secret } = await createApiKey(db, userId, "  laptop  ");
    expect(secret).toMatch(/^sk-tether-[A-Za-z0-9_-]{43}$/);
    expect(secret.startsWith(API_KEY_PREFIX)).toBe(true);
    expect(key).toEqual({ id: key.id, name: "laptop", prefix: secret.slice(0, 14), createdAt: key.createdAt, lastUsedAt: null, revokedAt: null });
    expect(new Date(key.createdAt).toISOString()).toBe(key.createdAt);
    const row = await db.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(row.secretHash).toBe(sha256(secret));
    expect(Object.values(row).map(String)).not.toContain(secret);
    // Two keys never share a secret.
    expect((await createApiKey(db, userId, "laptop")).secret).not.toBe(secret);
  });

  it("checks the name, trimmed, in code points: 1 to 100", async () => {
    const db = handle().prisma;
    const userId = await account(db);
    for (const name of ["", "   ", "\n\t", "x".repeat(101), "😀".repeat(101)]) await rejects(createApiKey(db, userId, name), 400, "invalid_input");
    // 100 emoji are 200 UTF-16 units and 100 code points: allowed.
    expect((await createApiKey(db, userId, "😀".repeat(100))).key.name).toBe("😀".repeat(100));
    expect((await createApiKey(db, userId, ` ${"x".repeat(100)} `)).key.name).toBe("x".repeat(100));
    expect(await db.apiKey.count({ where: { userId } })).toBe(2);
  });

  it("refuses a guest (403) and writes nothing", async () => {
    const db = handle().prisma;
    const guest = (await makeUser(db, { guest: true })).userId;
    await expect(createApiKey(db, guest, "mine")).rejects.toMatchObject({ status: 403, code: "forbidden", message: "Sign up to create API keys." });
    expect(await db.apiKey.count({ where: { userId: guest } })).toBe(0);
  });

  it(`allows ${MAX_API_KEYS_PER_USER} active keys; a revoked one frees its place`, async () => {
    const db = handle().prisma;
    const userId = await account(db);
    const made = [];
    for (let i = 0; i < MAX_API_KEYS_PER_USER; i++) made.push((await createApiKey(db, userId, `k${i}`)).key);
    await rejects(createApiKey(db, userId, "one too many"), 409, "conflict");
    // Another user's count is their own.
    expect((await createApiKey(db, await account(db), "other")).key.name).toBe("other");
    await revokeApiKey(db, userId, made[3].id);
    expect((await createApiKey(db, userId, "in its place")).key.name).toBe("in its place");
    await rejects(createApiKey(db, userId, "again too many"), 409, "conflict");
    expect(await db.apiKey.count({ where: { userId, revokedAt: null } })).toBe(MAX_API_KEYS_PER_USER);
  });

  it("lets only one of several creations at once take the last place", async () => {
    const { prisma: db, kind } = handle();
    const userId = await account(db);
    for (let i = 0; i < MAX_API_KEYS_PER_USER - 1; i++) await createApiKey(db, userId, `k${i}`);
    const race = () => Promise.allSettled([1, 2, 3, 4].map((i) => createApiKey(db, userId, `racer ${i}`)));
    let results: Awaited<ReturnType<typeof race>>;
    if (kind === "pglite")
      results = await race(); // one connection: transactions take turns anyway
    else {
      // PostgreSQL: the user's row held by the test until all four creations wait on it, so
      // they truly overlap (each counts, then inserts) instead of happening to run one by one.
      let racing!: ReturnType<typeof race>;
      await db.$transaction(
        async (tx) => {
          const [{ pid }] = await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
          await tx.$queryRaw`SELECT id FROM "User" WHERE id = ${userId}::uuid FOR UPDATE`;
          racing = race();
          // Waiters on one row queue behind each other: count every backend our lock holds up, directly or not.
          const waiting = async () =>
            (
              await db.$queryRaw<{ n: number }[]>`WITH RECURSIVE held(pid) AS (
                SELECT pid FROM pg_stat_activity WHERE ${pid}::int = ANY(pg_blocking_pids(pid))
                UNION SELECT a.pid FROM pg_stat_activity a JOIN held h ON h.pid = ANY(pg_blocking_pids(a.pid)))
              SELECT count(*)::int AS n FROM held`
            )[0].n;
          await expect.poll(waiting, { timeout: 30_000 }).toBeGreaterThanOrEqual(4);
        },
        { timeout: 60_000 },
      );
      results = await racing;
    }
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toMatchObject({ code: "conflict" });
    expect(await db.apiKey.count({ where: { userId, revokedAt: null } })).toBe(MAX_API_KEYS_PER_USER);
  });

  it("lists the user's own keys, newest first, revoked ones marked, without secret or hash", async () => {
    const db = handle().prisma;
    const userId = await account(db);
    const a = (await createApiKey(db, userId, "a")).key;
    const b = (await createApiKey(db, userId, "b")).key;
    const c = (await createApiKey(db, userId, "c")).key;
    await createApiKey(db, await account(db), "someone else's");
    // Distinct times, so "newest first" is about createdAt and not insertion order.
    for (const [k, ago] of [
      [a, 3],
      [b, 1],
      [c, 2],
    ] as const)
      await db.apiKey.update({ where: { id: k.id }, data: { createdAt: new Date(Date.now() - ago * 60_000) } });
    const revoked = await revokeApiKey(db, userId, c.id);
    const list = await listApiKeys(db, userId);
    expect(list.map((k) => k.name)).toEqual(["b", "c", "a"]);
    expect(list[1]).toEqual(revoked);
    expect(list[1].revokedAt).not.toBeNull();
    expect(list[0].revokedAt).toBeNull();
    for (const k of list) expect(Object.keys(k).sort()).toEqual(["createdAt", "id", "lastUsedAt", "name", "prefix", "revokedAt"]);
  });

  it("revokes the owner's key only: another user's, an unknown and a malformed id are 404; twice returns the same revocation", async () => {
    const db = handle().prisma;
    const owner = await account(db);
    const { key, secret } = await createApiKey(db, owner, "k");
    const mallory = await account(db);
    await rejects(revokeApiKey(db, mallory, key.id), 404, "not_found");
    await rejects(revokeApiKey(db, owner, randomUUID()), 404, "not_found");
    await rejects(revokeApiKey(db, owner, "not-a-uuid"), 404, "not_found");
    const w = watched(db);
    expect(await verifyApiKey(w.db, secret)).toMatchObject({ keyId: key.id });
    await w.settled(); // its note of the use, before the key is read back below

    const first = await revokeApiKey(db, owner, key.id);
    expect(first).toMatchObject({ id: key.id, name: "k", revokedAt: expect.any(String) });
    // Moved an hour back, so a second revocation that wrote its own time could not match by chance.
    const revokedAt = new Date(Date.now() - 3_600_000);
    await db.apiKey.update({ where: { id: key.id }, data: { revokedAt } });
    expect(await revokeApiKey(db, owner, key.id)).toEqual({ ...first, revokedAt: revokedAt.toISOString() });
    expect(await verifyApiKey(db, secret)).toBeNull();
  });

  it("verifies an active key by its secret; null once revoked, for a tampered secret and for another key's", async () => {
    const db = handle().prisma;
    const userId = await account(db);
    const { key, secret } = await createApiKey(db, userId, "ci");
    const other = await createApiKey(db, userId, "other");
    expect(await verifyApiKey(db, secret)).toEqual({ keyId: key.id, userId, name: "ci" });
    expect(await verifyApiKey(db, tampered(secret))).toBeNull();
    expect(await verifyApiKey(db, other.secret)).toEqual({ keyId: other.key.id, userId, name: "other" });
    await revokeApiKey(db, userId, key.id);
    expect(await verifyApiKey(db, secret)).toBeNull();
    expect(await verifyApiKey(db, other.secret)).not.toBeNull();
  });

  it("answers null without a query for anything not shaped like a key", async () => {
    const db = handle().prisma;
    const { secret } = await createApiKey(db, await account(db), "k");
    const w = watched(db);
    const malformed = [
      "",
      API_KEY_PREFIX,
      secret.slice(0, -1),
      `${secret}A`,
      ` ${secret}`,
      secret.replace("sk-tether-", "sk-ant-"),
      `${secret.slice(0, 20)}+${secret.slice(21)}`,
    ];
    for (const s of malformed) expect(await verifyApiKey(w.db, s)).toBeNull();
    expect(w.ops).toEqual([]);
    // The same client does query for a well-formed one.
    expect(await verifyApiKey(w.db, secret)).not.toBeNull();
    expect(w.ops.length).toBeGreaterThan(0);
  });

  it("notes a key's use, at most once a minute", async () => {
    const db = handle().prisma;
    const userId = await account(db);
    const { key, secret } = await createApiKey(db, userId, "k");
    const lastUsed = async () => (await db.apiKey.findUniqueOrThrow({ where: { id: key.id } })).lastUsedAt;

    let w = watched(db);
    await verifyApiKey(w.db, secret);
    await w.settled();
    const noted = await lastUsed();
    expect(noted).not.toBeNull();
    expect((await listApiKeys(db, userId))[0].lastUsedAt).toBe(noted!.toISOString());

    // Noted 30 s ago: not again.
    const recent = new Date(Date.now() - 30_000);
    await db.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: recent } });
    w = watched(db);
    await verifyApiKey(w.db, secret);
    await w.settled();
    expect(await lastUsed()).toEqual(recent);

    // Noted two minutes ago: now.
    const old = new Date(Date.now() - 120_000);
    await db.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: old } });
    w = watched(db);
    await verifyApiKey(w.db, secret);
    await w.settled();
    expect((await lastUsed())!.getTime()).toBeGreaterThan(old.getTime() + 60_000);
  });

  it("writes the use once when two verifications of a key that is due come at once", async () => {
    const db = handle().prisma;
    const { key, secret } = await createApiKey(db, await account(db), "k");
    const w = watched(db);
    const both = await Promise.all([verifyApiKey(w.db, secret), verifyApiKey(w.db, secret)]);
    expect(both.map((v) => v?.keyId)).toEqual([key.id, key.id]);
    await w.settled();
    const writes = await Promise.all(w.ops.filter((o) => o.operation === "updateMany").map((o) => o.done as Promise<{ count: number }>));
    // Each may try (both read "never used"); the condition lets one write.
    expect(writes.reduce((n, r) => n + r.count, 0)).toBe(1);
  });

  it("logs a failure to note the use and still verifies the key", async () => {
    const db = handle().prisma;
    const { key, secret } = await createApiKey(db, await account(db), "k");
    const logs = captureLogs("warn");
    try {
      const w = watched(db, { failWrites: true });
      expect(await verifyApiKey(w.db, secret)).toMatchObject({ keyId: key.id });
      await w.settled();
      await expect.poll(() => logs.entries().find((e) => e.msg === "could not note an API key's use")).toMatchObject({ keyId: key.id });
    } finally {
      logs.restore();
    }
    expect(logs.text()).not.toContain(secret);
  });
});
