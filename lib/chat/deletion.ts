// Deleting conversations: a running reply is stopped first (its streams end
// with `done`, its generation is aborted wherever it runs), then the
// conversation goes with its files (lib/files/attachments.ts). One path for
// deleting one conversation, all of them, and an account's.
import { AppError } from "../errors";
import type { FileStore } from "../files/store";
import { deleteConversationAndFiles } from "../files/attachments";
import { stopConversationReplies, type StopDeps } from "../reply/stop";
import type { UserEventSink } from "../events/types";

/** `events`: the owner's tabs hear of each deleted conversation (docs/PROTOCOL.md §4.8). */
export type DeletionDeps = { stopping: StopDeps; files: FileStore; events?: UserEventSink };

/** Stops the conversation's running replies, then deletes it and its files. 404 for anyone else's. */
export async function deleteConversationFully(d: DeletionDeps, userId: string, id: string): Promise<void> {
  await stopConversationReplies(d.stopping, userId, id);
  await deleteConversationAndFiles(d.stopping.db, d.files, userId, id, d.events);
}

/** Conversations deleted per round (each is its own short work, so a large account holds no long transaction). */
const BATCH = 50;

/** Deletes every conversation of the user as `deleteConversationFully` does; returns how many went. */
export async function deleteAllConversations(d: DeletionDeps, userId: string): Promise<number> {
  const db = d.stopping.db;
  let deleted = 0;
  for (;;) {
    const page = await db.conversation.findMany({ where: { userId }, select: { id: true }, orderBy: { id: "asc" }, take: BATCH });
    for (const { id } of page) {
      try {
        await deleteConversationFully(d, userId, id);
        deleted++;
      } catch (e) {
        // Deleted meanwhile (another tab): already done.
        if (!(e instanceof AppError && e.code === "not_found")) throw e;
      }
    }
    if (page.length < BATCH) return deleted;
  }
}
