// Limits on sign-in and sign-up attempts (docs/SECURITY.md). Every key holds
// the client address (lib/http/client-address.ts), never the email alone: a
// stranger's attempts count against the stranger's address, so they can never
// lock the owner, signing in from anywhere else, out of their account.
import { enforceRate, type RequestRateLimiter } from "../platform/rate-limit";

export type AttemptLimiters = {
  /** One email from one address: guessing one account from one place. */
  signInPair: RequestRateLimiter;
  /** One address, any emails: one password sprayed across many accounts, and the hashing work it costs. */
  signInAddress: RequestRateLimiter;
  /** One address: account creation (each attempt costs a password hash). */
  signUp: RequestRateLimiter;
};

/** 429 before any password is hashed, right or wrong, known email or not. */
export async function enforceSignInRate(l: AttemptLimiters, address: string, email: string): Promise<void> {
  await enforceRate(l.signInAddress, `address:${address}`, "sign-in attempts from your network");
  await enforceRate(l.signInPair, `pair:${address}:${email.trim().toLowerCase()}`, "sign-in attempts for this email");
}

export async function enforceSignUpRate(l: AttemptLimiters, address: string): Promise<void> {
  await enforceRate(l.signUp, `address:${address}`, "sign-up attempts from your network");
}
