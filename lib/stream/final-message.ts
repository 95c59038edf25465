// Waits for a reply's final message through the bus, wherever its generation
// runs (this process, another instance, an Inngest worker).
import type { Db } from "../platform/db";
import { toMessage } from "../chat/conversations";
import type { Message } from "../chat/types";
import type { StreamBus } from "./bus";
import type { StreamEvent } from "./events";
import { subscribeOnceOpen } from "./await-open";

const FINAL = new Set(["complete", "interrupted", "failed"]);

const LOST = Symbol("lost");

export async function awaitFinalMessage(deps: { db: Db; bus: StreamBus }, messageId: string, after: number | null, signal?: AbortSignal): Promise<Message> {
  for (;;) {
    const final = await untilDoneOrLost(deps, messageId, after, signal);
    if (final !== LOST) return final;
    // The bus lost events it cannot give back: only the end matters here, so start again from the live state.
    after = null;
  }
}

async function untilDoneOrLost(deps: { db: Db; bus: StreamBus }, messageId: string, after: number | null, signal?: AbortSignal): Promise<Message | typeof LOST> {
  let resolveDone!: (m: Message | typeof LOST) => void;
  let rejectDone!: (e: unknown) => void;
  const done = new Promise<Message | typeof LOST>((res, rej) => ((resolveDone = res), (rejectDone = rej)));
  const onAbort = () => rejectDone(signal?.reason ?? new Error("aborted"));
  if (signal?.aborted) onAbort();
  signal?.addEventListener("abort", onAbort, { once: true });
  const onEvent = (e: StreamEvent) => {
    if (e.event === "done") resolveDone(e.data.message);
  };
  // A reply admitted a moment ago may not be on the bus yet (await-open.ts).
  const { subscription: sub, stored } = await subscribeOnceOpen(
    deps,
    messageId,
    after,
    onEvent,
    () => !!signal?.aborted,
    () => resolveDone(LOST),
  );
  try {
    const start = sub.start;
    if (start.kind === "replay") for (const e of start.events) onEvent(e);
    else if (start.kind === "snapshot" && FINAL.has(start.message.status)) resolveDone(start.message);
    else if (start.kind === "unknown" && stored) resolveDone(toMessage(stored));
    return await done;
  } finally {
    sub.close();
    signal?.removeEventListener("abort", onAbort);
  }
}
