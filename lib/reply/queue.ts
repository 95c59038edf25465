// Follow-ups queued while a reply is being written (docs/PROTOCOL.md §3.8).
// The user may queue up to MAX_QUEUED messages per conversation, edit and
// remove them; the server starts the oldest as a post of its own when the
// conversation's reply ends complete (afterReply in jobs.ts), whether or not
// any tab is open. A reply that ends interrupted or failed holds the queue
// until the user's Continue (or regenerate) ends complete. Each start takes
// the queued row inside the admission transaction, so a refused start (rate,
// capacity, a reply already running) leaves it queued, and two instances
// never both start it; the periodic sweep retries what is waiting.
import type { Db } from "../platform/db";
import type { Message } from "../chat/types";
import { AppError } from "../errors";
import { requireConversation } from "../chat/conversations";
import { lockDataOwner } from "../auth/data-owner";
import type { UserEventSink } from "../events/types";
import { errorFields, childLog } from "../platform/log";
import { admitPost, postStart, withServerAdmission, type Admission } from "./admission";
import { holdsQueue } from "./status";
import { generatingSql } from "./lifecycle";
import { Prisma } from "../generated/prisma/client";
import { handOver, type HandOverDeps } from "./hand-over";
import type { GenerationCapacity } from "./capacity";

export const MAX_QUEUED = 20;

export type QueuedMessage = { id: string; content: string; createdAt: string; updatedAt: string };

type Row = { id: string; content: string; createdAt: Date; updatedAt: Date };
const toQueued = (r: Row): QueuedMessage => ({ id: r.id, content: r.content, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString() });
const ORDER = [{ createdAt: "asc" as const }, { id: "asc" as const }];

function announce(events: UserEventSink | undefined, ownerId: string, conversationId: string): void {
  events?.publish(ownerId, { event: "queue.changed", data: { conversationId } });
}

/** The conversation's queue, oldest (next) first. Another user's conversation: 404. */
export async function listQueue(db: Db, userId: string, conversationId: string): Promise<QueuedMessage[]> {
  await requireConversation(db, userId, conversationId);
  return queueOf(db, conversationId);
}

/** The queue of a conversation the caller has already found to be the user's. */
export async function queueOf(db: Db, conversationId: string): Promise<QueuedMessage[]> {
  return (await db.queuedMessage.findMany({ where: { conversationId }, orderBy: ORDER })).map(toQueued);
}

/** Adds a message to the end of the queue (429 `queue_full` past MAX_QUEUED). The caller then tries to start it (startQueued). */
export async function queueMessage(db: Db, userId: string, conversationId: string, content: string, events?: UserEventSink): Promise<QueuedMessage> {
  const row = await db.$transaction(async (tx) => {
    // The owner's lock: two adds at once cannot both pass the count.
    const ownerId = await lockDataOwner(tx, userId, "update");
    const conv = await tx.conversation.findFirst({ where: { id: conversationId, userId: ownerId }, select: { id: true } });
    if (!conv) throw new AppError("not_found", "conversation not found");
    if ((await tx.queuedMessage.count({ where: { conversationId } })) >= MAX_QUEUED) {
      throw new AppError("queue_full", `At most ${MAX_QUEUED} messages can wait in a conversation's queue.`);
    }
    return { ownerId, row: await tx.queuedMessage.create({ data: { conversationId, content } }) };
  });
  announce(events, row.ownerId, conversationId);
  return toQueued(row.row);
}

async function requireQueued(db: Db, userId: string, id: string) {
  const row = await db.queuedMessage.findFirst({ where: { id, conversation: { userId } }, select: { id: true, conversationId: true } });
  if (!row) throw new AppError("not_found", "queued message not found");
  return row;
}

/**
 * Queues a message, then starts the queue if the conversation is ready
 * (`start`: app.startQueued). `started`: this message is no longer queued,
 * whichever start took it (this one, or the end of the reply before it).
 */
export async function queueFollowUp(
  db: Db,
  userId: string,
  conversationId: string,
  content: string,
  start: (conversationId: string) => Promise<unknown>,
  events?: UserEventSink,
): Promise<{ queued: QueuedMessage; started: boolean }> {
  const queued = await queueMessage(db, userId, conversationId, content, events);
  await start(conversationId);
  return { queued, started: (await db.queuedMessage.count({ where: { id: queued.id } })) === 0 };
}

/** Changes a queued message's text (404 once it has started: it is no longer queued). */
export async function editQueued(db: Db, userId: string, id: string, content: string, events?: UserEventSink): Promise<QueuedMessage> {
  const { conversationId } = await requireQueued(db, userId, id);
  const { count } = await db.queuedMessage.updateMany({ where: { id }, data: { content } });
  if (count !== 1) throw new AppError("not_found", "queued message not found");
  announce(events, userId, conversationId);
  return toQueued(await db.queuedMessage.findUniqueOrThrow({ where: { id } }));
}

/** Removes a queued message (404 once it has started). */
export async function removeQueued(db: Db, userId: string, id: string, events?: UserEventSink): Promise<void> {
  const { conversationId } = await requireQueued(db, userId, id);
  const { count } = await db.queuedMessage.deleteMany({ where: { id } });
  if (count !== 1) throw new AppError("not_found", "queued message not found");
  announce(events, userId, conversationId);
}

/** A queued message's start as a post: its user message and reply, not yet handed to a generation. */
export type QueuedStart = { queuedId: string; ownerId: string; userMessage: Message; assistantMessage: Message };

const G_GENERATING_SQL = generatingSql("g.status");

/**
 * Conversations with a queue that are ready for its next message: nothing
 * generating, and the last reply complete (an interrupted or failed one
 * holds the queue: the user decides what comes next). One conversation, or
 * any (for the sweep).
 */
async function readyQueues(db: Db, conversationId?: string): Promise<string[]> {
  const one = conversationId ? Prisma.sql`AND c.id = ${conversationId}::uuid` : Prisma.empty;
  // The last message neither generating nor holding the queue (holdsQueue): complete, or none yet. Oldest waiting first.
  const rows = await db.$queryRaw<{ id: string }[]>`SELECT c.id::text AS id FROM "QueuedMessage" q
    JOIN "Conversation" c ON c.id = q."conversationId"
    LEFT JOIN "Message" m ON m.id = c."currentLeafId"
    WHERE (m.id IS NULL OR m.role = 'user' OR m.status = 'complete') ${one}
      AND NOT EXISTS (SELECT 1 FROM "Message" g WHERE g."conversationId" = c.id AND ${G_GENERATING_SQL})
    GROUP BY c.id ORDER BY min(q."createdAt") LIMIT 100`;
  return rows.map((r) => r.id);
}

/** Conversations whose queue waits although they are ready for it (a start refused by a limit, or lost with an instance): the sweep starts them (jobs.ts). */
export const waitingQueues = (db: Db): Promise<string[]> => readyQueues(db);

/**
 * Starts the conversation's oldest queued message, if the conversation is
 * ready for it. Null when nothing was started (empty, held, or refused: it
 * stays queued). Readiness is checked first, so a conversation that is not
 * ready costs no request of the user's message rate.
 */
export async function startNextQueued(a: Admission, conversationId: string): Promise<QueuedStart | null> {
  if (!(await readyQueues(a.db, conversationId)).length) return null;
  const conv = await a.db.conversation.findUnique({ where: { id: conversationId }, select: { userId: true } });
  if (!conv) return null;
  try {
    const r = await withServerAdmission(
      a,
      conv.userId,
      async (tx, ownerId) => {
        // Taken here, under the owner's lock, with the text it has now (an edit up to this moment counts);
        // a refusal below rolls it back into the queue.
        const [next] = await tx.$queryRaw<{ id: string; content: string }[]>`DELETE FROM "QueuedMessage" WHERE id = (
            SELECT id FROM "QueuedMessage" WHERE "conversationId" = ${conversationId}::uuid ORDER BY "createdAt", id LIMIT 1
          ) RETURNING id::text AS id, content`;
        if (!next) throw new AppError("conflict", "nothing queued");
        const leaf = await tx.conversation.findUnique({ where: { id: conversationId }, select: { currentLeafId: true } });
        const last = leaf?.currentLeafId ? await tx.message.findUnique({ where: { id: leaf.currentLeafId }, select: { role: true, status: true } }) : null;
        // Checked again under the lock: a Stop may have ended the reply since readyQueues.
        if (last?.role === "assistant" && holdsQueue(last.status)) throw new AppError("conflict", "the queue waits");
        return { ...(await admitPost(a, tx, ownerId, conversationId, next.content)), ownerId, queuedId: next.id };
      },
      (x) => x.assistantMessage.id,
      postStart(conversationId),
    );
    return { queuedId: r.queuedId, ownerId: r.ownerId, userMessage: r.userMessage, assistantMessage: r.assistantMessage };
  } catch (e) {
    // Held, already running, over a limit, over capacity, or draining: it waits for the next reply's end or the sweep.
    const log = childLog({ component: "queue", conversationId });
    if (e instanceof AppError) log.debug({ code: e.code }, "queued message not started");
    else log.error({ err: errorFields(e) }, "could not start a queued message");
    return null;
  }
}

/** What starting a queued message uses: admission, the hand-over to a generation, the instance's capacity. */
export type QueueStartDeps = { admission: Admission; handOver: HandOverDeps; capacity: Pick<GenerationCapacity, "handedOver">; events?: UserEventSink };

/**
 * Starts the conversation's next queued message if it is ready
 * (startNextQueued) and hands its reply to a generation; true if one
 * started. Never throws: what did not start stays queued for the sweep.
 */
export async function startQueued(d: QueueStartDeps, conversationId: string): Promise<boolean> {
  let started: QueuedStart | null = null;
  try {
    started = await startNextQueued(d.admission, conversationId);
    if (!started) return false;
    // A reply that cannot be handed over fails visibly (handOver): the message has started either way.
    await handOver(d.handOver, started.assistantMessage, 0);
  } catch (e) {
    childLog({ component: "queue", conversationId }).error({ err: errorFields(e) }, "could not start a queued message");
  } finally {
    if (started) d.capacity.handedOver(started.assistantMessage.id); // as deliverReply does for a post
  }
  if (started) announce(d.events, started.ownerId, conversationId);
  return started !== null;
}
