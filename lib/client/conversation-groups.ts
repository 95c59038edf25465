// The sidebar's sections: Pinned, then by last activity (`updatedAt`, the
// last message: docs/API.md "Pinned and archived conversations") Today,
// Yesterday, Previous 7 days, Older. Days are calendar days in one time zone:
// the browser's, or UTC where there is none (the server's first render).
import type { Conversation } from "../chat/types";

export type GroupName = "Pinned" | "Today" | "Yesterday" | "Previous 7 days" | "Older";
export type ConversationGroup = { name: GroupName; conversations: Conversation[] };
export type Zone = "local" | "utc";

/** Midnight starting the day `daysBack` days before the day of `now`, in `zone` (DST-safe: calendar arithmetic). */
export function startOfDay(now: number, zone: Zone, daysBack = 0): number {
  const d = new Date(now);
  if (zone === "utc") return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - daysBack);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() - daysBack).getTime();
}

/**
 * Archived conversations are left out; the rest keep their order (newest
 * activity first, as listed) inside each group; empty groups are dropped.
 * Activity in the future (a skewed clock) counts as today.
 */
export function groupConversations(list: readonly Conversation[], now: number, zone: Zone): ConversationGroup[] {
  const today = startOfDay(now, zone);
  const yesterday = startOfDay(now, zone, 1);
  const week = startOfDay(now, zone, 7);
  const groups: Record<GroupName, Conversation[]> = { Pinned: [], Today: [], Yesterday: [], "Previous 7 days": [], Older: [] };
  for (const c of list) {
    if (c.archivedAt) continue;
    const at = Date.parse(c.updatedAt);
    const name: GroupName = c.pinnedAt ? "Pinned" : at >= today ? "Today" : at >= yesterday ? "Yesterday" : at >= week ? "Previous 7 days" : "Older";
    groups[name].push(c);
  }
  return (Object.keys(groups) as GroupName[]).filter((n) => groups[n].length > 0).map((name) => ({ name, conversations: groups[name] }));
}
