// Server components: the page's user, from the session the proxy guarantees.
import { cookies } from "next/headers";
import { getDb, type Db } from "../db";
import { readSession, SESSION_COOKIE } from "../session";
import { ensureUser } from "../users";

export async function pageUser(): Promise<{ userId: string; db: Db } | null> {
  const uid = await readSession((await cookies()).get(SESSION_COOKIE)?.value);
  if (!uid) return null;
  const db = await getDb();
  await ensureUser(db, uid);
  return { userId: uid, db };
}
