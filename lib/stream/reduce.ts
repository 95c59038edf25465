// Folds stream events into a message: the same rules on the server (to keep
// a replayable snapshot of a live reply) and in the browser (to render it).
// Rebuilding from a snapshot plus the events after it equals the final message.
import type { Message, Part } from "../chat/types";
import { contentOf } from "../chat/types";
import type { StreamEvent } from "./events";

/** Tool-input JSON fragments that arrived for still-open blocks, by part index. */
export type PendingJson = Map<number, string>;

export function applyEvent(msg: Message, e: StreamEvent, pendingJson: PendingJson = new Map()): Message {
  switch (e.event) {
    case "snapshot":
    case "done":
      pendingJson.clear();
      return e.data.message;
    case "part_start": {
      const parts = msg.parts.slice();
      parts[e.data.index] = { ...e.data.part } as Part;
      if (e.data.part.type === "tool_use") pendingJson.set(e.data.index, "");
      return { ...msg, parts, content: contentOf(parts) };
    }
    case "delta": {
      const part = msg.parts[e.data.index];
      if (!part) return msg;
      const parts = msg.parts.slice();
      if ("text" in e.data) {
        if (part.type === "text") parts[e.data.index] = { ...part, text: part.text + e.data.text };
        else if (part.type === "thinking") parts[e.data.index] = { ...part, thinking: part.thinking + e.data.text };
        else return msg;
        return { ...msg, parts, content: part.type === "text" ? msg.content + e.data.text : msg.content };
      }
      pendingJson.set(e.data.index, (pendingJson.get(e.data.index) ?? "") + e.data.json);
      return msg;
    }
    case "part_stop": {
      const part = msg.parts[e.data.index];
      const raw = pendingJson.get(e.data.index);
      pendingJson.delete(e.data.index);
      if (part?.type === "thinking" && (typeof e.data.durationMs === "number" || typeof e.data.signature === "string")) {
        const parts = msg.parts.slice();
        parts[e.data.index] = {
          ...part,
          ...(typeof e.data.durationMs === "number" ? { durationMs: e.data.durationMs } : {}),
          ...(typeof e.data.signature === "string" ? { signature: e.data.signature } : {}),
        };
        return { ...msg, parts };
      }
      if (part?.type !== "tool_use" || raw === undefined) return msg;
      const parts = msg.parts.slice();
      let input: unknown;
      try {
        input = raw.trim() === "" ? {} : JSON.parse(raw);
      } catch {
        input = { _raw: raw };
      }
      parts[e.data.index] = { ...part, input };
      return { ...msg, parts };
    }
    case "status":
      return { ...msg, status: e.data.status };
    case "error":
      return { ...msg, error: { code: e.data.code, message: e.data.message } };
    case "tool_progress":
      return msg;
  }
}
