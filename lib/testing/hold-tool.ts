// A tool that holds a reply mid-way until the test lets it go, so a reply is
// surely still generating while a test acts on it, however busy the machine
// (no timing). The model is scripted to call `hold` (the fake Anthropic
// server); the call waits at the test's current gate, or until the reply is
// stopped.
import { z } from "zod";
import { defineTool } from "../tools";

/** `reached` resolves when a reply arrives at the gate; `open()` lets it go on. */
export type Gate = { opened: Promise<void>; open(): void; reached: Promise<void>; reach(): void };

export function newGate(): Gate {
  let open!: () => void, reach!: () => void;
  return { opened: new Promise<void>((r) => (open = r)), open: () => open(), reached: new Promise<void>((r) => (reach = r)), reach: () => reach() };
}

/** The `hold` tool, waiting at whatever gate `current()` gives when it is called. */
export function holdTool(current: () => Gate) {
  return defineTool({
    name: "hold",
    description: "waits for the test",
    input: z.object({}),
    async execute(_input, ctx) {
      const gate = current();
      gate.reach();
      await Promise.race([gate.opened, new Promise((r) => ctx.signal.addEventListener("abort", r, { once: true }))]);
      return "held no more";
    },
  });
}
