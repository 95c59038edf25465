import { json, route } from "@/lib/http/api";
import { getApp } from "@/lib/runtime";
import { errorFields, log } from "@/lib/platform/log";

export const dynamic = "force-dynamic";

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);

/**
 * Ready when the database (and, in scaled mode, Redis) answers and the
 * instance is not shutting down: a load balancer stops sending it requests
 * as soon as it drains (SIGTERM).
 */
export const GET = route(async () => {
  const app = getApp();
  const [database, bus] = await Promise.allSettled([
    within(
      app.db().then((db) => db.$queryRaw`SELECT 1`),
      3_000,
    ),
    within(app.bus.ping(), 3_000),
  ]);
  const checks = {
    database: database.status === "fulfilled" ? "ok" : "down",
    bus: bus.status === "fulfilled" ? "ok" : "down",
    instance: app.shutdown.draining ? "draining" : "ok",
  };
  if (database.status === "rejected") log.error({ component: "health", err: errorFields(database.reason) }, "database does not answer");
  if (bus.status === "rejected") log.error({ component: "health", err: errorFields(bus.reason) }, "bus does not answer");
  if (Object.values(checks).every((c) => c === "ok")) return json({ ok: true, checks });
  const message = app.shutdown.draining ? "Not ready: this instance is shutting down." : "Not ready: a service does not answer.";
  return json({ ok: false, checks, error: { code: "unavailable", message } }, 503);
});
