// Verified sessions, kept for a few seconds so that a request does not cost a
// database query to learn who sent it (docs/ARCHITECTURE.md, "Seams").
// Keyed by a hash of the signed session token: a forged or altered cookie
// never matches. Whatever the auth library deletes (a sign-out, revoking
// other sessions, a user) reaches `revoke` through its hooks (auth.ts),
// which forgets it here and, in scaled mode, on every other instance
// through Redis. The TTL only bounds what nothing revoked: a session reaching its
// expiry is checked on every hit.
import { createHash } from "node:crypto";
import { createClient } from "redis";
import { errorFields, log } from "../platform/log";
import type { SessionUser } from "./index";

/** Which sessions to forget: one session, or every session of a user. */
export type Revocation = { sessionId: string } | { userId: string };

/**
 * Tells the other instances what was revoked; `onRevoke` hears theirs.
 * `onDeaf` is called whenever revocations may go unheard (the connection
 * dropped), `onHearing` when they are heard again.
 */
export interface RevocationChannel {
  publish(r: Revocation): Promise<void>;
  listen(hear: { onRevoke(r: Revocation): void; onDeaf(): void; onHearing(): void }): Promise<void>;
  close(): Promise<void>;
}

type Entry = { user: SessionUser; until: number };
const PUBLISH_WAIT_MS = 2_000;

export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every revocation: a lookup that began before one is not cached. */
  private epoch = 0;
  /** Sessions are kept only while revocations from other instances are heard. */
  private hearing: boolean;
  private listening = false;

  constructor(
    private readonly ttlMs: number,
    private readonly channel: RevocationChannel | null = null,
    private readonly maxEntries = 10_000,
    private readonly now = Date.now,
  ) {
    this.hearing = !channel;
  }

  /** Starts hearing other instances' revocations, on first use (a build never connects). */
  private listen(): void {
    if (this.listening || !this.channel) return;
    this.listening = true;
    const deaf = () => {
      this.hearing = false;
      this.epoch++;
      this.entries.clear();
    };
    this.channel
      .listen({ onRevoke: (r) => this.forget(r), onDeaf: deaf, onHearing: () => (this.hearing = true) })
      .then(() => (this.hearing = true))
      .catch((e) => {
        this.listening = false;
        log.error({ component: "session cache", err: errorFields(e) }, "cannot hear session revocations: sessions are not cached");
      });
  }

  static key = (token: string) => createHash("sha256").update(token).digest("base64url");

  /** Whether verified sessions are kept now (not while revocations could go unheard). */
  get caching(): boolean {
    return this.ttlMs > 0 && this.hearing;
  }

  /** The session of this token, when verified less than the TTL ago and not expired. */
  get(token: string): SessionUser | null {
    const key = SessionCache.key(token);
    const hit = this.entries.get(key);
    if (!hit) return null;
    const now = this.now();
    if (hit.until <= now || hit.user.expiresAt.getTime() <= now) {
      this.entries.delete(key);
      return null;
    }
    return hit.user;
  }

  /** Marks the start of a lookup in the database; pass it to `set`. */
  begin(): number {
    return this.epoch;
  }

  /** Keeps a verified session, unless something was revoked since `began`. */
  set(token: string, user: SessionUser, began: number): void {
    if (this.ttlMs <= 0) return;
    this.listen();
    if (!this.hearing || began !== this.epoch) return;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(SessionCache.key(token), { user, until: this.now() + this.ttlMs });
  }

  /**
   * Forgets sessions here and on every other instance. Published before the
   * caller answers, so a next request elsewhere finds them gone; Redis being
   * unreachable never holds a sign-out (the TTL then bounds the rest).
   */
  async revoke(r: Revocation): Promise<void> {
    this.forget(r);
    if (!this.channel) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, PUBLISH_WAIT_MS)));
    await Promise.race([this.channel.publish(r), late])
      .catch((e) => log.error({ component: "session cache", err: errorFields(e) }, "could not tell other instances about a revoked session"))
      .finally(() => clearTimeout(timer));
  }

  private forget(r: Revocation): void {
    this.epoch++;
    for (const [key, { user }] of this.entries) {
      if ("sessionId" in r ? user.sessionId === r.sessionId : user.userId === r.userId) this.entries.delete(key);
    }
  }

  close(): Promise<void> {
    return this.channel?.close() ?? Promise.resolve();
  }
}

const makeClient = (url: string) => createClient({ url });
type Client = ReturnType<typeof makeClient>;
const redisError = (e: unknown) => log.error({ component: "redis", client: "session revocations", err: errorFields(e) }, "redis error");

/** Revocations over a Redis pub/sub channel, heard by every instance. */
export class RedisRevocations implements RevocationChannel {
  private pub: Promise<Client> | null = null;
  private sub: Promise<Client> | null = null;

  constructor(
    private readonly url: string,
    private readonly name = "tether:sessions",
  ) {}

  private client(): Promise<Client> {
    const c = makeClient(this.url);
    c.on("error", redisError);
    return c.connect();
  }

  async publish(r: Revocation): Promise<void> {
    this.pub ??= this.client();
    await (await this.pub).publish(this.name, JSON.stringify(r));
  }

  async listen(hear: { onRevoke(r: Revocation): void; onDeaf(): void; onHearing(): void }): Promise<void> {
    this.sub ??= this.client();
    const c = await this.sub;
    // Pub/sub does not queue for a dropped connection: what was revoked meanwhile is unknown.
    c.on("reconnecting", () => hear.onDeaf());
    c.on("end", () => hear.onDeaf());
    await c.subscribe(this.name, (raw) => {
      try {
        const r = JSON.parse(raw) as Partial<Record<"sessionId" | "userId", unknown>>;
        if (typeof r.sessionId === "string") hear.onRevoke({ sessionId: r.sessionId });
        else if (typeof r.userId === "string") hear.onRevoke({ userId: r.userId });
      } catch {
        /* not a revocation */
      }
    });
    // node-redis subscribes again after a reconnect, then reports ready.
    c.on("ready", () => hear.onHearing());
  }

  async close(): Promise<void> {
    const [pub, sub] = [this.pub, this.sub];
    this.pub = this.sub = null;
    await Promise.all([pub?.then((c) => c.close()).catch(() => {}), sub?.then((c) => c.close()).catch(() => {})]);
  }
}
