// The Idempotency-Key header of a generation start (docs/PROTOCOL.md §3.6):
// at most 255 printable ASCII characters. The request's fingerprint (its
// action, target and body) tells a repeat from a different request that
// reuses the key.
import { createHash } from "node:crypto";
import { AppError } from "../errors";
import type { IdempotencyClaim } from "../reply/idempotency";

export const MAX_IDEMPOTENCY_KEY = 255;
const PRINTABLE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/** The request's claim, or undefined without the header; 400 for a bad key. */
export function idempotencyClaim(req: Request, action: string, target: string, body: unknown): IdempotencyClaim | undefined {
  const key = req.headers.get("idempotency-key");
  if (key === null) return undefined;
  if (key.length > MAX_IDEMPOTENCY_KEY) throw new AppError("invalid_input", `Idempotency-Key must be at most ${MAX_IDEMPOTENCY_KEY} characters.`);
  if (!PRINTABLE.test(key)) throw new AppError("invalid_input", "Idempotency-Key must be printable ASCII, not empty.");
  const fingerprint = createHash("sha256")
    .update(JSON.stringify([action, target, body]))
    .digest("base64url");
  return { key, fingerprint };
}
