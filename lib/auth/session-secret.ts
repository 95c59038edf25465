// The secret that seals session cookies. Every instance of one deployment
// must share it: set SESSION_SECRET (lib/config.ts checks its length). The
// embedded default generates one on first use and keeps it under DATA_DIR,
// so sessions survive restarts.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { embeddedDataDir } from "../platform/db/embedded";
import type { AuthSettings } from "./auth";

const generated = new Map<string, string>();

export function sessionSecret(settings: Pick<AuthSettings, "secret" | "dataDir">): string {
  if (settings.secret) return settings.secret;
  const dir = embeddedDataDir(settings.dataDir);
  let cached = generated.get(dir);
  if (cached) return cached;
  const file = join(dir, "session-secret");
  try {
    cached = readFileSync(file, "utf8").trim();
  } catch {
    mkdirSync(dir, { recursive: true });
    try {
      writeFileSync(file, randomBytes(32).toString("base64url"), { flag: "wx", mode: 0o600 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e; // another request won the race
    }
    cached = readFileSync(file, "utf8").trim();
  }
  if (cached.length < 32) throw new Error(`${file} holds a session secret shorter than 32 characters`);
  generated.set(dir, cached);
  return cached;
}
