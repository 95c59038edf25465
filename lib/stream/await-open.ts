// A reply admitted a moment ago may not have its log on the bus yet: its
// owner's bus.open is still on its way (a repeated Idempotency-Key or a reload
// racing it, docs/PROTOCOL.md §4.3). Subscribing then finds nothing; the row
// says `pending`. This waits for the log, briefly, and hands back what it
// found: the subscription, and the stored row when the bus never had the reply.
import type { Db } from "../platform/db";
import type { StreamBus, Subscription } from "./bus";
import type { StreamEvent } from "./events";

/** How long to wait for a just-admitted reply's log, how often to look, and how young "just admitted" is. */
export const OPEN_WAIT_MS = 2_000;
const OPEN_POLL_MS = 50;
const OPEN_FRESH_MS = 10_000;

type Row = Awaited<ReturnType<Db["message"]["findUnique"]>>;

export async function subscribeOnceOpen(
  deps: { db: Pick<Db, "message">; bus: StreamBus },
  messageId: string,
  after: number | null,
  onEvent: (e: StreamEvent) => void,
  /** True once the caller no longer wants it (its client left). */
  gone: () => boolean = () => false,
  /** The bus lost events it cannot give back (StreamBus.subscribe). */
  onLost?: () => void,
): Promise<{ subscription: Subscription; stored: Row }> {
  let subscription = await deps.bus.subscribe(messageId, after, onEvent, onLost);
  let stored: Row = null;
  for (let waited = 0; subscription.start.kind === "unknown" && !gone(); waited += OPEN_POLL_MS) {
    stored = await deps.db.message.findUnique({ where: { id: messageId } });
    // A reply left pending long ago (a crash before its log opened) is not waited for.
    // (Resuming: the sweep claimed it and is opening its log, docs/PROTOCOL.md §5.5.)
    const fresh = (stored?.status === "pending" || stored?.status === "resuming") && Date.now() - stored.updatedAt.getTime() < OPEN_FRESH_MS;
    if (!fresh || waited >= OPEN_WAIT_MS) break;
    await new Promise((r) => setTimeout(r, OPEN_POLL_MS));
    subscription.close();
    subscription = await deps.bus.subscribe(messageId, after, onEvent, onLost);
  }
  return { subscription, stored };
}
