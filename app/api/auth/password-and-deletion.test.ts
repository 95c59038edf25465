// Changing the password and deleting the account (docs/API.md, "Accounts"),
// through the real routes and the real auth library: guests have neither;
// a wrong password changes nothing; a change ends every other session and
// keeps this browser signed in; a deletion takes the account's
// conversations, files, settings and sessions — and nobody else's.
import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { call, cookieFrom, readSse, type SseFrame } from "@/lib/testing/route-client";
import { expectError, newConversation, newGuest, post } from "@/lib/testing/api-steps";
import { pdf, uploaded } from "@/lib/testing/file-fixtures";
import { contentKey, MemoryFileStore } from "@/lib/files/store";
import * as signUp from "@/app/api/auth/sign-up/route";
import * as signIn from "@/app/api/auth/sign-in/route";
import * as session from "@/app/api/auth/session/route";
import * as password from "@/app/api/auth/password/route";
import * as account from "@/app/api/auth/account/route";
import * as conversations from "@/app/api/conversations/route";
import * as settings from "@/app/api/settings/route";

const store = new MemoryFileStore();
// Every request comes from one address: the attempt limits are off but in the last test.
const h = useRouteHarness("password_deletion", { SIGN_IN_RATE_LIMIT: "0", SIGN_IN_ADDRESS_RATE_LIMIT: "0", SIGN_UP_RATE_LIMIT: "0" }, { parts: { files: store } });

const PASSWORD = "correct horse battery";
const NEW_PASSWORD = "violet kettle marathon";

async function newAccount() {
  const email = `user-${randomUUID()}@example.com`;
  const res = await call(signUp.POST, "POST", "/api/auth/sign-up", { body: { email, password: PASSWORD } });
  expect(res.status).toBe(201);
  return { email, cookie: cookieFrom(res), id: (await res.json()).user.id as string };
}
const signInAs = (email: string, pw: string) => call(signIn.POST, "POST", "/api/auth/sign-in", { body: { email, password: pw } });
const whoAmI = (cookie: string) => call(session.GET, "GET", "/api/auth/session", { cookie });
const change = (cookie: string | undefined, body: unknown) => call(password.POST, "POST", "/api/auth/password", { cookie, body });
const remove = (cookie: string | undefined, body: unknown) => call(account.DELETE, "DELETE", "/api/auth/account", { cookie, body });
const titles = async (cookie: string) =>
  ((await (await call(conversations.GET, "GET", "/api/conversations", { cookie })).json()).conversations as { title: string }[]).map((c) => c.title);

describe("POST /api/auth/password", () => {
  it("changes the password: every other session ends, this browser stays signed in under a new cookie", async () => {
    const me = await newAccount();
    const other = cookieFrom(await signInAs(me.email, PASSWORD)); // another browser
    expect((await whoAmI(other)).status).toBe(200); // verified: kept by the session cache (SESSION_CACHE_S)
    const res = await change(me.cookie, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ revoked: 1 });
    const renewed = cookieFrom(res);
    expect(renewed).not.toBe(me.cookie);
    expect((await (await whoAmI(renewed)).json()).user).toEqual({ id: me.id, email: me.email, guest: false });
    await expectError(await whoAmI(other), 401, "unauthorized");
    await expectError(await signInAs(me.email, PASSWORD), 401, "invalid_credentials");
    expect((await signInAs(me.email, NEW_PASSWORD)).status).toBe(200);
  });

  it("refuses a wrong current password (403 wrong_password) and a weak new one (400), changing nothing", async () => {
    const me = await newAccount();
    const other = cookieFrom(await signInAs(me.email, PASSWORD));
    expect((await whoAmI(other)).status).toBe(200); // verified: kept by the session cache (SESSION_CACHE_S)
    const wrong = await expectError(await change(me.cookie, { currentPassword: "not my password", newPassword: NEW_PASSWORD }), 403, "wrong_password");
    expect(wrong.error.message).toMatch(/current password/);
    await expectError(await change(me.cookie, { currentPassword: PASSWORD, newPassword: "short" }), 400, "weak_password");
    await expectError(await change(me.cookie, { currentPassword: PASSWORD, newPassword: "password123" }), 400, "weak_password");
    expect((await whoAmI(me.cookie)).status).toBe(200);
    expect((await whoAmI(other)).status).toBe(200);
    expect((await signInAs(me.email, PASSWORD)).status).toBe(200);
  });

  it("refuses bad input (400), a caller without a session (401) and a guest, who has no password (403)", async () => {
    const me = await newAccount();
    await expectError(await change(me.cookie, {}), 400, "invalid_input");
    await expectError(await change(me.cookie, { currentPassword: PASSWORD }), 400, "invalid_input");
    await expectError(await change(me.cookie, { currentPassword: PASSWORD, newPassword: 12345678 }), 400, "invalid_input");
    await expectError(await change(me.cookie, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, revokeOtherSessions: false }), 400, "invalid_input");
    await expectError(await call(password.POST, "POST", "/api/auth/password", { cookie: me.cookie, rawBody: "{not json" }), 400, "invalid_json");
    await expectError(await change(undefined, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }), 401, "unauthorized");
    const guest = await expectError(await change(await newGuest(), { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }), 403, "forbidden");
    expect(guest.error.message).toMatch(/no password/);
  });
});

describe("DELETE /api/auth/account", () => {
  it("deletes the account with its conversations, files, settings and sessions — and nobody else's", async () => {
    const me = await newAccount();
    const other = cookieFrom(await signInAs(me.email, PASSWORD));
    expect((await whoAmI(other)).status).toBe(200); // verified: kept by the session cache (SESSION_CACHE_S)
    const stranger = await newAccount();
    const c = await newConversation(me.cookie, "mine");
    const doc = pdf(1, randomUUID());
    const sent = await uploaded(me.cookie, "paper.pdf", doc);
    h.fake.enqueue({ text: "Read it." });
    expect((await post(me.cookie, c.id, { content: "summarize", attachments: [sent], stream: false })).status).toBe(200);
    const unsentBytes = pdf(2, randomUUID());
    const unsent = await uploaded(me.cookie, "draft.pdf", unsentBytes);
    expect((await call(settings.PATCH, "PATCH", "/api/settings", { cookie: me.cookie, body: { instructions: "be brief" } })).status).toBe(200);
    await newConversation(stranger.cookie, "theirs");

    const res = await remove(me.cookie, { password: PASSWORD });
    expect(res.status).toBe(204);
    expect(res.headers.get("set-cookie")).toMatch(/^tether_session=; .*Max-Age=0/);
    await expectError(await whoAmI(me.cookie), 401, "unauthorized");
    await expectError(await whoAmI(other), 401, "unauthorized");
    await expectError(await signInAs(me.email, PASSWORD), 401, "invalid_credentials");
    const db = h.db.prisma;
    expect(await db.user.count({ where: { id: me.id } })).toBe(0);
    expect(await db.conversation.count({ where: { userId: me.id } })).toBe(0);
    expect(await db.userSettings.count({ where: { userId: me.id } })).toBe(0);
    expect(await db.attachment.count({ where: { id: { in: [sent, unsent] } } })).toBe(0);
    expect(await store.get(contentKey(doc))).toBeNull();
    expect(await store.get(contentKey(unsentBytes))).toBeNull();
    expect(await titles(stranger.cookie)).toEqual(["theirs"]);
    // The email is free again.
    expect((await call(signUp.POST, "POST", "/api/auth/sign-up", { body: { email: me.email, password: NEW_PASSWORD } })).status).toBe(201);
  });

  it("takes the guest that moved into the account with it", async () => {
    const guest = await newGuest();
    await newConversation(guest, "from my guest days");
    const email = `user-${randomUUID()}@example.com`;
    const res = await call(signUp.POST, "POST", "/api/auth/sign-up", { cookie: guest, body: { email, password: PASSWORD } });
    expect(res.status).toBe(201);
    const id = (await res.json()).user.id as string;
    const guests = await h.db.prisma.user.findMany({ where: { mergedIntoId: id }, select: { id: true } });
    expect(guests).toHaveLength(1);
    expect((await remove(cookieFrom(res), { password: PASSWORD })).status).toBe(204);
    expect(await h.db.prisma.user.count({ where: { id: { in: [id, guests[0].id] } } })).toBe(0);
    expect(await h.db.prisma.conversation.count({ where: { title: "from my guest days", userId: { in: [id, guests[0].id] } } })).toBe(0);
  });

  it("stops a running reply first: its stream ends with done (interrupted)", async () => {
    const me = await newAccount();
    const c = await newConversation(me.cookie, "running");
    h.fake.enqueue({ text: "this will be cut off", end: "stall", failAfter: 8 });
    const frames: SseFrame[] = [];
    let firstDelta!: () => void;
    const started = new Promise<void>((r) => (firstDelta = r));
    const all = readSse(await post(me.cookie, c.id, { content: "write slowly" }), (f) => {
      frames.push(f);
      if (f.event === "delta") firstDelta();
    });
    await started;
    const upstream = h.fake.requests[h.fake.requests.length - 1];
    expect((await remove(me.cookie, { password: PASSWORD })).status).toBe(204);
    await all;
    expect(frames.at(-1)!.event).toBe("done");
    expect(frames.at(-1)!.data.message.status).toBe("interrupted");
    await upstream.closed;
    expect(upstream.aborted).toBe(true);
    expect(await h.db.prisma.message.count({ where: { conversationId: c.id } })).toBe(0);
  });

  it("refuses a wrong password (403), bad input (400), no session (401) and a guest (403), deleting nothing", async () => {
    const me = await newAccount();
    await newConversation(me.cookie, "still here");
    await expectError(await remove(me.cookie, { password: "not my password" }), 403, "wrong_password");
    await expectError(await remove(me.cookie, {}), 400, "invalid_input");
    await expectError(await remove(me.cookie, { password: "" }), 400, "invalid_input");
    await expectError(await remove(me.cookie, { password: PASSWORD, confirm: "DELETE" }), 400, "invalid_input");
    await expectError(await remove(undefined, { password: PASSWORD }), 401, "unauthorized");
    const guest = await newGuest();
    await newConversation(guest, "guest chat");
    await expectError(await remove(guest, { password: PASSWORD }), 403, "forbidden");
    expect(await titles(guest)).toEqual(["guest chat"]);
    expect((await whoAmI(me.cookie)).status).toBe(200);
    expect(await titles(me.cookie)).toEqual(["still here"]);
  });

  it("counts wrong passwords against the sign-in attempt limit (429 once past it)", async () => {
    const me = await newAccount();
    const restore = h.reconfigure({ SIGN_IN_RATE_LIMIT: "2" });
    try {
      await expectError(await remove(me.cookie, { password: "guess one" }), 403, "wrong_password");
      await expectError(await change(me.cookie, { currentPassword: "guess two", newPassword: NEW_PASSWORD }), 403, "wrong_password");
      await expectError(await remove(me.cookie, { password: PASSWORD }), 429, "rate_limited");
    } finally {
      await restore();
    }
    expect((await whoAmI(me.cookie)).status).toBe(200);
  });
});
