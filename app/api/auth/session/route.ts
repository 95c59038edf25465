import { json, route } from "@/lib/http/api";
import { requireSessionUser } from "@/lib/auth/session";
import { getApp } from "@/lib/runtime";
import { isSecureRequest } from "@/lib/http/cookies";

export const dynamic = "force-dynamic";

// Who the session belongs to, and until when it lasts unless used.
export const GET = route(async (req) => {
  const app = getApp();
  const user = await requireSessionUser(app.accounts, req.headers, isSecureRequest(req, app.config));
  return json({
    user: { id: user.userId, email: user.email, guest: user.guest },
    session: { expiresAt: user.expiresAt.toISOString() },
  });
});
