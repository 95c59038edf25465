// The auth library (better-auth) over our Prisma client. It owns password
// hashing, sessions (a Session row per browser, a signed token in the session
// cookie) and the guest → account link. Guests are its
// anonymous users, so there is one session mechanism for everyone.
import { betterAuth } from "better-auth/minimal";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { anonymous } from "better-auth/plugins/anonymous";
import type { Db } from "../platform/db";
import { sessionSecret } from "./session-secret";
import type { Revocation, SessionCache } from "./session-cache";
import { adoptGuestData } from "./guest-data";
import type { UserEventSink } from "../events/types";

/**
 * The session cookie's name as the library knows it, and its name over plain
 * HTTP. The library never sees a browser's cookies: it gets a cookie header we
 * build under this name, and its Set-Cookie is renamed for the request
 * (`__Host-` over HTTPS, lib/auth/cookies.ts).
 */
export const SESSION_COOKIE = "tether_session";
const DAY = 24 * 3600;
/** A guest's only key to their data is the cookie: keep it as long as Chrome allows (400 days). */
export const GUEST_SESSION_SECONDS = 400 * DAY;
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

/**
 * What accounts are configured with (lib/config.ts): SESSION_SECRET (or one
 * generated under DATA_DIR), AUTH_SESSION_DAYS, and TRUSTED_PROXY_HOPS for
 * the client address a new session records.
 */
export type AuthSettings = { secret: string | undefined; dataDir: string; accountDays: number; trustedProxyHops?: number };

/**
 * What a guest's move into an account does to the guest's live replies: the
 * account may have `maxActivePerUser` generating (MAX_ACTIVE_GENERATIONS_PER_USER);
 * `stop` ends those beyond it (lib/reply/stop.ts).
 */
export type ReplyCap = { maxActivePerUser: number; stop(messageIds: string[]): Promise<void> };

/** The database and the settings: what every account operation uses; `sessions` caches verified sessions. */
/** `events`: the users' event streams (a guest's hears which conversations moved into the account). */
export type Accounts = { db: Db; settings: AuthSettings; replies?: ReplyCap; sessions?: SessionCache; events?: UserEventSink };

const guestExpiry = () => new Date(Date.now() + GUEST_SESSION_SECONDS * 1000);

export function createAuth({ db, settings, replies, events }: Accounts) {
  const sessions = { revoke: (r: Revocation) => sessionCaches.get(db)?.revoke(r) };
  return betterAuth({
    appName: "Tether",
    secret: sessionSecret(settings),
    database: prismaAdapter(db, { provider: "postgresql", transaction: true }),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: MIN_PASSWORD_LENGTH,
      maxPasswordLength: MAX_PASSWORD_LENGTH,
      autoSignIn: true,
    },
    session: {
      expiresIn: Math.round(settings.accountDays * DAY), // an account's session ends after this long unused
      updateAge: DAY, // sliding expiry, written at most once a day per session
      // No cookie cache: a revoked session must be refused on its very next
      // request. Our own cache (session-cache.ts) is told by the hooks below.
      cookieCache: { enabled: false },
    },
    advanced: {
      database: { generateId: "uuid" },
      cookies: { session_token: { name: SESSION_COOKIE } },
      // Cookie attributes (Secure per request, lifetime) are set where the
      // cookie is forwarded (lib/auth/cookies.ts).
      useSecureCookies: false,
    },
    databaseHooks: {
      session: {
        // Guests keep their (longer) lifetime when created and when refreshed.
        create: {
          before: async (session, ctx) => (ctx?.path === "/sign-in/anonymous" ? { data: { ...session, expiresAt: guestExpiry() } } : undefined),
        },
        update: {
          before: async (session, ctx) =>
            session.expiresAt && (ctx?.context.session?.user as { isAnonymous?: boolean } | undefined)?.isAnonymous
              ? { data: { ...session, expiresAt: guestExpiry() } }
              : undefined,
        },
        // Whatever the library deletes is forgotten by every instance's cache.
        delete: { after: async (session) => void (await sessions.revoke({ sessionId: session.id })) },
      },
      user: { delete: { after: async (user) => void (await sessions.revoke({ userId: user.id })) } },
    },
    plugins: [
      anonymous({
        generateName: () => "Guest",
        // Runs when a guest signs up or signs in: their conversations and
        // settings move to the account. The library would then delete the
        // guest outside any transaction, and with it (cascade) whatever the
        // guest wrote meanwhile; the move marks the guest merged instead
        // (lib/auth/data-owner.ts). Guest replies past the account's cap
        // of generating replies are stopped (saved as interrupted).
        onLinkAccount: async ({ anonymousUser, newUser }) => {
          const { movedIds, overCap } = await adoptGuestData(db, anonymousUser.user.id, newUser.user.id, replies?.maxActivePerUser);
          // Whatever follows a moved conversation through its owner's stream (a shared link's viewers) follows the account now.
          for (const conversationId of movedIds) events?.publish(anonymousUser.user.id, { event: "conversation.moved", data: { conversationId } });
          await sessions.revoke({ userId: anonymousUser.user.id }); // its sessions were deleted with the move, outside the library
          if (overCap.length) await replies?.stop(overCap);
        },
        disableDeleteAnonymousUser: true,
      }),
    ],
    telemetry: { enabled: false },
    logger: { level: "error" },
  });
}

export type Auth = ReturnType<typeof createAuth>;

// One instance per database client (tests swap databases), and the cache
// its hooks tell what the library deleted.
const instances = new WeakMap<Db, Auth>();
const sessionCaches = new WeakMap<Db, SessionCache>();

export function authFor(a: Accounts): Auth {
  if (a.sessions) sessionCaches.set(a.db, a.sessions);
  let auth = instances.get(a.db);
  if (!auth) instances.set(a.db, (auth = createAuth(a)));
  return auth;
}
