"use client";
// Sign-in and sign-up: email and password, the server's own words for what
// went wrong (wrong password, a refused sign-up, weak password). On success a full
// page load, so every server-rendered part shows the new session.
import Link from "next/link";
import { useState } from "react";
import { ApiError, describeError } from "@/lib/client/api";
import { credentialsProblem, submitCredentials, type AuthMode } from "@/lib/auth/client";

type Problem = { field: "email" | "password" | null; message: string; code: string };

const input =
  "mt-1 block w-full rounded-lg border border-zinc-300 bg-white px-3 py-2 text-base shadow-sm outline-none focus:border-clay-500 focus:ring-2 focus:ring-clay-500/30 aria-[invalid=true]:border-red-500 sm:text-sm dark:border-zinc-700 dark:bg-zinc-900 dark:aria-[invalid=true]:border-red-500";

function problemOf(e: unknown): Problem {
  const code = e instanceof ApiError ? e.code : "";
  return { ...credentialsProblem(code, describeError(e)), code };
}

export function AccountForm({ mode, guestChats }: { mode: AuthMode; guestChats: number }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const signUp = mode === "sign-up";

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await submitCredentials(mode, email, password);
      // A full load on purpose: every server-rendered part must see the new session.
      // eslint-disable-next-line @next/next/no-location-assign-relative-destination
      window.location.assign("/");
    } catch (err) {
      setProblem(problemOf(err));
      setBusy(false);
    }
  };

  const invalid = (field: Problem["field"]) => (problem && (problem.field === field || problem.field === null) ? true : undefined);

  return (
    <form onSubmit={submit} noValidate className="mt-6 space-y-4" data-testid="account-form">
      {guestChats > 0 && (
        <p className="rounded-lg border border-clay-100 bg-clay-50 px-3 py-2 text-sm text-clay-900 dark:border-clay-900 dark:bg-clay-900/30 dark:text-clay-100">
          {signUp ? "Your" : "Your guest"} {guestChats === 1 ? "conversation" : `${guestChats} conversations`} and settings will be kept
          {signUp ? " in your new account." : " in your account."}
        </p>
      )}
      <div>
        <label htmlFor="account-email" className="text-sm font-medium">
          Email
        </label>
        <input
          id="account-email"
          data-testid="account-email"
          type="email"
          autoComplete={signUp ? "email" : "username"}
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          aria-invalid={invalid("email")}
          aria-describedby={problem ? "account-problem" : undefined}
          className={input}
        />
      </div>
      <div>
        <label htmlFor="account-password" className="text-sm font-medium">
          Password
        </label>
        <input
          id="account-password"
          data-testid="account-password"
          type="password"
          autoComplete={signUp ? "new-password" : "current-password"}
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-invalid={invalid("password")}
          aria-describedby={[signUp ? "password-help" : "", problem ? "account-problem" : ""].filter(Boolean).join(" ") || undefined}
          className={input}
        />
        {signUp && (
          <p id="password-help" className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
            At least 8 characters, and not a common password.
          </p>
        )}
      </div>
      <div
        id="account-problem"
        role="alert"
        data-testid="account-error"
        className="empty:hidden rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950/50 dark:text-red-200"
      >
        {problem && (
          <>
            {problem.message}
            {/* The server does not say whether the email has an account (docs/SECURITY.md): offer both ways on. */}
            {problem.code === "sign_up_failed" && (
              <>
                {" "}
                <Link href="/signin" className="font-medium underline underline-offset-2">
                  Sign in instead
                </Link>
              </>
            )}
          </>
        )}
      </div>
      <button
        type="submit"
        data-testid="account-submit"
        disabled={busy}
        className="w-full rounded-lg bg-clay-600 px-3 py-2 text-sm font-medium text-white shadow-sm hover:bg-clay-700 disabled:opacity-60"
      >
        {busy ? (signUp ? "Creating your account…" : "Signing in…") : signUp ? "Create account" : "Sign in"}
      </button>
      <p className="text-center text-sm text-zinc-600 dark:text-zinc-400">
        {signUp ? "Already have an account? " : "New here? "}
        <Link href={signUp ? "/signin" : "/signup"} className="font-medium text-clay-700 underline-offset-2 hover:underline dark:text-clay-400">
          {signUp ? "Sign in" : "Create an account"}
        </Link>
      </p>
    </form>
  );
}
