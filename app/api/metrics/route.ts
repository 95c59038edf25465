// Prometheus scrape endpoint of this instance (lib/platform/metrics.ts). Disabled
// (404) unless METRICS_TOKEN is set; then it wants `Authorization: Bearer
// <METRICS_TOKEN>`. Needs no session and opens no database.
import { route } from "@/lib/http/api";
import { authorizeScrape, scrape } from "@/lib/platform/metrics";
import { getApp } from "@/lib/runtime";

export const dynamic = "force-dynamic";

export const GET = route(async (req) => {
  authorizeScrape(req.headers.get("authorization"), getApp().config.metricsToken);
  const { body, contentType } = await scrape();
  return new Response(body, { status: 200, headers: { "content-type": contentType, "cache-control": "no-store" } });
});
