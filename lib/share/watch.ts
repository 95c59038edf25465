// How a viewer's open streams learn that their link is gone, or that the
// conversation changed: from the owner's event stream (lib/events, in memory
// or over Redis), filtered to the shared conversation. Nothing of those events
// reaches the viewer but "changed" or "ended". A guest's conversation that
// moves into an account ends the watch as MOVED: the viewer reconnects, and
// its new watch follows the account.
import type { EventsSubscription, UserEventBus } from "../events/bus";
import type { UserEvent } from "../events/types";
import type { Db } from "../platform/db";
import { AppError } from "../errors";
import { resolveShareToken, type SharedConversation } from "./links";

/** The watch's abort reasons: the link is gone, or the conversation has a new owner to follow (reconnect). */
export const REVOKED = "revoked";
export const MOVED = "moved";

export type ShareWatch = {
  /** Aborted once the link is revoked or the conversation deleted (REVOKED), or moved to another owner (MOVED). */
  readonly signal: AbortSignal;
  close(): void;
};

/** What a viewer hears of: the conversation's end or move, and changes to what a viewer sees (not the owner's queue or sharing). */
function concerns(e: UserEvent, conversationId: string): boolean {
  switch (e.event) {
    case "conversation.updated":
      return e.data.conversation.id === conversationId;
    case "conversation.titled":
    case "conversation.deleted":
    case "conversation.moved":
    case "message.created":
    case "reply.started":
    case "reply.ended":
      return e.data.conversationId === conversationId;
    case "conversation.shared":
      return e.data.conversationId === conversationId && !e.data.shared;
    default:
      return false;
  }
}

/**
 * Watches the shared conversation. Subscribe before checking the token again
 * (resolveShareToken): a revocation between the two is then never missed.
 * `onChange`: a new message, a reply started or ended, a new title.
 */
export async function watchShare(events: UserEventBus, share: SharedConversation, onChange?: () => void): Promise<ShareWatch> {
  const ended = new AbortController();
  // Not const: the listener may run before subscribe() returns (it then finds no subscription yet).
  let sub: EventsSubscription | undefined;
  // eslint-disable-next-line prefer-const
  sub = await events.subscribe(share.ownerId, null, (e) => {
    if (ended.signal.aborted || !concerns(e, share.conversationId)) return;
    const end = e.event === "conversation.deleted" || (e.event === "conversation.shared" && !e.data.shared) ? REVOKED : e.event === "conversation.moved" ? MOVED : null;
    if (end) {
      ended.abort(end);
      sub?.close();
    } else onChange?.();
  });
  if (ended.signal.aborted) sub.close();
  return { signal: ended.signal, close: () => sub.close() };
}

/**
 * Watches a link's conversation from a state that cannot miss an end: it
 * subscribes, then resolves the token again (404 if it was revoked in
 * between), and follows the owner the token has now (a guest may have moved
 * into an account in between). Every `recheckMs` it resolves the token once
 * more, so an end whose event never arrived (a publish lost with a Redis
 * connection) still ends the watch, at the latest that much later.
 */
export async function watchLink(
  events: UserEventBus,
  db: Db,
  token: string,
  share: SharedConversation,
  o: { recheckMs: number; onChange?: () => void },
): Promise<ShareWatch> {
  let watch = await watchShare(events, share, o.onChange);
  let owner = share.ownerId;
  try {
    const now = await resolveShareToken(db, token);
    if (now.ownerId !== owner) {
      watch.close();
      watch = await watchShare(events, now, o.onChange);
      owner = now.ownerId;
    }
  } catch (e) {
    watch.close();
    throw e;
  }
  const checked = new AbortController();
  const signal = AbortSignal.any([watch.signal, checked.signal]);
  const recheck = setInterval(() => {
    resolveShareToken(db, token).then(
      (now) => now.ownerId !== owner && checked.abort(MOVED),
      // Only a 404 ends it: a database that fails to answer is not a revocation.
      (e: unknown) => e instanceof AppError && e.code === "not_found" && checked.abort(REVOKED),
    );
  }, o.recheckMs);
  recheck.unref();
  const stop = () => clearInterval(recheck);
  signal.addEventListener("abort", stop, { once: true });
  const inner = watch;
  return {
    signal,
    close() {
      stop();
      inner.close();
    },
  };
}
