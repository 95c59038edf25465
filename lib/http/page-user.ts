// Server components: the page's user, from the session the proxy guarantees.
// Layout and page ask in the same render: cache() looks it up once.
import { cache } from "react";
import { headers } from "next/headers";
import type { Db } from "../platform/db";
import { sessionUser, type SessionUser } from "../auth/session";
import type { AccountView } from "../auth/client";
import { getApp } from "../runtime";
import { isSecureRequest } from "./cookies";

export type PageUser = SessionUser & { db: Db };

export const pageUser = cache(async (): Promise<PageUser | null> => {
  const app = getApp();
  const h = new Headers(await headers());
  return sessionUser(app.accounts, h, isSecureRequest({ headers: h }, app.config));
});

export function accountView(user: SessionUser | null): AccountView | null {
  if (!user) return null;
  return user.guest || !user.email ? { guest: true } : { guest: false, email: user.email };
}
