import { describe, expect, it } from "vitest";
import {
  canMove,
  FINAL_STATUSES,
  GENERATING_STATUSES,
  interruptionCause,
  isContinuable,
  isFinal,
  isGenerating,
  MESSAGE_STATUSES,
  SHUTDOWN_STOP,
  USER_STOP,
} from "./status";

describe("reply status rules", () => {
  it("splits every status into generating or final", () => {
    expect(MESSAGE_STATUSES.filter(isGenerating)).toEqual(["pending", "streaming", "resuming"]);
    expect(MESSAGE_STATUSES.filter(isFinal)).toEqual(["complete", "interrupted", "failed"]);
    expect([...GENERATING_STATUSES, ...FINAL_STATUSES].sort()).toEqual([...MESSAGE_STATUSES].sort());
    expect(MESSAGE_STATUSES.filter(isContinuable)).toEqual(["interrupted", "failed"]);
  });

  it("allows the moves a reply makes, and no others", () => {
    // A status may be written again unchanged (a later checkpoint).
    for (const s of MESSAGE_STATUSES) expect(canMove(s, s), s).toBe(true);
    const legal = MESSAGE_STATUSES.flatMap((from) => MESSAGE_STATUSES.filter((to) => canMove(from, to) && from !== to).map((to) => `${from}→${to}`));
    expect(legal.sort()).toEqual(
      [
        "pending→streaming",
        "pending→complete",
        "pending→interrupted",
        "pending→failed",
        "streaming→complete",
        "streaming→interrupted",
        "streaming→failed",
        "interrupted→pending",
        "failed→pending",
        // Auto-resume (docs/PROTOCOL.md §5.5): a dead run's reply, or one a shutdown stopped.
        "pending→resuming",
        "streaming→resuming",
        "interrupted→resuming",
        "resuming→streaming",
        "resuming→complete",
        "resuming→interrupted",
        "resuming→failed",
      ].sort(),
    );
    // A complete reply is final for good; nothing goes back to streaming without passing pending.
    expect(MESSAGE_STATUSES.some((to) => to !== "complete" && canMove("complete", to))).toBe(false);
    expect(canMove("interrupted", "streaming")).toBe(false);
    // A failed reply is never resumed by the server: only the user's Continue takes it back.
    expect(canMove("failed", "resuming")).toBe(false);
  });

  it("tells a user's Stop and a restart apart from every other interruption (PROTOCOL §5.2)", () => {
    expect([USER_STOP, SHUTDOWN_STOP]).toEqual(["stopped", "shutdown"]);
    expect(interruptionCause("stopped")).toBe("user");
    expect(interruptionCause("shutdown")).toBe("restart");
    for (const other of [null, undefined, "", "error", "end_turn", "Stopped", 1]) expect(interruptionCause(other)).toBe("other");
  });
});
