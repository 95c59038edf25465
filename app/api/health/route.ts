import { getDb } from "@/lib/db";
import { json, route } from "@/lib/http/api";
import { getStreamBus } from "@/lib/stream";

export const dynamic = "force-dynamic";

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);

/** Ready when the database (and, in scaled mode, Redis) answers. */
export const GET = route(async () => {
  const [database, bus] = await Promise.allSettled([
    within(getDb().then((db) => db.$queryRaw`SELECT 1`), 3_000),
    within(getStreamBus().ping(), 3_000),
  ]);
  const checks = { database: database.status === "fulfilled" ? "ok" : "down", bus: bus.status === "fulfilled" ? "ok" : "down" };
  if (database.status === "rejected") console.error("health: database", database.reason);
  if (bus.status === "rejected") console.error("health: bus", bus.reason);
  if (checks.database === "ok" && checks.bus === "ok") return json({ ok: true, checks });
  return json({ ok: false, checks, error: { code: "unavailable", message: "Not ready: a service does not answer." } }, 503);
});
