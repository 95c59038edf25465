// The caller's own usage and cost per day (docs/API.md "Usage and cost").
import { z } from "zod";
import { json, requireUser, route } from "@/lib/http/api";
import { AppError } from "@/lib/errors";
import { dailyUsage, MAX_USAGE_DAYS } from "@/lib/usage/report";

export const dynamic = "force-dynamic";

const Days = z.coerce.number().int().min(1).max(MAX_USAGE_DAYS).default(30);

export const GET = route(async (req) => {
  const { app, db, userId } = await requireUser(req);
  const days = Days.safeParse(new URL(req.url).searchParams.get("days") ?? undefined);
  if (!days.success) throw new AppError("invalid_input", `days must be a whole number from 1 to ${MAX_USAGE_DAYS}`);
  const currency = app.config.prices.currency;
  return json({ currency, ...(await dailyUsage(db, userId, days.data, currency)) });
});
