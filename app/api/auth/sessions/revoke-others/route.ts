import { json, route } from "@/lib/http/api";
import { revokeOtherSessions } from "@/lib/auth";
import { requireSessionUser } from "@/lib/auth/session";

export const dynamic = "force-dynamic";

// Signs out every other browser of this account; this one stays signed in.
export const POST = route(async (req) => {
  const user = await requireSessionUser(req.headers);
  return json({ revoked: await revokeOtherSessions(user.db, req.headers, user) });
});
