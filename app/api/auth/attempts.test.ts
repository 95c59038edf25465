// Sign-in and sign-up against guessing and enumeration (docs/SECURITY.md),
// black-box through the route handlers: limits per client address and per
// address and email (never per email alone), the same answer and the same
// password-hashing work whether or not an email has an account, and the
// password policy. In-memory PGlite, the default limits.
import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { call, cookieFrom } from "@/lib/testing/route-client";
import { expectError } from "@/lib/testing/api-steps";
import { PEER_HEADER } from "@/lib/http/client-address";
import { authFor } from "@/lib/auth/auth";
import * as signUp from "@/app/api/auth/sign-up/route";
import * as signIn from "@/app/api/auth/sign-in/route";

const h = useRouteHarness("attempts");
const PASSWORD = "correct horse battery";

const email = () => `user-${randomUUID()}@example.com`;
/** A client address of its own for each caller (documentation ranges; only a header here). */
const address = () => `2001:db8::${randomUUID().slice(0, 4)}:${randomUUID().slice(0, 4)}`;
const from = (peer: string) => ({ [PEER_HEADER]: peer });
const register = (body: unknown, peer = address()) => call(signUp.POST, "POST", "/api/auth/sign-up", { body, headers: from(peer) });
const login = (body: unknown, peer: string) => call(signIn.POST, "POST", "/api/auth/sign-in", { body, headers: from(peer) });

async function newAccount() {
  const res = await register({ email: email(), password: PASSWORD });
  expect(res.status).toBe(201);
  return (await res.json()).user.email as string;
}

/** Counts the library's password hashes and verifications (its own context object, wrapped in place). */
async function countPasswordWork() {
  const ctx = await authFor(await h.app.accounts()).$context;
  const original = { hash: ctx.password.hash, verify: ctx.password.verify };
  const counts = { hash: 0, verify: 0 };
  ctx.password.hash = async (p) => (counts.hash++, original.hash(p));
  ctx.password.verify = async (d) => (counts.verify++, original.verify(d));
  return {
    take() {
      const taken = counts.hash + counts.verify;
      counts.hash = counts.verify = 0;
      return taken;
    },
    restore: () => Object.assign(ctx.password, original),
  };
}

describe("sign-in limits", () => {
  it("never locks the owner out: a stranger's 20 wrong attempts from one address leave the owner's other address free", async () => {
    const owner = await newAccount();
    const stranger = address();
    const answers = [];
    for (let i = 0; i < 20; i++) answers.push((await login({ email: owner, password: `guess number ${i}` }, stranger)).status);
    expect(answers.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(answers.slice(10)).toEqual(Array(10).fill(429)); // the pair limit: one email from one address
    const res = await login({ email: owner.toUpperCase(), password: PASSWORD }, address());
    expect(res.status).toBe(200);
    expect(cookieFrom(res)).toMatch(/^tether_session=/);
  });

  it("holds per address and email: past 10, even the right password from that address waits; other emails from it do not", async () => {
    const owner = await newAccount();
    const other = await newAccount();
    const place = address();
    for (let i = 0; i < 10; i++) await expectError(await login({ email: owner, password: `wrong ${i} password` }, place), 401, "invalid_credentials");
    const limited = await login({ email: ` ${owner.toUpperCase()} `, password: PASSWORD }, place);
    await expectError(limited, 429, "rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await login({ email: other, password: PASSWORD }, place)).status).toBe(200);
  });

  it("throttles one password sprayed across 60 emails from one address, and only that address", async () => {
    const sprayer = address();
    const work = await countPasswordWork();
    try {
      const statuses = [];
      for (let i = 0; i < 60; i++) statuses.push((await login({ email: email(), password: "Summer2024!" }, sprayer)).status);
      expect(statuses.slice(0, 50)).toEqual(Array(50).fill(401));
      expect(statuses.slice(50)).toEqual(Array(10).fill(429));
      // A refused attempt costs no password hashing.
      expect(work.take()).toBe(50);
    } finally {
      work.restore();
    }
    await expectError(await login({ email: email(), password: "Summer2024!" }, address()), 401, "invalid_credentials");
  });

  it("does the same password work for an unknown email as for a wrong password", async () => {
    const owner = await newAccount();
    const work = await countPasswordWork();
    try {
      await expectError(await login({ email: owner, password: "not the password" }, address()), 401, "invalid_credentials");
      const known = work.take();
      const unknown = await login({ email: email(), password: "not the password" }, address());
      await expectError(unknown, 401, "invalid_credentials");
      expect(work.take()).toBe(known);
      expect(known).toBe(1);
    } finally {
      work.restore();
    }
  });
});

describe("sign-up", () => {
  it("refuses a taken email (any case) exactly like another refused sign-up, after the same hashing work", async () => {
    const taken = await newAccount();
    const work = await countPasswordWork();
    try {
      expect((await register({ email: email(), password: PASSWORD })).status).toBe(201);
      const created = work.take();
      const answers = [];
      for (const spelling of [taken, taken.toUpperCase(), `  ${taken[0].toUpperCase()}${taken.slice(1)} `]) {
        const res = await register({ email: spelling, password: PASSWORD });
        answers.push({ status: res.status, body: await res.json(), cookie: res.headers.get("set-cookie") });
        expect(work.take()).toBe(created);
      }
      // Two sign-ups of one new email at once: one wins, the other is refused.
      const fresh = email();
      const race = await Promise.all([1, 2].map(() => register({ email: fresh, password: PASSWORD })));
      expect(race.map((r) => r.status).sort()).toEqual([201, 400]);
      const lost = race.find((r) => r.status === 400)!;
      const expected = {
        status: 400,
        body: {
          error: { code: "sign_up_failed", message: "Could not create an account with this email and password. If you already have one, sign in." },
        },
        cookie: null,
      };
      expect(answers).toEqual([expected, expected, expected]);
      expect({ status: lost.status, body: await lost.json(), cookie: lost.headers.get("set-cookie") }).toEqual(expected);
    } finally {
      work.restore();
    }
  });

  it("limits sign-ups per client address (10 per hour), before any hashing", async () => {
    const place = address();
    for (let i = 0; i < 10; i++) expect((await register({ email: email(), password: PASSWORD }, place)).status).toBe(201);
    const limited = await register({ email: email(), password: PASSWORD }, place);
    await expectError(limited, 429, "rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await register({ email: email(), password: PASSWORD }, address())).status).toBe(201);
  });

  it("refuses common and guessable passwords with weak_password and says why; accepts a strong one", async () => {
    for (const password of ["12345678", "password1", "qwerty123", "iloveyou2"]) {
      const body = await expectError(await register({ email: email(), password }), 400, "weak_password");
      expect(body.error.message).toMatch(/^This password is too common\./);
    }
    const guessable = await expectError(await register({ email: email(), password: "abcdefgh" }), 400, "weak_password");
    expect(guessable.error.message).toMatch(/^This password is too easy to guess\./);
    const own = `river-${randomUUID().slice(0, 6)}`;
    for (const password of [own, `${own.toUpperCase()}-tide-42`]) {
      const body = await expectError(await register({ email: `${own}@example.com`, password }), 400, "weak_password");
      expect(body.error.message).toBe("Your password must not contain your email address.");
    }
    const short = await expectError(await register({ email: email(), password: "Zq8!fr" }), 400, "weak_password");
    expect(short.error.message).toContain("at least 8 characters");
    // The policy depends on the password alone: a taken email with a weak one gets the same weak_password.
    const taken = await newAccount();
    await expectError(await register({ email: taken, password: "password1" }), 400, "weak_password");
    for (const password of ["zq8-frog-lamp", "Tr0ub4dor&3 quietly"]) expect((await register({ email: email(), password })).status).toBe(201);
  });
});
