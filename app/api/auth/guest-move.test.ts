// A guest's move into an account (docs/SECURITY.md) while the guest keeps
// using another tab, through the real routes on both databases: every
// conversation answered 2xx ends up in the account, none is lost with the
// guest, and the account's cap on generating replies holds across the move.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import type { DbHandle } from "@/lib/platform/db";
import type { App } from "@/lib/app";
import { setApp } from "@/lib/runtime";
import { testApp } from "@/lib/testing/app";
import { bothDatabases } from "@/lib/testing/databases";
import { startFakeAnthropic, type FakeAnthropic } from "@/lib/testing/fake-anthropic";
import { call, cookieFrom } from "@/lib/testing/route-client";
import { expectError, newConversation, newGuest, post } from "@/lib/testing/api-steps";
import * as signUp from "@/app/api/auth/sign-up/route";
import * as signIn from "@/app/api/auth/sign-in/route";
import * as conversations from "@/app/api/conversations/route";
import * as stop from "@/app/api/messages/[id]/stop/route";

const PASSWORD = "correct horse battery";
const email = () => `user-${randomUUID()}@example.com`;
const register = (body: unknown, cookie?: string) => call(signUp.POST, "POST", "/api/auth/sign-up", { body, cookie });
const login = (body: unknown, cookie?: string) => call(signIn.POST, "POST", "/api/auth/sign-in", { body, cookie });
const createIn = (cookie: string, title: string) => call(conversations.POST, "POST", "/api/conversations", { cookie, body: { title } });
const STALL = `[[fake:${JSON.stringify({ text: "a reply that stalls", end: "stall", failAfter: 4 })}]]`;

/** Starts a reply that keeps generating (the upstream stalls); returns its id once it streams. */
async function generating(cookie: string, conversationId: string): Promise<string> {
  const res = await post(cookie, conversationId, { content: `hold on ${STALL}` });
  expect(res.status).toBe(200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const { value } = await reader.read();
  await reader.cancel(); // the client leaves; the generation goes on
  return /"message":\{"id":"([0-9a-f-]{36})"/.exec(value!)![1];
}

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(async () => {
  await fake?.close();
});

describe.each(bothDatabases("guest_move"))("the guest's move on %s", (_name, open, dispose) => {
  let db: DbHandle;
  let app: App;

  beforeAll(async () => {
    db = await open();
    app = testApp(
      {
        LLM_PROVIDER: "anthropic",
        ANTHROPIC_API_KEY: "sk-test-guest-move",
        ANTHROPIC_BASE_URL: fake.url,
        ANTHROPIC_MODEL: "claude-haiku-4-5",
        SESSION_SECRET: "guest-move-secret-".padEnd(48, "g"),
        SIGN_UP_RATE_LIMIT: "0",
      },
      { dbHandle: db },
    );
    setApp(app);
  });
  afterAll(async () => {
    setApp(undefined);
    await app?.close();
    await db?.close();
    await dispose();
  });

  it("keeps every conversation a second tab creates during the sign-up: each one answered 201 is in the account", async () => {
    let answered = 0;
    for (let round = 0; round < 4; round++) {
      const guest = await newGuest();
      const creates: Promise<Response>[] = [];
      let signingUp = true;
      const signedUp = register({ email: email(), password: PASSWORD }, guest).finally(() => (signingUp = false));
      // The other tab creates conversations before, during and just after the move.
      for (let i = 0; i < 200 && (signingUp || i % 40 < 5); i++) {
        creates.push(createIn(guest, `tab ${round}.${i}`));
        await new Promise((r) => setImmediate(r));
      }
      const account = await signedUp;
      expect(account.status).toBe(201);
      const accountId = (await account.json()).user.id as string;
      for (const res of await Promise.all(creates)) {
        // Before the move, or for the account after it; else refused as signed out. Never a 500.
        expect([201, 401]).toContain(res.status);
        if (res.status !== 201) continue;
        answered++;
        const { id } = await res.json();
        expect(await db.prisma.conversation.findUnique({ where: { id }, select: { userId: true } })).toEqual({ userId: accountId });
      }
      const listed = await (await call(conversations.GET, "GET", "/", { cookie: cookieFrom(account) })).json();
      expect(listed.conversations.length).toBe(await db.prisma.conversation.count({ where: { userId: accountId } }));
    }
    expect(answered).toBeGreaterThan(0);
  });

  it("holds the cap of 3 generating replies across the move: the guest's newest past it are stopped, and posts wait", async () => {
    const signedUp = await register({ email: email(), password: PASSWORD });
    const account = { cookie: cookieFrom(signedUp), email: (await signedUp.json()).user.email as string };
    const guest = await newGuest();
    const [a1, a2, a3] = await Promise.all([1, 2, 3].map(() => newConversation(account.cookie)));
    const [g1, g2, g3] = await Promise.all([1, 2, 3].map(() => newConversation(guest)));
    const accountReplies = [await generating(account.cookie, a1.id), await generating(account.cookie, a2.id)];
    const guestReplies = [await generating(guest, g1.id), await generating(guest, g2.id)];

    // The guest signs in to the account, which then holds 2 + 2 replies: the guest's newest is stopped.
    const signedIn = await login({ email: account.email, password: PASSWORD }, guest);
    expect(signedIn.status).toBe(200);
    const status = async (id: string) => (await db.prisma.message.findUniqueOrThrow({ where: { id } })).status;
    expect(await Promise.all([...accountReplies, ...guestReplies].map(status))).toEqual(["streaming", "streaming", "streaming", "interrupted"]);
    const accountId = (await signedIn.json()).user.id as string;
    const live = await db.prisma.message.count({ where: { conversation: { userId: accountId }, status: { in: ["pending", "streaming"] } } });
    expect(live).toBe(3);
    // Full: neither the account's own browser nor the moved conversations may start another.
    await expectError(await post(account.cookie, a3.id, { content: "one more", stream: false }), 429, "too_many_generations");
    await expectError(await post(cookieFrom(signedIn), g3.id, { content: "one more", stream: false }), 429, "too_many_generations");

    for (const id of [...accountReplies, guestReplies[0]]) expect((await call(stop.POST, "POST", "/", { cookie: account.cookie, params: { id } })).status).toBe(200);
  });
});
