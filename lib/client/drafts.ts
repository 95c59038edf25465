// The composer's unsent text, one draft per conversation ("new" for a chat
// not created yet), kept in localStorage so a reload does not lose it.
// Storage can be missing or full (private modes, quotas): drafts are a
// convenience, so every failure is swallowed.
export type DraftStorage = Pick<Storage, "getItem" | "setItem" | "removeItem">;

const PREFIX = "tether:draft:";

export const draftKey = (conversationId: string | null) => `${PREFIX}${conversationId ?? "new"}`;

function storage(): DraftStorage | undefined {
  try {
    return typeof window === "undefined" ? undefined : window.localStorage;
  } catch {
    return undefined; // access itself can throw (blocked storage)
  }
}

export function readDraft(conversationId: string | null, store = storage()): string {
  try {
    return store?.getItem(draftKey(conversationId)) ?? "";
  } catch {
    return "";
  }
}

/** Saves the text; an empty (or blank) draft is removed rather than stored. */
export function writeDraft(conversationId: string | null, text: string, store = storage()): void {
  try {
    if (text.trim() === "") store?.removeItem(draftKey(conversationId));
    else store?.setItem(draftKey(conversationId), text);
  } catch {
    // Quota exceeded or storage disabled: the draft just is not kept.
  }
}

export function clearDraft(conversationId: string | null, store = storage()): void {
  writeDraft(conversationId, "", store);
}
