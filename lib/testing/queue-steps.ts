// Steps the queue tests share (docs/PROTOCOL.md §3.8): what a conversation
// shows and holds queued, read through the routes, and waiting until its
// replies have settled.
import { call } from "./route-client";
import type { Message } from "../chat/types";
import type { QueuedMessage } from "../reply/queue";
import { isGenerating } from "../reply/status";
import * as queue from "../../app/api/conversations/[id]/queue/route";
import * as conversation from "../../app/api/conversations/[id]/route";

export type Queued = QueuedMessage;

export const listQueue = async (cookie: string, cid: string): Promise<Queued[]> =>
  (await (await call(queue.GET, "GET", "/", { cookie, params: { id: cid } })).json()).queue;

export const shown = async (cookie: string, cid: string): Promise<{ messages: Message[]; queue: Queued[] }> =>
  (await call(conversation.GET, "GET", "/", { cookie, params: { id: cid } })).json();

/**
 * Polls `probe` until `ok`. The bound is generous (a minute) so that a loaded
 * machine only makes it slower; it is there to name what never came.
 */
export async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (const deadline = Date.now() + 60_000; ; await new Promise((r) => setTimeout(r, 10))) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}: ${JSON.stringify(v).slice(0, 500)}`);
  }
}

/** At least `n` messages, the last of them no longer generating. */
export const settled = (cookie: string, cid: string, n: number) =>
  until(
    `${n} messages, settled`,
    () => shown(cookie, cid),
    (s) => s.messages.length >= n && !isGenerating(s.messages.at(-1)!.status),
  );
