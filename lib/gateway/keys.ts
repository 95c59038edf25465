// Tether API keys (docs/API.md, "API keys"): named secrets a user makes in settings to call
// the Anthropic-compatible gateway (docs/GATEWAY.md) from their own code. The
// secret is shown once, at creation; only its SHA-256 is stored, so the
// database alone opens nothing, and a key is found by that hash, never by
// comparing secrets.
import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../platform/db";
import { AppError } from "../errors";
import { errorFields, log } from "../platform/log";

export const API_KEY_PREFIX = "sk-tether-";
/** Active (not revoked) keys per user: enough for every machine one person has, small enough to list. */
export const MAX_API_KEYS_PER_USER = 20;

export type ApiKeyInfo = { id: string; name: string; prefix: string; createdAt: string; lastUsedAt: string | null; revokedAt: string | null };

const MAX_NAME_CODE_POINTS = 100;
/** "sk-tether-" and 4 characters of the random part: enough to tell keys apart, far too few to guess the rest. */
const SHOWN_PREFIX_LENGTH = 14;
/** The prefix and 32 random bytes in base64url: anything else cannot be a key. */
const SECRET_RE = /^sk-tether-[A-Za-z0-9_-]{43}$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A busy key would otherwise write its row on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

type Row = { id: string; name: string; prefix: string; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null };
const INFO = { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true } as const;

const toInfo = (r: Row): ApiKeyInfo => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  createdAt: r.createdAt.toISOString(),
  lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
  revokedAt: r.revokedAt?.toISOString() ?? null,
});

const secretHash = (secret: string) => createHash("sha256").update(secret, "utf8").digest("hex");
const notFound = () => new AppError("not_found", "API key not found");

function keyName(name: string): string {
  const trimmed = name.trim();
  const length = [...trimmed].length;
  if (length < 1 || length > MAX_NAME_CODE_POINTS) throw new AppError("invalid_input", `name: must be 1 to ${MAX_NAME_CODE_POINTS} characters.`);
  return trimmed;
}

/**
 * A new key for an account (guests are refused: a key would outlive the
 * guest's session and its purge). The secret is returned here and never again.
 */
export async function createApiKey(db: Db, userId: string, name: string): Promise<{ key: ApiKeyInfo; secret: string }> {
  const trimmed = keyName(name);
  const secret = API_KEY_PREFIX + randomBytes(32).toString("base64url");
  const row = await db.$transaction(async (tx) => {
    // The user's row, locked: two creations at once cannot both pass the count.
    const [user] = await tx.$queryRaw<{ isAnonymous: boolean }[]>`SELECT "isAnonymous" FROM "User" WHERE id = ${userId}::uuid FOR UPDATE`;
    if (!user) throw new AppError("unauthorized", "Your session has ended: sign in again.");
    if (user.isAnonymous) throw new AppError("forbidden", "Sign up to create API keys.");
    const active = await tx.apiKey.count({ where: { userId, revokedAt: null } });
    if (active >= MAX_API_KEYS_PER_USER) {
      throw new AppError("conflict", `You already have ${MAX_API_KEYS_PER_USER} active API keys: revoke one first.`);
    }
    return tx.apiKey.create({
      data: { userId, name: trimmed, prefix: secret.slice(0, SHOWN_PREFIX_LENGTH), secretHash: secretHash(secret) },
      select: INFO,
    });
  });
  return { key: toInfo(row), secret };
}

/** The user's keys, newest first, revoked ones included (with their `revokedAt`). */
export async function listApiKeys(db: Db, userId: string): Promise<ApiKeyInfo[]> {
  const rows = await db.apiKey.findMany({ where: { userId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: INFO });
  return rows.map(toInfo);
}

/** Revokes the user's key for good; a revoked key stays revoked (and keeps its time). Any other id: 404. */
export async function revokeApiKey(db: Db, userId: string, id: string): Promise<ApiKeyInfo> {
  if (!UUID_RE.test(id)) throw notFound();
  await db.apiKey.updateMany({ where: { id, userId, revokedAt: null }, data: { revokedAt: new Date() } });
  const row = await db.apiKey.findFirst({ where: { id, userId }, select: INFO });
  if (!row) throw notFound();
  return toInfo(row);
}

/**
 * The active key a secret is, or null (malformed, unknown, revoked). Notes
 * the use, at most once a minute per key, without waiting for that write:
 * a failure to note it is logged and never refuses the request.
 */
export async function verifyApiKey(db: Db, secret: string): Promise<{ keyId: string; userId: string; name: string } | null> {
  if (typeof secret !== "string" || !SECRET_RE.test(secret)) return null;
  const row = await db.apiKey.findUnique({
    where: { secretHash: secretHash(secret) },
    select: { id: true, userId: true, name: true, lastUsedAt: true, revokedAt: true },
  });
  if (!row || row.revokedAt) return null;
  const now = new Date();
  const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  if (!row.lastUsedAt || row.lastUsedAt < stale) {
    // Conditional, so that instances verifying the same key at once write it once.
    void db.apiKey
      .updateMany({ where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: stale } }] }, data: { lastUsedAt: now } })
      .catch((e: unknown) => log.warn({ component: "api-keys", keyId: row.id, err: errorFields(e) }, "could not note an API key's use"));
  }
  return { keyId: row.id, userId: row.userId, name: row.name };
}
