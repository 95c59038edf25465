// API keys through the real routes (docs/API.md, "API keys"): an account
// creates a key and sees its secret once, in that answer only; lists never
// carry the secret or its hash; what is stored is the secret's SHA-256; the
// key verifies until it is revoked, and a tampered secret never does; only
// the owner revokes; bad input is 400, guests 403, a 21st active key 409,
// a cross-site request 403; a verified key shows when it was last used.
import { createHash, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { call, cookieFrom } from "@/lib/testing/route-client";
import { expectError, newGuest } from "@/lib/testing/api-steps";
import { MAX_API_KEYS_PER_USER, verifyApiKey, type ApiKeyInfo } from "@/lib/gateway/keys";
import * as signUp from "@/app/api/auth/sign-up/route";
import * as keys from "@/app/api/keys/route";
import * as oneKey from "@/app/api/keys/[id]/route";

const h = useRouteHarness("api_keys", { SIGN_UP_RATE_LIMIT: "0" });

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

async function newAccount(): Promise<string> {
  const res = await call(signUp.POST, "POST", "/api/auth/sign-up", { body: { email: `keys-${randomUUID()}@example.com`, password: "correct horse battery" } });
  expect(res.status).toBe(201);
  return cookieFrom(res);
}

const create = (cookie: string | undefined, body: unknown, headers?: Record<string, string>) => call(keys.POST, "POST", "/api/keys", { cookie, body, headers });
const list = (cookie: string | undefined) => call(keys.GET, "GET", "/api/keys", { cookie });
const revoke = (cookie: string | undefined, id: string) => call(oneKey.DELETE, "DELETE", `/api/keys/${id}`, { cookie, params: { id } });

async function created(cookie: string, name = "laptop"): Promise<{ key: ApiKeyInfo; secret: string }> {
  const res = await create(cookie, { name });
  expect(res.status).toBe(201);
  return res.json();
}
async function listed(cookie: string): Promise<{ text: string; keys: ApiKeyInfo[] }> {
  const res = await list(cookie);
  expect(res.status).toBe(200);
  const text = await res.text();
  return { text, keys: JSON.parse(text).keys };
}

/** The secret with one character in the middle replaced by a different one. */
function tampered(secret: string): string {
  const i = Math.floor(secret.length / 2) + 5;
  return secret.slice(0, i) + (secret[i] === "A" ? "B" : "A") + secret.slice(i + 1);
}

describe("/api/keys", () => {
  it("creates a key whose secret is shown once: stored as its SHA-256, never listed, and it verifies", async () => {
    const me = await newAccount();
    const res = await create(me, { name: "  ci runner  " });
    expect(res.status).toBe(201);
    const text = await res.text();
    const { key, secret } = JSON.parse(text) as { key: ApiKeyInfo; secret: string };
    expect(secret).toMatch(/^sk-tether-[A-Za-z0-9_-]{43}$/);
    expect(key).toEqual({ id: key.id, name: "ci runner", prefix: secret.slice(0, 14), createdAt: key.createdAt, lastUsedAt: null, revokedAt: null });
    expect(text).not.toContain(sha256(secret));

    const row = await h.db.prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(row.secretHash).toBe(sha256(secret));

    const { text: listText, keys: all } = await listed(me);
    expect(all).toEqual([key]);
    expect(listText).not.toContain(secret);
    expect(listText).not.toContain(secret.slice(14));
    expect(listText).not.toContain(row.secretHash);

    const userId = row.userId;
    expect(await verifyApiKey(h.db.prisma, secret)).toEqual({ keyId: key.id, userId, name: "ci runner" });
    expect(await verifyApiKey(h.db.prisma, tampered(secret))).toBeNull();
  });

  it("notes when a verified key was last used", async () => {
    const me = await newAccount();
    const { key, secret } = await created(me);
    expect((await listed(me)).keys[0].lastUsedAt).toBeNull();
    expect(await verifyApiKey(h.db.prisma, secret)).not.toBeNull();
    // Noted without holding up the request it authenticated: polled for, not awaited.
    await expect.poll(async () => (await listed(me)).keys.find((k) => k.id === key.id)?.lastUsedAt ?? null, { timeout: 30_000 }).not.toBeNull();
  });

  it("revokes: the key no longer verifies, stays listed as revoked, and revoking again returns it unchanged", async () => {
    const me = await newAccount();
    const { key, secret } = await created(me, "old");
    const kept = await created(me, "kept");
    const res = await revoke(me, key.id);
    expect(res.status).toBe(200);
    const { key: revoked } = await res.json();
    expect(revoked).toMatchObject({ id: key.id, name: "old", prefix: key.prefix, revokedAt: expect.any(String) });
    expect(await verifyApiKey(h.db.prisma, secret)).toBeNull();
    expect(await verifyApiKey(h.db.prisma, kept.secret)).not.toBeNull();
    expect((await listed(me)).keys.find((k) => k.id === key.id)).toEqual(revoked);
    const again = await revoke(me, key.id);
    expect(again.status).toBe(200);
    expect((await again.json()).key).toEqual(revoked);
  });

  it("answers 404 for another user's key and leaves it active; 404 for unknown and malformed ids", async () => {
    const owner = await newAccount();
    const { key, secret } = await created(owner);
    const mallory = await newAccount();
    await expectError(await revoke(mallory, key.id), 404, "not_found");
    await expectError(await revoke(mallory, key.id.toUpperCase()), 404, "not_found");
    expect((await listed(mallory)).keys).toEqual([]);
    expect((await listed(owner)).keys[0].revokedAt).toBeNull();
    expect(await verifyApiKey(h.db.prisma, secret)).not.toBeNull();
    await expectError(await revoke(owner, randomUUID()), 404, "not_found");
    await expectError(await revoke(owner, "not-a-key"), 404, "not_found");
  });

  it("refuses bad input with 400 and creates nothing", async () => {
    const me = await newAccount();
    for (const body of [
      { name: "" },
      { name: "   " },
      { name: "x".repeat(101) },
      { name: "😀".repeat(101) },
      {},
      { name: 7 },
      { name: null },
      { name: "ok", extra: 1 },
      [],
    ])
      await expectError(await create(me, body), 400, "invalid_input");
    await expectError(await call(keys.POST, "POST", "/api/keys", { cookie: me, rawBody: "{name: 'laptop'" }), 400, "invalid_json");
    await expectError(await call(keys.POST, "POST", "/api/keys", { cookie: me }), 400, "invalid_input"); // no body at all
    // What PostgreSQL cannot store is refused before it is written, never a 500.
    for (const rawBody of ['{"name":"a\\u0000b"}', '{"name":"\\ud800 lone"}'])
      await expectError(await call(keys.POST, "POST", "/api/keys", { cookie: me, rawBody }), 400, "invalid_input");
    expect((await listed(me)).keys).toEqual([]);
    // 100 code points (200 UTF-16 units) is the longest name.
    expect((await created(me, "😀".repeat(100))).key.name).toBe("😀".repeat(100));
  });

  it("refuses a guest (403 with the reason), a request without a session (401) and a cross-site request (403)", async () => {
    const guest = await newGuest();
    const refused = await expectError(await create(guest, { name: "mine" }), 403, "forbidden");
    expect(refused.error.message).toBe("Sign up to create API keys.");
    expect((await listed(guest)).keys).toEqual([]);

    await expectError(await create(undefined, { name: "x" }), 401, "unauthorized");
    await expectError(await list(undefined), 401, "unauthorized");
    await expectError(await revoke(undefined, randomUUID()), 401, "unauthorized");

    const me = await newAccount();
    await expectError(await create(me, { name: "x" }, { "sec-fetch-site": "cross-site" }), 403, "forbidden");
    await expectError(await create(me, { name: "x" }, { origin: "https://evil.example" }), 403, "forbidden");
    const { key } = await created(me);
    const res = await call(oneKey.DELETE, "DELETE", `/api/keys/${key.id}`, { cookie: me, params: { id: key.id }, headers: { "sec-fetch-site": "cross-site" } });
    await expectError(res, 403, "forbidden");
    expect((await listed(me)).keys.map((k) => [k.name, k.revokedAt])).toEqual([["laptop", null]]);
  });

  it(`allows ${MAX_API_KEYS_PER_USER} active keys: the next is 409 until one is revoked`, async () => {
    const me = await newAccount();
    const made: ApiKeyInfo[] = [];
    for (let i = 0; i < MAX_API_KEYS_PER_USER; i++) made.push((await created(me, `key ${i}`)).key);
    await expectError(await create(me, { name: "one too many" }), 409, "conflict");
    expect((await revoke(me, made[0].id)).status).toBe(200);
    expect((await created(me, "in its place")).key.name).toBe("in its place");
    await expectError(await create(me, { name: "again" }), 409, "conflict");
    const { keys: all } = await listed(me);
    expect(all).toHaveLength(MAX_API_KEYS_PER_USER + 1);
    expect(all.filter((k) => k.revokedAt === null)).toHaveLength(MAX_API_KEYS_PER_USER);
  });
});
