// The purge of expired sessions and idle guests on both databases (PGlite
// and PostgreSQL): what nobody can reach any more goes, with everything it
// owns; live guests, accounts and a guest whose reply is generating stay.
import { describe, expect, it } from "vitest";
import { bothDatabases, useDatabase } from "../testing/databases";
import { DAY, EXPIRED, HOUR, LIVE, makeUser, remains } from "../testing/guests";
import { purgeIdle } from "./purge";

const TTL = 24 * HOUR;
const gone = { user: false, sessions: 0, conversations: 0, messages: 0, settings: 0 };

describe.each(bothDatabases("purge"))("purgeIdle on %s", (_name, open, dispose) => {
  const handle = useDatabase(open, dispose);

  it("deletes expired sessions and guests without a live session, with their data; leaves live guests and accounts", async () => {
    const db = handle().prisma;
    const expiredGuest = await makeUser(db, { sessions: [EXPIRED], reply: "complete", settings: true });
    const signedOutGuest = await makeUser(db, { sessions: [], reply: "interrupted" });
    const liveGuest = await makeUser(db, { sessions: [EXPIRED, LIVE], reply: "complete", settings: true });
    const account = await makeUser(db, { guest: false, sessions: [EXPIRED, EXPIRED], reply: "complete", settings: true });
    const accountNoSession = await makeUser(db, { guest: false, sessions: [], reply: "failed" });
    const generating = await makeUser(db, { sessions: [EXPIRED], reply: "streaming" });
    const pending = await makeUser(db, { sessions: [], reply: "pending" });
    const justCreated = await makeUser(db, { createdAgoMs: 0, sessions: [] }); // its session is about to be written

    const result = await purgeIdle(db, { emptyGuestTtlMs: TTL });

    expect(await remains(db, expiredGuest)).toEqual(gone);
    expect(await remains(db, signedOutGuest)).toEqual(gone);
    expect(await remains(db, liveGuest)).toEqual({ user: true, sessions: 1, conversations: 1, messages: 2, settings: 1 });
    expect(await db.session.findMany({ where: { userId: liveGuest.userId }, select: { id: true } })).toEqual([{ id: liveGuest.sessionIds[1] }]);
    expect(await remains(db, account)).toEqual({ user: true, sessions: 0, conversations: 1, messages: 2, settings: 1 });
    expect(await remains(db, accountNoSession)).toMatchObject({ user: true, conversations: 1, messages: 2 });
    expect(await remains(db, generating)).toEqual({ user: true, sessions: 0, conversations: 1, messages: 2, settings: 0 });
    expect(await remains(db, pending)).toMatchObject({ user: true, conversations: 1, messages: 2 });
    expect((await remains(db, justCreated)).user).toBe(true);
    expect(result).toEqual({ sessions: 5, guests: 2, emptyGuests: 0 });

    // Nothing left to do: a second run deletes nothing.
    expect(await purgeIdle(db, { emptyGuestTtlMs: TTL })).toEqual({ sessions: 0, guests: 0, emptyGuests: 0 });
  });

  it("deletes guests that never created a conversation once idle past the TTL, and only those", async () => {
    const db = handle().prisma;
    const idleEmpty = await makeUser(db, { sessions: [{ expiresInMs: 300 * DAY, updatedAgoMs: TTL + HOUR }], settings: true });
    const freshEmpty = await makeUser(db, { sessions: [{ expiresInMs: 300 * DAY, updatedAgoMs: HOUR }] });
    const youngEmpty = await makeUser(db, { createdAgoMs: 2 * HOUR, sessions: [{ expiresInMs: 300 * DAY, updatedAgoMs: 2 * HOUR }] });
    const idleWithChat = await makeUser(db, { sessions: [{ expiresInMs: 300 * DAY, updatedAgoMs: TTL + HOUR }], reply: "complete" });
    const idleAccount = await makeUser(db, { guest: false, sessions: [{ expiresInMs: 20 * DAY, updatedAgoMs: TTL + HOUR }] });

    // Its session is live: an instance may hold it as verified, and must forget it.
    const forgotten: string[] = [];
    const result = await purgeIdle(db, { emptyGuestTtlMs: TTL, forgetUsers: async (ids) => void forgotten.push(...ids) });

    expect(forgotten).toEqual([idleEmpty.userId]);
    expect(await remains(db, idleEmpty)).toEqual({ ...gone, messages: 0 });
    expect((await remains(db, freshEmpty)).user).toBe(true);
    expect((await remains(db, youngEmpty)).user).toBe(true);
    expect(await remains(db, idleWithChat)).toMatchObject({ user: true, sessions: 1, conversations: 1, messages: 2 });
    expect(await remains(db, idleAccount)).toMatchObject({ user: true, sessions: 1 });
    expect(result).toEqual({ sessions: 0, guests: 0, emptyGuests: 1 });
  });

  it("works through a backlog in batches", async () => {
    const db = handle().prisma;
    const expired = await Promise.all(Array.from({ length: 7 }, () => makeUser(db, { sessions: [EXPIRED, EXPIRED], reply: "complete" })));
    const kept = await makeUser(db, { sessions: [LIVE], reply: "complete" });

    const result = await purgeIdle(db, { emptyGuestTtlMs: TTL, batchSize: 3 });

    expect(result).toEqual({ sessions: 14, guests: 7, emptyGuests: 0 });
    for (const u of expired) expect((await remains(db, u)).user).toBe(false);
    expect((await remains(db, kept)).user).toBe(true);
  });
});
