// The status rules of a reply (docs/PROTOCOL.md §1), stated once and shared
// by the server and the browser: which statuses mean "still generating",
// which are final, and which transitions are legal. Plain data, no imports
// beyond the domain types, so the browser bundle can use it.
import type { MessageStatus } from "../chat/types";

export const MESSAGE_STATUSES = ["pending", "streaming", "resuming", "complete", "interrupted", "failed"] as const satisfies readonly MessageStatus[];

/** A reply with one of these statuses has (or should have) a generation running. */
export const GENERATING_STATUSES = ["pending", "streaming", "resuming"] as const satisfies readonly MessageStatus[];

/** A reply ends in exactly one of these. */
export const FINAL_STATUSES = ["complete", "interrupted", "failed"] as const satisfies readonly MessageStatus[];

export function isGenerating(status: MessageStatus): boolean {
  return status === "pending" || status === "streaming" || status === "resuming";
}

export function isFinal(status: MessageStatus): boolean {
  return !isGenerating(status);
}

export function isContinuable(status: MessageStatus): boolean {
  return status === "interrupted" || status === "failed";
}

/** A last reply with this status holds the conversation's queue of follow-ups (docs/PROTOCOL.md §3.8): the user decides what comes next. */
export const holdsQueue = isContinuable;

/**
 * The legal moves of a reply's status. pending → streaming when the first
 * event arrives; a generating reply ends in a final status; Continue takes
 * an interrupted or failed reply back to pending; a retry that resumes a
 * dead run's reply claims it as streaming (pending → streaming as well); the
 * server continuing a reply a crash or a restart cut short (auto-resume)
 * makes it resuming until its first event.
 * A status may also be written again unchanged (a later checkpoint).
 */
const NEXT: Record<MessageStatus, readonly MessageStatus[]> = {
  pending: ["pending", "streaming", "resuming", "complete", "interrupted", "failed"],
  streaming: ["streaming", "resuming", "complete", "interrupted", "failed"],
  resuming: ["resuming", "streaming", "complete", "interrupted", "failed"],
  complete: ["complete"],
  interrupted: ["interrupted", "pending", "resuming"],
  failed: ["failed", "pending"],
};

export function canMove(from: MessageStatus, to: MessageStatus): boolean {
  return NEXT[from].includes(to);
}

/** metadata.stopReason of a reply the user's Stop ended (docs/PROTOCOL.md §5.2): never resumed by the server. */
export const USER_STOP = "stopped";
/** metadata.stopReason of a reply a shutdown stopped (docs/PROTOCOL.md §5.5): the server may resume it. */
export const SHUTDOWN_STOP = "shutdown";

/** Why an interrupted reply ended: the user's Stop, a shutdown (a restart), or anything else (a crash, a lost run). */
export type InterruptionCause = "user" | "restart" | "other";

export function interruptionCause(stopReason: unknown): InterruptionCause {
  return stopReason === USER_STOP ? "user" : stopReason === SHUTDOWN_STOP ? "restart" : "other";
}
