"use client";
// Settings → Password (accounts only): the current password and a new one
// twice. On success every other browser is signed out; this one stays.
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { describeError } from "@/lib/client/api";
import { changePassword } from "@/lib/auth/client";
import { SettingsCard } from "./SettingsCard";

type Status = { kind: "idle" } | { kind: "busy" } | { kind: "done"; revoked: number } | { kind: "error"; message: string };

const MIN_LENGTH = 8;
const input =
  "mt-1 block w-full rounded-lg border border-zinc-300 bg-white px-3 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-950 aria-invalid:border-red-600 dark:aria-invalid:border-red-500";

export function PasswordSettings({ email }: { email: string }) {
  const router = useRouter();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const [status, setStatus] = useState<Status>({ kind: "idle" });
  const mismatch = again.length > 0 && next !== again;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (mismatch) return;
    setStatus({ kind: "busy" });
    try {
      const revoked = await changePassword(current, next);
      setCurrent("");
      setNext("");
      setAgain("");
      setStatus({ kind: "done", revoked });
      router.refresh(); // the Account card's count of other browsers
    } catch (err) {
      setStatus({ kind: "error", message: describeError(err) });
    }
  };

  return (
    <SettingsCard id="password" title="Password" testId="password-settings">
      <form onSubmit={submit} className="grid gap-3 px-4 py-4 sm:grid-cols-2">
        {/* For password managers: which account this password belongs to. */}
        <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
        <label className="text-sm font-medium sm:col-span-2">
          Current password
          <input
            type="password"
            name="current-password"
            autoComplete="current-password"
            required
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            data-testid="current-password"
            className={input}
          />
        </label>
        <label className="text-sm font-medium">
          New password
          <input
            type="password"
            name="new-password"
            autoComplete="new-password"
            required
            minLength={MIN_LENGTH}
            aria-describedby="new-password-help"
            value={next}
            onChange={(e) => setNext(e.target.value)}
            data-testid="new-password"
            className={input}
          />
        </label>
        <label className="text-sm font-medium">
          Repeat new password
          <input
            type="password"
            name="new-password-again"
            autoComplete="new-password"
            required
            aria-invalid={mismatch || undefined}
            aria-describedby="new-password-help"
            value={again}
            onChange={(e) => setAgain(e.target.value)}
            data-testid="new-password-again"
            className={input}
          />
        </label>
        <p id="new-password-help" className="text-sm text-zinc-500 sm:col-span-2 dark:text-zinc-400">
          {mismatch ? (
            <span className="text-red-700 dark:text-red-400">The two new passwords differ.</span>
          ) : (
            `At least ${MIN_LENGTH} characters. Other browsers signed in to this account will be signed out.`
          )}
        </p>
        <div className="flex flex-wrap items-center gap-3 sm:col-span-2">
          <button
            type="submit"
            disabled={status.kind === "busy" || mismatch}
            data-testid="change-password"
            className="rounded-lg bg-clay-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-clay-900 disabled:opacity-50"
          >
            {status.kind === "busy" ? "Changing…" : "Change password"}
          </button>
          <p role="status" data-testid="password-status" className="text-sm">
            {status.kind === "done" && (
              <span className="text-emerald-700 dark:text-emerald-400">
                Password changed.{" "}
                {status.revoked === 0 ? "No other browser was signed in." : `Signed out of ${status.revoked} other ${status.revoked === 1 ? "browser" : "browsers"}.`}
              </span>
            )}
            {status.kind === "error" && <span className="text-red-700 dark:text-red-400">Could not change the password: {status.message}</span>}
          </p>
        </div>
      </form>
    </SettingsCard>
  );
}
