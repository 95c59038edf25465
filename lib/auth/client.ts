// Browser-side calls to the account routes (app/api/auth). Failures are
// ApiErrors carrying the server's code and message.
import { apiFetch } from "../client/api";

export type AuthMode = "sign-in" | "sign-up";

/** What the account area shows: a guest, or the signed-in email. */
export type AccountView = { guest: true } | { guest: false; email: string };

async function post(path: string, body?: unknown): Promise<Response> {
  return apiFetch(path, {
    method: "POST",
    headers: body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/**
 * A refused sign-in or sign-up as the form shows it: the field it concerns,
 * and the message without the field-name prefix the API puts on invalid
 * input ("email: Enter a valid email address.", PROTOCOL.md §3).
 */
export function credentialsProblem(code: string, message: string): { field: "email" | "password" | null; message: string } {
  const prefixed = /^(email|password): (.+)$/s.exec(message);
  if (prefixed) return { field: prefixed[1] as "email" | "password", message: prefixed[2] };
  if (code === "weak_password") return { field: "password", message };
  if (code === "invalid_input" && /email/i.test(message)) return { field: "email", message };
  return { field: null, message };
}

export async function submitCredentials(mode: AuthMode, email: string, password: string): Promise<void> {
  await post(mode === "sign-up" ? "/api/auth/sign-up" : "/api/auth/sign-in", { email, password });
}

export async function signOut(): Promise<void> {
  await post("/api/auth/sign-out");
}

export async function revokeOtherSessions(): Promise<number> {
  return ((await (await post("/api/auth/sessions/revoke-others")).json()) as { revoked: number }).revoked;
}

/** Changes the password; every other session ends (this browser gets a new one). Returns how many ended. */
export async function changePassword(currentPassword: string, newPassword: string): Promise<number> {
  return ((await (await post("/api/auth/password", { currentPassword, newPassword })).json()) as { revoked: number }).revoked;
}

/** Deletes the account and all its data, confirmed with its password; the session ends. */
export async function deleteAccount(password: string): Promise<void> {
  await apiFetch("/api/auth/account", {
    method: "DELETE",
    headers: { accept: "application/json", "content-type": "application/json" },
    body: JSON.stringify({ password }),
  });
}
