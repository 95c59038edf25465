// What every shared-link route does first (docs/PROTOCOL.md §3.7): counts the
// request against the client address's SHARE_RATE_LIMIT (viewers have no
// session to count against), then resolves the token (404 when malformed,
// unknown or revoked).
import type { App } from "../app";
import type { Db } from "../platform/db";
import { getApp } from "../runtime";
import { enforceShareRate } from "../platform/rate-limit";
import { resolveShareToken, type SharedConversation } from "../share/links";
import { clientAddress } from "./client-address";

/** Set by the proxy on a shared link's page request (/s/:token): the root layout renders it without the app around it. */
export const SHARED_PAGE_HEADER = "x-tether-shared-page";
export const isSharedPage = (pathname: string) => pathname.startsWith("/s/");

export type ShareCaller = { app: App; db: Db; share: SharedConversation };

/** For a route, or a page (its request's headers): 429 past the address's limit, 404 for a token that opens nothing. */
export async function requireShare(req: Pick<Request, "headers">, token: string | undefined): Promise<ShareCaller> {
  const app = getApp();
  await enforceShareRate(app.limiters.share, clientAddress(req.headers, app.config.http.trustedProxyHops));
  const db = await app.db();
  return { app, db, share: await resolveShareToken(db, token ?? "") };
}
