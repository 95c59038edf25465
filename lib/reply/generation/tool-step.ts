// One tool step of a reply: runs the tool calls a model turn asked for
// (concurrently), streams their progress as numbered `tool_progress` events,
// and appends a `tool_result` part per call, in call order, as soon as it and
// the calls before it are done. Stop aborts the tools: a call cut off that
// way gets no result (results that did arrive are kept).
import { toolCrashed, type ToolRegistry } from "../../tools/registry";
import type { ToolContext } from "../../tools/types";
import type { StreamEvent } from "../../stream/events";
import type { ToolUsePart } from "../../chat/types";
import type { ReplyAssembler } from "./assembler";

/** Progress events per call beyond this are dropped (a chatty tool must not flood the log). */
export const MAX_PROGRESS_EVENTS_PER_CALL = 100;
const MAX_PROGRESS_CHARS = 300;

export type ToolStepDeps = {
  registry: ToolRegistry;
  asm: ReplyAssembler;
  /** Publishes events in order (ids reserved first); resolves once sent. */
  send(events: StreamEvent[]): Promise<void>;
  /** Called after a result part was added (a checkpoint is due). */
  onResult(): void;
  context: Omit<ToolContext, "signal" | "progress">;
  signal: AbortSignal;
};

export async function runToolStep(calls: ToolUsePart[], d: ToolStepDeps): Promise<void> {
  const outcomes = calls.map((call) => {
    let open = true;
    let sent = 0;
    const progress = (message: string, percent?: number) => {
      if (!open || d.signal.aborted || sent >= MAX_PROGRESS_EVENTS_PER_CALL) return;
      sent++;
      const data = {
        toolUseId: call.id,
        message: Array.from(String(message)).slice(0, MAX_PROGRESS_CHARS).join(""),
        ...(typeof percent === "number" && Number.isFinite(percent) ? { percent: Math.min(100, Math.max(0, Math.round(percent))) } : {}),
      };
      // Fire and forget: a failed send surfaces at the next awaited one.
      d.send([d.asm.emit({ event: "tool_progress", data })]).catch(() => {});
    };
    return d.registry
      .run({ id: call.id, name: call.name, input: call.input }, { ...d.context, signal: d.signal, progress })
      .catch((e: unknown) => toolCrashed(call, e))
      .finally(() => (open = false));
  });
  for (const [i, pending] of outcomes.entries()) {
    const outcome = await pending;
    if (outcome.status === "aborted") continue;
    await d.send(d.asm.addPart({ type: "tool_result", toolUseId: calls[i].id, content: outcome.content, isError: outcome.isError }));
    d.onResult();
  }
}
