// Why an admission refuses a start (docs/PROTOCOL.md §3.2, §3.6), stated once
// for the transaction in TypeScript (admission.ts) and the one-call admission
// of a post (post-admission.ts), so both answer alike.
import { AppError } from "../errors";
import { ownerGone } from "../auth/data-owner";
import { keyMismatch } from "./idempotency";

export type Refusal = "unauthorized" | "idempotency_mismatch" | "not_found" | "generation_in_progress" | "too_many_generations";

export function refusal(why: Refusal, maxActivePerUser: number): AppError {
  switch (why) {
    case "unauthorized":
      return ownerGone();
    case "idempotency_mismatch":
      return keyMismatch();
    case "not_found":
      return new AppError("not_found", "conversation not found");
    case "generation_in_progress":
      return new AppError("generation_in_progress", "A reply is already being generated in this conversation.");
    case "too_many_generations":
      return new AppError("too_many_generations", `At most ${maxActivePerUser} replies can be generated at once.`, { "Retry-After": "5" });
  }
}
