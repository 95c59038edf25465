// Versions of a message (regenerated replies, edited user messages), as the
// pager shows them: "‹ 2/3 ›". Pure helpers over `Message.versions`.
import type { MessageVersions } from "../chat/types";

/** The id of the version `step` places away (-1 older, +1 newer), or undefined at either end. */
export function neighbourVersion(versions: MessageVersions | undefined, step: -1 | 1): string | undefined {
  if (!versions) return undefined;
  const next = versions.index + step;
  return next >= 0 && next < versions.ids.length ? versions.ids[next] : undefined;
}

/**
 * What `message` (with `versions`, possibly none yet) becomes when a new
 * sibling `newId` is added: the newest of one more versions. Shown on a
 * reply being regenerated, or an edited message being resent, before the
 * server's own numbers arrive.
 */
export function withNewVersion(oldId: string, versions: MessageVersions | undefined, newId: string): MessageVersions {
  const ids = versions ? [...versions.ids.filter((id) => id !== newId), newId] : [oldId, newId];
  return { index: ids.length - 1, count: ids.length, ids };
}

/** "2/3" for humans (1-based). */
export function versionLabel(versions: MessageVersions): string {
  return `${versions.index + 1}/${versions.count}`;
}
