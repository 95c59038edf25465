import { getDb } from "@/lib/db";
import { json, route } from "@/lib/http/api";

export const dynamic = "force-dynamic";

export const GET = route(async () => {
  try {
    const db = await getDb();
    await db.$queryRaw`SELECT 1`;
    return json({ ok: true });
  } catch (e) {
    console.error("health check failed", e);
    return json({ ok: false, error: { code: "unavailable", message: "The database does not answer." } }, 503);
  }
});
