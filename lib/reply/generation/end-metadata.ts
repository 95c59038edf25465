// The metadata a reply's final save carries (docs/PROTOCOL.md §1.3): who
// answered, why it ended, its usage and cost summed with the reply's earlier
// runs (Continue, auto-resume), and the run's timings.
import type { MessageMetadata, MessageStatus } from "../../chat/types";
import type { PriceTable } from "../../usage/prices";
import { usageAfterRun } from "../../usage/metadata";
import { SHUTDOWN_STOP, USER_STOP } from "../status";
import type { ReplyAssembler } from "./assembler";

export function endMetadata(o: {
  prev: MessageMetadata;
  provider: string;
  model: string;
  status: MessageStatus;
  /** A complete run's own stop reason (the model's, or max_tool_steps). */
  stopReason: string | null | undefined;
  /** The stop sequence that ended a complete run (kept only when one did). */
  stopSequence?: string | null;
  signal: AbortSignal;
  toolSteps: number;
  asm: Pick<ReplyAssembler, "usage" | "firstTokenAt" | "content">;
  startedAt: number;
  durationMs: number;
  prices?: PriceTable;
}): MessageMetadata {
  const { prev, asm, durationMs } = o;
  // An aborted run: a shutdown's stop may be resumed by the server (docs/PROTOCOL.md §5.5), a user's never.
  const aborted = o.signal.reason === SHUTDOWN_STOP ? SHUTDOWN_STOP : USER_STOP;
  return {
    ...prev,
    provider: o.provider,
    model: o.model,
    stopReason: o.status === "complete" ? (o.stopReason ?? null) : o.status === "interrupted" ? aborted : "error",
    ...(o.status === "complete" && o.stopSequence ? { stopSequence: o.stopSequence } : {}),
    ...(o.toolSteps > 0 ? { toolSteps: (Number(prev.toolSteps) || 0) + o.toolSteps } : {}),
    // Summed with earlier runs of this reply (Continue), per model, priced (lib/usage/metadata.ts).
    ...usageAfterRun(prev, o.model, asm.usage, o.prices),
    ...(asm.firstTokenAt !== undefined ? { firstTokenMs: asm.firstTokenAt - o.startedAt } : {}),
    durationMs,
    charsPerSecond: durationMs > 0 ? Math.round((asm.content.length / durationMs) * 1000 * 10) / 10 : 0,
  };
}
