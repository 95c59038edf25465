// What a new password must be (docs/SECURITY.md): 8 to 128 characters, not
// built on the email's own name, and not one that password-guessing lists
// try early. The strength estimate is zxcvbn's (@zxcvbn-ts), offline, with
// its common-password list. Server-only: the list is loaded on first use
// and never reaches the browser.
import type { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { AppError } from "../errors";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./auth";

/** zxcvbn's score: 0 and 1 mean fewer than a million guesses, what an online attacker tries first. */
const MIN_SCORE = 2;
/** A shorter local part ("jo@…") is in too many good passwords to forbid. */
const MIN_NAME_LENGTH = 3;
const ADVICE = "Choose one that is harder to guess, such as a few unrelated words.";

let estimator: Promise<ZxcvbnFactory> | undefined;

function loadEstimator(): Promise<ZxcvbnFactory> {
  estimator ??= Promise.all([import("@zxcvbn-ts/core"), import("@zxcvbn-ts/language-common")]).then(
    ([core, common]) => new core.ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs }),
  );
  return estimator;
}

/** Why `password` may not be used for an account with `email`, or null when it may. */
export async function passwordProblem(password: string, email: string): Promise<string | null> {
  const length = password.length; // as the library counts
  if (length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters for your password.`;
  if (length > MAX_PASSWORD_LENGTH) return `Use at most ${MAX_PASSWORD_LENGTH} characters for your password.`;
  const name = email.trim().toLowerCase().split("@")[0] ?? "";
  if (name.length >= MIN_NAME_LENGTH && password.toLowerCase().includes(name)) return "Your password must not contain your email address.";
  const result = (await loadEstimator()).check(password, [email.trim().toLowerCase(), name, "tether"]);
  if (result.score >= MIN_SCORE) return null;
  const listed = result.sequence.some((m) => m.pattern === "dictionary" && m.dictionaryName.startsWith("passwords"));
  return `${listed ? "This password is too common." : "This password is too easy to guess."} ${ADVICE}`;
}

/** 400 `weak_password` with the reason, for a password an account may not have. */
export async function requireAcceptablePassword(password: string, email: string): Promise<void> {
  const problem = await passwordProblem(password, email);
  if (problem) throw new AppError("weak_password", problem);
}
